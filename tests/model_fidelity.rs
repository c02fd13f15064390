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

// ---------------------------------------------------------------------------
// Fidelity: the shipped models say what their texts say, no more (the audit
// in ../shared/audits/model-fidelity.md is the bug list these guard).

use qualm::compare::{self, By};
use qualm::model::{Action, ChoiceKind, ClauseRole, Flow, Policy, Scope};

fn policy<'a>(corpus: &'a model::Corpus, id: &str) -> &'a Policy {
    &corpus
        .policy(id)
        .unwrap_or_else(|| panic!("{id} is not shipped"))
        .policy
}

/// Every flow with the id of the context that holds it.
fn flows(policy: &Policy) -> Vec<(&str, &Flow)> {
    policy
        .contexts_flat()
        .into_iter()
        .flat_map(|(_, c)| c.flows.iter().map(move |f| (c.id.as_str(), f)))
        .collect()
}

/// The flows that cite a clause.
fn citing<'a>(policy: &'a Policy, clause: &str) -> Vec<&'a Flow> {
    assert!(
        policy.clause(clause).is_some(),
        "{}: no {clause}",
        policy.id
    );
    flows(policy)
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| f.evidence.iter().any(|e| &**e == clause))
        .collect()
}

/// A label that names no data at all, only "personal information".
fn generic(label: &str) -> bool {
    const GENERIC: [&str; 6] = [
        "personal information",
        "personal information about you",
        "personal data",
        "your information",
        "information we collect about you",
        "information",
    ];
    GENERIC.contains(&label.trim().to_lowercase().as_str())
}

fn generic_only(flow: &Flow) -> bool {
    !flow.data.is_empty() && flow.data.iter().all(|d| generic(d))
}

#[test]
fn qualer_is_modelled_as_collection_situations_not_one_context_per_bullet() {
    let corpus = shipped();
    let qualer = policy(&corpus, "qualer-2020");
    let contexts = qualer.contexts_flat().len();
    assert!((10..=30).contains(&contexts), "{contexts} contexts");
    let all = flows(qualer);
    let generic: Vec<_> = all
        .iter()
        .filter(|(_, f)| generic_only(f))
        .map(|(_, f)| f.id.as_deref().unwrap_or("?"))
        .collect();
    // Where the text names data, the flow names it: the channels.
    for context in [
        "catalogue",
        "voluntary",
        "website",
        "cookies",
        "networks",
        "from-third-parties",
        "events",
    ] {
        let (_, first) = all
            .iter()
            .find(|(c, _)| *c == context)
            .unwrap_or_else(|| panic!("no flow in {context}"));
        assert!(!generic_only(first), "{context} names no data");
    }
    // The text itself says only "Personal Information" in its sharing,
    // retention, transfer and children statements; those flows keep that
    // word rather than borrow categories the sentence does not name.
    println!(
        "qualer-2020: {contexts} contexts, {} flows, {} naming only generic personal information: {generic:?}",
        all.len(),
        generic.len()
    );
}

#[test]
fn no_flow_of_the_five_is_vacuous() {
    let corpus = shipped();
    let mut vacuous = Vec::new();
    for id in SHIPPED {
        for (context, f) in flows(policy(&corpus, id)) {
            let says_something = !f.purposes.is_empty()
                || !f.recipients.is_empty()
                || !f.basis.is_empty()
                || !f.source.is_empty()
                || f.retention.is_some()
                || f.if_withheld.is_some()
                || f.choice.is_some()
                || !f.does;
            if generic_only(f) && !says_something {
                vacuous.push(format!("{id} {context} {:?}", f.id));
            }
        }
    }
    assert!(vacuous.is_empty(), "{vacuous:#?}");
}

#[test]
fn qualer_has_none_of_the_seven_misattributions_and_no_rights_as_flows() {
    let corpus = shipped();
    let qualer = policy(&corpus, "qualer-2020");
    for (context, f) in flows(qualer) {
        let labels = || {
            f.recipients
                .iter()
                .chain(&f.basis)
                .chain(&f.source)
                .chain(f.if_withheld.iter())
                .map(|l| l.to_lowercase())
        };
        for wrong in [
            "another entity",
            "third party web sites",
            "continued use",
            "prior to entering a contract",
            "reasonable fee",
            "any country",
            "business partners (",
        ] {
            assert!(
                labels().all(|l| !l.contains(wrong)),
                "{context}: {wrong} in {f:?}"
            );
        }
        // A rights clause is not a practice. Two clauses of the rights
        // section do state one: the CCPA deletion exceptions (retention)
        // and the unsubscribe clause (email communications are sent).
        let only_rights = f
            .evidence
            .iter()
            .all(|e| e.starts_with("rights.") || e.starts_with("exercise."));
        if only_rights {
            assert!(
                matches!(
                    f.evidence.as_slice(),
                    [e] if &**e == "rights.ccpa-erasure" || &**e == "rights.unsubscribe"
                ),
                "{context}: {:?}",
                f.evidence
            );
        }
    }
    for scope_note in [
        "limitations.third-party-sites",
        "limitations.business-partners",
        "rights.gdpr-portability",
        "rights.gdpr-object",
        "rights.gdpr-access",
        "rights.complain",
    ] {
        assert!(citing(qualer, scope_note).is_empty(), "{scope_note}");
    }
    // The email opt-out is a choice on the marketing flow.
    let marketing = citing(qualer, "rights.unsubscribe");
    assert_eq!(marketing.len(), 1);
    let choice = marketing[0].choice.as_ref().unwrap();
    assert_eq!(choice.kind, ChoiceKind::OptOut);
    // The basis statement sits on the purposes flow.
    let uses = citing(qualer, "use.info-request");
    assert!(uses[0].basis.iter().any(|b| b.contains("Legitimate")));
    // Transactional and historical data have a retention of their own.
    let retained = citing(qualer, "retention.1");
    assert!(retained
        .iter()
        .any(|f| f.data.iter().any(|d| d.starts_with("transactional")) && f.retention.is_some()));
}

#[test]
fn qualys_2020_collects_and_shares_no_health_medical_or_biometric_data() {
    let corpus = shipped();
    let qualys = policy(&corpus, "qualys-2020");
    for (context, f) in flows(qualys) {
        for d in &f.data {
            let d = d.to_lowercase();
            let sensitive = [
                "health",
                "medical",
                "biometric",
                "genetic",
                "social security",
                "signature",
                "physical characteristics",
            ]
            .iter()
            .any(|w| d.contains(w));
            assert!(!sensitive || !f.does, "{context}: {d} read as practice");
        }
    }
    // The statutory definition the 1798.80 row quotes is cited, not read.
    for id in ["practices.r2-1", "practices.r2-1b"] {
        assert_eq!(
            qualys.clause(id).unwrap().role,
            Some(ClauseRole::Definition)
        );
    }
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let at = policies.iter().position(|p| p.id == "qualys-2020").unwrap();
    let m = compare::matrix(&policies, &corpus.vocabulary, By::Data);
    for row in &m.rows {
        let label = row.label.to_lowercase();
        if ["health", "medical", "biometric"]
            .iter()
            .any(|w| label.contains(w) || row.term.contains(w))
        {
            let cell = &row.cells[at].value;
            assert!(!cell.cell.is_positive(), "{}: {cell:?}", row.label);
        }
    }
    // The reorganization disclosure names who receives the data.
    let reorganization = citing(qualys, "notice.j");
    assert_eq!(reorganization[0].action(), Action::Share);
    assert!(!reorganization[0].recipients.is_empty());
    // A summary and a CCPA notice are not versions of one document.
    assert_eq!(qualys.supersedes, None);
}

#[test]
fn no_sale_statements_are_sell_negatives_not_sharing_negatives() {
    let corpus = shipped();
    for (id, clause) in [
        ("qualer-2020", "share.1"),
        ("qualys-2020", "disclosures.2"),
        ("qualys-2020", "opt-out.1"),
        ("qualisys", "intro.1"),
    ] {
        let p = policy(&corpus, id);
        let negatives: Vec<_> = citing(p, clause).into_iter().filter(|f| !f.does).collect();
        assert!(!negatives.is_empty(), "{id} {clause}");
        for f in negatives {
            assert_eq!(f.action(), Action::Sell, "{id} {clause}");
        }
    }
    // The old encoding (a "Sale" purpose on a share negative) is gone.
    for id in SHIPPED {
        for (context, f) in flows(policy(&corpus, id)) {
            assert!(
                f.purposes.iter().all(|p| {
                    let p = p.to_lowercase();
                    !(p == "sell" || p == "sale" || p.starts_with("sale ("))
                }),
                "{id} {context}"
            );
        }
    }
}

/// The negative flow citing `clause` whose data or qualifier mentions `about`.
fn negative<'a>(policy: &'a Policy, clause: &str) -> Vec<&'a Flow> {
    let found: Vec<_> = citing(policy, clause)
        .into_iter()
        .filter(|f| !f.does)
        .collect();
    assert!(
        !found.is_empty(),
        "{}: no negative cites {clause}",
        policy.id
    );
    found
}

#[test]
fn negatives_keep_their_qualifier_and_scope() {
    let corpus = shipped();
    for (id, clause, words, scope) in [
        (
            "qualer-2020",
            "limitations.children",
            "knowingly",
            Scope::Policy,
        ),
        ("quali-2024", "children.1", "knowingly", Scope::Policy),
        ("qualys-2015", "statistical.1", "typically", Scope::Context),
        (
            "qualys-2020",
            "disclosures.2",
            "without affirmative authorization",
            Scope::Policy,
        ),
        (
            "qualisys",
            "collect.p6-processing",
            "apart from any data processors",
            Scope::Context,
        ),
        ("qualisys", "location-website.1", "locally", Scope::Context),
        (
            "qualisys",
            "collect.p5-processing",
            "individual level",
            Scope::Context,
        ),
    ] {
        let flows = negative(policy(&corpus, id), clause);
        let kept = flows
            .iter()
            .find(|f| f.qualifier.as_deref().is_some_and(|q| q.contains(words)))
            .unwrap_or_else(|| panic!("{id} {clause}: {words:?} dropped"));
        assert_eq!(kept.scope(), Some(scope), "{id} {clause}");
    }
    // Across the five: a negative whose clause says "knowingly" or
    // "typically" keeps the word.
    for id in SHIPPED {
        let p = policy(&corpus, id);
        for (context, f) in flows(p).into_iter().filter(|(_, f)| !f.does) {
            for word in ["knowingly", "typically"] {
                let said = f.evidence.iter().any(|e| {
                    p.clause(e)
                        .is_some_and(|c| c.text.to_lowercase().contains(word))
                });
                let kept = f.qualifier.as_deref().is_some_and(|q| q.contains(word));
                assert!(!said || kept, "{id} {context}: {word} dropped");
            }
        }
    }
}

#[test]
fn quali_none_cells_are_negatives_of_their_row_only() {
    let corpus = shipped();
    let quali = policy(&corpus, "quali-2024");
    for clause in [
        "collect.suppliers-recipients",
        "collect.tcommunity-recipients",
    ] {
        for f in negative(quali, clause) {
            assert_eq!(f.action(), Action::Share, "{clause}");
            assert_eq!(f.scope(), Some(Scope::Context), "{clause}");
            assert_eq!(
                f.recipients,
                ["Third party Services we are using with your data".into()]
            );
        }
    }
    // No negative of quali-2024 reaches the whole policy but children's.
    for (context, f) in flows(quali) {
        if f.scope() == Some(Scope::Policy) {
            assert_eq!(context, "children");
        }
    }
    // The basis column is only for GDPR-protected individuals (intro.2).
    for (context, f) in flows(quali) {
        let table_basis = f
            .evidence
            .iter()
            .any(|e| e.starts_with("collect.") && e.contains("-basis"));
        if table_basis {
            assert!(f.evidence.iter().any(|e| &**e == "intro.2"), "{context}");
        }
    }
}

#[test]
fn jurisdictions_are_only_those_the_text_names() {
    let corpus = shipped();
    for id in SHIPPED {
        let loaded = corpus.policy(id).unwrap();
        let text = std::fs::read_to_string(loaded.source_path().unwrap()).unwrap();
        for (short, long) in [
            ("CCPA", "California Consumer Privacy Act"),
            ("GDPR", "General Data Protection Regulation"),
            ("CalOPPA", "California Online Privacy Protection Act"),
        ] {
            if loaded.policy.jurisdictions.iter().any(|j| &**j == short) {
                assert!(
                    text.contains(short) || text.contains(long),
                    "{id} lists {short}"
                );
            }
        }
    }
}

#[test]
fn qualys_2015_keeps_its_own_word_on_safe_harbor_and_its_no_opt_out_notice() {
    let corpus = shipped();
    let qualys = policy(&corpus, "qualys-2015");
    let safe_harbor: Vec<_> = citing(qualys, "safe-harbor-update.1")
        .into_iter()
        .filter(|f| f.basis.iter().any(|b| b.contains("Safe Harbor")))
        .collect();
    assert!(!safe_harbor.is_empty());
    for f in safe_harbor {
        assert!(
            f.basis.iter().all(
                |b| !b.contains("Safe Harbor") || b.contains("not provide a valid legal basis")
            ),
            "{:?}",
            f.basis
        );
    }
    let kinds: Vec<_> = citing(qualys, "opt-out.2")
        .iter()
        .filter_map(|f| f.choice.as_ref().map(|c| c.kind))
        .collect();
    assert!(kinds.contains(&ChoiceKind::None), "{kinds:?}");
    assert!(kinds.contains(&ChoiceKind::OptOut), "{kinds:?}");
}

#[test]
fn qualisys_ip_retention_and_its_non_personal_claim_are_kept_apart() {
    let corpus = shipped();
    let qualisys = policy(&corpus, "qualisys");
    let mut periods = 0;
    for (context, f) in flows(qualisys) {
        let retention = f.retention.as_deref().unwrap_or("");
        if retention.contains("3 weeks") || retention.contains("12 months") {
            periods += 1;
            assert!(
                f.data.iter().all(|d| d.starts_with("IP addresses")),
                "{context}: {:?}",
                f.data
            );
        }
    }
    assert_eq!(periods, 3);
    assert!(citing(qualisys, "collect.contact").iter().any(|f| f
        .data
        .iter()
        .any(|d| d.starts_with("Non-personal information"))));
    assert!(!negative(qualisys, "cookie-control.1").is_empty());
}
