//! Every file qualm ships validates against the JSON Schema `qualm schema`
//! prints for it, and a broken file does not: editors that use the schema
//! see what the loader sees.

use std::fs;
use std::process::Command;

use serde_json::Value;

fn schema(what: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["schema", what])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

fn yaml(path: &str) -> Value {
    let value: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(value).unwrap()
}

/// The first flow of a list of contexts, depth first.
fn first_flow(contexts: &mut Value) -> &mut Value {
    let list = contexts.as_array_mut().unwrap();
    let i = list
        .iter()
        .position(|c| c["flows"].as_array().is_some_and(|f| !f.is_empty()))
        .unwrap_or(0);
    if list[i]["flows"].as_array().is_some_and(|f| !f.is_empty()) {
        return &mut list[i]["flows"][0];
    }
    first_flow(&mut list[i]["contexts"])
}

#[test]
fn the_shipped_models_validate() {
    let schema = schema("model");
    let mut checked = 0;
    for entry in fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".yaml")
            || name == "vocabulary.yaml"
            || name == "checklists.yaml"
            || name.contains(".review.")
        {
            continue;
        }
        let found = errors(&schema, &yaml(path.to_str().unwrap()));
        assert!(found.is_empty(), "{name}: {found:#?}");
        checked += 1;
    }
    assert_eq!(checked, 5);
    // A typo in a field is what the schema catches, as the loader does.
    let mut bad = yaml("policies/qualys-2020.yaml");
    first_flow(&mut bad["contexts"])["retension"] = Value::from("forever");
    assert!(!errors(&schema, &bad).is_empty());
    let mut bad = yaml("policies/qualys-2020.yaml");
    first_flow(&mut bad["contexts"])["action"] = Value::from("rent");
    assert!(!errors(&schema, &bad).is_empty());
    let mut bad = yaml("policies/qualys-2020.yaml");
    bad["sections"][0]["clauses"][0]["txt"] = Value::from("typo");
    assert!(!errors(&schema, &bad).is_empty());
}

#[test]
fn a_review_file_validates() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    fs::create_dir_all(&policies).unwrap();
    fs::copy(
        "policies/qualys-2015.yaml",
        policies.join("qualys-2015.yaml"),
    )
    .unwrap();
    let qualm = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
            .args(args)
            .current_dir(dir.path())
            .env("QUALM_AUTHOR", "tester")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let id = qualm(&[
        "note",
        "add",
        "qualys-2015",
        "--target",
        "clause:overview.1",
        "--quote",
        "Qualys",
        "--kind",
        "other",
        "--body",
        "x",
    ]);
    qualm(&["note", "reply", "qualys-2015", &id, "--body", "y"]);
    let review = yaml(policies.join("qualys-2015.review.yaml").to_str().unwrap());
    let schema = schema("review");
    let found = errors(&schema, &review);
    assert!(found.is_empty(), "{found:#?}");
    let mut bad = review.clone();
    bad["notes"][0]["severity"] = Value::from("urgent");
    assert!(!errors(&schema, &bad).is_empty());
}

#[test]
fn the_shipped_keymap_validates() {
    let keymap: toml::Value = toml::from_str(&fs::read_to_string("keymap.toml").unwrap()).unwrap();
    let keymap = serde_json::to_value(keymap).unwrap();
    let schema = schema("keymap");
    let found = errors(&schema, &keymap);
    assert!(found.is_empty(), "{found:#?}");
    let mut bad = keymap.clone();
    bad["tree"]["keymap"][0]["run"] = Value::from("no_such_action");
    assert!(!errors(&schema, &bad).is_empty());
}

#[test]
fn the_shipped_vocabulary_validates() {
    let schema = schema("vocabulary");
    let vocabulary = yaml("policies/vocabulary.yaml");
    let found = errors(&schema, &vocabulary);
    assert!(found.is_empty(), "{found:#?}");
    let mut bad = vocabulary.clone();
    bad["data"][0]["synonym"] = Value::from("typo");
    assert!(!errors(&schema, &bad).is_empty());
}
