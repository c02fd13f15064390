//! Findings: deterministic rules over the policy models that suggest
//! concerns an auditor's first pass looks for (no retention, no legal
//! basis, a struck-down transfer mechanism, contradictions, missing
//! checklist items), each with the clauses it rests on and a fingerprint
//! that survives unrelated edits; the legal checklists of
//! `checklists.yaml`; and a ToS;DR-style grade from good and bad points.
//!
//! Findings and notes are one workflow: a finding recorded as a note
//! (`qualm lint --record`) carries the rule and fingerprint, and from then
//! on the finding is reported with the note's status; a dismissed finding
//! is never raised as open again.

pub mod checklist;
pub mod facts;
pub mod grade;
pub mod rules;
pub mod sarif;

use std::collections::HashMap;

use serde::Serialize;

use crate::model::load::fnv1a_hex;
use crate::model::{Corpus, LoadedPolicy};
use crate::review::{Note, ReviewSet, Severity, Status, Target};

use checklist::{ChecklistResult, Checklists};
use facts::{Date, PolicyFacts};
pub use grade::{Grade, Point, PointKind};

/// One concern a rule suggests.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    /// A concern kind of the vocabulary.
    pub kind: &'static str,
    pub severity: Severity,
    pub policy: String,
    #[serde(serialize_with = "target_key")]
    pub target: Target,
    pub message: String,
    /// The clauses it rests on, in order.
    pub evidence: Vec<String>,
    /// The flows it is about, by id.
    pub flows: Vec<String>,
    /// Those of `flows` that import suggested and no analyst has confirmed
    /// yet: the finding describes a draft, and says so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggested_flows: Vec<String>,
    pub fingerprint: String,
    /// `open`, or the status of the note that recorded it.
    pub status: Status,
    /// The note that recorded it, if any.
    pub note: Option<String>,
}

impl Finding {
    /// The review note that records this finding (once: its fingerprint
    /// lets later runs find it), with `status`: open, or dismissed.
    pub fn to_note(&self, digest: &str, status: Status) -> Note {
        let created = crate::review::author::now();
        Note {
            id: String::new(),
            target: self.target.clone(),
            kind: self.kind.to_string(),
            severity: self.severity,
            status,
            author: crate::review::author::author(None),
            created: created.clone(),
            updated: created,
            digest: Some(digest.to_string()),
            body: self.note_body(),
            replies: Vec::new(),
            conflict: None,
            rule: Some(self.rule.to_string()),
            fingerprint: Some(self.fingerprint.clone()),
        }
    }

    /// The message as a sentence, then the rule, its legal reference and
    /// the clauses it rests on.
    fn note_body(&self) -> String {
        let mut message = self.message.clone();
        if let Some(first) = message.get(..1) {
            message.replace_range(..1, &first.to_uppercase());
        }
        let mut body = format!("{message}.");
        if let Some(rule) = rules::RULES.iter().find(|r| r.id == self.rule) {
            body.push_str(&format!("\n\nRule {} ({}).", rule.id, rule.reference));
        }
        if !self.evidence.is_empty() {
            body.push_str(&format!(" Clauses: {}.", self.evidence.join(", ")));
        }
        body
    }
}

fn target_key<S: serde::Serializer>(target: &Target, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&target.key())
}

/// What a rule hands back before the runner names it.
pub struct Draft {
    pub severity: Severity,
    pub target: Target,
    pub message: String,
    pub evidence: Vec<String>,
    pub flows: Vec<String>,
    /// What the fingerprint rests on besides rule, policy and target
    /// (a mechanism id, the flows of a contradiction).
    pub facts: Vec<String>,
}

/// Where rules put their findings and points.
pub struct Sink {
    rule: &'static rules::Rule,
    policy: String,
    pub as_of: Date,
    findings: Vec<Finding>,
    points: Vec<Point>,
}

impl Sink {
    pub fn finding(&mut self, draft: Draft) {
        let fingerprint = fingerprint(self.rule.id, &self.policy, &draft.target, &draft.facts);
        self.findings.push(Finding {
            rule: self.rule.id,
            kind: self.rule.kind,
            severity: draft.severity,
            policy: self.policy.clone(),
            target: draft.target,
            message: draft.message,
            evidence: draft.evidence,
            flows: draft.flows,
            suggested_flows: Vec::new(),
            fingerprint,
            status: Status::Open,
            note: None,
        });
    }

    pub fn point(&mut self, kind: PointKind, reason: &str) {
        self.point_with(kind, reason, Vec::new());
    }

    pub fn point_with(&mut self, kind: PointKind, reason: &str, evidence: Vec<String>) {
        self.points.push(Point {
            kind,
            rule: self.rule.id.to_string(),
            reason: reason.to_string(),
            evidence,
        });
    }
}

/// `qualm/v1:` and 16 hex digits of rule, policy, target and facts: the
/// same concern gets the same fingerprint whatever else changes.
pub fn fingerprint(rule: &str, policy: &str, target: &Target, facts: &[String]) -> String {
    let text = format!(
        "{rule}\u{1f}{policy}\u{1f}{}\u{1f}{}",
        target.key(),
        facts.join("\u{1e}")
    );
    format!("qualm/v1:{}", fnv1a_hex(text.as_bytes()))
}

/// Which findings to keep.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Judge dates (CCPA staleness, undated policies) as of this day.
    pub as_of: Option<Date>,
    /// Only these rules (empty: all).
    pub rules: Vec<String>,
    pub min_severity: Option<Severity>,
}

/// One policy's grade and checklists.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyResult {
    pub id: String,
    pub grade: Grade,
    pub points: Vec<Point>,
    #[serde(skip)]
    pub checklists: Vec<ChecklistResult>,
}

/// The findings of a folder.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub policies: Vec<PolicyResult>,
}

/// Runs every rule over every policy.
pub fn run(
    corpus: &Corpus,
    reviews: Option<&ReviewSet>,
    checklists: &Checklists,
    options: &Options,
) -> Report {
    run_policies(
        corpus,
        reviews,
        checklists,
        options,
        0..corpus.policies.len(),
    )
}

/// [`run`] over some of the corpus's policies (by index), for a view that
/// needs one policy's grade without linting a folder of thousands.
pub fn run_policies(
    corpus: &Corpus,
    reviews: Option<&ReviewSet>,
    checklists: &Checklists,
    options: &Options,
    which: impl IntoIterator<Item = usize>,
) -> Report {
    let as_of = options.as_of.unwrap_or_else(Date::today);
    let recorded = reviews.map(recorded_notes).unwrap_or_default();
    let mut report = Report::default();
    for loaded in which.into_iter().filter_map(|i| corpus.policies.get(i)) {
        let (mut findings, policy) = lint_policy(loaded, corpus, checklists, as_of);
        let mut policy = policy;
        let suggested = suggested_flow_ids(&loaded.policy);
        for finding in &mut findings {
            finding.suggested_flows = finding
                .flows
                .iter()
                .filter(|id| suggested.contains(id.as_str()))
                .cloned()
                .collect();
            if let Some(note) = recorded.get(&finding.fingerprint) {
                finding.status = note.status;
                finding.note = Some(note.id.clone());
            }
        }
        // The grade counts every finding an analyst has not dismissed,
        // whatever the filters below keep.
        policy.points.extend(
            findings
                .iter()
                .filter(|f| f.status != Status::Dismissed)
                .filter_map(grade::point_of),
        );
        policy.grade = grade::grade(&policy.points);
        report.findings.extend(findings.into_iter().filter(|f| {
            (options.rules.is_empty() || options.rules.iter().any(|r| r == f.rule))
                && options.min_severity.is_none_or(|min| f.severity >= min)
        }));
        report.policies.push(policy);
    }
    report
}

/// The ids of a policy's flows that are still suggestions.
fn suggested_flow_ids(policy: &crate::model::Policy) -> std::collections::HashSet<&str> {
    policy
        .contexts_flat()
        .into_iter()
        .flat_map(|(_, context)| &context.flows)
        .filter(|flow| flow.suggested)
        .filter_map(|flow| flow.id.as_deref())
        .collect()
}

/// One policy: its findings (all rules) and its grade, which counts every
/// finding but those dismissed.
fn lint_policy(
    loaded: &LoadedPolicy,
    corpus: &Corpus,
    checklists: &Checklists,
    as_of: Date,
) -> (Vec<Finding>, PolicyResult) {
    let policy = &loaded.policy;
    let facts = PolicyFacts::new(policy, &corpus.vocabulary, checklists, as_of);
    let mut findings = Vec::new();
    let mut points = Vec::new();
    for rule in rules::RULES {
        let mut sink = Sink {
            rule,
            policy: policy.id.clone(),
            as_of,
            findings: Vec::new(),
            points: Vec::new(),
        };
        (rule.check)(&facts, checklists, &mut sink);
        findings.extend(sink.findings);
        points.extend(sink.points);
    }
    let lists = facts.checklists(checklists).to_vec();
    for list in &lists {
        let (present, applicable) = list.completeness();
        if applicable > 0 && present == applicable {
            points.push(Point {
                kind: PointKind::Good,
                rule: "checklist".into(),
                reason: format!("states every item of the {} checklist", list.name),
                evidence: Vec::new(),
            });
        }
    }
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(b.rule)));
    (
        findings,
        PolicyResult {
            id: policy.id.clone(),
            grade: Grade::NotApplicable,
            points,
            checklists: lists,
        },
    )
}

/// Notes that recorded a finding, by fingerprint.
fn recorded_notes(reviews: &ReviewSet) -> HashMap<String, Note> {
    reviews
        .all_notes()
        .filter_map(|(_, note)| Some((note.fingerprint.clone()?, note.clone())))
        .collect()
}
