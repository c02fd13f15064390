//! The practice diff between two versions of a policy: which collection
//! contexts and which flows were added, removed or changed, compared after
//! the vocabulary has mapped every label to a shared term (so "Full Name"
//! and "first and last name" are the same data, and a reworded purpose that
//! means the same thing is no change).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{Category, Flow, Policy, RetentionClass, Vocabulary};

/// Two flows are the same practice from this similarity on.
const FLOW_MATCH_MIN: f64 = 0.5;
/// ... and only when they share this much of their data.
const FLOW_DATA_MIN: f64 = 0.3;
/// Two contexts are the same situation from this name similarity on.
const CONTEXT_MATCH_MIN: f64 = 0.5;

/// A flow with every label mapped to a vocabulary term id (or its
/// normalized wording when the vocabulary does not know it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalizedFlow {
    /// Context ids from the top, joined by `/`.
    pub context: String,
    pub context_name: String,
    pub data: BTreeSet<String>,
    pub purposes: BTreeSet<String>,
    pub basis: BTreeSet<String>,
    pub recipients: BTreeSet<String>,
    pub retention: String,
    pub does: bool,
    pub evidence: Vec<Arc<str>>,
}

/// Terms added and removed in one facet of a changed flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FacetChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl FacetChange {
    fn of(left: &BTreeSet<String>, right: &BTreeSet<String>) -> Option<FacetChange> {
        let change = FacetChange {
            added: right.difference(left).cloned().collect(),
            removed: left.difference(right).cloned().collect(),
        };
        (!change.added.is_empty() || !change.removed.is_empty()).then_some(change)
    }
}

/// What differs between two flows that are the same practice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowChange {
    pub left: NormalizedFlow,
    pub right: NormalizedFlow,
    /// Facet name (data, purposes, basis, recipients, retention, does) to
    /// what changed in it.
    pub changes: Vec<(String, FacetChange)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PracticeDiff {
    pub added: Vec<NormalizedFlow>,
    pub removed: Vec<NormalizedFlow>,
    pub changed: Vec<FlowChange>,
    /// Flows the same in both, counted only.
    pub unchanged: usize,
    /// Context names only on the right, and only on the left.
    pub contexts_added: Vec<String>,
    pub contexts_removed: Vec<String>,
}

impl PracticeDiff {
    /// `3 unchanged, 1 changed, 2 added, 0 removed`: the flow counts, as
    /// every view of the diff words them.
    pub fn counts(&self) -> String {
        format!(
            "{} unchanged, {} changed, {} added, {} removed",
            self.unchanged,
            self.changed.len(),
            self.added.len(),
            self.removed.len()
        )
    }
}

/// Every flow of a policy, normalized, in document order.
pub fn normalized_flows(policy: &Policy, vocabulary: &Vocabulary) -> Vec<NormalizedFlow> {
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for (depth, context) in policy.contexts_flat() {
        path.truncate(depth);
        path.push(context.id.clone());
        for flow in &context.flows {
            out.push(normalize(flow, &path.join("/"), &context.name, vocabulary));
        }
    }
    out
}

fn normalize(flow: &Flow, context: &str, name: &str, vocabulary: &Vocabulary) -> NormalizedFlow {
    let terms = |category: Category, labels: &[Arc<str>]| -> BTreeSet<String> {
        labels
            .iter()
            .map(|l| vocabulary.normalize(category, l))
            .filter(|t| !t.is_empty() && t != "unspecified")
            .collect()
    };
    let retention = flow
        .retention_class
        .unwrap_or_else(|| RetentionClass::infer(flow.retention.as_deref()));
    NormalizedFlow {
        context: context.to_string(),
        context_name: name.to_string(),
        data: terms(Category::Data, &flow.data),
        purposes: terms(Category::Purposes, &flow.purposes),
        basis: terms(Category::Bases, &flow.basis),
        recipients: terms(Category::Recipients, &flow.recipients),
        retention: retention_id(retention).to_string(),
        does: flow.does,
        evidence: flow.evidence.clone(),
    }
}

fn retention_id(class: RetentionClass) -> &'static str {
    match class {
        RetentionClass::StatedPeriod => "stated-period",
        RetentionClass::Limited => "limited",
        RetentionClass::Indefinitely => "indefinitely",
        RetentionClass::Unspecified => "unspecified",
    }
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

fn name_words(name: &str) -> BTreeSet<String> {
    crate::model::vocabulary::normalize_label(name)
        .split(' ')
        .filter(|w| w.len() > 2)
        .map(str::to_string)
        .collect()
}

/// How much two flows look like the same practice: mostly the data, then
/// purposes and recipients, then the situation's name. A positive and a
/// negative statement are never the same practice. A facet unspecified on
/// both sides is no evidence either way: two flows that share only a
/// generic data term and say nothing else are not one practice changed,
/// and the diff must not claim a change the flows do not show.
fn flow_similarity(a: &NormalizedFlow, b: &NormalizedFlow) -> f64 {
    if a.does != b.does {
        return 0.0;
    }
    if same_practice(a, b) {
        return 1.0;
    }
    let known = |x: &BTreeSet<String>, y: &BTreeSet<String>| {
        if x.is_empty() && y.is_empty() {
            0.0
        } else {
            jaccard(x, y)
        }
    };
    let data = known(&a.data, &b.data);
    let data_known = !(a.data.is_empty() && b.data.is_empty());
    if data_known && data < FLOW_DATA_MIN {
        return 0.0;
    }
    let context = jaccard(&name_words(&a.context_name), &name_words(&b.context_name));
    0.45 * data
        + 0.2 * known(&a.purposes, &b.purposes)
        + 0.15 * known(&a.recipients, &b.recipients)
        + 0.2 * context
}

/// Everything the diff compares is the same, in a situation of the same
/// name: the flow is unchanged whatever it leaves unspecified.
fn same_practice(a: &NormalizedFlow, b: &NormalizedFlow) -> bool {
    a.data == b.data
        && a.purposes == b.purposes
        && a.basis == b.basis
        && a.recipients == b.recipients
        && a.retention == b.retention
        && name_words(&a.context_name) == name_words(&b.context_name)
}

/// Compares the flows and contexts of two policies (left = older).
pub fn practice_diff(left: &Policy, right: &Policy, vocabulary: &Vocabulary) -> PracticeDiff {
    let lf = normalized_flows(left, vocabulary);
    let rf = normalized_flows(right, vocabulary);
    let mut edges = Vec::new();
    for (i, a) in lf.iter().enumerate() {
        for (j, b) in rf.iter().enumerate() {
            let s = flow_similarity(a, b);
            if s >= FLOW_MATCH_MIN {
                edges.push((i, j, s));
            }
        }
    }
    edges.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    let mut left_used = vec![false; lf.len()];
    let mut right_pair: Vec<Option<usize>> = vec![None; rf.len()];
    for (i, j, _) in edges {
        if !left_used[i] && right_pair[j].is_none() {
            left_used[i] = true;
            right_pair[j] = Some(i);
        }
    }
    let mut diff = PracticeDiff::default();
    for (j, b) in rf.iter().enumerate() {
        match right_pair[j] {
            None => diff.added.push(b.clone()),
            Some(i) => {
                let a = &lf[i];
                let mut changes = Vec::new();
                for (facet, l, r) in [
                    ("data", &a.data, &b.data),
                    ("purposes", &a.purposes, &b.purposes),
                    ("basis", &a.basis, &b.basis),
                    ("recipients", &a.recipients, &b.recipients),
                ] {
                    if let Some(c) = FacetChange::of(l, r) {
                        changes.push((facet.to_string(), c));
                    }
                }
                if a.retention != b.retention {
                    changes.push((
                        "retention".to_string(),
                        FacetChange {
                            added: vec![b.retention.clone()],
                            removed: vec![a.retention.clone()],
                        },
                    ));
                }
                if changes.is_empty() {
                    diff.unchanged += 1;
                } else {
                    diff.changed.push(FlowChange {
                        left: a.clone(),
                        right: b.clone(),
                        changes,
                    });
                }
            }
        }
    }
    for (i, a) in lf.iter().enumerate() {
        if !left_used[i] {
            diff.removed.push(a.clone());
        }
    }
    let names = |p: &Policy| -> Vec<String> {
        p.contexts_flat()
            .into_iter()
            .map(|(_, c)| c.name.clone())
            .collect()
    };
    let (ln, rn) = (names(left), names(right));
    let has_match = |name: &str, others: &[String]| {
        let words = name_words(name);
        others
            .iter()
            .any(|o| jaccard(&words, &name_words(o)) >= CONTEXT_MATCH_MIN)
    };
    diff.contexts_added = rn.iter().filter(|n| !has_match(n, &ln)).cloned().collect();
    diff.contexts_removed = ln.iter().filter(|n| !has_match(n, &rn)).cloned().collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_policies_have_no_practice_changes() {
        let v = Vocabulary::builtin();
        let text = std::fs::read_to_string("policies/qualys-2015.yaml").unwrap();
        let file: crate::model::types::ModelFile = serde_yaml::from_str(&text).unwrap();
        let p: Policy = file.into();
        let d = practice_diff(&p, &p, &v);
        assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
        assert!(d.unchanged > 0);
    }
}
