//! One key press, and how keymap.toml names it: a character (`j`, `G`, `?`),
//! or a name in angle brackets with optional modifiers (`<Enter>`, `<C-d>`,
//! `<A-x>`, `<S-Tab>`, `<F5>`, `<Space>`, `<lt>` for `<`). Keys from the
//! terminal and keys from the file are normalized the same way, so they can
//! be compared with `==`.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalized: a character never carries SHIFT
/// (the character itself carries the case), and BackTab is Tab with SHIFT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Named keys, with the canonical spelling first for each code.
const NAMES: &[(&str, KeyCode)] = &[
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("Space", KeyCode::Char(' ')),
    ("BS", KeyCode::Backspace),
    ("Del", KeyCode::Delete),
    ("Ins", KeyCode::Insert),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("lt", KeyCode::Char('<')),
    ("gt", KeyCode::Char('>')),
    // Other spellings people reach for.
    ("Return", KeyCode::Enter),
    ("Ret", KeyCode::Enter),
    ("CR", KeyCode::Enter),
    ("Escape", KeyCode::Esc),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("BackTab", KeyCode::BackTab),
];

/// The highest function key accepted.
const MAX_F: u8 = 24;

/// Modifiers in their canonical order, with their letters.
const MODIFIERS: &[(char, KeyModifiers)] = &[
    ('C', KeyModifiers::CONTROL),
    ('A', KeyModifiers::ALT),
    ('S', KeyModifiers::SHIFT),
];

impl Key {
    /// A key with the normalization every key goes through.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        match code {
            KeyCode::BackTab => Key {
                code: KeyCode::Tab,
                modifiers: modifiers | KeyModifiers::SHIFT,
            },
            KeyCode::Char(c) => {
                let c = if modifiers.contains(KeyModifiers::SHIFT) {
                    single_uppercase(c).unwrap_or(c)
                } else {
                    c
                };
                Key {
                    code: KeyCode::Char(c),
                    modifiers: modifiers - KeyModifiers::SHIFT,
                }
            }
            code => Key { code, modifiers },
        }
    }

    /// The key a terminal event stands for.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// Parses one key as written in keymap.toml. The error is the reason,
    /// without the key itself (the caller quotes it).
    pub fn parse(spec: &str) -> Result<Key, String> {
        let mut chars = spec.chars();
        let Some(first) = chars.next() else {
            return Err(String::from("empty key"));
        };
        if chars.next().is_none() {
            return char_key(first, KeyModifiers::NONE);
        }
        if let Some(inner) = spec.strip_prefix('<') {
            let Some(inner) = inner.strip_suffix('>') else {
                return Err(String::from(
                    "missing \">\" (the \"<\" key itself is written <lt>)",
                ));
            };
            return parse_bracketed(inner);
        }
        let is_name = !matches!(spec, "lt" | "gt");
        if is_name && (name_code(spec).is_some() || function_key(spec).is_some()) {
            return Err(format!(
                "unknown key {spec:?} (named keys go in angle brackets: <{spec}>)"
            ));
        }
        let chars: Vec<char> = spec.chars().collect();
        let example = if chars.len() <= 4 && chars.iter().all(|c| !c.is_whitespace()) {
            let keys: Vec<String> = chars
                .iter()
                .map(|c| format!("{:?}", c.to_string()))
                .collect();
            keys.join(", ")
        } else {
            String::from("\"g\", \"g\"")
        };
        Err(format!(
            "unknown key {spec:?} (a key is one character or a <Name>; a chord is a list such as [{example}])"
        ))
    }
}

/// Parses what is inside `<...>`: modifiers such as `C-`, then a key.
fn parse_bracketed(inner: &str) -> Result<Key, String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = inner;
    loop {
        let mut chars = rest.char_indices();
        let (Some((_, letter)), Some((dash, '-'))) = (chars.next(), chars.next()) else {
            break;
        };
        let Some(&(_, flag)) = MODIFIERS
            .iter()
            .find(|(m, _)| *m == letter.to_ascii_uppercase())
        else {
            return Err(format!("unknown modifier \"{letter}\""));
        };
        if modifiers.contains(flag) {
            return Err(format!("modifier \"{letter}\" given twice"));
        }
        modifiers |= flag;
        rest = &rest[dash + 1..];
        if rest.is_empty() {
            return Err(String::from("empty key"));
        }
    }
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Err(String::from("empty key")),
        (Some(c), None) => char_key(c, modifiers),
        _ => {
            let code = name_code(rest)
                .or_else(|| function_key(rest))
                .ok_or_else(|| format!("unknown key {rest:?}"))?;
            Ok(Key::new(code, modifiers))
        }
    }
}

/// A key that is one character, with the modifiers given.
fn char_key(c: char, modifiers: KeyModifiers) -> Result<Key, String> {
    if c.is_control() {
        return Err(format!(
            "control character U+{:04X} (use a name such as <Tab>)",
            u32::from(c)
        ));
    }
    if modifiers.contains(KeyModifiers::SHIFT) && c != ' ' && !c.is_alphabetic() {
        return Err(format!(
            "shift with \"{c}\": write the shifted character itself"
        ));
    }
    Ok(Key::new(KeyCode::Char(c), modifiers))
}

fn name_code(name: &str) -> Option<KeyCode> {
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, code)| code)
}

fn function_key(name: &str) -> Option<KeyCode> {
    let digits = name.strip_prefix(['F', 'f'])?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    let n: u8 = digits.parse().ok()?;
    (1..=MAX_F).contains(&n).then_some(KeyCode::F(n))
}

/// The uppercase of `c` when it is a single character.
fn single_uppercase(c: char) -> Option<char> {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.code {
            KeyCode::Char(' ') => String::from("Space"),
            KeyCode::Char('<') => String::from("lt"),
            KeyCode::Char('>') if !self.modifiers.is_empty() => String::from("gt"),
            KeyCode::Char(c) if self.modifiers.is_empty() => return write!(f, "{c}"),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            code => match NAMES.iter().find(|&&(_, c)| c == code) {
                Some((name, _)) => (*name).to_string(),
                None => format!("{code:?}"),
            },
        };
        f.write_str("<")?;
        for &(letter, flag) in MODIFIERS {
            if self.modifiers.contains(flag) {
                write!(f, "{letter}-")?;
            }
        }
        for (flag, prefix) in [
            (KeyModifiers::SUPER, "Super-"),
            (KeyModifiers::HYPER, "Hyper-"),
            (KeyModifiers::META, "Meta-"),
        ] {
            if self.modifiers.contains(flag) {
                f.write_str(prefix)?;
            }
        }
        write!(f, "{name}>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key { code, modifiers }
    }

    #[test]
    fn parses_and_prints_canonically() {
        for (spec, canonical) in [
            ("j", "j"),
            ("G", "G"),
            ("?", "?"),
            ("<", "<lt>"),
            ("<lt>", "<lt>"),
            ("<Enter>", "<Enter>"),
            ("<enter>", "<Enter>"),
            ("<CR>", "<Enter>"),
            ("<C-d>", "<C-d>"),
            ("<c-d>", "<C-d>"),
            ("<A-x>", "<A-x>"),
            ("<C-A-x>", "<C-A-x>"),
            ("<A-C-x>", "<C-A-x>"),
            ("<S-Tab>", "<S-Tab>"),
            ("<BackTab>", "<S-Tab>"),
            ("<S-x>", "X"),
            ("<C-S-x>", "<C-X>"),
            ("<F5>", "<F5>"),
            ("<Space>", "<Space>"),
            (" ", "<Space>"),
            ("<C-->", "<C-->"),
            ("<C->>", "<C-gt>"),
            ("<x>", "x"),
            ("<PgDn>", "<PageDown>"),
        ] {
            let key = Key::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
            assert_eq!(key.to_string(), canonical, "{spec}");
            assert_eq!(Key::parse(canonical), Ok(key), "{canonical} round-trips");
        }
    }

    #[test]
    fn refuses_bad_names_with_a_reason() {
        for (spec, reason) in [
            ("", "empty key"),
            ("<>", "empty key"),
            ("<C->", "empty key"),
            ("<Ctrl-x>", "unknown key \"Ctrl-x\""),
            ("<Q-x>", "unknown modifier \"Q\""),
            ("<C-C-x>", "modifier \"C\" given twice"),
            ("<F0>", "unknown key \"F0\""),
            ("<F25>", "unknown key \"F25\""),
            (
                "<S-1>",
                "shift with \"1\": write the shifted character itself",
            ),
            (
                "<C-x",
                "missing \">\" (the \"<\" key itself is written <lt>)",
            ),
            (
                "Enter",
                "unknown key \"Enter\" (named keys go in angle brackets: <Enter>)",
            ),
            ("\t", "control character U+0009 (use a name such as <Tab>)"),
        ] {
            assert_eq!(Key::parse(spec), Err(reason.to_string()), "{spec:?}");
        }
        assert_eq!(
            Key::parse("gt"),
            Err(String::from(
                "unknown key \"gt\" (a key is one character or a <Name>; a chord is a list such as [\"g\", \"t\"])"
            ))
        );
    }

    #[test]
    fn events_normalize_like_names() {
        let shift = KeyModifiers::SHIFT;
        let event = |code, modifiers| Key::from_event(&KeyEvent::new(code, modifiers));
        assert_eq!(event(KeyCode::Char('G'), shift), Key::parse("G").unwrap());
        assert_eq!(event(KeyCode::Char('g'), shift), Key::parse("G").unwrap());
        assert_eq!(event(KeyCode::Char('?'), shift), Key::parse("?").unwrap());
        assert_eq!(
            event(KeyCode::BackTab, shift),
            Key::parse("<S-Tab>").unwrap()
        );
        assert_eq!(
            event(KeyCode::BackTab, KeyModifiers::NONE),
            Key::parse("<S-Tab>").unwrap()
        );
        assert_eq!(
            event(KeyCode::Char('d'), KeyModifiers::CONTROL),
            key(KeyCode::Char('d'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            event(KeyCode::Enter, KeyModifiers::NONE),
            Key::parse("<Enter>").unwrap()
        );
    }
}
