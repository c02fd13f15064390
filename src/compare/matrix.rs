//! The matrix: data categories × policies, or recipients × policies, each
//! cell saying only what the policy's text says about that term: what is
//! sold, shared, used or collected, and what the policy says it does not
//! do, with the negative's qualifier and reach. A flow counts for its own
//! term and, rolled up, for every broader one (a flow to Salesforce counts
//! for service providers and third parties); a flow that cites only
//! definitions or examples makes no cell; every cell keeps the clauses
//! behind it. Rows are vocabulary terms in vocabulary order, then labels
//! the vocabulary does not know (so nothing a policy says is hidden).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::model::{Action, Category, Flow, Policy, Scope, Vocabulary};

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

/// What one statement says about a term. Ordered by strength: any
/// positive is above every negative, so a disclosed practice is never
/// hidden under a negative; among negatives the widest claim is above
/// ("not collected" says more than "not sold").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    /// Not mentioned in any flow: silence.
    Unspecified,
    NotSold,
    NotShared,
    NotUsed,
    NotCollected,
    /// Collected, and kept inside the organisation (or its affiliates).
    Collected,
    Used,
    /// Given to someone outside the organisation; for the recipients
    /// matrix, the recipient receives data.
    Shared,
    Sold,
}

impl Cell {
    fn positive(action: Action) -> Cell {
        match action {
            Action::Collect => Cell::Collected,
            Action::Use => Cell::Used,
            Action::Share => Cell::Shared,
            Action::Sell => Cell::Sold,
        }
    }

    fn negative(action: Action) -> Cell {
        match action {
            Action::Collect => Cell::NotCollected,
            Action::Use => Cell::NotUsed,
            Action::Share => Cell::NotShared,
            Action::Sell => Cell::NotSold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cell::Unspecified => "unspecified",
            Cell::NotSold => "not-sold",
            Cell::NotShared => "not-shared",
            Cell::NotUsed => "not-used",
            Cell::NotCollected => "not-collected",
            Cell::Collected => "collected",
            Cell::Used => "used",
            Cell::Shared => "shared",
            Cell::Sold => "sold",
        }
    }

    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Cell::NotSold | Cell::NotShared | Cell::NotUsed | Cell::NotCollected
        )
    }

    pub fn is_positive(self) -> bool {
        self > Cell::NotCollected
    }

    /// A mark and words; the meaning never rests on colour.
    pub fn mark(self) -> &'static str {
        match self {
            Cell::Unspecified => "·",
            Cell::NotSold => "✗ not sold",
            Cell::NotShared => "✗ not shared",
            Cell::NotUsed => "✗ not used",
            Cell::NotCollected => "✗ not collected",
            Cell::Collected => "● collected",
            Cell::Used => "● used",
            Cell::Shared => "▲ shared",
            Cell::Sold => "▲ sold",
        }
    }
}

/// A negative statement behind a cell, as the policy limits it.
#[derive(Debug, Clone, PartialEq)]
pub struct Negative {
    pub cell: Cell,
    /// "knowingly", "typically": the words that limit it.
    pub qualifier: Option<Arc<str>>,
    pub scope: Scope,
    /// The context it is stated in (its reach when `scope` is `Context`).
    pub context: String,
}

impl Negative {
    /// "✗ not sold", "✗ not collected (knowingly)", "✗ not shared in suppliers".
    pub fn label(&self) -> String {
        let mut label = self.cell.mark().to_string();
        if let Some(qualifier) = &self.qualifier {
            label.push_str(&format!(" ({qualifier})"));
        }
        if self.scope == Scope::Context {
            label.push_str(&format!(" in {}", self.context));
        }
        label
    }
}

/// What a policy says about a term.
#[derive(Debug, Clone, PartialEq)]
pub struct CellValue {
    /// The strongest statement: a positive when there is any.
    pub cell: Cell,
    /// The positive comes only from narrower terms (a flow to Salesforce,
    /// in the service providers row).
    pub rolled_up: bool,
    /// The negative shown (a negative cell), or the strongest negative the
    /// policy also states beside a positive, so neither hides the other.
    pub negative: Option<Negative>,
}

/// How a view should colour a cell, without knowing every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Leaves the organisation: shared or sold.
    Disclosed,
    /// Collected or used inside it.
    Kept,
    /// Only a negative statement.
    Negative,
    Silent,
}

impl CellValue {
    pub const UNSPECIFIED: CellValue = CellValue {
        cell: Cell::Unspecified,
        rolled_up: false,
        negative: None,
    };

    /// The short label views print: "▲ shared", "▲ shared ↑" (rolled up),
    /// "● collected · ✗ not sold", "✗ not collected (knowingly)".
    pub fn label(&self) -> String {
        if !self.cell.is_positive() {
            return match &self.negative {
                Some(negative) => negative.label(),
                None => self.cell.mark().to_string(),
            };
        }
        let mut label = self.cell.mark().to_string();
        if self.rolled_up {
            label.push_str(" ↑");
        }
        if let Some(negative) = &self.negative {
            label.push_str(" · ");
            label.push_str(&negative.label());
        }
        label
    }

    pub fn tone(&self) -> Tone {
        match self.cell {
            Cell::Shared | Cell::Sold => Tone::Disclosed,
            Cell::Collected | Cell::Used => Tone::Kept,
            Cell::Unspecified => Tone::Silent,
            _ => Tone::Negative,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell {
    pub value: CellValue,
    /// Clause ids of every flow behind the cell (its own term's and the
    /// narrower terms' it rolls up), document order.
    pub evidence: Vec<Arc<str>>,
    /// The policy's own labels behind the cell.
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

/// Recipient terms whose receiving data is no disclosure by the
/// organisation: the organisation itself and the users of its service; a
/// recipient the person chooses (data portability); sites the person
/// follows a link to.
const INSIDE: &[&str] = &[
    "affiliates",
    "other-users",
    "chosen-recipient",
    "linked-services",
];

/// What the flows of one policy say about one term, before it is a cell.
#[derive(Debug, Default)]
struct Tally {
    direct: Option<Cell>,
    rolled: Option<Cell>,
    negative: Option<Negative>,
    evidence: Vec<Arc<str>>,
    labels: Vec<Arc<str>>,
}

impl Tally {
    fn cite(&mut self, flow: &Flow, label: &Arc<str>) {
        if !self.labels.contains(label) {
            self.labels.push(label.clone());
        }
        for id in &flow.evidence {
            if !self.evidence.contains(id) {
                self.evidence.push(id.clone());
            }
        }
    }

    fn value(self) -> MatrixCell {
        let positive = self.direct.max(self.rolled);
        let value = match positive {
            Some(cell) => CellValue {
                cell,
                rolled_up: self.rolled > self.direct,
                negative: self.negative,
            },
            None => CellValue {
                cell: self.negative.as_ref().map_or(Cell::Unspecified, |n| n.cell),
                rolled_up: false,
                negative: self.negative,
            },
        };
        MatrixCell {
            value,
            evidence: self.evidence,
            labels: self.labels,
        }
    }
}

/// The statement a flow makes about each of its labels in this matrix;
/// `outsiders` remembers which recipient labels are outside the
/// organisation, since a label recurs in many flows.
fn flow_cell(
    by: By,
    flow: &Flow,
    vocabulary: &Vocabulary,
    outsiders: &mut HashMap<Arc<str>, bool>,
) -> Cell {
    let action = flow.action();
    if !flow.does {
        return match (by, action) {
            (By::Recipients, Action::Sell) => Cell::NotSold,
            (By::Recipients, _) => Cell::NotShared,
            (By::Data, action) => Cell::negative(action),
        };
    }
    match (by, action) {
        (By::Recipients, Action::Sell) => Cell::Sold,
        (By::Recipients, _) => Cell::Shared,
        (By::Data, Action::Share) => {
            let outside = flow.recipients.iter().any(|r| {
                *outsiders.entry(r.clone()).or_insert_with(|| {
                    let term = vocabulary.normalize(Category::Recipients, r);
                    !INSIDE.contains(&term.as_str())
                })
            });
            if outside {
                Cell::Shared
            } else {
                Cell::Collected
            }
        }
        (By::Data, action) => Cell::positive(action),
    }
}

/// The tally of `term` for policy `pi` of `n`.
fn tally<'a>(
    found: &'a mut BTreeMap<String, Vec<Tally>>,
    term: &str,
    n: usize,
    pi: usize,
) -> &'a mut Tally {
    let tallies = found
        .entry(term.to_string())
        .or_insert_with(|| (0..n).map(|_| Tally::default()).collect());
    &mut tallies[pi]
}

/// Builds the matrix of `policies` by data categories or recipients.
pub fn matrix(policies: &[&Policy], vocabulary: &Vocabulary, by: By) -> Matrix {
    let category = by.category();
    let mut found: BTreeMap<String, Vec<Tally>> = BTreeMap::new();
    let mut unknown_labels: BTreeMap<String, String> = BTreeMap::new();
    let mut mapped: HashMap<Arc<str>, Option<(String, Vec<String>)>> = HashMap::new();
    let mut outsiders: HashMap<Arc<str>, bool> = HashMap::new();
    for (pi, policy) in policies.iter().enumerate() {
        let definitions: HashSet<&str> = policy
            .clauses()
            .filter(|(_, c)| c.role.is_some())
            .map(|(_, c)| c.id.as_str())
            .collect();
        for (_, context) in policy.contexts_flat() {
            for flow in &context.flows {
                // A definition or an example states no practice.
                if !flow.evidence.is_empty()
                    && flow.evidence.iter().all(|e| definitions.contains(&**e))
                {
                    continue;
                }
                let cell = flow_cell(by, flow, vocabulary, &mut outsiders);
                let labels = match by {
                    By::Data => &flow.data,
                    By::Recipients => &flow.recipients,
                };
                for label in labels {
                    let mapping = mapped.entry(label.clone()).or_insert_with(|| {
                        vocabulary.lookup(category, label).map(|t| {
                            let ancestors = vocabulary
                                .ancestors(category, &t.id)
                                .into_iter()
                                .map(|a| a.id.clone())
                                .collect();
                            (t.id.clone(), ancestors)
                        })
                    });
                    let (term, ancestors) = match mapping {
                        Some((term, ancestors)) => (term.clone(), ancestors.as_slice()),
                        None => {
                            let term = crate::model::vocabulary::normalize_label(label);
                            if term.is_empty() || term == "unspecified" {
                                continue;
                            }
                            unknown_labels
                                .entry(term.clone())
                                .or_insert(label.to_string());
                            (term, &[][..])
                        }
                    };
                    let n = policies.len();
                    let own = tally(&mut found, &term, n, pi);
                    own.cite(flow, label);
                    if cell.is_positive() {
                        own.direct = own.direct.max(Some(cell));
                        for ancestor in ancestors {
                            let broader = tally(&mut found, ancestor, n, pi);
                            broader.cite(flow, label);
                            broader.rolled = broader.rolled.max(Some(cell));
                        }
                    } else {
                        let negative = Negative {
                            cell,
                            qualifier: flow.qualifier.clone(),
                            scope: flow.scope().unwrap_or(Scope::Context),
                            context: context.id.clone(),
                        };
                        let key = |n: &Negative| (n.cell, n.scope == Scope::Policy);
                        if own
                            .negative
                            .as_ref()
                            .is_none_or(|n| key(&negative) > key(n))
                        {
                            own.negative = Some(negative);
                        }
                    }
                }
            }
        }
    }
    let mut cells: BTreeMap<String, Vec<MatrixCell>> = found
        .into_iter()
        .map(|(term, tallies)| {
            let cells = tallies
                .into_iter()
                .enumerate()
                .map(|(pi, tally)| {
                    let mut cell = tally.value();
                    let order = |id: &Arc<str>| policies[pi].clause_position(id);
                    cell.evidence.sort_by_key(order);
                    cell
                })
                .collect();
            (term, cells)
        })
        .collect();
    let mut rows = Vec::new();
    for term in vocabulary.terms(category) {
        if let Some(cells) = cells.remove(&term.id) {
            rows.push(Row {
                term: term.id.clone(),
                label: term.label.clone(),
                known: true,
                cells,
            });
        }
    }
    for (term, cells) in cells {
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
