//! The findings engine: each rule fires on a policy that has the problem
//! and stays quiet on one that does not; the shipped policies get the
//! findings an auditor expects (Safe Harbor after Schrems I, Qualer's
//! missing retention and bases) and a grade; SARIF validates against the
//! official schema; recorded findings become notes once and then carry
//! the note's status.

#[path = "support/workspace.rs"]
mod workspace;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use qualm::findings::checklist::{Checklists, ItemState};
use qualm::findings::facts::Date;
use qualm::findings::{self, Grade, Options, Report};
use qualm::model;
use qualm::review::{ReviewSet, Severity};

/// A one-policy folder: header fields, clauses (id, text) and the YAML of
/// one context's flows.
struct Policy<'a> {
    jurisdictions: &'a str,
    effective: &'a str,
    clauses: &'a [(&'a str, &'a str)],
    flows: &'a str,
}

impl Policy<'_> {
    fn yaml(&self) -> String {
        let mut out = format!(
            "schema: 1\npolicy:\n  id: acme\n  organization: Acme Ltd.\n  title: Privacy Policy\n  effective: {}\n  jurisdictions: {}\nsections:\n  - id: s\n    heading: Policy\n    clauses:\n",
            self.effective, self.jurisdictions
        );
        for (id, text) in self.clauses {
            out.push_str(&format!("      - id: {id}\n        text: {text:?}\n"));
        }
        out.push_str("contexts:\n  - id: c\n    name: When you use the service\n    flows:\n");
        out.push_str(self.flows);
        out
    }

    fn lint(&self) -> Report {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("acme.yaml"), self.yaml()).unwrap();
        let corpus = model::load(&[dir.path().to_path_buf()]);
        assert_eq!(corpus.error_count(), 0, "{:#?}", corpus.diagnostics);
        findings::run(&corpus, None, &Checklists::builtin(), &options())
    }

    fn fires(&self, rule: &str) -> bool {
        self.lint().findings.iter().any(|f| f.rule == rule)
    }
}

fn options() -> Options {
    Options {
        as_of: Date::parse("2026-11-29"),
        ..Options::default()
    }
}

const BASE: Policy = Policy {
    jurisdictions: "[GDPR]",
    effective: "2024-06-02",
    clauses: &[("s.1", "We collect your email address to send you our newsletter.")],
    flows: "      - data: [Email address]\n        purposes: [Marketing]\n        basis: [Consent]\n        retention: 12 months\n        evidence: [s.1]\n",
};

#[test]
fn retention_rules() {
    let silent = Policy {
        flows: "      - data: [Email address]\n        purposes: [Marketing]\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(silent.fires("retention-unspecified"));
    assert!(!BASE.fires("retention-unspecified"));
    let vague = Policy {
        flows: "      - data: [Email address]\n        retention: as long as necessary\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(vague.fires("retention-vague"));
    assert!(!vague.fires("retention-unspecified"));
    assert!(!BASE.fires("retention-vague"));
    let forever = Policy {
        flows: "      - data: [Email address]\n        retention: indefinitely\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(forever.fires("retention-indefinite"));
    assert!(!BASE.fires("retention-indefinite"));
}

#[test]
fn legal_basis_only_under_the_gdpr_and_not_a_transfer_mechanism() {
    let mechanism_only = Policy {
        flows: "      - data: [Email address]\n        basis: [EU-US Data Privacy Framework]\n        retention: 12 months\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(mechanism_only.fires("legal-basis-missing"));
    assert!(!BASE.fires("legal-basis-missing"));
    let us_only = Policy {
        jurisdictions: "[US]",
        ..mechanism_only
    };
    assert!(!us_only.fires("legal-basis-missing"));
}

#[test]
fn consent_needs_a_way_to_withdraw_it() {
    assert!(BASE.fires("consent-without-withdrawal"));
    let withdrawable = Policy {
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            ("s.2", "You may withdraw your consent at any time."),
        ],
        ..BASE
    };
    assert!(!withdrawable.fires("consent-without-withdrawal"));
}

#[test]
fn generic_recipients_and_worse_with_generic_data() {
    let generic = Policy {
        flows: "      - data: [Personal information]\n        recipients: [third parties]\n        basis: [Consent]\n        retention: 1 year\n        evidence: [s.1]\n",
        ..BASE
    };
    let report = generic.lint();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "generic-recipients")
        .expect("fires");
    assert_eq!(finding.severity, Severity::High);
    let named = Policy {
        flows: "      - data: [Email address]\n        recipients: [Salesforce]\n        basis: [Consent]\n        retention: 1 year\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(!named.fires("generic-recipients"));
    let with_specific_data = Policy {
        flows: "      - data: [Email address]\n        recipients: [third parties]\n        evidence: [s.1]\n",
        ..BASE
    };
    let report = with_specific_data.lint();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "generic-recipients")
        .unwrap();
    assert_eq!(finding.severity, Severity::Medium);
}

#[test]
fn a_sale_needs_an_opt_out_and_a_ccpa_policy_a_sale_statement() {
    let sells = Policy {
        jurisdictions: "[CCPA]",
        flows: "      - data: [Email address]\n        action: sell\n        recipients: [advertisers]\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(sells.fires("sale-without-opt-out"));
    let with_link = Policy {
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            (
                "s.2",
                "Use the Do Not Sell My Personal Information link to opt out.",
            ),
        ],
        ..sells
    };
    assert!(!with_link.fires("sale-without-opt-out"));
    let silent = Policy {
        jurisdictions: "[CCPA]",
        ..BASE
    };
    assert!(silent.fires("no-sale-statement"));
    let says_no = Policy {
        jurisdictions: "[CCPA]",
        clauses: &[
            ("s.1", "We collect your email address to send you our newsletter."),
            ("s.2", "We do not sell your personal information."),
        ],
        flows: "      - data: [Email address]\n        evidence: [s.1]\n      - data: [Personal information]\n        action: sell\n        does: false\n        scope: policy\n        evidence: [s.2]\n",
        ..BASE
    };
    let report = says_no.lint();
    assert!(!report
        .findings
        .iter()
        .any(|f| f.rule == "no-sale-statement"));
    assert!(report.policies[0]
        .points
        .iter()
        .any(|p| p.reason.contains("does not sell")));
    // Not held to the CCPA: no CCPA rule.
    assert!(!Policy {
        jurisdictions: "[GDPR]",
        ..silent
    }
    .fires("no-sale-statement"));
}

#[test]
fn a_mechanism_is_judged_at_the_policy_date() {
    let safe_harbor = |effective| {
        Policy {
        jurisdictions: "[US, EU Safe Harbor]",
        effective,
        flows: "      - data: [Email address]\n        basis: [EU Safe Harbor Privacy Principles (self-certification)]\n        evidence: [s.1]\n",
        ..BASE
    }
    };
    let after = safe_harbor("2015-11-09").lint();
    let finding = after
        .findings
        .iter()
        .find(|f| f.rule == "outdated-mechanism")
        .expect("Safe Harbor after Schrems I");
    assert_eq!(finding.severity, Severity::Critical);
    assert!(
        finding.message.contains("2015-10-06"),
        "{}",
        finding.message
    );
    assert!(!safe_harbor("2014-01-01").fires("outdated-mechanism"));
    let shield = |effective| {
        Policy {
        effective,
        flows: "      - data: [Email address]\n        basis: [EU-U.S. Privacy Shield Framework]\n        evidence: [s.1]\n",
        ..BASE
    }
    };
    assert!(shield("2021-03-01").fires("outdated-mechanism"));
    assert!(!shield("2019-03-01").fires("outdated-mechanism"));
    let dpf = |effective| {
        Policy {
        effective,
        flows: "      - data: [Email address]\n        basis: [EU-US Data Privacy Framework]\n        evidence: [s.1]\n",
        ..BASE
    }
    };
    assert!(!dpf("2024-06-02").fires("outdated-mechanism"));
    // A DPF before it existed is an error in the model or its date.
    assert!(dpf("2022-01-01").fires("outdated-mechanism"));
    let old_sccs = Policy {
        flows: "      - data: [Email address]\n        basis: [Model Contracts]\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(old_sccs.fires("outdated-mechanism"));
}

#[test]
fn a_transfer_needs_a_mechanism() {
    let transfers = Policy {
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            (
                "s.2",
                "Your data may be transferred to and stored in the United States.",
            ),
        ],
        ..BASE
    };
    assert!(transfers.fires("transfer-without-mechanism"));
    let with_sccs = Policy {
        clauses: &[
            ("s.1", "We collect your email address to send you our newsletter."),
            ("s.2", "Your data may be transferred to and stored in the United States under standard contractual clauses."),
        ],
        ..BASE
    };
    assert!(!with_sccs.fires("transfer-without-mechanism"));
    assert!(!BASE.fires("transfer-without-mechanism"));
}

#[test]
fn missing_rights_are_named() {
    let report = BASE.lint();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "rights-missing")
        .expect("no right is described");
    assert!(finding.message.contains("Right of access"));
    let all_rights = Policy {
        clauses: &[
            ("s.1", "We collect your email address to send you our newsletter."),
            ("s.2", "You have the right of access, the right to rectification, the right to erasure, the right to restriction of processing, the right to object to processing and the right to data portability."),
            ("s.3", "You may withdraw your consent at any time and lodge a complaint with a supervisory authority."),
        ],
        ..BASE
    };
    assert!(!all_rights.fires("rights-missing"));
}

#[test]
fn contradictions_only_within_scope_and_with_the_same_action() {
    let clauses: &[(&str, &str)] = &[
        ("s.1", "We share your email address with Salesforce."),
        ("s.2", "We do not share your email address."),
    ];
    let contradicts = Policy {
        clauses,
        flows: "      - data: [Email address]\n        recipients: [Salesforce]\n        evidence: [s.1]\n      - data: [Email address]\n        action: share\n        does: false\n        evidence: [s.2]\n",
        ..BASE
    };
    assert!(contradicts.fires("contradiction"));
    // "We do not sell" is not contradicted by sharing.
    let not_sold = Policy {
        clauses,
        flows: "      - data: [Email address]\n        recipients: [Salesforce]\n        evidence: [s.1]\n      - data: [Email address]\n        action: sell\n        does: false\n        evidence: [s.2]\n",
        ..BASE
    };
    assert!(!not_sold.fires("contradiction"));
    // Different purposes are different statements (PoliGraph).
    let other_purpose = Policy {
        clauses,
        flows: "      - data: [Email address]\n        purposes: [Analytics]\n        recipients: [Salesforce]\n        evidence: [s.1]\n      - data: [Email address]\n        purposes: [Advertising]\n        action: share\n        does: false\n        evidence: [s.2]\n",
        ..BASE
    };
    assert!(!other_purpose.fires("contradiction"));
}

#[test]
fn a_negative_reaches_only_its_own_context_unless_policy_wide() {
    let yaml = |scope: &str| {
        format!(
            "schema: 1\npolicy:\n  id: acme\n  organization: Acme\n  title: P\n  effective: 2024-01-01\n  jurisdictions: [GDPR]\nsections:\n  - id: s\n    clauses:\n      - id: s.1\n        text: We share your email address with Salesforce.\n      - id: s.2\n        text: In the shop we do not share your email address.\ncontexts:\n  - id: web\n    name: Website\n    flows:\n      - data: [Email address]\n        recipients: [Salesforce]\n        evidence: [s.1]\n  - id: shop\n    name: Shop\n    flows:\n      - data: [Email address]\n        action: share\n        does: false\n{scope}        evidence: [s.2]\n"
        )
    };
    let fires = |text: String| {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("acme.yaml"), text).unwrap();
        let corpus = model::load(&[dir.path().to_path_buf()]);
        assert_eq!(corpus.error_count(), 0, "{:#?}", corpus.diagnostics);
        findings::run(&corpus, None, &Checklists::builtin(), &options())
            .findings
            .iter()
            .any(|f| f.rule == "contradiction")
    };
    assert!(!fires(yaml("")));
    assert!(fires(yaml("        scope: policy\n")));
}

#[test]
fn open_ended_labels_and_vague_wording() {
    let open = Policy {
        flows: "      - data: [Email address, Any other information you provide]\n        evidence: [s.1]\n",
        ..BASE
    };
    assert!(open.fires("open-ended-data"));
    assert!(!BASE.fires("open-ended-data"));
    let vague = "We may collect certain information such as your name and some other data from time to time, and may share it as necessary.";
    let hedged = Policy {
        clauses: &[("s.1", vague)],
        ..BASE
    };
    let yaml = hedged.yaml().replace(
        &format!("text: {vague:?}"),
        &format!("topics: [first-party-collection]\n        text: {vague:?}"),
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("acme.yaml"), yaml).unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let report = findings::run(&corpus, None, &Checklists::builtin(), &options());
    assert!(report.findings.iter().any(|f| f.rule == "vague-wording"));
    assert!(!BASE.fires("vague-wording"));
}

#[test]
fn policy_change_dnt_staleness_and_children() {
    let changes = Policy {
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            (
                "s.2",
                "We may update this privacy policy from time to time.",
            ),
        ],
        ..BASE
    };
    assert!(changes.fires("change-without-notice"));
    let notified = Policy {
        clauses: &[
            ("s.1", "We collect your email address to send you our newsletter."),
            ("s.2", "We may update this privacy policy; we will notify you by email before changes take effect."),
        ],
        ..BASE
    };
    assert!(!notified.fires("change-without-notice"));

    let old_ccpa = Policy {
        jurisdictions: "[CCPA]",
        effective: "2020-01-01",
        ..BASE
    };
    assert!(old_ccpa.fires("stale-ccpa"));
    assert!(old_ccpa.fires("no-do-not-track"));
    let fresh = Policy {
        jurisdictions: "[CCPA]",
        effective: "2026-06-01",
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            ("s.2", "We do not respond to Do Not Track signals."),
        ],
        ..BASE
    };
    assert!(!fresh.fires("stale-ccpa"));
    assert!(!fresh.fires("no-do-not-track"));

    assert!(BASE.fires("children"));
    let from_children = Policy {
        flows: "      - data: [Email address]\n        source: [children under 13]\n        evidence: [s.1]\n",
        ..BASE
    };
    let report = from_children.lint();
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "children")
        .unwrap();
    assert_eq!(finding.severity, Severity::High);
    let says_no = Policy {
        clauses: &[
            ("s.1", "We collect your email address to send you our newsletter."),
            ("s.2", "We do not knowingly collect information from children."),
        ],
        flows: "      - data: [Email address]\n        evidence: [s.1]\n      - data: [Information from children]\n        does: false\n        qualifier: knowingly\n        evidence: [s.2]\n",
        ..BASE
    };
    assert!(!says_no.fires("children"));
}

#[test]
fn a_definition_is_never_read_as_a_practice() {
    let definition = Policy {
        clauses: &[(
            "s.1",
            "\"Personal information\" includes, but is not limited to, health information and children's data.",
        )],
        flows: "      - data: [Health information]\n        source: [children]\n        evidence: [s.1]\n",
        ..BASE
    };
    let yaml = definition.yaml().replace(
        "      - id: s.1\n",
        "      - id: s.1\n        role: definition\n",
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("acme.yaml"), yaml).unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let report = findings::run(&corpus, None, &Checklists::builtin(), &options());
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule == "children" && f.severity == Severity::High),
        "{:#?}",
        report.findings
    );
}

#[test]
fn checklists_follow_jurisdiction_and_date() {
    let checklists = Checklists::builtin();
    let laws = |j: &[&str], date: &str| -> Vec<String> {
        let j: Vec<String> = j.iter().map(|s| s.to_string()).collect();
        checklists
            .laws_for(&j, Date::parse(date).unwrap())
            .iter()
            .map(|l| l.id.clone())
            .collect()
    };
    assert_eq!(
        laws(&["US", "EU Safe Harbor"], "2015-11-09"),
        Vec::<String>::new()
    );
    assert_eq!(laws(&["GDPR"], "2017-01-01"), Vec::<String>::new());
    assert_eq!(laws(&["GDPR"], "2018-06-01"), ["gdpr"]);
    assert_eq!(laws(&["CCPA"], "2020-01-01"), ["ccpa-2020", "caloppa"]);
    assert_eq!(laws(&["CCPA"], "2024-06-02"), ["ccpa-cpra", "caloppa"]);
}

fn shipped() -> (model::Corpus, Report) {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let reviews = ReviewSet::load(&corpus);
    let report = findings::run(&corpus, Some(&reviews), &Checklists::builtin(), &options());
    (corpus, report)
}

#[test]
fn the_shipped_policies_get_what_an_auditor_expects() {
    let (_, report) = shipped();
    let of = |policy: &str, rule: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.policy == policy && f.rule == rule)
            .collect::<Vec<_>>()
    };
    let safe_harbor = of("qualys-2015", "outdated-mechanism");
    assert_eq!(safe_harbor.len(), 1);
    assert!(safe_harbor[0].severity >= Severity::High);
    assert!(safe_harbor[0].message.contains("Safe Harbor"));
    assert!(of("quali-2024", "outdated-mechanism").is_empty());
    assert!(!of("qualer-2020", "retention-unspecified").is_empty());
    assert!(!of("qualer-2020", "legal-basis-missing").is_empty());
    for policy in &report.policies {
        assert_ne!(
            policy.grade,
            Grade::NotApplicable,
            "{} has no grade",
            policy.id
        );
        let count = report
            .findings
            .iter()
            .filter(|f| f.policy == policy.id)
            .count();
        assert!(count <= 60, "{} has {count} findings", policy.id);
    }
    // Every finding leads back to clauses that exist.
    let (corpus, _) = shipped();
    for f in &report.findings {
        let policy = &corpus.policy(&f.policy).unwrap().policy;
        for id in &f.evidence {
            assert!(policy.clause(id).is_some(), "{} cites {id}", f.rule);
        }
    }
    // Checklist items that are present name what shows them.
    for p in &report.policies {
        for list in &p.checklists {
            for item in &list.items {
                if let ItemState::Present { evidence, shown_by } = &item.state {
                    assert!(!evidence.is_empty() || shown_by.starts_with("policy."));
                }
            }
        }
    }
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let before = BASE.lint();
    let edited = Policy {
        clauses: &[
            (
                "s.1",
                "We collect your email address to send you our newsletter.",
            ),
            ("s.9", "An unrelated clause about cookies."),
        ],
        ..BASE
    };
    let after = edited.lint();
    let fingerprint = |r: &Report, rule: &str| {
        r.findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| f.fingerprint.clone())
            .unwrap()
    };
    assert_eq!(
        fingerprint(&before, "rights-missing"),
        fingerprint(&after, "rights-missing")
    );
}

fn qualm(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(args)
        .env("QUALM_AUTHOR", "tester")
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn record_once_then_the_note_status_follows_the_finding() {
    let dir = workspace::copy_policies();
    let (code, _) = qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--record",
            "--rule",
            "outdated-mechanism",
        ],
    );
    assert_eq!(code, 0);
    let review = fs::read_to_string(dir.path().join("policies/qualys-2015.review.yaml")).unwrap();
    assert!(review.contains("rule: outdated-mechanism"), "{review}");
    assert!(review.contains("fingerprint: qualm/v1:"));
    // Again: nothing new.
    qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--record",
            "--rule",
            "outdated-mechanism",
        ],
    );
    let again = fs::read_to_string(dir.path().join("policies/qualys-2015.review.yaml")).unwrap();
    assert_eq!(review, again);
    // Dismiss the note: the finding is reported dismissed, never open.
    let (_, json) = qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
            "--rule",
            "outdated-mechanism",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let note = value["findings"][0]["note"].as_str().unwrap().to_string();
    let (code, _) = qualm(
        dir.path(),
        &["note", "set", "qualys-2015", &note, "--status", "dismissed"],
    );
    assert_eq!(code, 0);
    let (_, json) = qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
            "--rule",
            "outdated-mechanism",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["findings"][0]["status"], "dismissed");
    // A dismissed finding fails no CI gate.
    let (code, _) = qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--rule",
            "outdated-mechanism",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(code, 0);
}

#[test]
fn fail_on_gates_ci_and_the_json_has_the_documented_shape() {
    let dir = workspace::copy_policies();
    let (code, _) = qualm(
        dir.path(),
        &["lint", "--as-of", "2026-11-29", "--fail-on", "critical"],
    );
    assert_eq!(code, 1, "qualys-2015 relies on Safe Harbor");
    let (code, _) = qualm(dir.path(), &["lint", "--as-of", "2026-11-29"]);
    assert_eq!(code, 0, "without --fail-on findings are no failure");
    let (code, json) = qualm(
        dir.path(),
        &["lint", "--as-of", "2026-11-29", "--format", "json"],
    );
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let finding = &value["findings"][0];
    for key in [
        "rule",
        "kind",
        "severity",
        "policy",
        "target",
        "message",
        "evidence",
        "fingerprint",
        "status",
    ] {
        assert!(!finding[key].is_null(), "findings have `{key}`");
    }
    let policy = &value["policies"][0];
    for key in ["id", "grade", "points", "checklists"] {
        assert!(!policy[key].is_null(), "policies have `{key}`");
    }
    let gdpr = &value["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "quali-2024")
        .unwrap()["checklists"]["gdpr"];
    assert!(gdpr["present"].as_array().unwrap().len() > 10);
    assert!(gdpr["missing"].is_array());
    let (code, _) = qualm(dir.path(), &["lint", "--rule", "no-such-rule"]);
    assert_eq!(code, 2);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let dir = workspace::copy_policies();
    qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--record",
            "--rule",
            "outdated-mechanism",
        ],
    );
    let (_, json) = qualm(
        dir.path(),
        &[
            "lint",
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
            "--rule",
            "outdated-mechanism",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let note = value["findings"][0]["note"].as_str().unwrap().to_string();
    qualm(
        dir.path(),
        &["note", "set", "qualys-2015", &note, "--status", "accepted"],
    );

    let (code, sarif) = qualm(
        dir.path(),
        &["lint", "--as-of", "2026-11-29", "--format", "sarif"],
    );
    assert_eq!(code, 0);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap())
            .unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let safe_harbor = results
        .iter()
        .find(|r| r["ruleId"] == "outdated-mechanism")
        .unwrap();
    assert_eq!(safe_harbor["level"], "error");
    assert_eq!(safe_harbor["suppressions"][0]["status"], "accepted");
    let uri = safe_harbor["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.ends_with("policies/qualys-2015.yaml"), "{uri}");
    assert!(
        safe_harbor["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 1
    );
    assert!(safe_harbor["partialFingerprints"]["qualm/v1"]
        .as_str()
        .unwrap()
        .starts_with("qualm/v1:"));
}

#[test]
fn a_finding_on_a_suggested_flow_says_it_rests_on_a_draft_until_confirmed() {
    let draft = Policy {
        clauses: &[
            ("s.1", "We share your email address with Salesforce."),
            ("s.2", "We do not share your email address."),
        ],
        flows: "      - id: c.1\n        suggested: true\n        data: [Email address]\n        recipients: [Salesforce]\n        evidence: [s.1]\n      - id: c.2\n        data: [Email address]\n        action: share\n        does: false\n        evidence: [s.2]\n",
        ..BASE
    };
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("acme.yaml"), draft.yaml()).unwrap();
    let (_, text) = qualm(dir.path(), &["-p", ".", "lint", "--rule", "contradiction"]);
    assert!(
        text.contains("rests on suggested flows not yet confirmed: c.1"),
        "{text}"
    );
    let (_, json) = qualm(dir.path(), &["-p", ".", "lint", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let contradiction = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "contradiction")
        .unwrap();
    assert_eq!(contradiction["suggested_flows"], serde_json::json!(["c.1"]));

    let (code, _) = qualm(
        dir.path(),
        &["-p", ".", "model", "flow", "confirm", "acme", "c.1"],
    );
    assert_eq!(code, 0);
    let (_, text) = qualm(dir.path(), &["-p", ".", "lint", "--rule", "contradiction"]);
    assert!(text.contains("contradiction"), "{text}");
    assert!(!text.contains("suggested flows"), "{text}");
}
