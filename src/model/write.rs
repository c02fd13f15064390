//! The canonical model writer: the same model always gives the same bytes.
//!
//! The model types are serialized through serde into a YAML value and that
//! value is laid out by fixed rules, so a field added to the types is
//! written without this file listing it:
//! - `schema: 1`, then `policy:` (every header field), `sections:`, `contexts:`;
//! - fields in the types' declaration order, except `text`, which goes last
//!   (it is the long one); absent values and empty lists are left out, and
//!   a flag only when it has its default (`does` defaults to true, every
//!   other flag to false);
//! - lists of short labels in flow style (`[a, b]`) when they fit in
//!   [`WIDTH`] columns, else one `- item` a line;
//! - long single-line text folded (`>-`) at [`WIDTH`] columns, multi-line
//!   text literal (`|-`), and anything a block scalar cannot carry exactly
//!   (leading or trailing blanks, double spaces, control characters) double
//!   quoted, so reading the file back always gives the same model.

use serde_yaml::Value;

use super::types::{Context, Policy};

/// The column at which long text is folded and flow lists give way to
/// block lists.
pub const WIDTH: usize = 100;

/// Flags whose default is true; every other flag defaults to false.
const TRUE_BY_DEFAULT: &[&str] = &["does"];

/// The whole model file for `policy`, in the canonical layout.
pub fn to_yaml(policy: &Policy) -> String {
    let value = serde_yaml::to_value(policy).expect("a policy always serializes");
    let Value::Mapping(map) = value else {
        unreachable!("a policy serializes as a mapping")
    };
    let mut header = serde_yaml::Mapping::new();
    let mut sections = Value::Null;
    let mut contexts = Value::Null;
    for (key, value) in map {
        match key.as_str() {
            Some("sections") => sections = value,
            Some("contexts") => contexts = value,
            _ => {
                header.insert(key, value);
            }
        }
    }
    let mut out = String::from("schema: 1\n");
    write_field(&mut out, 0, "policy", &Value::Mapping(header));
    write_field(&mut out, 0, "sections", &sections);
    write_field(&mut out, 0, "contexts", &contexts);
    out
}

/// One context in the canonical layout as a document of its own (for
/// `$EDITOR` on a context): the lines the model file holds for it, less
/// their indent, without the contexts under it.
pub fn context_to_yaml(context: &Context) -> String {
    let alone = Context {
        contexts: Vec::new(),
        ..context.clone()
    };
    let value = serde_yaml::to_value(&alone).expect("a context always serializes");
    let Value::Mapping(map) = value else {
        unreachable!("a context serializes as a mapping")
    };
    let mut out = String::new();
    write_mapping_fields(&mut out, 0, &map);
    out
}

/// Whether a field is left out: absent, empty, or a flag at its default.
fn omitted(key: &str, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Sequence(s) => s.is_empty(),
        Value::Mapping(m) => m.is_empty(),
        Value::Bool(b) => *b == TRUE_BY_DEFAULT.contains(&key),
        _ => false,
    }
}

/// Writes `key: value` at `indent` spaces (nothing when it is omitted).
fn write_field(out: &mut String, indent: usize, key: &str, value: &Value) {
    if omitted(key, value) {
        return;
    }
    let pad = " ".repeat(indent);
    match value {
        Value::Mapping(map) => {
            out.push_str(&format!("{pad}{key}:\n"));
            write_mapping_fields(out, indent + 2, map);
        }
        Value::Sequence(items) => {
            if let Some(flow) = flow_list(items) {
                if indent + key.len() + 2 + flow.chars().count() <= WIDTH {
                    out.push_str(&format!("{pad}{key}: {flow}\n"));
                    return;
                }
            }
            out.push_str(&format!("{pad}{key}:\n"));
            for item in items {
                write_item(out, indent + 2, item);
            }
        }
        Value::String(s) => {
            out.push_str(&format!("{pad}{key}:"));
            write_string(out, indent, indent + key.len() + 2, s);
        }
        other => {
            out.push_str(&format!("{pad}{key}: {}\n", plain_scalar(other)));
        }
    }
}

/// A mapping's fields in order, `text` last.
fn write_mapping_fields(out: &mut String, indent: usize, map: &serde_yaml::Mapping) {
    let mut text = None;
    for (key, value) in map {
        let key = key.as_str().expect("model keys are strings");
        if key == "text" {
            text = Some(value);
        } else {
            write_field(out, indent, key, value);
        }
    }
    if let Some(value) = text {
        write_field(out, indent, "text", value);
    }
}

/// One `- ` entry of a block list.
fn write_item(out: &mut String, indent: usize, item: &Value) {
    let pad = " ".repeat(indent);
    match item {
        Value::Mapping(map) => {
            let mut body = String::new();
            write_mapping_fields(&mut body, indent + 2, map);
            // The first field goes on the dash's line.
            match body.get(indent + 2..) {
                Some(rest) if !body.is_empty() => out.push_str(&format!("{pad}- {rest}")),
                _ => out.push_str(&format!("{pad}- {{}}\n")),
            }
        }
        Value::String(s) => {
            out.push_str(&format!("{pad}-"));
            write_string(out, indent, indent + 2, s);
        }
        other => out.push_str(&format!("{pad}- {}\n", plain_scalar(other))),
    }
}

/// A flow list `[a, b]` when every item is a single-line string or number.
fn flow_list(items: &[Value]) -> Option<String> {
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) if !s.contains('\n') => parts.push(flow_scalar(s)),
            Value::Number(_) | Value::Bool(_) => parts.push(plain_scalar(item)),
            _ => return None,
        }
    }
    Some(format!("[{}]", parts.join(", ")))
}

/// A string inside a flow list: plain when safe there, else double quoted.
fn flow_scalar(s: &str) -> String {
    let single = single_line_scalar(s);
    if single.starts_with('"') || !s.contains([',', '[', ']', '{', '}']) {
        single
    } else {
        double_quoted(s)
    }
}

/// Writes the rest of a `key:` or `-` line for a string value; `column` is
/// where the value would start on that line.
fn write_string(out: &mut String, indent: usize, column: usize, s: &str) {
    let body_pad = " ".repeat(indent + 2);
    if s.contains('\n') {
        if literal_safe(s) {
            out.push_str(" |-\n");
            for line in s.split('\n') {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{body_pad}{line}\n"));
                }
            }
        } else {
            out.push_str(&format!(" {}\n", double_quoted(s)));
        }
        return;
    }
    // Text too long for its line even unquoted folds; the scalar form
    // (serde_yaml's, the slow part) is only needed for what fits.
    if column + s.chars().count() > WIDTH && fold_safe(s) {
        out.push_str(" >-\n");
        for line in fold(s, WIDTH.saturating_sub(indent + 2).max(40)) {
            out.push_str(&format!("{body_pad}{line}\n"));
        }
        return;
    }
    let single = single_line_scalar(s);
    if column + single.chars().count() <= WIDTH || !fold_safe(s) {
        out.push_str(&format!(" {single}\n"));
        return;
    }
    out.push_str(" >-\n");
    for line in fold(s, WIDTH.saturating_sub(indent + 2).max(40)) {
        out.push_str(&format!("{body_pad}{line}\n"));
    }
}

/// Breaks `s` at single spaces into lines of at most `width` characters
/// (a word longer than that keeps a line of its own). Folding joins them
/// back with one space each.
fn fold(s: &str, width: usize) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut last_break = None;
    let mut count = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        count += 1;
        if c == ' ' {
            if count > width + 1 {
                if let Some(b) = last_break {
                    lines.push(&s[start..b]);
                    start = b + 1;
                    count = s[start..=i].chars().count();
                }
            }
            last_break = Some(i);
        }
        if chars.peek().is_none() && count > width {
            if let Some(b) = last_break.filter(|&b| b >= start) {
                lines.push(&s[start..b]);
                start = b + 1;
            }
        }
    }
    lines.push(&s[start..]);
    lines
}

fn is_printable(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        || crate::model::sanitize::is_unsafe_char(c))
}

/// Whether folding at single spaces reads back as exactly `s`.
fn fold_safe(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars().all(is_printable)
}

/// Whether a `|-` block reads back as exactly `s`.
fn literal_safe(s: &str) -> bool {
    !s.starts_with([' ', '\n'])
        && !s.ends_with('\n')
        && s.split('\n').all(|l| !l.ends_with(' '))
        && s.chars().all(|c| c == '\n' || is_printable(c))
}

/// A single-line string as serde_yaml would write it, but double quoted
/// rather than single quoted when it needs quotes.
fn single_line_scalar(s: &str) -> String {
    if is_plain_id(s) {
        return s.to_string();
    }
    let yaml = serde_yaml::to_string(s).unwrap_or_default();
    let yaml = yaml.strip_suffix('\n').unwrap_or(&yaml);
    if yaml.contains('\n') || yaml.starts_with(['\'', '|', '>']) || !s.chars().all(is_printable) {
        double_quoted(s)
    } else {
        yaml.to_string()
    }
}

/// Ids and id-like labels (`collect.4`, `first-party-collection`) are
/// written plain, as serde_yaml writes them, without asking it: a model
/// holds thousands of them.
fn is_plain_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
        && !matches!(
            s,
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
}

/// JSON string syntax is valid YAML double-quoted syntax.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if !is_printable(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plain_scalar(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => single_line_scalar(s),
        Value::Null => "null".into(),
        _ => serde_yaml::to_string(value)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::types::{ModelFile, Section};
    use std::sync::Arc;

    fn read_back(yaml: &str) -> Policy {
        Policy::from(serde_yaml::from_str::<ModelFile>(yaml).expect(yaml))
    }

    fn policy_with_texts(texts: &[&str]) -> Policy {
        Policy {
            id: "p".into(),
            organization: "Org, Inc.".into(),
            title: "Title: with colon".into(),
            effective: Some("2024-06-02".into()),
            version: Some("2.4".into()),
            supersedes: None,
            source: Some("sources/p.txt".into()),
            url: None,
            jurisdictions: vec!["GDPR".into(), "EU-U.S. DPF".into()],
            retired_flow_ids: Vec::new(),
            sections: vec![Section {
                id: "s".into(),
                heading: "1. What [we] collect".into(),
                clauses: texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let mut clause = crate::import::new_clause(format!("s.{}", i + 1), t);
                        clause.topics = vec!["other".into()];
                        clause
                    })
                    .collect(),
            }],
            contexts: vec![Context {
                id: "c".into(),
                name: "When you, visit: our site".into(),
                evidence: vec!["s.1".into()],
                flows: vec![{
                    let mut flow = crate::import::blank_flow();
                    flow.data = texts.iter().map(|t| Arc::from(*t)).collect();
                    flow.recipients = vec!["Salesforce (CRM)".into()];
                    flow.retention = Some("30 days".into());
                    flow.does = false;
                    flow.evidence = vec!["s.1".into()];
                    flow
                }],
                contexts: vec![],
            }],
        }
    }

    #[test]
    fn reads_back_as_the_same_model_and_is_stable() {
        let long = "word ".repeat(60) + "end.";
        let texts = [
            "Last Updated: June 02, 2024",
            long.as_str(),
            "line one\nline two\n\nafter a blank",
            "  leading blanks and  double  spaces that must stay exactly as they are in the text of it all, really",
            "trailing blank \nline",
            "- looks like a list",
            "a long label in a list of labels that will not fit in one line of a hundred columns so it is folded",
            "# looks like a comment",
            "'quoted' \"double\" \\ back",
            "tab\there and a bell \u{7}",
            "a\u{2028}b unicode line separator in a long enough text to be folded if it were safe to do so ok",
            &"x".repeat(150),
        ];
        let policy = policy_with_texts(&texts);
        let yaml = to_yaml(&policy);
        let back = read_back(&yaml);
        assert_eq!(back, policy, "{yaml}");
        assert_eq!(to_yaml(&back), yaml);
        assert!(
            yaml.lines().all(|l| l.chars().count() <= WIDTH
                || !l.contains(' ')
                || l.trim_start().trim_start_matches("- ").starts_with('"')
                || l.contains(": \"")
                || l.contains("xxxxx")),
            "{yaml}"
        );
        assert!(yaml.contains("    does: false\n") || yaml.contains("does: false"));
        assert!(yaml.contains("text: >-\n"));
    }

    #[test]
    fn plain_ids_are_written_as_serde_yaml_writes_them() {
        for s in [
            "collect.4",
            "first-party-collection",
            "a",
            "x-",
            "e10",
            "nan",
            "inf",
            "a_b",
            "c.1.2",
            "suggested-intro",
            "yes",
            "no",
            "null",
            "true",
            "on",
            "y",
            "n",
            "off",
            "false",
        ] {
            let serde = serde_yaml::to_string(s).unwrap();
            if is_plain_id(s) {
                assert_eq!(single_line_scalar(s), serde.trim_end(), "{s}");
            }
        }
    }

    #[test]
    fn folds_at_single_spaces_only() {
        let s = "aaa bbb ccc ddd eee";
        assert_eq!(fold(s, 7), ["aaa bbb", "ccc ddd", "eee"]);
        assert_eq!(fold("abcdefghij k", 5), ["abcdefghij", "k"]);
        assert_eq!(fold("short", 10), ["short"]);
    }

    #[test]
    fn shipped_models_round_trip() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        for path in crate::model::load::model_files_in(&dir).unwrap() {
            let text = std::fs::read_to_string(&path).unwrap();
            let policy = read_back(&text);
            let yaml = to_yaml(&policy);
            assert_eq!(read_back(&yaml), policy, "{}", path.display());
            assert_eq!(to_yaml(&read_back(&yaml)), yaml);
        }
    }
}
