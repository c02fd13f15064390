//! The one way text read from a file reaches a terminal: control
//! characters (C0, DEL, C1), bidirectional overrides and isolates, and
//! other invisible format characters are shown as `\u{..}` escapes, so a
//! note body, a label or a file name can never move the cursor, clear the
//! screen, set the clipboard (OSC 52), retitle the window or reorder what
//! the reader sees. Machine formats (JSON, CSV) escape by their own rules
//! and do not come through here.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as itself.
fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_newlines,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Bidi embeddings, overrides and isolates; zero-width and other
        // format characters that hide or reorder text.
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' => true,
        _ => false,
    }
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c, keep_newlines) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal, keeping its line breaks and tabs.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Text for one line of a terminal: line breaks are escaped too.
pub fn for_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_act_on_a_terminal() {
        assert_eq!(for_terminal("plain text"), "plain text");
        assert_eq!(
            for_terminal("a\u{1b}]52;c;aGk=\u{7}b"),
            "a\\u{1b}]52;c;aGk=\\u{7}b"
        );
        assert_eq!(for_terminal("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(for_terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(for_terminal("two\nlines"), "two\nlines");
        assert_eq!(for_line("two\nlines"), "two\\u{a}lines");
    }
}
