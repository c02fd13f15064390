//! Search: every item holding a queried word is found, whole words and
//! prefixes rank first, highlights mark the right characters (non-ASCII
//! too), typing letter by letter finds exactly what a fresh search finds,
//! and a newer query always supersedes an older one.

use std::path::PathBuf;
use std::time::Duration;

use qualm::model;
use qualm::search::{
    highlight, items_from_corpus, words, Index, Kind, SearchItem, Searcher, Session,
};

fn item(kind: Kind, id: &str, text: &str) -> SearchItem {
    SearchItem {
        kind,
        policy: "p".into(),
        id: id.into(),
        text: text.into(),
    }
}

fn shipped() -> Index {
    Index::build(items_from_corpus(&model::load(&[PathBuf::from(
        "policies",
    )])))
}

fn found(index: &Index, query: &str) -> Vec<(Kind, String, String)> {
    index
        .search(query)
        .into_iter()
        .map(|h| {
            let i = index.item(h);
            (i.kind, i.policy.to_string(), i.id.to_string())
        })
        .collect()
}

#[test]
fn every_clause_holding_a_queried_word_is_a_hit() {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let index = Index::build(items_from_corpus(&corpus));
    for query in [
        "salesforce",
        "retain",
        "cookies",
        "Göteborg",
        "children",
        "sell",
    ] {
        let wanted = words(query).remove(0).1;
        let hits = found(&index, query);
        let mut expected = 0;
        for loaded in &corpus.policies {
            for (_, clause) in loaded.policy.clauses() {
                if words(&clause.text).iter().any(|(_, w)| *w == wanted) {
                    expected += 1;
                    let key = (Kind::Clause, loaded.policy.id.clone(), clause.id.clone());
                    assert!(hits.contains(&key), "{query}: {key:?} is missing");
                }
            }
        }
        assert!(expected > 0, "{query} occurs in the shipped policies");
    }
}

#[test]
fn salesforce_finds_the_quali_flows_and_clauses() {
    let hits = found(&shipped(), "salesforce");
    assert!(hits.contains(&(Kind::Recipient, "quali-2024".into(), "demo".into())));
    assert!(hits.contains(&(
        Kind::Clause,
        "quali-2024".into(),
        "collect.demo-recipients".into()
    )));
    assert!(hits.contains(&(Kind::Recipient, "qualer-2020".into(), "sharing".into())));
}

#[test]
fn whole_words_rank_above_prefixes_above_inner_and_scattered_matches() {
    let index = Index::build(vec![
        item(Kind::Clause, "scattered", "we specialize in many things"),
        item(Kind::Clause, "inner", "a wholesale arrangement"),
        item(Kind::Clause, "prefix", "our salesforce account"),
        item(Kind::Clause, "whole", "in the event of a sale of assets"),
    ]);
    let order: Vec<String> = found(&index, "sale").into_iter().map(|h| h.2).collect();
    assert_eq!(order, ["whole", "prefix", "inner", "scattered"]);
}

#[test]
fn every_query_word_must_match() {
    let index = Index::build(vec![
        item(Kind::Clause, "both", "Salesforce (CRM) and HubSpot"),
        item(Kind::Clause, "one", "Salesforce only"),
        item(Kind::Recipient, "other", "HubSpot (Marketing)"),
    ]);
    let ids: Vec<String> = found(&index, "salesforce hubspot")
        .into_iter()
        .map(|h| h.2)
        .collect();
    assert_eq!(ids, ["both"]);
}

#[test]
fn highlights_fall_on_the_matched_characters_even_beyond_ascii() {
    let text = "Qualisys AB, Kvarnbergsgatan 2, SE-411 05 Göteborg, Sweden";
    let chars: Vec<char> = text.chars().collect();
    let marked = highlight(text, "goteborg");
    let shown: String = marked.iter().map(|&i| chars[i]).collect();
    assert_eq!(shown, "Göteborg");
    let start = text.chars().position(|c| c == 'G').unwrap();
    assert_eq!(marked, (start..start + 8).collect::<Vec<_>>());
    // Each query word marks its own best word; a fuzzy word marks its letters.
    let marked = highlight("Données de l’élève", "eleve donn");
    let chars: Vec<char> = "Données de l’élève".chars().collect();
    let shown: String = marked.iter().map(|&i| chars[i]).collect();
    assert_eq!(shown, "Donnélève");
    let marked = highlight("Salesforce (CRM)", "slsfrc");
    let shown: String = marked
        .iter()
        .map(|&i| "Salesforce (CRM)".chars().nth(i).unwrap())
        .collect();
    assert_eq!(shown, "Slsfrc");
}

#[test]
fn typing_letter_by_letter_finds_what_a_fresh_search_finds() {
    let index = shipped();
    let mut session = Session::new(&index);
    // Typing, a space, more words, and backspacing.
    let mut typed = Vec::new();
    for query in ["data retention", "sales force", "cookie"] {
        for end in 1..=query.len() {
            typed.push(query[..end].to_string());
        }
        for end in (1..query.len()).rev().step_by(3) {
            typed.push(query[..end].to_string());
        }
    }
    for query in typed {
        let mut narrowed = session.search(&query, &|| false).unwrap();
        narrowed = index.rank(narrowed);
        assert_eq!(narrowed, index.search(&query), "after typing {query:?}");
    }
}

#[test]
fn a_cancelled_query_leaves_the_session_sound() {
    let index = shipped();
    let mut session = Session::new(&index);
    assert!(session.search("privacy", &|| true).is_none());
    assert!(session.search("p", &|| false).is_some());
    assert!(session.search("pr", &|| true).is_none());
    let hits = index.rank(session.search("pri", &|| false).unwrap());
    assert_eq!(hits, index.search("pri"));
}

#[test]
fn a_newer_query_supersedes_an_older_one() {
    let items = items_from_corpus(&model::load(&[PathBuf::from("policies")]));
    let mut searcher = Searcher::spawn(items, 20);
    for _ in 0..20 {
        let old = searcher.submit("cookies");
        let new = searcher.submit("salesforce");
        assert!(searcher.pending());
        let results = searcher
            .wait(Duration::from_secs(30))
            .expect("the newest query is answered");
        assert_eq!(
            (results.generation, results.query.as_str()),
            (new, "salesforce")
        );
        assert_ne!(results.generation, old);
        assert!(!searcher.pending());
        // Nothing older can arrive afterwards.
        assert!(searcher.poll().is_none());
        let kinds: Vec<Kind> = results.groups.iter().map(|g| g.kind).collect();
        assert!(kinds.contains(&Kind::Recipient) && kinds.contains(&Kind::Clause));
        assert!(results.groups.iter().flat_map(|g| &g.hits).all(|f| f
            .item
            .text
            .to_lowercase()
            .contains("salesforce")));
    }
}

#[test]
fn the_cli_prints_every_hit_as_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["search", "salesforce", "policies", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits = doc["hits"].as_array().unwrap();
    assert!(hits.len() >= 20);
    for hit in hits {
        let keys: Vec<&String> = hit.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{hit}");
        for key in ["kind", "policy", "id", "score", "text"] {
            assert!(hit.get(key).is_some(), "{key} in {hit}");
        }
    }
    let scores: Vec<i64> = hits.iter().map(|h| h["score"].as_i64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "rank order");
    assert!(hits
        .iter()
        .any(|h| h["kind"] == "recipient" && h["policy"] == "quali-2024"));
    let none = std::process::Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(["search", "zzqqxx", "policies"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
}
