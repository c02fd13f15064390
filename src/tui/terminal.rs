//! The terminal around the workbench: raw mode and the alternate screen on
//! the way in (and the kitty keyboard protocol where the terminal has it,
//! so `Ctrl-i` is not `Tab`), and a restore that runs on quit, on panic,
//! and on SIGTERM, SIGHUP or SIGINT, so an analyst's shell is never left
//! broken, not even by a dropped SSH connection.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};

/// Whether the terminal speaks the kitty keyboard protocol: asked once
/// (a query answered in one round trip by any terminal, since it is
/// followed by a device-attributes query every terminal answers).
static KEYBOARD_PROTOCOL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
/// Set while the protocol's flags are pushed, so a restore pops them once.
static KEYBOARD_PUSHED: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    // Keys the classic encoding cannot tell apart (Ctrl-i and Tab, Ctrl-m
    // and Enter, a lone Esc) arrive distinct where the terminal can say
    // so. Set QUALM_KITTY_KEYS=0 to keep the classic encoding.
    let wanted = std::env::var_os("QUALM_KITTY_KEYS").is_none_or(|v| v != "0");
    if wanted
        && *KEYBOARD_PROTOCOL
            .get_or_init(|| crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false))
    {
        execute!(
            io::stdout(),
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
        KEYBOARD_PUSHED.store(true, Ordering::SeqCst);
    }
    // Mouse capture stays off: it would stop analysts selecting text to copy over SSH.
    // Bracketed paste is on so a paste can never fire key bindings.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    // The backend moves down a row with a line feed, which must keep the
    // column: make sure the terminal's new-line mode (LNM) is off, as it
    // is by default.
    let mut out = io::stdout();
    out.write_all(b"\x1b[20l")?;
    out.flush()
}

/// Puts the terminal back; safe to call more than once and after the
/// terminal went away (errors are ignored: there is nobody to tell).
pub fn restore() {
    let mut out = io::stdout();
    if KEYBOARD_PUSHED.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Restores the terminal before the default panic message is printed.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// A flag raised by SIGTERM, SIGHUP or SIGINT; the event loop checks it
/// between events and leaves cleanly.
pub fn stop_flag() -> io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
        signal_hook::flag::register_usize(signal, Arc::clone(&LAST_SIGNAL), signal as usize)?;
    }
    Ok(flag)
}

/// The signal that stopped the workbench, if one did (0: none), so the
/// process can exit with 128 + its number as shells expect.
pub static LAST_SIGNAL: std::sync::LazyLock<Arc<std::sync::atomic::AtomicUsize>> =
    std::sync::LazyLock::new(Default::default);

/// Watches for a terminal that went away. A dropped SSH connection closes
/// the terminal and sends SIGHUP, but the input reader then spins on the
/// closed terminal and never returns to the event loop. So this thread
/// notices the signal, or that standard input is no longer a terminal,
/// gives the loop half a second to leave by itself, and otherwise saves
/// the draft being written, restores what it can and ends the process.
pub fn watchdog(
    stop: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    draft: super::SharedDraft,
) -> std::thread::JoinHandle<()> {
    use std::io::IsTerminal;
    use std::time::Duration;
    // Sleeps are parks, so the loop's end wakes it at once.
    std::thread::spawn(move || loop {
        std::thread::park_timeout(Duration::from_millis(100));
        if done.load(Ordering::SeqCst) {
            return;
        }
        if !stopped(&stop) && io::stdin().is_terminal() {
            continue;
        }
        stop.store(true, Ordering::SeqCst);
        for _ in 0..5 {
            std::thread::park_timeout(Duration::from_millis(100));
            if done.load(Ordering::SeqCst) {
                return;
            }
        }
        let pending = draft.lock().map(|mut d| d.take()).unwrap_or(None);
        if let Some(pending) = pending {
            pending.save();
        }
        restore();
        std::process::exit(129);
    })
}

/// What [`Input::wait`] saw.
#[derive(Debug, PartialEq, Eq)]
pub enum Wait {
    /// Bytes to read from the terminal.
    Ready,
    /// Nothing within the time given.
    Timeout,
    /// A signal came (SIGTERM, SIGHUP, SIGINT): the stop flag says which.
    Signal,
    /// The terminal hung up or failed: nothing will ever come from it.
    Gone,
}

/// Waits for the terminal itself, before crossterm reads it: crossterm's
/// reader retries a closed terminal's end of file or EIO forever, spinning
/// a core, so a dropped SSH connection must be seen here first. The
/// signals that stop the workbench wake the wait at once, whichever
/// thread they are delivered to.
pub struct Input {
    tty: std::os::fd::RawFd,
    /// Kept open when the terminal is `/dev/tty` (stdin is not one).
    _tty_file: Option<std::fs::File>,
    /// Read end of a pipe the signal handlers write a byte into.
    wake: std::os::unix::net::UnixStream,
}

impl Input {
    pub fn new() -> io::Result<Input> {
        use std::io::IsTerminal;
        use std::os::fd::AsRawFd;
        // The terminal crossterm reads: stdin, else the process's tty.
        let (tty, file) = if io::stdin().is_terminal() {
            (io::stdin().as_raw_fd(), None)
        } else {
            let file = std::fs::File::open("/dev/tty")?;
            (file.as_raw_fd(), Some(file))
        };
        let (wake, signalled) = std::os::unix::net::UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        signalled.set_nonblocking(true)?;
        for signal in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::low_level::pipe::register(signal, signalled.try_clone()?)?;
        }
        Ok(Input {
            tty,
            _tty_file: file,
            wake,
        })
    }

    /// Waits up to `timeout` for input, a signal or a hang-up.
    pub fn wait(&mut self, timeout: std::time::Duration) -> io::Result<Wait> {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        let mut fds = [
            libc::pollfd {
                fd: self.tty,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: self.wake.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: two valid pollfd entries, for descriptors this holds open.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, millis) };
        if ready < 0 {
            let error = io::Error::last_os_error();
            return match error.kind() {
                io::ErrorKind::Interrupted => Ok(Wait::Signal),
                _ => Err(error),
            };
        }
        if fds[1].revents != 0 {
            let mut drain = [0u8; 64];
            while matches!(self.wake.read(&mut drain), Ok(n) if n > 0) {}
            return Ok(Wait::Signal);
        }
        let tty = fds[0].revents;
        if tty & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Ok(Wait::Gone);
        }
        Ok(if tty & libc::POLLIN != 0 {
            Wait::Ready
        } else {
            Wait::Timeout
        })
    }
}

pub fn stopped(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}
