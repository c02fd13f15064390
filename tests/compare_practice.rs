//! The practice diff on two versions whose flows exist on both sides: it
//! reports what the flows show (a recipient added, a flow gone, a flow
//! new) and claims nothing they do not (two flows that share only a
//! generic data term are not one practice changed; identical flows that
//! leave facets unspecified are unchanged).

use qualm::compare;
use qualm::model;

fn model(id: &str, contexts: &str) -> String {
    format!(
        "schema: 1
policy: {{ id: {id}, organization: Tiny Ltd., title: Privacy, effective: 2024-01-01 }}
sections:
  - id: all
    heading: Everything
    clauses:
      - id: all.1
        text: We collect what we say below and use it as we say below.
contexts:
{contexts}"
    )
}

const SIGN_UP: &str = "  - id: sign-up
    name: When you sign up
    evidence: [all.1]
    flows:
      - data: [Email address, Name]
        purposes: [Create your account]
        evidence: [all.1]
";

const SIGN_UP_SHARED: &str = "  - id: sign-up
    name: When you sign up
    evidence: [all.1]
    flows:
      - data: [Email address, Name]
        purposes: [Create your account]
        recipients: [Salesforce]
        evidence: [all.1]
";

const NOTICES: &str = "  - id: notices
    name: Service notices
    evidence: [all.1]
    flows:
      - purposes: [Send service notices]
        evidence: [all.1]
";

const EU: &str = "  - id: eu
    name: Personal data about individuals in the EEA sent to us
    evidence: [all.1]
    flows:
      - data: [Personal data]
        evidence: [all.1]
";

const LEGAL: &str = "  - id: legal
    name: Legal matters
    evidence: [all.1]
    flows:
      - data: [Personal information]
        evidence: [all.1]
";

#[test]
fn the_practice_diff_reports_what_the_flows_show_and_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("old.yaml"),
        model("old", &[SIGN_UP, NOTICES, EU].concat()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        model("new", &[SIGN_UP_SHARED, NOTICES, LEGAL].concat()),
    )
    .unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
    let find = |id: &str| {
        &corpus
            .policies
            .iter()
            .find(|p| p.policy.id == id)
            .unwrap()
            .policy
    };
    let d = compare::practice_diff(find("old"), find("new"), &corpus.vocabulary);

    // Service notices leave data and recipients unspecified on both sides:
    // unchanged, not removed and added again.
    assert_eq!(d.unchanged, 1, "{d:#?}");
    // Signing up now shares with Salesforce, and that is all that changed.
    assert_eq!(d.changed.len(), 1, "{d:#?}");
    let change = &d.changed[0];
    assert_eq!(change.left.context, "sign-up");
    let facets: Vec<&str> = change.changes.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(facets, ["recipients"]);
    assert_eq!(change.changes[0].1.added, ["salesforce"]);
    // The EU transfer and the legal matters share only "personal
    // information": the old flow is gone and the new one is new.
    assert!(d.removed.iter().any(|f| f.context == "eu"), "{d:#?}");
    assert!(d.added.iter().any(|f| f.context == "legal"), "{d:#?}");
}

#[test]
fn identical_flows_with_unspecified_facets_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let contexts = [SIGN_UP, NOTICES, EU].concat();
    std::fs::write(dir.path().join("a.yaml"), model("a", &contexts)).unwrap();
    std::fs::write(dir.path().join("b.yaml"), model("b", &contexts)).unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let (a, b) = (&corpus.policies[0].policy, &corpus.policies[1].policy);
    let d = compare::practice_diff(a, b, &corpus.vocabulary);
    assert_eq!(d.unchanged, 3, "{d:#?}");
    assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
    assert!(d.contexts_added.is_empty() && d.contexts_removed.is_empty());
}
