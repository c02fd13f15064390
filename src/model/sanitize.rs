//! Text from policy files is made safe once, at load time, so that no view
//! has to remember to: control characters (which a terminal would execute)
//! and bidi overrides (which can make text read differently from what it
//! says) are removed, tabs are expanded, and the text is put in NFC so that
//! the same words compare equal however they were typed.

use unicode_normalization::UnicodeNormalization;

const TAB_WIDTH: usize = 4;

/// True for characters that are removed from policy text.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c,
            '\u{200E}' | '\u{200F}' | '\u{061C}'          // direction marks
            | '\u{202A}'..='\u{202E}'                     // embeddings and overrides
            | '\u{2066}'..='\u{2069}'                     // isolates
            | '\u{FEFF}')
}

/// Returns the sanitized text and how many characters were removed.
pub fn sanitize(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut removed = 0;
    let mut column = 0;
    for c in text.nfc() {
        if c == '\n' {
            out.push(c);
            column = 0;
        } else if c == '\t' {
            let pad = TAB_WIDTH - column % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', pad));
            column += pad;
        } else if is_unsafe_char(c) {
            removed += 1;
        } else {
            out.push(c);
            column += 1;
        }
    }
    (out, removed)
}

/// Text that can be sanitized where it lies: owned or shared.
pub trait SanitizeInPlace {
    /// Sanitizes; returns how many characters were removed.
    fn sanitize_in_place(&mut self) -> usize;
}

/// `String` and `Arc<str>` alike. Text that needs cleaning is replaced,
/// not changed: a shared label's other users keep what they have (and are
/// cleaned in their turn).
impl<T: std::ops::Deref<Target = str> + From<String>> SanitizeInPlace for T {
    fn sanitize_in_place(&mut self) -> usize {
        if is_clean(self) {
            return 0;
        }
        let (clean, removed) = sanitize(self);
        *self = clean.into();
        removed
    }
}

/// True when sanitizing would change nothing; cheap for the common case.
fn is_clean(text: &str) -> bool {
    if text.is_ascii() {
        // ASCII is NFC, and its only unsafe characters are controls.
        return text.bytes().all(|b| (b >= 0x20 && b != 0x7f) || b == b'\n');
    }
    let safe = text.chars().all(|c| c != '\t' && !is_unsafe_char(c));
    safe && (text.is_ascii() || unicode_normalization::is_nfc(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences_and_bidi_overrides() {
        let (text, removed) = sanitize("safe\u{1b}[31m red\u{202E}txet");
        assert_eq!(text, "safe[31m redtxet");
        assert_eq!(removed, 2);
    }

    #[test]
    fn expands_tabs_to_the_next_stop() {
        assert_eq!(sanitize("a\tb\n\tc").0, "a   b\n    c");
    }

    #[test]
    fn composes_to_nfc() {
        assert_eq!(sanitize("Go\u{0308}teborg").0, "Göteborg");
    }
}
