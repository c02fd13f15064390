//! Guards for files that arrive from other people (through git, a shared
//! folder): reading never blocks and never takes more than a fixed number
//! of bytes, whatever the file is (a FIFO, `/dev/zero`, a procfs file that
//! says it is empty), and nesting deeper than any model needs is refused
//! by a cheap scan before the YAML parser, whose time grows with the square
//! of the depth, ever sees it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::diagnostic::Diagnostic;

/// How deep brackets and block collections may nest. A model needs about
/// a dozen levels; serde refuses more than 128 anyway, after the parser has
/// spent its quadratic time.
pub const MAX_NESTING: usize = 100;

/// How many values (scalars and collections) a file may hold, counted
/// roughly (lines, plus items of flow lists). The largest real model has
/// some tens of thousands; the YAML parser keeps every value's event in
/// memory, so 8 million one-letter labels in 16 MiB would take gigabytes
/// and a minute before a single check.
pub const MAX_VALUES: usize = 2_000_000;

/// Why a bounded read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// Not a regular file: a FIFO, a device, a socket or a folder.
    NotRegular(&'static str),
    /// More than the limit; the file was read no further.
    TooLarge,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::NotRegular(what) => {
                write!(f, "not a regular file ({what}); refused without reading it")
            }
            ReadError::TooLarge => write!(f, "file is too large"),
        }
    }
}

/// Opens without blocking (a FIFO with no writer would otherwise hang the
/// open), refuses anything but a regular file by the descriptor itself (so
/// a symlink swapped after a check cannot slip through), then reads at most
/// `limit` bytes: `metadata().len()` is 0 for devices and procfs and cannot
/// be trusted.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize + 1);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What a non-regular file is, for the message.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else if meta.is_file() {
        "a file"
    } else {
        "not a file"
    }
}

/// A bounded read as a diagnostic naming the file.
pub fn read_bounded_or_diagnostic(
    path: &Path,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, Diagnostic> {
    read_bounded(path, limit).map_err(|e| match e {
        ReadError::TooLarge => Diagnostic::error(
            path,
            format!(
                "file is larger than the {} MiB {what} may be; it was not read further",
                limit / (1024 * 1024)
            ),
        ),
        other => Diagnostic::error(path, other.to_string()),
    })
}

/// A cheap fingerprint of a file on disk (size, modification time, inode):
/// what the TUI compares to notice that a review file or a model changed
/// under it (another analyst, a `git pull`). None: the file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

/// Where nesting first goes deeper than [`MAX_NESTING`] (1-based line and
/// column), if it does. A conservative byte scan: flow brackets outside
/// quotes and comments, plus block depth (leading indentation and `- `
/// markers, which nest one level each). Block scalars (`|`, `>`) are
/// skipped, so brackets in clause text never count.
pub fn too_deep(text: &str) -> Option<(usize, usize)> {
    match prescan(text) {
        Some((Problem::TooDeep, at)) => Some(at),
        _ => None,
    }
}

/// What [`prescan`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    TooDeep,
    /// More than [`MAX_VALUES`] values.
    TooMany,
    /// A YAML tag (`!foo`, `!!binary`): the format has none, and serde
    /// would silently ignore it, reading the value as something else than
    /// its writer meant.
    Tag,
}

/// The first of [`Problem`] in a YAML text and where (1-based line and
/// column), in one cheap pass before the parser.
pub fn prescan(text: &str) -> Option<(Problem, (usize, usize))> {
    let mut flow = 0usize;
    let mut values = 0usize;
    // Inside a block scalar: lines indented more than this are its text.
    let mut block_scalar: Option<usize> = None;
    let mut in_double = false;
    let mut in_single = false;
    for (li, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(parent) = block_scalar {
            if rest.is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if !rest.is_empty() {
            values += 1;
            if values > MAX_VALUES {
                return Some((Problem::TooMany, (li + 1, indent + 1)));
            }
        }
        if flow == 0 && !in_double && !in_single {
            if rest.starts_with('#') {
                continue;
            }
            // Block depth: the indentation is at least one column a level,
            // and each compact `- ` opens another.
            let mut dashes = 0;
            let mut after = rest;
            while let Some(next) = after.strip_prefix("- ").or(after.strip_prefix("-\t")) {
                dashes += 1;
                after = next.trim_start();
            }
            let block_depth = indent / 2 + dashes;
            if block_depth > MAX_NESTING {
                return Some((Problem::TooDeep, (li + 1, indent + 1)));
            }
            // A value that starts a flow collection, or a block scalar.
            let value = match after.find(": ") {
                Some(at) if !after.starts_with(['"', '\'', '[', '{']) => {
                    after[at + 2..].trim_start()
                }
                _ if after.ends_with(':') => "",
                _ => after,
            };
            // A plain scalar cannot start with `!`: there it is a tag.
            if value.starts_with('!') {
                return Some((Problem::Tag, (li + 1, line.len() - value.len() + 1)));
            }
            if value.starts_with(['|', '>']) {
                block_scalar = Some(indent + 2 * dashes);
                continue;
            }
            if !value.starts_with(['[', '{']) {
                continue;
            }
            let offset = line.len() - value.len();
            if let Some((problem, col)) = scan_flow(
                &line[offset..],
                &mut flow,
                &mut values,
                &mut in_double,
                &mut in_single,
            ) {
                return Some((problem, (li + 1, offset + col + 1)));
            }
        } else if let Some((problem, col)) =
            scan_flow(line, &mut flow, &mut values, &mut in_double, &mut in_single)
        {
            return Some((problem, (li + 1, col + 1)));
        }
    }
    None
}

/// Scans flow text, keeping the depth and quote state across lines;
/// returns the byte column where the depth passes the limit, or where a
/// tag starts an item.
fn scan_flow(
    line: &str,
    depth: &mut usize,
    values: &mut usize,
    in_double: &mut bool,
    in_single: &mut bool,
) -> Option<(Problem, usize)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    // Whether the next non-blank byte starts an item (after `[`, `{`, `,`).
    let mut item_start = false;
    while i < bytes.len() {
        let b = bytes[i];
        if *in_double {
            match b {
                b'\\' => i += 1,
                b'"' => *in_double = false,
                _ => {}
            }
        } else if *in_single {
            if b == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    *in_single = false;
                }
            }
        } else {
            let starts_item = item_start && b != b' ';
            item_start = item_start && b == b' ';
            match b {
                b'!' if starts_item => return Some((Problem::Tag, i)),
                b'[' | b'{' | b',' if *values >= MAX_VALUES => return Some((Problem::TooMany, i)),
                b'[' | b'{' => {
                    *values += 1;
                    *depth += 1;
                    if *depth > MAX_NESTING {
                        return Some((Problem::TooDeep, i));
                    }
                    item_start = true;
                }
                b',' => {
                    *values += 1;
                    item_start = true;
                }
                b']' | b'}' => *depth = depth.saturating_sub(1),
                b'"' => *in_double = true,
                b'\'' => *in_single = true,
                b'#' if i == 0 || bytes[i - 1] == b' ' => return None,
                _ => {}
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_deep_flow_nesting() {
        let deep = format!("x: {}", "[".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&deep), Some((1, MAX_NESTING + 4)));
        let fine = format!("x: {}1{}", "[".repeat(20), "]".repeat(20));
        assert_eq!(too_deep(&fine), None);
    }

    #[test]
    fn brackets_in_text_do_not_count() {
        let text = format!(
            "a: \"{}\"\nb: |\n  {}\nc: text [with [brackets\nd: ['[[[', \"]]\"]\n",
            "[".repeat(500),
            "[".repeat(500)
        );
        assert_eq!(too_deep(&text), None);
    }

    #[test]
    fn finds_deep_block_nesting() {
        let deep = format!("{}x\n", "- ".repeat(MAX_NESTING + 1));
        assert!(too_deep(&deep).is_some());
    }

    #[test]
    fn counts_values_in_flow_lists_and_lines() {
        let many = format!("x: [{}]\n", "a,".repeat(MAX_VALUES + 1));
        assert_eq!(prescan(&many).map(|p| p.0), Some(Problem::TooMany));
        let lines = "- a\n".repeat(MAX_VALUES + 1);
        assert_eq!(prescan(&lines).map(|p| p.0), Some(Problem::TooMany));
        let fine = format!("x: [{}]\n", "a,".repeat(1000));
        assert_eq!(prescan(&fine), None);
    }

    #[test]
    fn finds_tags_but_not_exclamation_marks() {
        assert_eq!(prescan("a: !!binary aGk=\n"), Some((Problem::Tag, (1, 4))));
        assert_eq!(prescan("a: [x, !t y]\n"), Some((Problem::Tag, (1, 8))));
        assert_eq!(prescan("- !foo\n").map(|p| p.0), Some(Problem::Tag));
        assert_eq!(prescan("a: Hello!\nb: \"!x\"\nc: |\n  !x\n"), None);
    }
}
