//! `qualm keys`: prints the effective key bindings (the defaults with the
//! user's keymap over them) per section, or with `--check FILE` checks a
//! keymap file as an override of the defaults. Exit 1 on errors.

use std::fmt::Write as _;
use std::path::Path;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::emit;

/// Every format `keys` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeysFormat {
    Text,
    Json,
    Yaml,
}
use crate::keymap::{Keymap, View};
use crate::model::Diagnostic;

pub fn run(check: Option<&Path>, keymap: Option<&Path>, format: KeysFormat) -> i32 {
    if let Some(file) = check {
        return check_file(file, format);
    }
    match Keymap::load(keymap) {
        Ok(keymap) => {
            let doc = Doc { sections: &keymap };
            let out = match format {
                KeysFormat::Text => text(&keymap),
                KeysFormat::Json => serde_json::to_string_pretty(&doc).expect("json") + "\n",
                KeysFormat::Yaml => serde_yaml::to_string(&doc).expect("yaml"),
            };
            emit(&out)
        }
        Err(diagnostics) => {
            for d in diagnostics {
                eprintln!("{d}");
            }
            1
        }
    }
}

/// `--check FILE`: `FILE: ok`, or its errors.
fn check_file(file: &Path, format: KeysFormat) -> i32 {
    let diagnostics = Keymap::load(Some(file)).err().unwrap_or_default();
    let doc = CheckDoc {
        file: &file.display().to_string(),
        ok: diagnostics.is_empty(),
        diagnostics: diagnostics.iter().map(DiagnosticDoc::from).collect(),
    };
    let out = match format {
        KeysFormat::Text if diagnostics.is_empty() => format!("{}: ok\n", file.display()),
        KeysFormat::Text => diagnostics.iter().map(|d| format!("{d}\n")).collect(),
        KeysFormat::Json => serde_json::to_string_pretty(&doc).expect("json") + "\n",
        KeysFormat::Yaml => serde_yaml::to_string(&doc).expect("yaml"),
    };
    match emit(&out) {
        0 => i32::from(!diagnostics.is_empty()),
        code => code,
    }
}

/// `[section]`, then `  keys  action  desc` per binding, in columns.
fn text(keymap: &Keymap) -> String {
    let all = View::ALL.iter().flat_map(|&v| keymap.bindings(v));
    let key_width = all
        .clone()
        .map(|b| b.keys_string().chars().count())
        .max()
        .unwrap_or(0);
    let action_width = all.map(|b| b.action.name().len()).max().unwrap_or(0);
    let mut out = String::new();
    for (i, view) in View::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "[{}]", view.name());
        for b in keymap.bindings(view) {
            let line = format!(
                "  {:<key_width$}  {:<action_width$}  {}",
                b.keys_string(),
                b.action.name(),
                b.desc
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    out
}

/// `{"sections": {"global": [...], ...}}`, sections in file order.
#[derive(Serialize)]
struct Doc<'a> {
    #[serde(serialize_with = "serialize_sections")]
    sections: &'a Keymap,
}

#[derive(Serialize)]
struct BindingDoc<'a> {
    on: Vec<String>,
    run: &'static str,
    desc: &'a str,
}

fn serialize_sections<S: Serializer>(keymap: &&Keymap, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(View::ALL.len()))?;
    for view in View::ALL {
        let bindings: Vec<BindingDoc> = keymap
            .bindings(view)
            .into_iter()
            .map(|b| BindingDoc {
                on: b.keys.iter().map(|k| k.to_string()).collect(),
                run: b.action.name(),
                desc: &b.desc,
            })
            .collect();
        map.serialize_entry(view.name(), &bindings)?;
    }
    map.end()
}

#[derive(Serialize)]
struct CheckDoc<'a> {
    file: &'a str,
    ok: bool,
    diagnostics: Vec<DiagnosticDoc<'a>>,
}

#[derive(Serialize)]
struct DiagnosticDoc<'a> {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

impl<'a> From<&'a Diagnostic> for DiagnosticDoc<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        DiagnosticDoc {
            file: d.file.display().to_string(),
            line: d.line,
            column: d.column,
            message: &d.message,
        }
    }
}
