//! `qualm compare`: two versions of a policy aligned clause by clause with
//! word-level changes and a practice diff (`compare A B`), or one topic or
//! vocabulary term across policies (`compare --topic T [PATH...]`).
//!
//! Policies are named by id from the loaded folders (`--policies PATH`, default
//! `./policies`) or given as model files. `compare A` alone compares A with
//! the version it supersedes (or the one that supersedes it). An unknown id
//! exits 2 naming the ids that are loaded.
//!
//! In JSON, `changes` holds the word runs of a pair in order:
//! `{"op":"delete"|"insert","text":...}` for changed words and
//! `{"op":"equal","chars":N}` for N unchanged characters (Unicode scalar
//! values) of the white-space-normalized text, so the old text is the equal
//! and deleted runs in turn, and the new text the equal and inserted runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::{json, Value};

use crate::compare::align::ClauseRef;
use crate::compare::practice::{FlowChange, NormalizedFlow};
use crate::compare::{self, Alignment, Op, Pair, PracticeDiff, Status, Subject};
use crate::model::{Corpus, Policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Text,
    Md,
    Json,
}

/// Loads the folders in `inputs` (default `./policies`) plus any of
/// `items` that is a model file; returns the corpus and, for each item, the
/// id to look for. Load errors go to stderr; the rest still loads.
pub(crate) fn load_selection(inputs: &[PathBuf], items: &[String]) -> (Corpus, Vec<String>) {
    let mut paths: Vec<PathBuf> = inputs.to_vec();
    let mut files = Vec::new();
    for item in items {
        let path = Path::new(item);
        if path.is_file() {
            files.push(path.to_path_buf());
        }
    }
    if paths.is_empty() && files.is_empty() {
        paths.push(PathBuf::from("policies"));
    }
    for f in &files {
        if !paths.contains(f) {
            paths.push(f.clone());
        }
    }
    let corpus = super::output::load(&paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let ids = items
        .iter()
        .map(|item| {
            let path = Path::new(item);
            corpus
                .policies
                .iter()
                .find(|p| path.is_file() && p.path == path)
                .map(|p| p.policy.id.clone())
                .unwrap_or_else(|| item.clone())
        })
        .collect();
    (corpus, ids)
}

pub fn run(
    items: &[String],
    topic: Option<&str>,
    inputs: &[PathBuf],
    only: &[String],
    format: CompareFormat,
) -> i32 {
    match topic {
        Some(topic) => run_topic(topic, items, inputs, only, format),
        None => run_versions(items, inputs, format),
    }
}

/// Writes the whole output at once; a closed pipe (`| head`) is no panic.
pub(crate) fn emit(text: &str) {
    super::emit(text);
}

fn fail(message: &str) -> i32 {
    eprintln!("qualm compare: {}", crate::escape::escape(message));
    2
}

fn run_versions(items: &[String], inputs: &[PathBuf], format: CompareFormat) -> i32 {
    if items.is_empty() || items.len() > 2 {
        return fail("name two policies to compare (`qualm compare A B`), one that supersedes another (`qualm compare A`), or a topic (`--topic T`)");
    }
    let (corpus, ids) = load_selection(inputs, items);
    let a = match compare::find_policy(&corpus, &ids[0]) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let (left, right) = if let Some(b) = ids.get(1) {
        match compare::find_policy(&corpus, b) {
            Ok(b) => (a, b),
            Err(e) => return fail(&e),
        }
    } else if let Some(older) = compare::superseded(&corpus, a) {
        (older, a)
    } else if let Some(newer) = compare::superseded_by(&corpus, a) {
        (a, newer)
    } else {
        return fail(&format!(
            "{} supersedes no loaded policy and none supersedes it: name the second policy",
            ids[0]
        ));
    };
    let lp = &corpus.policies[left].policy;
    let rp = &corpus.policies[right].policy;
    let alignment = compare::align_policies(lp, rp);
    let practices = compare::practice_diff(lp, rp, &corpus.vocabulary);
    let text = match format {
        CompareFormat::Json => {
            serde_json::to_string_pretty(&versions_json(lp, rp, &alignment, &practices))
                .expect("json")
                + "\n"
        }
        CompareFormat::Text => versions_text(lp, rp, &alignment, &practices, false),
        CompareFormat::Md => versions_text(lp, rp, &alignment, &practices, true),
    };
    emit(&text);
    0
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn changes_json(pair: &Pair) -> Vec<Value> {
    if pair.status != Status::Reworded {
        return Vec::new();
    }
    pair.changes
        .iter()
        .map(|c| match c.op {
            Op::Equal => json!({"op": "equal", "chars": c.text.chars().count()}),
            Op::Delete => json!({"op": "delete", "text": c.text}),
            Op::Insert => json!({"op": "insert", "text": c.text}),
        })
        .collect()
}

pub fn versions_json(
    left: &Policy,
    right: &Policy,
    alignment: &Alignment,
    practices: &PracticeDiff,
) -> Value {
    let pairs: Vec<Value> = alignment
        .pairs
        .iter()
        .map(|p| {
            let mut v = json!({
                "left": alignment.left_id(p),
                "right": alignment.right_id(p),
                "similarity": round(p.similarity),
                "status": p.status.as_str(),
                "moved": p.moved,
                "changes": changes_json(p),
            });
            if let Some(s) = &p.split_from {
                v["split_from"] = json!(s);
            }
            if let Some(m) = &p.merged_into {
                v["merged_into"] = json!(m);
            }
            v
        })
        .collect();
    json!({
        "left": left.id,
        "right": right.id,
        "summary": {
            "unchanged": alignment.count(Status::Unchanged),
            "reworded": alignment.count(Status::Reworded),
            "moved": alignment.moved(),
            "added": alignment.count(Status::Added),
            "removed": alignment.count(Status::Removed),
        },
        "pairs": pairs,
        "flows": {
            "added": practices.added.iter().map(flow_json).collect::<Vec<_>>(),
            "removed": practices.removed.iter().map(flow_json).collect::<Vec<_>>(),
            "changed": practices.changed.iter().map(change_json).collect::<Vec<_>>(),
            "unchanged": practices.unchanged,
        },
        "contexts": {
            "added": practices.contexts_added,
            "removed": practices.contexts_removed,
        },
    })
}

fn flow_json(f: &NormalizedFlow) -> Value {
    json!({
        "context": f.context,
        "context_name": f.context_name,
        "does": f.does,
        "data": f.data,
        "purposes": f.purposes,
        "basis": f.basis,
        "recipients": f.recipients,
        "retention": f.retention,
        "evidence": f.evidence,
    })
}

fn change_json(c: &FlowChange) -> Value {
    let mut changes = serde_json::Map::new();
    for (facet, change) in &c.changes {
        changes.insert(
            facet.clone(),
            json!({"added": change.added, "removed": change.removed}),
        );
    }
    json!({"left": flow_json(&c.left), "right": flow_json(&c.right), "changes": changes})
}

/// The pair's right text with changes marked: `[-old-]{+new+}` in text,
/// `~~old~~ **new**` in Markdown.
pub fn marked_text(pair: &Pair, md: bool) -> String {
    let mut out = String::new();
    for (k, c) in pair.changes.iter().enumerate() {
        let (open, close) = match (c.op, md) {
            (Op::Equal, _) => ("", ""),
            (Op::Delete, false) => ("[-", "-]"),
            (Op::Insert, false) => ("{+", "+}"),
            (Op::Delete, true) => ("~~", "~~"),
            (Op::Insert, true) => ("**", "**"),
        };
        if c.op == Op::Equal {
            out.push_str(&c.text);
            continue;
        }
        // Markers hug the words (Markdown emphasis needs it); the space a
        // one-sided change carries stays outside them.
        let lead = &c.text[..c.text.len() - c.text.trim_start().len()];
        let trail = &c.text[c.text.trim_end().len()..];
        let marked = format!("{open}{}{close}", c.text.trim());
        // At a terminal the markers keep their colour too; never in Markdown.
        let marked = match (c.op, md) {
            (Op::Delete, false) => super::output::Paint::Red.paint(&marked),
            (Op::Insert, false) => super::output::Paint::Green.paint(&marked),
            _ => marked,
        };
        let _ = write!(out, "{lead}{marked}{trail}");
        let replaced = pair.changes.get(k + 1).is_some_and(|n| n.op == Op::Insert);
        if md && c.op == Op::Delete && replaced {
            out.push(' ');
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn policy_line(p: &Policy) -> String {
    format!("{} ({}, {})", p.id, p.organization, p.date_label())
}

fn versions_text(
    left: &Policy,
    right: &Policy,
    alignment: &Alignment,
    practices: &PracticeDiff,
    md: bool,
) -> String {
    let mut out = String::new();
    let summary = format!(
        "clauses: {} unchanged, {} reworded, {} moved, {} added, {} removed",
        alignment.count(Status::Unchanged),
        alignment.count(Status::Reworded),
        alignment.moved(),
        alignment.count(Status::Added),
        alignment.count(Status::Removed),
    );
    if md {
        let _ = writeln!(
            out,
            "# {} → {}\n\n{summary}\n\n## Clauses\n",
            policy_line(left),
            policy_line(right)
        );
    } else {
        let _ = writeln!(
            out,
            "{} → {}\n{summary}\n",
            policy_line(left),
            policy_line(right)
        );
    }
    let clause = |c: &ClauseRef| one_line(&c.text);
    for p in &alignment.pairs {
        let l = alignment.left_id(p);
        let r = alignment.right_id(p);
        let moved = if p.moved { ", moved" } else { "" };
        let (head, body) = match p.status {
            Status::Unchanged => (
                format!("= {} → {}  unchanged{moved}", l.unwrap(), r.unwrap()),
                None,
            ),
            Status::Reworded => (
                format!(
                    "~ {} → {}  reworded, {:.0}% similar{moved}",
                    l.unwrap(),
                    r.unwrap(),
                    p.similarity * 100.0
                ),
                Some(marked_text(p, md)),
            ),
            Status::Added => (
                format!(
                    "+ {}  added{}",
                    r.unwrap(),
                    p.split_from
                        .as_ref()
                        .map(|s| format!(", split from {s}"))
                        .unwrap_or_default()
                ),
                Some(clause(&alignment.right[p.right.unwrap()])),
            ),
            Status::Removed => (
                format!(
                    "- {}  removed{}",
                    l.unwrap(),
                    p.merged_into
                        .as_ref()
                        .map(|s| format!(", merged into {s}"))
                        .unwrap_or_default()
                ),
                Some(clause(&alignment.left[p.left.unwrap()])),
            ),
        };
        if md {
            let _ = writeln!(out, "**{}**\n", head.replace('*', "\\*"));
            if let Some(body) = body {
                let body = if p.status == Status::Removed {
                    format!("~~{}~~", body.trim())
                } else {
                    body
                };
                let _ = writeln!(out, "> {body}\n");
            }
        } else {
            let _ = writeln!(out, "{head}");
            if let Some(body) = body {
                let _ = writeln!(out, "    {body}");
            }
        }
    }
    let heading = format!(
        "Practices, after vocabulary normalization: {}",
        practices.counts()
    );
    if md {
        let _ = writeln!(out, "## Practices\n\n{heading}\n");
    } else {
        let _ = writeln!(out, "\n{heading}");
    }
    let bullet = if md { "- " } else { "" };
    for f in &practices.added {
        let _ = writeln!(out, "{bullet}+ {}", describe_flow(f));
    }
    for f in &practices.removed {
        let _ = writeln!(out, "{bullet}- {}", describe_flow(f));
    }
    for c in &practices.changed {
        let facets: Vec<String> = c
            .changes
            .iter()
            .map(|(facet, ch)| {
                let mut parts = Vec::new();
                if !ch.added.is_empty() {
                    parts.push(format!("+{}", ch.added.join(" +")));
                }
                if !ch.removed.is_empty() {
                    parts.push(format!("-{}", ch.removed.join(" -")));
                }
                format!("{facet} {}", parts.join(" "))
            })
            .collect();
        let _ = writeln!(
            out,
            "{bullet}~ {} → {}: {}",
            c.left.context,
            c.right.context,
            facets.join("; ")
        );
    }
    for (sign, list) in [
        ("+", &practices.contexts_added),
        ("-", &practices.contexts_removed),
    ] {
        for name in list {
            let _ = writeln!(out, "{bullet}{sign} context \"{name}\"");
        }
    }
    out
}

/// One flow in a line: where, what, to whom, why.
pub fn describe_flow(f: &NormalizedFlow) -> String {
    let list = |s: &std::collections::BTreeSet<String>| {
        if s.is_empty() {
            String::from("unspecified")
        } else {
            s.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    format!(
        "{}{}: data {}; purposes {}; recipients {}; basis {}; retention {}",
        if f.does { "" } else { "NEGATIVE " },
        f.context,
        list(&f.data),
        list(&f.purposes),
        list(&f.recipients),
        list(&f.basis),
        f.retention
    )
}

fn run_topic(
    topic: &str,
    items: &[String],
    inputs: &[PathBuf],
    only: &[String],
    format: CompareFormat,
) -> i32 {
    let mut paths: Vec<PathBuf> = inputs.to_vec();
    paths.extend(items.iter().map(PathBuf::from));
    if paths.is_empty() {
        paths.push(PathBuf::from("policies"));
    }
    let corpus = super::output::load(&paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let subject = match compare::resolve(&corpus.vocabulary, topic) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let mut chosen = Vec::new();
    for id in only {
        match compare::find_policy(&corpus, id) {
            Ok(i) => chosen.push(i),
            Err(e) => return fail(&e),
        }
    }
    if chosen.is_empty() {
        chosen = (0..corpus.policies.len()).collect();
    }
    let policies: Vec<&Policy> = chosen.iter().map(|&i| &corpus.policies[i].policy).collect();
    let columns = compare::compare_topic(&policies, &corpus.vocabulary, &subject);
    let text = match format {
        CompareFormat::Json => {
            serde_json::to_string_pretty(&topic_json(topic, &subject, &policies, &columns))
                .expect("json")
                + "\n"
        }
        CompareFormat::Text | CompareFormat::Md => {
            topic_text(&subject, &policies, &columns, format == CompareFormat::Md)
        }
    };
    emit(&text);
    0
}

pub fn topic_json(
    query: &str,
    subject: &Subject,
    policies: &[&Policy],
    columns: &[compare::Column],
) -> Value {
    let kind = subject.key();
    let kind = kind.split(':').next().unwrap_or("topic");
    json!({
        "topic": subject.id(),
        "kind": kind,
        "query": query,
        "policies": columns.iter().map(|c| {
            let mut v = json!({
                "id": policies[c.policy].id,
                "addressed": !c.is_silent(),
                "clauses": c.clauses,
            });
            if matches!(subject, Subject::Term { .. }) {
                v["flows"] = c.flows.iter().map(|f| json!({
                    "context": f.context,
                    "context_name": f.context_name,
                    "does": f.does,
                    "action": f.action.as_str(),
                    "label": f.label(),
                    "qualifier": f.qualifier,
                    "rolled_up": f.rolled_up,
                    "labels": f.matched,
                    "evidence": f.evidence,
                })).collect();
            }
            v
        }).collect::<Vec<_>>(),
    })
}

fn topic_text(
    subject: &Subject,
    policies: &[&Policy],
    columns: &[compare::Column],
    md: bool,
) -> String {
    let mut out = String::new();
    let addressed = columns.iter().filter(|c| !c.is_silent()).count();
    let title = format!(
        "{}: addressed by {addressed} of {} policies",
        subject.describe(),
        columns.len()
    );
    let _ = writeln!(out, "{}{title}\n", if md { "# " } else { "" });
    for c in columns {
        let p = policies[c.policy];
        let _ = writeln!(out, "{}{}", if md { "## " } else { "== " }, policy_line(p));
        if md {
            out.push('\n');
        }
        if c.is_silent() {
            let _ = writeln!(
                out,
                "{}",
                if md {
                    "*not addressed*\n"
                } else {
                    "    not addressed"
                }
            );
        }
        for f in &c.flows {
            let _ = writeln!(
                out,
                "{}{} in {}: {}",
                if md { "- " } else { "    " },
                f.label(),
                f.context,
                f.matched.join(", ")
            );
        }
        if md && !c.flows.is_empty() {
            out.push('\n');
        }
        for id in &c.clauses {
            let text = p.clause(id).map(|c| one_line(&c.text)).unwrap_or_default();
            if md {
                let _ = writeln!(out, "**{id}**\n\n> {text}\n");
            } else {
                let _ = writeln!(out, "    [{id}] {text}");
            }
        }
        if !md {
            out.push('\n');
        }
    }
    out
}
