//! The matrix and topic compare say only what the text says: sold, shared,
//! collected and their negatives told apart; a negative keeps its
//! qualifier and reach; a disclosed practice is never hidden under a
//! negative; flows roll up through the vocabulary's hierarchy, marked; a
//! flow citing only definitions makes no cell; every cell keeps its
//! clauses. Checked on a small model made here, then on the shipped ones.

use std::path::{Path, PathBuf};
use std::process::Command;

use qualm::compare::{self, By, Cell, Matrix, Subject, Tone};
use qualm::model::{self, Category, Policy, Scope};

const MODEL: &str = r#"schema: 1
policy:
  id: acme-2024
  organization: Acme Ltd.
  title: Privacy Policy
  effective: 2024-06-02
sections:
  - id: s
    heading: Data
    clauses:
      - id: s.1
        text: We share your email address with Salesforce to send you news.
      - id: s.2
        text: We do not sell your personal information or your precise geolocation.
      - id: s.3
        text: We do not knowingly collect information from children.
      - id: s.4
        role: definition
        text: '"Personal information" includes medical information and biometric information.'
      - id: s.5
        text: We sell your IP address to advertising networks.
      - id: s.6
        text: 'Third parties that receive your job title from our suppliers: None.'
      - id: s.7
        text: We keep your phone number.
      - id: s.8
        text: We share personal information with service providers.
      - id: s.9
        text: You may transmit your usage data to another entity.
contexts:
  - id: news
    name: News
    flows:
      - data: [Email address]
        recipients: [Salesforce (CRM)]
        evidence: [s.1]
      - data: [Personal information, Precise geolocation]
        recipients: [Third parties]
        action: sell
        does: false
        scope: policy
        evidence: [s.2]
      - data: [Personal information]
        recipients: [Service providers]
        evidence: [s.8]
      - data: [Medical information, Biometric information]
        recipients: [Cloud hosting providers]
        evidence: [s.4]
  - id: children
    name: Children
    flows:
      - data: [Information from children]
        does: false
        qualifier: knowingly
        evidence: [s.3]
  - id: ads
    name: Advertising
    flows:
      - data: [IP address]
        recipients: [Advertising networks]
        action: sell
        evidence: [s.5]
      - data: [Phone number]
        evidence: [s.7]
  - id: portability
    name: Portability
    flows:
      - data: [Usage data]
        recipients: [another entity]
        evidence: [s.9]
  - id: suppliers
    name: Suppliers
    flows:
      - data: [Job title]
        recipients: [Third parties]
        does: false
        evidence: [s.6]
"#;

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme-2024.yaml"), MODEL).unwrap();
    dir
}

fn load(path: &Path) -> model::Corpus {
    let corpus = model::load(&[path.to_path_buf()]);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
    corpus
}

fn matrix_of(corpus: &model::Corpus, by: By) -> Matrix {
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    compare::matrix(&policies, &corpus.vocabulary, by)
}

fn cell<'a>(m: &'a Matrix, term: &str) -> &'a compare::matrix::MatrixCell {
    let row = m
        .rows
        .iter()
        .find(|r| r.term == term)
        .unwrap_or_else(|| panic!("no row {term}"));
    &row.cells[0]
}

#[test]
fn cells_tell_sold_shared_collected_and_their_negatives_apart() {
    let dir = folder();
    let corpus = load(dir.path());
    let m = matrix_of(&corpus, By::Data);
    let shown = |term: &str| {
        let c = cell(&m, term);
        (c.value.cell, c.value.label())
    };
    assert_eq!(shown("email"), (Cell::Shared, "▲ shared".into()));
    assert_eq!(shown("phone"), (Cell::Collected, "● collected".into()));
    assert_eq!(shown("ip-address"), (Cell::Sold, "▲ sold".into()));
    // "We do not sell" is not "we do not share", and policy-wide needs no place.
    assert_eq!(
        shown("precise-location"),
        (Cell::NotSold, "✗ not sold".into())
    );
    // A negative keeps its qualifier and, by default, its own context.
    assert_eq!(
        shown("children-data"),
        (
            Cell::NotCollected,
            "✗ not collected (knowingly) in children".into()
        )
    );
    assert_eq!(
        shown("job-title"),
        (Cell::NotShared, "✗ not shared in suppliers".into())
    );
    // What the person sends to a recipient of their choice is no disclosure.
    assert_eq!(shown("usage-data"), (Cell::Collected, "● collected".into()));
    let children = cell(&m, "children-data").value.negative.clone().unwrap();
    assert_eq!(children.scope, Scope::Context);
    assert_eq!(children.qualifier.as_deref(), Some("knowingly"));
    assert_eq!(cell(&m, "children-data").value.tone(), Tone::Negative);
    assert_eq!(cell(&m, "email").value.tone(), Tone::Disclosed);
}

#[test]
fn a_disclosed_practice_is_never_hidden_under_a_negative() {
    let dir = folder();
    let corpus = load(dir.path());
    let m = matrix_of(&corpus, By::Data);
    // Shared with service providers (and, rolled up, sold with the IP
    // address) beside a policy-wide "we do not sell personal information".
    let pi = &cell(&m, "personal-information").value;
    assert!(pi.cell.is_positive(), "{pi:?}");
    let negative = pi.negative.as_ref().unwrap();
    assert_eq!(
        (negative.cell, negative.scope),
        (Cell::NotSold, Scope::Policy)
    );
    assert!(pi.label().ends_with(" · ✗ not sold"), "{}", pi.label());

    let m = matrix_of(&corpus, By::Recipients);
    let third = &cell(&m, "third-parties").value;
    assert!(third.cell.is_positive(), "{third:?}");
    assert!(third.rolled_up);
    assert!(third.negative.is_some());
}

#[test]
fn flows_roll_up_through_the_hierarchy_marked_as_rolled_up() {
    let dir = folder();
    let corpus = load(dir.path());
    let m = matrix_of(&corpus, By::Recipients);
    let salesforce = cell(&m, "salesforce");
    assert_eq!(salesforce.value.label(), "▲ shared");
    assert!(!salesforce.value.rolled_up);
    let crm = cell(&m, "crm-providers");
    assert_eq!((crm.value.cell, crm.value.rolled_up), (Cell::Shared, true));
    assert_eq!(crm.value.label(), "▲ shared ↑");
    assert_eq!(crm.labels, ["Salesforce (CRM)".into()]);
    // Service providers are named directly too: not rolled up.
    let providers = cell(&m, "service-providers");
    assert_eq!(
        (providers.value.cell, providers.value.rolled_up),
        (Cell::Shared, false)
    );

    let m = matrix_of(&corpus, By::Data);
    let contact = cell(&m, "contact-identifiers");
    assert_eq!(contact.value.label(), "▲ shared ↑");
    // A negative about a narrower term says nothing of the broader one.
    assert!(!m.rows.iter().any(|r| r.term == "location"));
}

#[test]
fn definitions_and_examples_make_no_cell() {
    let dir = folder();
    let corpus = load(dir.path());
    let data = matrix_of(&corpus, By::Data);
    for term in ["health", "biometric"] {
        assert!(!data.rows.iter().any(|r| r.term == term), "{term}");
    }
    let recipients = matrix_of(&corpus, By::Recipients);
    assert!(!recipients
        .rows
        .iter()
        .any(|r| r.term == "hosting-providers"));
}

#[test]
fn every_cell_keeps_its_clauses() {
    let dir = folder();
    let corpus = load(dir.path());
    let m = matrix_of(&corpus, By::Recipients);
    assert_eq!(cell(&m, "salesforce").evidence, ["s.1".into()]);
    assert_eq!(cell(&m, "crm-providers").evidence, ["s.1".into()]);
    let third: Vec<&str> = cell(&m, "third-parties")
        .evidence
        .iter()
        .map(|e| &**e)
        .collect();
    assert_eq!(third, ["s.1", "s.2", "s.5", "s.6", "s.8"]);
}

#[test]
fn topic_compare_says_the_action_the_reach_and_rolls_up() {
    let dir = folder();
    let corpus = load(dir.path());
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let column = |subject: &str| {
        let subject = compare::resolve(&corpus.vocabulary, subject).unwrap();
        compare::compare_topic(&policies, &corpus.vocabulary, &subject).remove(0)
    };
    let providers = column("recipient:service-providers");
    let labels: Vec<String> = providers.flows.iter().map(|f| f.label()).collect();
    assert_eq!(labels, ["▲ shared ↑", "▲ shared"]);
    let children = column("data:children-data");
    assert_eq!(children.flows[0].label(), "✗ not collected (knowingly)");
    let pi = column("data:personal-information");
    assert!(pi
        .flows
        .iter()
        .any(|f| f.label() == "✗ not sold (policy-wide)"));
    // The definition's flow states no practice.
    let health = column("data:health");
    assert!(health.is_silent(), "{health:?}");
    assert_eq!(
        compare::resolve(&corpus.vocabulary, "mechanism:safe-harbor").unwrap(),
        Subject::Term {
            category: Category::Mechanisms,
            id: "safe-harbor".into()
        }
    );
}

fn qualm(args: &[&str], dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .arg("matrix")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cli_matrix_shows_the_same_labels_in_every_format() {
    let dir = folder();
    for format in ["text", "md", "csv"] {
        let out = qualm(&["--format", format], dir.path());
        for label in [
            "✗ not collected (knowingly) in children",
            "▲ sold",
            "✗ not sold",
        ] {
            assert!(out.contains(label), "{format}: {label}\n{out}");
        }
        assert!(!out.contains("Health"), "{format}\n{out}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&qualm(&["--format", "json"], dir.path())).unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["term"] == "children-data")
        .unwrap();
    let cell = &row["cells"]["acme-2024"];
    assert_eq!(cell["value"], "not-collected");
    assert_eq!(cell["label"], "✗ not collected (knowingly) in children");
    assert_eq!(cell["negative"]["qualifier"], "knowingly");
    assert_eq!(cell["negative"]["scope"], "context");
    assert_eq!(cell["negative"]["context"], "children");
    assert_eq!(cell["evidence"], serde_json::json!(["s.3"]));
    let recipients: serde_json::Value = serde_json::from_str(&qualm(
        &["--by", "recipients", "--format", "json"],
        dir.path(),
    ))
    .unwrap();
    let crm = recipients["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["term"] == "crm-providers")
        .unwrap();
    assert_eq!(crm["cells"]["acme-2024"]["rolled_up"], true);
}

fn shipped() -> model::Corpus {
    let policies = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
    model::load(&[policies])
}

#[test]
fn shipped_models_show_third_parties_shared_for_qualys_2020_and_quali_2024() {
    let corpus = shipped();
    let m = matrix_of(&corpus, By::Recipients);
    let row = m.rows.iter().find(|r| r.term == "third-parties").unwrap();
    for id in ["qualys-2020", "quali-2024"] {
        let pi = corpus
            .policies
            .iter()
            .position(|p| p.policy.id == id)
            .unwrap();
        let value = &row.cells[pi].value;
        assert!(
            matches!(value.cell, Cell::Shared | Cell::Sold),
            "{id}: {}",
            value.label()
        );
    }
}

// qualys-2020's CCPA table rows cite the statutory definitions as
// `role: definition`, so their examples are never read as practice.
#[test]
fn shipped_models_show_no_health_or_biometric_practice_for_qualys_2020() {
    let corpus = shipped();
    let m = matrix_of(&corpus, By::Data);
    let pi = corpus
        .policies
        .iter()
        .position(|p| p.policy.id == "qualys-2020")
        .unwrap();
    for term in ["health", "biometric"] {
        if let Some(row) = m.rows.iter().find(|r| r.term == term) {
            let value = &row.cells[pi].value;
            assert!(
                !matches!(
                    value.cell,
                    Cell::Shared | Cell::Sold | Cell::Collected | Cell::Used
                ),
                "{term}: {}",
                value.label()
            );
        }
    }
}
