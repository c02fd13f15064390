//! `qualm schema model|review|vocabulary|keymap`: JSON Schema (draft 2020-12) of the
//! files qualm reads, for editors (yaml-language-server, taplo) and CI.
//! The model, review and vocabulary schemas are derived by schemars from the very
//! types the loader deserializes into, and the keymap's from the list of
//! sections and actions the loader checks against, so none can drift.

use clap::ValueEnum;
use serde_json::{json, Value};

use super::emit;
use crate::keymap::View;
use crate::tui::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Model,
    Review,
    Vocabulary,
    Keymap,
}

pub fn schema(kind: SchemaKind) -> Value {
    match kind {
        SchemaKind::Model => {
            let mut schema =
                serde_json::to_value(schemars::schema_for!(crate::model::types::ModelFile))
                    .expect("a schema serializes");
            schema["title"] = json!("qualm policy model");
            schema
        }
        SchemaKind::Review => {
            let mut schema = serde_json::to_value(schemars::schema_for!(crate::review::ReviewFile))
                .expect("a schema serializes");
            schema["title"] = json!("qualm review file");
            schema
        }
        SchemaKind::Vocabulary => {
            let mut schema = serde_json::to_value(schemars::schema_for!(
                crate::model::vocabulary::VocabularyFile
            ))
            .expect("a schema serializes");
            schema["title"] = json!("qualm vocabulary");
            schema
        }
        SchemaKind::Keymap => keymap(),
    }
}

/// The keymap file: a table per view, each with `keymap = [...]` bindings
/// whose `run` is one of the actions (or `noop`, which unbinds).
fn keymap() -> Value {
    let mut actions: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    actions.push("noop");
    let key = json!({"type": "string", "minLength": 1});
    let binding = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["on", "run"],
        "properties": {
            "on": {
                "description": "A key (`j`, `<C-d>`, `<Enter>`) or a chord, as a list of keys",
                "oneOf": [key, {"type": "array", "items": key, "minItems": 1}],
            },
            "run": {"description": "The action", "enum": actions},
            "desc": {"description": "What help shows for it", "type": "string"},
        },
    });
    let sections: serde_json::Map<String, Value> = View::ALL
        .iter()
        .map(|view| {
            (
                view.name().to_string(),
                json!({
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"keymap": {"type": "array", "items": {"$ref": "#/$defs/binding"}}},
                }),
            )
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "qualm keymap",
        "type": "object",
        "additionalProperties": false,
        "properties": sections,
        "$defs": {"binding": binding},
    })
}

pub fn run(kind: SchemaKind) -> i32 {
    emit(&(serde_json::to_string_pretty(&schema(kind)).expect("json") + "\n"))
}
