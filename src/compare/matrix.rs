//! The matrix: data categories × policies, or recipients × policies, each
//! cell saying what the policy states about that term, with the clauses
//! that say it. Rows are vocabulary terms in vocabulary order, then labels
//! the vocabulary does not know (so nothing a policy says is hidden).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{Category, Policy, Vocabulary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Data,
    Recipients,
}

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Data => "data",
            By::Recipients => "recipients",
        }
    }

    fn category(self) -> Category {
        match self {
            By::Data => Category::Data,
            By::Recipients => Category::Recipients,
        }
    }
}

/// What a policy says about a term. Ordered by strength: when flows say
/// different things, the cell shows the strongest (evidence lists them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    /// Not mentioned in any flow: silence.
    Unspecified,
    /// A negative statement without a recipient: "we did not collect X".
    NotCollected,
    /// A negative statement with a recipient: "we do not sell X to Y".
    NotShared,
    /// Collected, and kept inside the organisation (or its affiliates).
    Collected,
    /// Given to someone outside the organisation; for the recipients
    /// matrix, the recipient receives data.
    Shared,
}

impl Cell {
    pub fn as_str(self) -> &'static str {
        match self {
            Cell::Unspecified => "unspecified",
            Cell::NotCollected => "not-collected",
            Cell::NotShared => "not-shared",
            Cell::Collected => "collected",
            Cell::Shared => "shared",
        }
    }

    /// A short mark for narrow tables: the meaning never rests on colour.
    pub fn mark(self) -> &'static str {
        match self {
            Cell::Unspecified => "·",
            Cell::NotCollected => "✗ not coll.",
            Cell::NotShared => "✗ not shared",
            Cell::Collected => "● collected",
            Cell::Shared => "▲ shared",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell {
    pub value: Cell,
    /// Clause ids of every flow mentioning the term, document order.
    pub evidence: Vec<Arc<str>>,
    /// The policy's own labels that map to the term.
    pub labels: Vec<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Term id, or the normalized label when the vocabulary does not know it.
    pub term: String,
    pub label: String,
    /// Whether the vocabulary knows the term.
    pub known: bool,
    /// One per policy, in the order given.
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub by: By,
    pub rows: Vec<Row>,
}

/// Recipient terms that are the organisation itself, not an outsider.
const INSIDE: &[&str] = &["affiliates", "other-users"];

/// Builds the matrix of `policies` by data categories or recipients.
pub fn matrix(policies: &[&Policy], vocabulary: &Vocabulary, by: By) -> Matrix {
    let category = by.category();
    // term -> per policy (value, evidence, labels)
    let mut found: BTreeMap<String, Vec<MatrixCell>> = BTreeMap::new();
    let mut unknown_labels: BTreeMap<String, String> = BTreeMap::new();
    let empty = || MatrixCell {
        value: Cell::Unspecified,
        evidence: Vec::new(),
        labels: Vec::new(),
    };
    for (pi, policy) in policies.iter().enumerate() {
        for (_, context) in policy.contexts_flat() {
            for flow in &context.flows {
                let recipients: Vec<String> = flow
                    .recipients
                    .iter()
                    .map(|r| vocabulary.normalize(Category::Recipients, r))
                    .collect();
                let outside = recipients.iter().any(|r| !INSIDE.contains(&r.as_str()));
                let labels = match by {
                    By::Data => &flow.data,
                    By::Recipients => &flow.recipients,
                };
                let value = match (by, flow.does) {
                    (By::Recipients, true) => Cell::Shared,
                    (By::Recipients, false) => Cell::NotShared,
                    (By::Data, true) if outside => Cell::Shared,
                    (By::Data, true) => Cell::Collected,
                    (By::Data, false) if !flow.recipients.is_empty() => Cell::NotShared,
                    (By::Data, false) => Cell::NotCollected,
                };
                for label in labels {
                    let term = vocabulary.normalize(category, label);
                    if term.is_empty() || term == "unspecified" {
                        continue;
                    }
                    if vocabulary.lookup(category, label).is_none() {
                        unknown_labels
                            .entry(term.clone())
                            .or_insert(label.to_string());
                    }
                    let cells = found
                        .entry(term)
                        .or_insert_with(|| (0..policies.len()).map(|_| empty()).collect());
                    let cell = &mut cells[pi];
                    cell.value = cell.value.max(value);
                    if !cell.labels.contains(label) {
                        cell.labels.push(label.clone());
                    }
                    for id in &flow.evidence {
                        if !cell.evidence.contains(id) {
                            cell.evidence.push(id.clone());
                        }
                    }
                }
            }
        }
    }
    for cells in found.values_mut() {
        for (pi, cell) in cells.iter_mut().enumerate() {
            let order = |id: &Arc<str>| policies[pi].clause_position(id);
            cell.evidence.sort_by_key(order);
        }
    }
    let mut rows = Vec::new();
    for term in vocabulary.terms(category) {
        if let Some(cells) = found.remove(&term.id) {
            rows.push(Row {
                term: term.id.clone(),
                label: term.label.clone(),
                known: true,
                cells,
            });
        }
    }
    for (term, cells) in found {
        let label = unknown_labels.get(&term).cloned().unwrap_or(term.clone());
        rows.push(Row {
            term,
            label,
            known: false,
            cells,
        });
    }
    Matrix { by, rows }
}
