//! The shipped models against their original texts, and the model's own
//! round trip through `qualm export`.

use std::path::PathBuf;
use std::process::Command;

use qualm::cli::export::Export;
use qualm::model::{self, coverage::coverage};

const SHIPPED: [&str; 5] = [
    "qualys-2015",
    "qualys-2020",
    "qualisys",
    "quali-2024",
    "qualer-2020",
];

fn shipped() -> model::Corpus {
    model::load(&[PathBuf::from("policies")])
}

#[test]
fn every_seed_is_modelled_with_at_least_95_percent_of_its_sentences() {
    let corpus = shipped();
    assert_eq!(corpus.error_count(), 0, "{:#?}", corpus.diagnostics);
    let mut low = Vec::new();
    for id in SHIPPED {
        let loaded = corpus
            .policy(id)
            .unwrap_or_else(|| panic!("{id} is not shipped"));
        let source = loaded
            .source_path()
            .expect("each shipped model names its original");
        let original = std::fs::read_to_string(&source).unwrap();
        let c = coverage(&loaded.policy, &original);
        println!(
            "{id}: {:.1}% of {} sentences longer than 30 characters occur in clauses",
            c.percent(),
            c.sentences
        );
        if c.percent() < 95.0 || c.sentences < 40 {
            low.push(format!(
                "{id}: {:.1}% of {}; missing {:#?}",
                c.percent(),
                c.sentences,
                c.missing
            ));
        }
    }
    assert!(low.is_empty(), "{}", low.join("\n"));
}

#[test]
fn quali_has_its_table_of_situations() {
    let corpus = shipped();
    let quali = &corpus.policy("quali-2024").unwrap().policy;
    let contexts = quali.contexts_flat();
    let leaves = contexts
        .iter()
        .filter(|(_, c)| c.contexts.is_empty())
        .count();
    let flows: usize = contexts.iter().map(|(_, c)| c.flows.len()).sum();
    assert!(leaves >= 26, "{leaves} leaf contexts");
    assert!(flows >= 40, "{flows} flows");
    let salesforce = contexts
        .iter()
        .flat_map(|(_, c)| &c.flows)
        .any(|f| f.recipients.iter().any(|r| r.contains("Salesforce")));
    assert!(salesforce, "Quali names Salesforce among its recipients");
}

#[test]
fn export_round_trips_to_the_same_model() {
    let corpus = shipped();
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["export", "policies", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Export = serde_json::from_slice(&out.stdout).unwrap();
    let loaded: Vec<_> = corpus.policies.into_iter().map(|p| p.policy).collect();
    assert_eq!(parsed.policies.len(), SHIPPED.len());
    assert_eq!(parsed.policies, loaded);

    let yaml = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["export", "policies", "--format", "yaml"])
        .output()
        .unwrap();
    let parsed: Export = serde_yaml::from_slice(&yaml.stdout).unwrap();
    assert_eq!(parsed.policies, loaded);
}

#[test]
fn check_exits_zero_on_the_shipped_policies_and_one_on_errors() {
    let ok = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["check", "policies"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("checked 5 policies: 0 errors"),
        "{stdout}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["check", "tests/invalid_models/wrong-id.yaml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(stdout.contains(
        "tests/invalid_models/wrong-id.yaml:3:7: error: policy id `acme-2024` does not match the file name `wrong-id`"
    ));
    assert!(
        stdout
            .trim_end()
            .ends_with("checked 0 policies: 1 error, 0 warnings"),
        "{stdout}"
    );
}
