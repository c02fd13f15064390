//! Compare: clause alignment on constructed pairs (identical, reworded,
//! moved, split, added, removed) and on the two Qualys policies; topic
//! compare; the matrices; and the JSON of `qualm compare` and `qualm matrix`.

use std::path::PathBuf;
use std::process::Command;

use qualm::compare::align::{align, ClauseRef};
use qualm::compare::{self, By, Cell, Op, Status, Subject};
use qualm::model::{self, Corpus, Policy};
use serde_json::Value;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");

fn clause(id: &str, text: &str) -> ClauseRef {
    let section = id.split('.').next().unwrap().to_string();
    ClauseRef {
        id: id.to_string(),
        heading: section.clone(),
        section,
        text: text.into(),
    }
}

const RETENTION: &str = "We keep your personal data for as long as your account is open and for \
    two years after it is closed, unless the law requires us to keep it longer.";
const COOKIES: &str = "Our website uses cookies and web beacons to measure traffic, remember \
    your preferences and show you relevant advertising on other websites.";
const SECURITY: &str = "We protect your information with encryption in transit and at rest, \
    access controls and regular audits by an independent firm.";
const CONTACT: &str = "Questions about this policy can be sent to privacy@example.com or to our \
    registered office in Dublin, Ireland.";

fn base() -> Vec<ClauseRef> {
    vec![
        clause("keep.1", RETENTION),
        clause("cookies.1", COOKIES),
        clause("security.1", SECURITY),
        clause("contact.1", CONTACT),
    ]
}

/// The (left id, right id, status) rows of an alignment.
fn rows(
    left: Vec<ClauseRef>,
    right: Vec<ClauseRef>,
) -> Vec<(Option<String>, Option<String>, Status, bool)> {
    let a = align(left, right);
    a.pairs
        .iter()
        .map(|p| {
            (
                a.left_id(p).map(str::to_string),
                a.right_id(p).map(str::to_string),
                p.status,
                p.moved,
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn identical_policies_pair_every_clause_unchanged() {
    let a = align(base(), base());
    assert_eq!(a.pairs.len(), 4);
    for p in &a.pairs {
        assert_eq!(p.status, Status::Unchanged);
        assert_eq!(p.similarity, 1.0);
        assert!(!p.moved);
        assert_eq!(a.left_id(p), a.right_id(p));
    }
}

#[test]
fn ids_do_not_matter_text_does() {
    // The new version renumbered everything.
    let right: Vec<ClauseRef> = base()
        .into_iter()
        .enumerate()
        .map(|(i, c)| clause(&format!("s{i}.{i}"), &c.text))
        .collect();
    let r = rows(base(), right);
    assert_eq!(r[0], (s("keep.1"), s("s0.0"), Status::Unchanged, false));
    assert_eq!(r[3], (s("contact.1"), s("s3.3"), Status::Unchanged, false));
}

#[test]
fn a_reworded_clause_pairs_with_its_word_changes() {
    let mut right = base();
    right[0].text = RETENTION
        .replace("two years", "six months")
        .replace("unless", "except where")
        .into();
    let a = align(base(), right);
    let p = &a.pairs[0];
    assert_eq!(p.status, Status::Reworded);
    assert!(p.similarity > 0.5 && p.similarity < 1.0, "{}", p.similarity);
    let deleted: Vec<&str> = p
        .changes
        .iter()
        .filter(|c| c.op == Op::Delete)
        .map(|c| c.text.as_str())
        .collect();
    let inserted: Vec<&str> = p
        .changes
        .iter()
        .filter(|c| c.op == Op::Insert)
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(deleted, ["two years", "unless"]);
    assert_eq!(inserted, ["six months", "except where"]);
    // The runs rebuild both texts.
    let old: String = p
        .changes
        .iter()
        .filter(|c| c.op != Op::Insert)
        .map(|c| c.text.as_str())
        .collect();
    let new: String = p
        .changes
        .iter()
        .filter(|c| c.op != Op::Delete)
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        old,
        RETENTION.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    assert!(new.contains("for six months after it is closed, except where the law"));
}

#[test]
fn a_moved_clause_is_paired_and_marked_moved() {
    let mut right = base();
    let contact = right.pop().unwrap();
    right.insert(0, contact);
    let r = rows(base(), right);
    assert_eq!(
        r[0],
        (s("contact.1"), s("contact.1"), Status::Unchanged, true)
    );
    assert!(r[1..]
        .iter()
        .all(|row| row.2 == Status::Unchanged && !row.3));
}

#[test]
fn a_split_clause_pairs_one_half_and_names_the_source_for_the_other() {
    let mut left = base();
    left[1].text = format!("{COOKIES} {SECURITY}").into();
    left.remove(2);
    let a = align(left, base());
    let cookies = a
        .pairs
        .iter()
        .find(|p| a.right_id(p) == Some("cookies.1"))
        .unwrap();
    let security = a
        .pairs
        .iter()
        .find(|p| a.right_id(p) == Some("security.1"))
        .unwrap();
    let paired = [cookies, security]
        .into_iter()
        .filter(|p| p.left.is_some())
        .count();
    assert_eq!(paired, 1, "one half is the pair");
    let other = [cookies, security]
        .into_iter()
        .find(|p| p.left.is_none())
        .unwrap();
    assert_eq!(other.status, Status::Added);
    assert_eq!(other.split_from.as_deref(), Some("cookies.1"));
}

#[test]
fn added_and_removed_clauses_stand_alone_in_reading_order() {
    let mut left = base();
    left.insert(
        2,
        clause(
            "sale.1",
            "We never sell personal data to data brokers or advertisers.",
        ),
    );
    let mut right = base();
    right.insert(1, clause("ccpa.1", "California residents may ask us to disclose the categories of personal information we collected."));
    let r = rows(left, right);
    let statuses: Vec<(Option<String>, Option<String>, Status)> =
        r.into_iter().map(|(l, r, s, _)| (l, r, s)).collect();
    assert_eq!(
        statuses,
        vec![
            (s("keep.1"), s("keep.1"), Status::Unchanged),
            (None, s("ccpa.1"), Status::Added),
            (s("cookies.1"), s("cookies.1"), Status::Unchanged),
            (s("sale.1"), None, Status::Removed),
            (s("security.1"), s("security.1"), Status::Unchanged),
            (s("contact.1"), s("contact.1"), Status::Unchanged),
        ]
    );
}

#[test]
fn unrelated_clauses_do_not_pair() {
    let left = vec![clause("a.1", RETENTION), clause("a.2", COOKIES)];
    let right = vec![clause("b.1", SECURITY), clause("b.2", CONTACT)];
    let a = align(left, right);
    assert_eq!(a.count(Status::Added), 2);
    assert_eq!(a.count(Status::Removed), 2);
}

fn corpus() -> Corpus {
    model::load(&[PathBuf::from("policies")])
}

fn policy<'a>(corpus: &'a Corpus, id: &str) -> &'a Policy {
    &corpus.policy(id).unwrap().policy
}

#[test]
fn qualys_2015_to_2020_pairs_contact_and_opt_out_and_adds_the_ccpa_material() {
    let corpus = corpus();
    let a = compare::align_policies(
        policy(&corpus, "qualys-2015"),
        policy(&corpus, "qualys-2020"),
    );
    let paired: Vec<(&str, &str)> = a
        .pairs
        .iter()
        .filter_map(|p| Some((a.left_id(p)?, a.right_id(p)?)))
        .collect();
    assert!(
        paired
            .iter()
            .any(|(l, r)| l.starts_with("contact.") && r.starts_with("contact.")),
        "contact paired: {paired:?}"
    );
    assert!(
        paired
            .iter()
            .any(|(l, r)| l.starts_with("opt-out.") && r.starts_with("opt-out.")),
        "opt-out paired: {paired:?}"
    );
    let added: Vec<&str> = a
        .pairs
        .iter()
        .filter(|p| p.status == Status::Added)
        .filter_map(|p| a.right_id(p))
        .collect();
    for ccpa in [
        "notice.1",
        "right-to-know.1",
        "deletion.1",
        "non-discrimination.1",
        "authorized-agent.1",
    ] {
        assert!(added.contains(&ccpa), "{ccpa} added: {added:?}");
    }
    // Safe Harbor is gone in 2020.
    let removed: Vec<&str> = a
        .pairs
        .iter()
        .filter(|p| p.status == Status::Removed)
        .filter_map(|p| a.left_id(p))
        .collect();
    assert!(removed.contains(&"safe-harbor.1"));
    // Every clause of both sides appears exactly once.
    let lefts = a.pairs.iter().filter(|p| p.left.is_some()).count();
    let rights = a.pairs.iter().filter(|p| p.right.is_some()).count();
    assert_eq!((lefts, rights), (a.left.len(), a.right.len()));
}

#[test]
fn qualys_practice_diff_adds_the_ccpa_flows() {
    let corpus = corpus();
    let d = compare::practice_diff(
        policy(&corpus, "qualys-2015"),
        policy(&corpus, "qualys-2020"),
        &corpus.vocabulary,
    );
    assert!(d
        .added
        .iter()
        .any(|f| f.context == "practices-2019/no-sale" && !f.does));
    assert!(d
        .added
        .iter()
        .any(|f| f.context.starts_with("notice-at-collection/")));
    assert!(d.contexts_removed.iter().any(|c| c.contains("Safe Harbor")));
}

#[test]
fn topic_data_retention_lists_a_clause_from_every_policy_that_has_one() {
    let corpus = corpus();
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let subject = compare::resolve(&corpus.vocabulary, "data-retention").unwrap();
    assert_eq!(subject, Subject::Topic("data-retention".into()));
    let columns = compare::compare_topic(&policies, &corpus.vocabulary, &subject);
    for (p, column) in policies.iter().zip(&columns) {
        let has_one = p
            .clauses()
            .any(|(_, c)| c.topics.iter().any(|t| &**t == "data-retention"));
        assert_eq!(!column.clauses.is_empty(), has_one, "{}", p.id);
        assert_eq!(column.is_silent(), !has_one);
    }
    assert!(columns.iter().filter(|c| !c.is_silent()).count() >= 3);
    assert_eq!(
        compare::resolve(&corpus.vocabulary, "retention").unwrap(),
        subject
    );
}

#[test]
fn a_recipient_term_lists_the_flows_that_name_it() {
    let corpus = corpus();
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let subject = compare::resolve(&corpus.vocabulary, "Salesforce").unwrap();
    let columns = compare::compare_topic(&policies, &corpus.vocabulary, &subject);
    let naming: Vec<&str> = columns
        .iter()
        .filter(|c| !c.flows.is_empty())
        .map(|c| policies[c.policy].id.as_str())
        .collect();
    assert_eq!(naming, ["qualer-2020", "quali-2024"]);
    assert!(compare::resolve(&corpus.vocabulary, "no such thing at all").is_err());
}

#[test]
fn recipient_matrix_shows_salesforce_and_hubspot_for_quali_and_qualer_only() {
    let corpus = corpus();
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let m = compare::matrix(&policies, &corpus.vocabulary, By::Recipients);
    for vendor in ["salesforce", "hubspot"] {
        let row = m.rows.iter().find(|r| r.term == vendor).unwrap();
        let shown: Vec<&str> = policies
            .iter()
            .zip(&row.cells)
            .filter(|(_, c)| c.value.cell != Cell::Unspecified)
            .map(|(p, c)| {
                assert_eq!(c.value.cell, Cell::Shared);
                assert!(!c.evidence.is_empty());
                p.id.as_str()
            })
            .collect();
        assert_eq!(shown, ["qualer-2020", "quali-2024"], "{vendor}");
    }
}

#[test]
fn data_matrix_marks_negative_statements() {
    let corpus = corpus();
    let policies: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    let m = compare::matrix(&policies, &corpus.vocabulary, By::Data);
    let qualys = policies.iter().position(|p| p.id == "qualys-2020").unwrap();
    let biometric = m.rows.iter().find(|r| r.term == "biometric").unwrap();
    assert_eq!(biometric.cells[qualys].value.cell, Cell::NotCollected);
    let email = m.rows.iter().find(|r| r.term == "email").unwrap();
    assert_ne!(email.cells[qualys].value.cell, Cell::Unspecified);
}

fn run_json(args: &[&str]) -> Value {
    let out = Command::new(QUALM).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_compare_json_has_pairs_and_flows() {
    let v = run_json(&["compare", "qualys-2015", "qualys-2020", "--format", "json"]);
    assert_eq!(v["left"], "qualys-2015");
    assert_eq!(v["right"], "qualys-2020");
    let pairs = v["pairs"].as_array().unwrap();
    let contact = pairs
        .iter()
        .find(|p| p["left"] == "contact.1")
        .expect("contact.1 listed");
    assert_eq!(contact["right"], "contact.1");
    let similarity = contact["similarity"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&similarity));
    let ops: Vec<&str> = contact["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["op"].as_str().unwrap())
        .collect();
    assert!(ops.contains(&"insert") && ops.contains(&"delete"));
    assert!(pairs
        .iter()
        .any(|p| p["left"].is_null() && p["right"] == "notice.1"));
    for key in ["added", "removed", "changed"] {
        assert!(v["flows"][key].is_array(), "flows.{key}");
    }
    // One id: the version it supersedes. The two shipped Qualys texts are
    // different documents (a summary and a CCPA notice), so the pair is
    // made here by declaring it on a copy.
    let dir = tempfile::tempdir().unwrap();
    for file in ["qualys-2015.yaml", "vocabulary.yaml"] {
        std::fs::copy(format!("policies/{file}"), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("sources")).unwrap();
    for id in ["qualys-2015", "qualys-2020"] {
        let source = format!("sources/{id}.txt");
        std::fs::copy(format!("policies/{source}"), dir.path().join(&source)).unwrap();
    }
    let newer = std::fs::read_to_string("policies/qualys-2020.yaml").unwrap();
    let newer = newer.replacen(
        "  effective: 2020-01-01\n",
        "  effective: 2020-01-01\n  supersedes: qualys-2015\n",
        1,
    );
    assert!(newer.contains("supersedes: qualys-2015"));
    std::fs::write(dir.path().join("qualys-2020.yaml"), newer).unwrap();
    let folder = dir.path().to_str().unwrap();
    let one = run_json(&["compare", "qualys-2020", "--in", folder, "--format", "json"]);
    assert_eq!(
        (one["left"].as_str(), one["right"].as_str()),
        (Some("qualys-2015"), Some("qualys-2020"))
    );
}

#[test]
fn the_shipped_qualys_texts_are_not_declared_versions_of_one_another() {
    let out = Command::new(QUALM)
        .args(["compare", "qualys-2020", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("supersedes no loaded policy"), "{err}");
}

#[test]
fn cli_compare_unknown_id_exits_2_listing_the_known_ones() {
    let out = Command::new(QUALM)
        .args(["compare", "qualys-2015", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no policy \"nope\"") && err.contains("qualys-2020"),
        "{err}"
    );
}

#[test]
fn cli_topic_json() {
    let v = run_json(&[
        "compare",
        "--topic",
        "data-retention",
        "policies",
        "--format",
        "json",
    ]);
    assert_eq!(v["topic"], "data-retention");
    let policies = v["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 5);
    let quali = policies.iter().find(|p| p["id"] == "quali-2024").unwrap();
    assert!(!quali["clauses"].as_array().unwrap().is_empty());
}

#[test]
fn cli_matrix_json_and_csv() {
    let v = run_json(&["matrix", "--by", "recipients", "--format", "json"]);
    assert_eq!(v["by"], "recipients");
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["term"] == "hubspot")
        .unwrap();
    assert_eq!(row["cells"]["quali-2024"]["value"], "shared");
    assert_eq!(row["cells"]["qualys-2015"]["value"], "unspecified");
    let out = Command::new(QUALM)
        .args(["matrix", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("term,label,"));
    assert!(csv.lines().any(|l| l.starts_with("email,")));
}

// --- issue 18: pairs and changes an analyst can trust -----------------------

fn in_section(section: &str, n: usize, text: &str) -> ClauseRef {
    ClauseRef {
        id: format!("{section}.{n}"),
        section: section.to_string(),
        heading: section.to_string(),
        text: text.into(),
    }
}

const USE: &str = "We use the information we collect to provide and improve our services, \
    to process your orders and to send you the newsletters you asked for.";
const USE_EDITED: &str = "We use the information we collect to provide, maintain and improve \
    our services, to process your orders, and to send you newsletters you subscribed to.";

#[test]
fn an_edited_clause_pairs_in_place_not_with_a_copy_restated_elsewhere() {
    let left = vec![
        in_section("intro", 1, CONTACT),
        in_section("use", 1, USE),
        in_section("use", 2, RETENTION),
        in_section("security", 1, SECURITY),
    ];
    let right = vec![
        in_section("intro", 1, CONTACT),
        in_section("use", 1, USE_EDITED),
        in_section("use", 2, RETENTION),
        in_section("security", 1, SECURITY),
        // A CCPA section restating the old wording word for word.
        in_section("ccpa", 1, COOKIES),
        in_section("ccpa", 2, USE),
    ];
    let a = align(left, right);
    let r = rows_of(&a);
    assert!(
        r.contains(&(s("use.1"), s("use.1"), Status::Reworded, false)),
        "{r:?}"
    );
    let copy = a
        .pairs
        .iter()
        .find(|p| a.right_id(p) == Some("ccpa.2"))
        .unwrap();
    assert_eq!(copy.status, Status::Added);
    // A copy is not a split: the in-place edit already holds the whole.
    assert_eq!(copy.split_from, None);
}

#[test]
fn a_few_words_in_common_are_no_split() {
    let left = vec![in_section("contact", 1, CONTACT)];
    let right = vec![
        in_section("contact", 1, CONTACT),
        in_section("contact", 2, "Contact our registered office."),
    ];
    let a = align(left, right);
    let added = a.pairs.iter().find(|p| p.status == Status::Added).unwrap();
    assert_eq!(added.split_from, None);
}

#[test]
fn unrelated_rewrites_in_a_corresponding_section_stay_added_and_removed() {
    // Same section, nothing in common but little words: not a rewording.
    let left = vec![
        in_section("rights", 1, RETENTION),
        in_section(
            "rights",
            2,
            "You may ask us for a copy of what we hold about you.",
        ),
        in_section("rights", 3, SECURITY),
    ];
    let right = vec![
        in_section("rights", 1, RETENTION),
        in_section(
            "rights",
            2,
            "Our servers are located in the United States and Ireland.",
        ),
        in_section("rights", 3, SECURITY),
    ];
    let r = rows(left, right);
    assert!(
        r.contains(&(s("rights.2"), None, Status::Removed, false)),
        "{r:?}"
    );
    assert!(
        r.contains(&(None, s("rights.2"), Status::Added, false)),
        "{r:?}"
    );
}

#[test]
fn cli_text_keeps_a_not_in_plain_sight() {
    let dir = tempfile::tempdir().unwrap();
    let model = |id: &str, text: &str| {
        format!(
            "schema: 1\npolicy: {{ id: {id}, organization: Tiny Ltd., title: Privacy, effective: 2024-01-01 }}\n\
             sections:\n  - id: sale\n    heading: Sale\n    clauses:\n      - id: sale.1\n        text: {text}\n\
             contexts: []\n"
        )
    };
    std::fs::write(
        dir.path().join("old.yaml"),
        model("old", "We will not sell your data."),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        model("new", "We will certainly not rent your data."),
    )
    .unwrap();
    let out = Command::new(QUALM)
        .args(["compare", "old", "new", "--in"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("We will {+certainly+} not [-sell-]{+rent+} your data."),
        "{text}"
    );
}

fn rows_of(a: &qualm::compare::Alignment) -> Vec<(Option<String>, Option<String>, Status, bool)> {
    a.pairs
        .iter()
        .map(|p| {
            (
                a.left_id(p).map(str::to_string),
                a.right_id(p).map(str::to_string),
                p.status,
                p.moved,
            )
        })
        .collect()
}
