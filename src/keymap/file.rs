//! Reads one keymap.toml into bindings per section. Every problem becomes a
//! [`Diagnostic`] at the offending value (`file:line:column`), and all of a
//! file's problems are collected, not just the first.

use std::collections::HashMap;
use std::path::Path;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::key::Key;
use super::{sequence_string, View};
use crate::model::Diagnostic;
use crate::tui::action::Action;

/// One valid binding as written in a file, before merging.
#[derive(Debug)]
pub(crate) struct Entry {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: Option<String>,
    /// Where its `on` value starts (1-based line, column).
    pub at: (usize, usize),
}

/// A file's valid entries by section (indexed like [`View::ALL`]), and its
/// errors.
pub(crate) struct Parsed {
    pub sections: [Vec<Entry>; View::COUNT],
    pub diagnostics: Vec<Diagnostic>,
}

/// The shape of a section, checked before its bindings are read one by one
/// (so one bad binding does not hide the others).
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table such as [tree] holding keymap = [...]"
)]
struct SectionShape {
    #[serde(default)]
    #[allow(dead_code)]
    keymap: BindingList,
}

/// Any list: its items are read one by one afterwards.
#[derive(Default)]
struct BindingList;

impl<'de> Deserialize<'de> for BindingList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BindingList, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = BindingList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of bindings such as [{ on = \"j\", run = \"down\" }]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BindingList, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(BindingList)
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a binding such as { on = \"j\", run = \"down\" }"
)]
struct RawEntry {
    on: Spanned<On>,
    run: Spanned<String>,
    #[serde(default)]
    desc: Option<String>,
}

/// `on = "j"` or `on = ["g", "g"]`.
enum On {
    One(String),
    Chord(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for On {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<On, D::Error> {
        struct OnVisitor;
        impl<'de> Visitor<'de> for OnVisitor {
            type Value = On;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key such as \"j\" or a list of keys such as [\"g\", \"g\"]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<On, E> {
                Ok(On::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<On, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element()? {
                    keys.push(key);
                }
                Ok(On::Chord(keys))
            }
        }
        deserializer.deserialize_any(OnVisitor)
    }
}

/// Collects errors at byte offsets of one file.
struct Sink<'a> {
    text: &'a str,
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl Sink<'_> {
    fn error(&mut self, offset: usize, message: impl Into<String>) {
        let at = line_column(self.text, offset);
        self.diagnostics
            .push(Diagnostic::error(self.file, message).at(Some(at)));
    }

    fn toml_error(&mut self, error: &toml::de::Error, fallback: usize) {
        let offset = error.span().map_or(fallback, |span| span.start);
        let message = error.message().lines().next().unwrap_or("invalid TOML");
        self.error(offset, message);
    }
}

pub(crate) fn parse(text: &str, file: &Path) -> Parsed {
    let mut sink = Sink {
        text,
        file,
        diagnostics: Vec::new(),
    };
    let mut sections: [Vec<Entry>; View::COUNT] = Default::default();
    let root = match DeTable::parse(text) {
        Ok(root) => root.into_inner(),
        Err(e) => {
            sink.toml_error(&e, 0);
            return Parsed {
                sections,
                diagnostics: sink.diagnostics,
            };
        }
    };
    for (name, value) in root {
        let Some(view) = View::from_name(name.get_ref()) else {
            let names: Vec<_> = View::ALL.iter().map(|v| v.name()).collect();
            sink.error(
                name.span().start,
                format!(
                    "unknown section [{}] (sections: {})",
                    name.get_ref(),
                    names.join(", ")
                ),
            );
            continue;
        };
        let start = value.span().start;
        if let Err(e) = SectionShape::deserialize(ValueDeserializer::from(value.clone())) {
            sink.toml_error(&e, start);
            continue;
        }
        let DeValue::Table(table) = value.into_inner() else {
            continue;
        };
        let mut seen: HashMap<Vec<Key>, usize> = HashMap::new();
        for (_, list) in table {
            let DeValue::Array(list) = list.get_ref() else {
                continue;
            };
            for item in list.iter() {
                if let Some(entry) = read_entry(&mut sink, view, item, &mut seen) {
                    sections[view as usize].push(entry);
                }
            }
        }
    }
    Parsed {
        sections,
        diagnostics: sink.diagnostics,
    }
}

/// One binding: its shape, its keys, its action, and whether this file
/// already bound its keys in this section.
fn read_entry(
    sink: &mut Sink,
    view: View,
    item: &Spanned<DeValue>,
    seen: &mut HashMap<Vec<Key>, usize>,
) -> Option<Entry> {
    let raw = match RawEntry::deserialize(ValueDeserializer::from(item.clone())) {
        Ok(raw) => raw,
        Err(e) => {
            sink.toml_error(&e, item.span().start);
            return None;
        }
    };
    let on_start = raw.on.span().start;
    let specs: Vec<(&str, usize)> = match raw.on.get_ref() {
        On::One(spec) => vec![(spec.as_str(), on_start)],
        On::Chord(list) if list.is_empty() => {
            sink.error(on_start, "bad key name \"\": empty key sequence");
            Vec::new()
        }
        On::Chord(list) => list
            .iter()
            .map(|spec| (spec.get_ref().as_str(), spec.span().start))
            .collect(),
    };
    let mut keys = Some(Vec::new());
    for (spec, offset) in &specs {
        match Key::parse(spec) {
            Ok(key) => {
                if let Some(keys) = keys.as_mut() {
                    keys.push(key);
                }
            }
            Err(reason) => {
                sink.error(*offset, format!("bad key name {spec:?}: {reason}"));
                keys = None;
            }
        }
    }
    let keys = keys.filter(|keys| !keys.is_empty());
    let action = Action::from_name(raw.run.get_ref());
    if action.is_none() {
        let names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        sink.error(
            raw.run.span().start,
            format!(
                "unknown action {:?} (valid actions: {})",
                raw.run.get_ref(),
                names.join(", ")
            ),
        );
    }
    let keys = keys?;
    let at = line_column(sink.text, on_start);
    if let Some(first) = seen.get(&keys) {
        sink.error(
            on_start,
            format!(
                "\"{}\" is bound twice in [{}] of this file (first at line {first})",
                sequence_string(&keys),
                view.name()
            ),
        );
        return None;
    }
    seen.insert(keys.clone(), at.0);
    Some(Entry {
        keys,
        action: action?,
        desc: raw.desc,
        at,
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn positions_count_characters() {
        let text = "ab\nçé x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 8), (2, 4));
        assert_eq!(line_column(text, 100), (3, 1));
    }
}
