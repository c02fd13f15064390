//! The model format's statements beyond labels: a flow's action, the scope
//! and qualifier of a negative, the choice a person has, clauses that only
//! define terms, and flow ids that notes can target.

use std::fs;
use std::path::PathBuf;

use qualm::model::{self, Action, ChoiceKind, Scope};

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
        text: We do not sell your personal information.
      - id: s.3
        text: We do not knowingly collect information from children.
      - id: s.4
        role: definition
        text: '"Personal information" includes, but is not limited to, your name and signature.'
      - id: s.5
        text: You may not opt out of service notices.
contexts:
  - id: news
    name: When you subscribe to news
    flows:
      - data: [Email address]
        recipients: [Salesforce]
        evidence: [s.1]
      - id: no-sale
        data: [Personal information]
        action: sell
        does: false
        scope: policy
        evidence: [s.2]
      - data: [Information from children]
        does: false
        qualifier: knowingly
        evidence: [s.3]
      - data: [Name, Signature]
        evidence: [s.4]
      - data: [Email address]
        action: use
        purposes: [Service notices]
        choice: { kind: none, evidence: [s.5] }
        evidence: [s.1]
"#;

fn load(text: &str) -> (tempfile::TempDir, model::Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("acme-2024.yaml");
    fs::write(&path, text).unwrap();
    let corpus = model::load(&[path]);
    (dir, corpus)
}

#[test]
fn a_flow_states_its_action_and_a_negative_its_reach() {
    let (_dir, corpus) = load(MODEL);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
    let flows = &corpus.policies[0].policy.contexts[0].flows;
    // Recipients and no action: a share; none at all: a collection.
    assert_eq!(flows[0].action(), Action::Share);
    assert_eq!(flows[3].action(), Action::Collect);
    // "We do not sell" is a negative sale, policy-wide, not a negative share.
    assert_eq!(flows[1].action(), Action::Sell);
    assert!(!flows[1].does);
    assert_eq!(flows[1].scope(), Some(Scope::Policy));
    // A negative without a scope reaches its own context; the qualifier stays.
    assert_eq!(flows[2].scope(), Some(Scope::Context));
    assert_eq!(flows[2].qualifier.as_deref(), Some("knowingly"));
    // A positive statement has no reach to speak of.
    assert_eq!(flows[0].scope(), None);
    let choice = flows[4].choice.as_ref().unwrap();
    assert_eq!(choice.kind, ChoiceKind::None);
}

#[test]
fn every_flow_has_an_id_unique_in_its_policy() {
    let (_dir, corpus) = load(MODEL);
    let flows = &corpus.policies[0].policy.contexts[0].flows;
    let ids: Vec<&str> = flows.iter().map(|f| f.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["news.1", "no-sale", "news.3", "news.4", "news.5"]);
}

#[test]
fn an_assigned_id_never_takes_one_the_file_uses() {
    let text = MODEL.replace("id: no-sale", "id: news.1");
    let (_dir, corpus) = load(&text);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
    let flows = &corpus.policies[0].policy.contexts[0].flows;
    assert_eq!(flows[1].id.as_deref(), Some("news.1"));
    assert_eq!(flows[0].id.as_deref(), Some("news.1x"));
}

#[test]
fn a_flow_resting_only_on_a_definition_is_a_warning() {
    let (_dir, corpus) = load(MODEL);
    let warnings: Vec<String> = corpus
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":40:9: warning: every clause this flow cites is a definition")),
        "the warning names the evidence line: {warnings:#?}"
    );
}

#[test]
fn a_qualifier_on_a_positive_flow_is_a_warning() {
    let text = MODEL.replace(
        "        recipients: [Salesforce]\n",
        "        recipients: [Salesforce]\n        qualifier: typically\n",
    );
    let (_dir, corpus) = load(&text);
    assert!(corpus
        .diagnostics
        .iter()
        .any(|d| !d.is_error() && d.message.contains("belong to negative statements")));
}

#[test]
fn export_shows_the_filled_in_fields() {
    let (_dir, corpus) = load(MODEL);
    let json = serde_json::to_value(&corpus.policies[0].policy).unwrap();
    let flow = &json["contexts"][0]["flows"][1];
    assert_eq!(flow["id"], "no-sale");
    assert_eq!(flow["action"], "sell");
    assert_eq!(flow["scope"], "policy");
    assert_eq!(json["contexts"][0]["flows"][0]["action"], "share");
    assert_eq!(json["sections"][0]["clauses"][3]["role"], "definition");
}
