//! The one escaping function for text that reaches a terminal from the
//! command line. Anything read from a file (note bodies, authors, ids,
//! file names, keymap descriptions, YAML error excerpts) can carry bytes a
//! terminal would execute (OSC 52 writes the clipboard, CSI 2J clears the
//! screen) or characters that make text read differently from what it says
//! (bidi overrides). They are written as `\uXXXX`, which a reader can see,
//! and which inside a JSON string is the same character again, so one
//! function serves text, Markdown, CSV and JSON output alike.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: C0 controls
/// other than newline and tab (carriage return too: it can overwrite a
/// line), DEL, C1 controls, and the invisible direction and formatting
/// characters that reorder or hide text.
pub fn is_hazard(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c,
            '\u{061C}'                                    // Arabic letter mark
            | '\u{200B}'..='\u{200F}'                     // zero-width, direction marks
            | '\u{2028}' | '\u{2029}'                     // line and paragraph separators
            | '\u{202A}'..='\u{202E}'                     // embeddings and overrides
            | '\u{2060}'..='\u{2064}'                     // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'                     // isolates
            | '\u{FEFF}'                                  // zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}') // interlinear annotations
}

/// `text` with every [`is_hazard`] character written as `\uXXXX`; borrowed
/// (no copy) when there is none, which is nearly always.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hazard(c) {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A file name for a message, escaped like any other file-derived text.
pub fn path(path: &std::path::Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(
            escape("a\u{1b}]52;c;aGk=\u{7}b\u{9b}2J\u{202E}c\rd"),
            "a\\u001B]52;c;aGk=\\u0007b\\u009B2J\\u202Ec\\u000Dd"
        );
        assert!(matches!(escape("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_json_is_still_the_same_json() {
        let value = serde_json::json!({"body": "x\u{85}\u{202E}y"});
        let text = serde_json::to_string(&value).unwrap();
        let escaped = escape(&text);
        assert!(!escaped.chars().any(is_hazard));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, value);
    }
}
