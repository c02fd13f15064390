//! Who wrote a note and when: the author from `--author`, `QUALM_AUTHOR`,
//! git's `user.name` or the login name; times as RFC 3339 in UTC; note ids
//! that are short, random and unique in their file.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The author to record, the first of: the given name, `QUALM_AUTHOR`,
/// `git config user.name`, `$USER`/`$LOGNAME`, "unknown". Found once per
/// process: asking git costs a subprocess, and the workbench asks on
/// every key while a note is being typed (to keep its draft).
pub fn author(given: Option<&str>) -> String {
    static DEFAULT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match given.and_then(non_empty) {
        Some(name) => name,
        None => DEFAULT.get_or_init(default_author).clone(),
    }
}

fn non_empty(s: impl AsRef<str>) -> Option<String> {
    let s = s.as_ref().trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn default_author() -> String {
    std::env::var("QUALM_AUTHOR")
        .ok()
        .and_then(non_empty)
        .or_else(git_user_name)
        .or_else(|| std::env::var("USER").ok().and_then(non_empty))
        .or_else(|| std::env::var("LOGNAME").ok().and_then(non_empty))
        .unwrap_or_else(|| "unknown".to_string())
}

fn git_user_name() -> Option<String> {
    let out = Command::new("git")
        .args(["config", "user.name"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// Now, as `2026-11-23T12:00:00Z`.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the epoch as an RFC 3339 UTC timestamp.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A fresh note id: six characters of `[a-z0-9]`, not in `taken`. Random
/// enough (36^6 ids, seeded by time, process and a counter) that two
/// sessions adding at once do not collide; a collision is retried.
pub fn new_id(taken: &dyn Fn(&str) -> bool) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let mut x = nanos
            ^ (u64::from(std::process::id()) << 32)
            ^ COUNTER
                .fetch_add(1, Ordering::Relaxed)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // splitmix64: spreads nearby seeds over the whole range.
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        let id: String = (0..6)
            .map(|i| {
                let digit = (x >> (i * 6)) % 36;
                char::from_digit(digit as u32, 36).unwrap_or('0')
            })
            .collect();
        if !taken(&id) {
            return id;
        }
    }
}

/// A new file in the temp folder that only this user can read, under a
/// name nobody can guess or take first (`create_new`, mode 0600): the
/// `$EDITOR` file of a note, which may hold confidential findings, in a
/// temp folder shared with every user of the server.
pub fn private_temp_file(
    prefix: &str,
    suffix: &str,
    text: &str,
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    let dir = std::env::temp_dir();
    let mut tries = 0;
    loop {
        let name = format!(
            "{prefix}{}{}{suffix}",
            std::process::id(),
            new_id(&|_| false)
        );
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 16 => tries += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_435_200), "2026-11-23T12:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ids_avoid_taken_ones() {
        let first = new_id(&|_| false);
        assert_eq!(first.len(), 6);
        let second = new_id(&|id| id == first);
        assert_ne!(first, second);
    }
}
