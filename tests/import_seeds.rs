//! The importer against the five seed texts and their hand-made models:
//! coverage, clause-boundary F1, topic agreement, the flows and dates the
//! analysts found. Prints the figures (`cargo test --test import_seeds --
//! --nocapture`) and asserts the targets.

use std::collections::HashMap;
use std::path::PathBuf;

use qualm::import::{self, Imported, Options, SourceFormat};
use qualm::model::{self, Policy, Vocabulary};

const SEEDS: [&str; 5] = [
    "qualer-2020",
    "quali-2024",
    "qualisys",
    "qualys-2015",
    "qualys-2020",
];

fn import_seed(id: &str) -> Imported {
    let text = std::fs::read_to_string(format!("policies/sources/{id}.txt")).unwrap();
    let options = Options {
        id: Some(id.into()),
        name_hint: id.into(),
        ..Options::default()
    };
    import::import(
        &text,
        SourceFormat::Markdown,
        &options,
        &Vocabulary::builtin(),
    )
    .unwrap()
}

/// The text units in order (headings and clauses), as lower-case letters.
fn units(policy: &Policy) -> Vec<String> {
    let letters = |t: &str| -> String {
        t.chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut out = Vec::new();
    for section in &policy.sections {
        out.push(letters(&section.heading));
        for clause in &section.clauses {
            out.push(letters(&clause.text));
        }
    }
    out.retain(|u| !u.is_empty());
    out
}

/// A boundary between two units, known by the letters either side of it.
fn boundaries(policy: &Policy) -> HashMap<(String, String), usize> {
    const SIDE: usize = 12;
    let units = units(policy);
    let stream: String = units.concat();
    let chars: Vec<char> = stream.chars().collect();
    let mut at = 0;
    let mut out = HashMap::new();
    for unit in &units[..units.len().saturating_sub(1)] {
        at += unit.chars().count();
        let before: String = chars[at.saturating_sub(SIDE)..at].iter().collect();
        let after: String = chars[at..(at + SIDE).min(chars.len())].iter().collect();
        *out.entry((before, after)).or_insert(0) += 1;
    }
    out
}

fn f1(imported: &Policy, hand: &Policy) -> (f64, f64, f64) {
    let ours = boundaries(imported);
    let theirs = boundaries(hand);
    let matched: usize = ours
        .iter()
        .map(|(k, n)| (*n).min(*theirs.get(k).unwrap_or(&0)))
        .sum();
    let precision = matched as f64 / ours.values().sum::<usize>().max(1) as f64;
    let recall = matched as f64 / theirs.values().sum::<usize>().max(1) as f64;
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

/// Of the clauses with the same text in both, the share with a topic in common.
fn topic_agreement(imported: &Policy, hand: &Policy) -> (usize, usize) {
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let hand_topics: HashMap<String, &Vec<std::sync::Arc<str>>> = hand
        .clauses()
        .map(|(_, c)| (squash(&c.text), &c.topics))
        .collect();
    let (mut same, mut agree) = (0, 0);
    for (_, clause) in imported.clauses() {
        if let Some(topics) = hand_topics.get(&squash(&clause.text)) {
            same += 1;
            if clause.topics.iter().any(|t| topics.contains(t)) {
                agree += 1;
            }
        }
    }
    (same, agree)
}

fn flows(policy: &Policy) -> Vec<&model::Flow> {
    policy
        .contexts_flat()
        .into_iter()
        .flat_map(|(_, c)| &c.flows)
        .collect()
}

#[test]
fn seeds_import_with_the_targets_met() {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "policies/vocabulary.yaml",
        dir.path().join("vocabulary.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("sources")).unwrap();
    let mut failures = Vec::new();
    println!("seed          coverage  precision  recall  F1     topics (same text)");
    for id in SEEDS {
        let imported = import_seed(id);
        let hand = &corpus.policy(id).unwrap().policy;
        let (p, r, f) = f1(&imported.policy, hand);
        let (same, agree) = topic_agreement(&imported.policy, hand);
        let share = agree as f64 / same.max(1) as f64;
        println!(
            "{id:<13} {:>6.1}%   {p:>6.3}   {r:>6.3}  {f:.3}  {:.1}% ({agree}/{same})",
            imported.coverage.percent(),
            100.0 * share
        );
        if imported.coverage.percent() < 99.0 {
            failures.push(format!(
                "{id}: coverage {:.1}%",
                imported.coverage.percent()
            ));
        }
        if f < 0.80 {
            failures.push(format!("{id}: boundary F1 {f:.3}"));
        }
        if share < 0.60 {
            failures.push(format!("{id}: topic agreement {:.1}%", 100.0 * share));
        }
        std::fs::write(
            dir.path().join(format!("{id}.yaml")),
            qualm::model::write::to_yaml(&imported.policy),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("sources/{id}.txt")),
            &imported.source,
        )
        .unwrap();
    }
    // `qualm check` on the written drafts: they load without an error.
    let drafts = model::load(&[dir.path().to_path_buf()]);
    let errors: Vec<_> = drafts.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(drafts.policies.len(), 5);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn seeds_give_the_dates_the_analysts_read() {
    for (id, date) in [
        ("quali-2024", "2024-06-02"),
        ("qualer-2020", "2020-01-23"),
        ("qualys-2015", "2015-11-09"),
    ] {
        assert_eq!(
            import_seed(id).policy.effective.as_deref(),
            Some(date),
            "{id}"
        );
    }
    assert_eq!(
        import_seed("qualys-2015").policy.version.as_deref(),
        Some("2.4")
    );
}

#[test]
fn qualer_names_freshdesk_hubspot_and_salesforce() {
    let imported = import_seed("qualer-2020");
    let recipients: Vec<String> = flows(&imported.policy)
        .iter()
        .flat_map(|f| &f.recipients)
        .map(|r| r.to_lowercase())
        .collect();
    for vendor in ["freshdesk", "hubspot", "salesforce"] {
        assert!(
            recipients.iter().any(|r| r.contains(vendor)),
            "{vendor} not in {recipients:?}"
        );
    }
}

#[test]
fn qualisys_retention_periods_are_found() {
    let imported = import_seed("qualisys");
    let periods: Vec<String> = flows(&imported.policy)
        .iter()
        .filter_map(|f| f.retention.as_deref().map(String::from))
        .collect();
    for period in ["12 months", "3 weeks"] {
        assert!(
            periods.iter().any(|p| p.contains(period)),
            "{period} not in {periods:?}"
        );
    }
}

#[test]
fn the_quali_table_gives_contexts_with_vendors_and_periods() {
    let imported = import_seed("quali-2024");
    let table_flows: Vec<&model::Flow> = imported
        .policy
        .contexts_flat()
        .into_iter()
        .filter(|(_, c)| !import::is_suggested(c))
        .flat_map(|(_, c)| &c.flows)
        .collect();
    assert!(table_flows.len() >= 20, "{} flows", table_flows.len());
    let named = |vendor: &str| {
        table_flows
            .iter()
            .any(|f| f.recipients.iter().any(|r| r.contains(vendor)))
    };
    for vendor in ["Salesforce", "HubSpot", "PostHog"] {
        assert!(named(vendor), "no table flow names {vendor}");
    }
    for period in ["30 days", "60 days", "360 days"] {
        assert!(
            table_flows
                .iter()
                .any(|f| f.retention.as_deref().is_some_and(|r| r.contains(period))),
            "no table flow keeps data for {period}"
        );
    }
    let demo = imported
        .policy
        .contexts_flat()
        .into_iter()
        .find(|(_, c)| c.name == "When you schedule a demo")
        .expect("a context per table row");
    assert_eq!(demo.0, 1, "nested under its group row");
    assert!(demo.1.flows[0].data.iter().any(|d| &**d == "Full Name"));
}
