//! Output for people at a terminal, and nothing of it in a pipe: colour
//! (decided once from `--color` and NO_COLOR), long output through a pager
//! (`$PAGER`, else `less` with `-FRX` so a short page just prints), and a
//! progress line on stderr for work that takes more than a second. Piped
//! output gets none of these, byte for byte what scripts expect.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

static COLOUR: OnceLock<bool> = OnceLock::new();
static PAGER: AtomicBool = AtomicBool::new(true);

/// Set once from the global `--color`.
pub fn set_colour(enabled: bool) {
    let _ = COLOUR.set(enabled);
}

pub fn colour() -> bool {
    *COLOUR.get().unwrap_or(&false)
}

/// Turns the pager off (the TUI's own summary, tests that want raw output).
pub fn no_pager() {
    PAGER.store(false, Ordering::Relaxed);
}

/// The 16 named colours only, so a terminal's theme decides the shades.
#[derive(Clone, Copy)]
pub enum Paint {
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Dim,
    Bold,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Red => "31",
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Blue => "34",
            Paint::Magenta => "35",
            Paint::Dim => "2",
            Paint::Bold => "1",
        }
    }

    /// `text` in this colour when colour is on; the text itself else.
    /// The colour is a marker that [`render`] turns into the escape code
    /// after everything else was escaped, so that text read from a file
    /// can never carry a colour code (or any other) to the terminal.
    pub fn paint(self, text: &str) -> String {
        if colour() {
            format!("{}{text}{}", marker(self.code()), marker("0"))
        } else {
            text.to_string()
        }
    }
}

/// A private-use character and a token random to this process: a file
/// cannot contain the marker by chance or by design.
const MARK: char = '\u{F8FF}';

fn token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        format!("{:016x}", hasher.finish())
    })
}

fn marker(code: &str) -> String {
    format!("{MARK}{}{code}{MARK}", token())
}

/// Output as it goes to the terminal: every hazard escaped, then the
/// colour markers of [`Paint`] made real escape codes.
pub fn render(text: &str) -> String {
    let escaped = crate::escape::escape(text);
    if !escaped.contains(MARK) {
        return escaped.into_owned();
    }
    let prefix = format!("{MARK}{}", token());
    let mut out = String::with_capacity(escaped.len());
    let mut rest: &str = &escaped;
    while let Some(at) = rest.find(&prefix) {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        match after.find(MARK) {
            Some(end) if after[..end].bytes().all(|b| b.is_ascii_digit()) => {
                out.push_str(&format!("\x1b[{}m", &after[..end]));
                rest = &after[end + MARK.len_utf8()..];
            }
            _ => {
                out.push_str(&prefix);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The colour of a severity word.
pub fn severity(word: &str) -> Paint {
    match word {
        "critical" => Paint::Magenta,
        "high" => Paint::Red,
        "medium" => Paint::Yellow,
        "low" => Paint::Blue,
        _ => Paint::Dim,
    }
}

/// A diagnostic line with its `error:` or `warning:` in colour.
pub fn diagnostic(line: &str) -> String {
    if !colour() {
        return line.to_string();
    }
    for (word, paint) in [(": error:", Paint::Red), (": warning:", Paint::Yellow)] {
        if let Some(at) = line.find(word) {
            let (head, tail) = line.split_at(at);
            let tail = &tail[word.len()..];
            return format!(
                "{head}: {}:{tail}",
                Paint::Bold
                    .paint(&paint.paint(word.trim_start_matches(": ").trim_end_matches(':')))
            );
        }
    }
    line.to_string()
}

/// Writes a command's output: through the pager when stdout is a terminal
/// and the text is longer than the screen, else straight out.
pub fn write(text: &str) -> std::io::Result<()> {
    if PAGER.load(Ordering::Relaxed) && std::io::stdout().is_terminal() && longer_than_screen(text)
    {
        if let Some(result) = page(text) {
            return result;
        }
    }
    std::io::stdout().lock().write_all(text.as_bytes())
}

fn longer_than_screen(text: &str) -> bool {
    let rows = crossterm::terminal::size().map_or(24, |(_, rows)| rows as usize);
    text.lines().count() >= rows
}

/// Runs `$PAGER` (else `less`) on the text; None when no pager could start.
fn page(text: &str) -> Option<std::io::Result<()>> {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".to_string());
    let mut command = Command::new("sh");
    command.args(["-c", &pager]).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        // Quit when the text fits, keep colour escapes, leave it on screen.
        command.env("LESS", "FRX");
    }
    let mut child = command.spawn().ok()?;
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(text.as_bytes()));
    let waited = child.wait();
    Some(match (written, waited) {
        // The reader quitting early (`q` in less) is no error.
        (Some(Err(e)), _) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        (_, Err(e)) => Err(e),
        _ => Ok(()),
    })
}

/// A line on stderr saying what is being waited for, shown only after a
/// second and only at a terminal; cleared when dropped.
pub struct Progress {
    stop: Option<mpsc::Sender<()>>,
    worker: Option<thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(what: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress {
                stop: None,
                worker: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let what = what.to_string();
        let worker = thread::spawn(move || {
            let started = Instant::now();
            if stopped.recv_timeout(Duration::from_secs(1)).is_ok() {
                return;
            }
            loop {
                let line = format!("\r\x1b[2K{what}… {:.0} s", started.elapsed().as_secs_f64());
                let _ = std::io::stderr().write_all(line.as_bytes());
                match stopped.recv_timeout(Duration::from_millis(250)) {
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        });
        Progress {
            stop: Some(stop),
            worker: Some(worker),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Loads folders with a progress line for a large one.
pub fn load(paths: &[std::path::PathBuf]) -> crate::model::Corpus {
    let _progress = Progress::start("loading policies");
    crate::model::load(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_qualms_own_colour_reaches_the_terminal() {
        set_colour(true);
        let painted = Paint::Red.paint("high");
        let forged = format!("{MARK}0000000000000000{}31{MARK}", "");
        let text = format!("{painted} \u{1b}[2J \u{1b}]52;c;aGk=\u{7} {forged}");
        let out = render(&text);
        assert!(out.starts_with("\u{1b}[31mhigh\u{1b}[0m "), "{out:?}");
        assert!(out.contains("\\u001B[2J") && out.contains("\\u001B]52"));
        // A marker without this process's token stays text.
        assert!(!out[12..].contains("\u{1b}[31m"), "{out:?}");
    }
}
