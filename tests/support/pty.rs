//! Drives the real `qualm` binary in a pseudo-terminal and keeps a vt100
//! model of its screen, for end-to-end tests and the output benchmark.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    /// None once [`Session::hang_up`] closed the terminal.
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    output: Receiver<Vec<u8>>,
    /// Stops the reader thread, so every handle on the terminal can close.
    stop_reader: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    pub parser: vt100::Parser,
    /// Every byte the program wrote, in order.
    pub raw: Vec<u8>,
    /// Answer as a terminal with the kitty keyboard protocol (else as one
    /// without it); either way device-attribute queries are answered, as
    /// every real terminal does.
    pub kitty: bool,
    answered: usize,
}

impl Session {
    pub fn start(
        binary: &str,
        args: &[&str],
        envs: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(binary);
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        // Keep a user's own keymap out of the tests.
        cmd.env("XDG_CONFIG_HOME", "/nonexistent-qualm-test-config");
        // Nor where a previous run left off (a path no one can create).
        cmd.env("XDG_STATE_HOME", "/dev/null/qualm-test-state");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("qualm starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let fd = pair.master.as_raw_fd().expect("a unix pty");
        let (tx, rx) = channel();
        let stop_reader = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stop_reader);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(Ordering::SeqCst) {
                // Waits for output a little at a time, so a hang-up can
                // stop this thread and close its handle on the terminal.
                let mut poll = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd; the master outlives this thread
                // (hang_up and drop join it first).
                if unsafe { libc::poll(&mut poll, 1, 20) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 && tx.send(buf[..n].to_vec()).is_ok() => {}
                    _ => break,
                }
            }
        });
        Session {
            child,
            master: Some(pair.master),
            writer: Some(writer),
            output: rx,
            stop_reader,
            reader: Some(reader),
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
            kitty: false,
            answered: 0,
        }
    }

    /// Reads what has arrived within `wait`; returns the number of bytes.
    pub fn pump(&mut self, wait: Duration) -> usize {
        let deadline = Instant::now() + wait;
        let mut total = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => {
                    total += bytes.len();
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                    self.answer_queries();
                }
                Err(_) => return total,
            }
        }
    }

    /// Answers the terminal queries the program sent since the last call:
    /// the kitty keyboard flags (when `kitty`), then the primary device
    /// attributes.
    fn answer_queries(&mut self) {
        let queries = self.raw.windows(3).filter(|w| w == b"\x1b[c").count();
        while self.answered < queries {
            self.answered += 1;
            // The terminal may have been closed (a dropped connection).
            let Some(writer) = self.writer.as_mut() else {
                return;
            };
            if self.kitty {
                writer.write_all(b"\x1b[?0u").unwrap();
            }
            writer.write_all(b"\x1b[?62;22c").unwrap();
            writer.flush().unwrap();
        }
    }

    /// Waits up to `timeout` for output to begin; returns the bytes read
    /// (0 if none came).
    pub fn pump_until_output(&mut self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let n = self.pump(Duration::from_millis(10));
            if n > 0 {
                return n;
            }
        }
        0
    }

    /// Waits until nothing more arrives for `quiet`; returns the bytes read.
    pub fn settle(&mut self, quiet: Duration) -> usize {
        let mut total = 0;
        loop {
            let n = self.pump(quiet);
            total += n;
            if n == 0 {
                return total;
            }
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return true;
            }
            self.pump(Duration::from_millis(50));
        }
        self.screen().contains(text)
    }

    /// Waits up to `timeout` for `text` to leave the screen.
    pub fn wait_gone(&mut self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if !self.screen().contains(text) {
                return true;
            }
            self.pump(Duration::from_millis(50));
        }
        !self.screen().contains(text)
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(bytes).unwrap();
        writer.flush().unwrap();
    }

    /// Closes the terminal from the far end, as a dropped SSH connection
    /// does: every handle on the master side goes, so the program gets
    /// SIGHUP and its reads fail. Output it wrote until then is kept.
    pub fn hang_up(&mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.pump(Duration::ZERO);
        self.writer = None;
        self.master = None;
    }

    /// The program's process id (to send it a signal).
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Sends a key that changes the screen and waits for the frame it
    /// causes (however loaded the machine), then for output to stop.
    pub fn press(&mut self, bytes: &[u8]) {
        self.send(bytes);
        self.pump_until_output(Duration::from_secs(10));
        self.settle(Duration::from_millis(30));
    }

    /// Waits for the program to exit; None if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<portable_pty::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            self.pump(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        self.stop_reader.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
