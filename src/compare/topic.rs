//! Topic compare: one subject across policies, one column per policy. The
//! subject is an OPP-115 topic (the clauses tagged with it) or a vocabulary
//! term — a data category, a recipient, a purpose, a legal basis or a
//! transfer mechanism — (the flows whose labels map to it or, for what is
//! done, to a narrower term, and the clauses they cite). Each flow says its
//! action and, when negative, its scope and qualifier; a flow citing only
//! definitions or examples states no practice and is left out. A policy
//! with nothing on the subject gets an empty column: silence is a finding.

use crate::model::{Action, Category, Policy, Scope, Vocabulary};
use std::collections::HashSet;
use std::sync::Arc;

/// What to line up across policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Topic(String),
    Term { category: Category, id: String },
}

impl Subject {
    /// `topic:data-retention`, `data:email`, ...: the form `resolve` takes.
    pub fn key(&self) -> String {
        match self {
            Subject::Topic(id) => format!("topic:{id}"),
            Subject::Term { category, id } => format!("{}:{id}", prefix(*category)),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Subject::Topic(id) | Subject::Term { id, .. } => id,
        }
    }

    /// "topic data-retention", "recipient salesforce".
    pub fn describe(&self) -> String {
        match self {
            Subject::Topic(id) => format!("topic {id}"),
            Subject::Term { category, id } => format!("{} {id}", category.name()),
        }
    }
}

fn prefix(category: Category) -> &'static str {
    match category {
        Category::Topics => "topic",
        Category::Data => "data",
        Category::Purposes => "purpose",
        Category::Bases => "basis",
        Category::Recipients => "recipient",
        Category::Retention => "retention",
        Category::Concerns => "concern",
        Category::Mechanisms => "mechanism",
    }
}

/// Categories a subject can be, in the order an unprefixed name is tried.
const SEARCHED: [Category; 6] = [
    Category::Topics,
    Category::Data,
    Category::Recipients,
    Category::Purposes,
    Category::Bases,
    Category::Mechanisms,
];

/// Reads a subject: `data-retention`, `retention`, `email`, `Salesforce`,
/// or with a prefix to settle an ambiguity (`topic:`, `data:`,
/// `recipient:`, `purpose:`, `basis:`). An unprefixed name is tried as a
/// topic, then a data category, a recipient, a purpose, a legal basis —
/// exact names first, then names the text contains.
pub fn resolve(vocabulary: &Vocabulary, text: &str) -> Result<Subject, String> {
    let (categories, name): (Vec<Category>, &str) = match text.split_once(':') {
        Some((p, rest)) => {
            let category = SEARCHED
                .into_iter()
                .find(|c| prefix(*c) == p.trim().to_lowercase())
                .ok_or_else(|| {
                    format!(
                        "unknown subject kind \"{p}\": use topic:, data:, recipient:, purpose:, basis: or mechanism:"
                    )
                })?;
            (vec![category], rest.trim())
        }
        None => (SEARCHED.to_vec(), text.trim()),
    };
    let wanted = crate::model::vocabulary::normalize_label(name);
    // Exact names first across every category, so "email" is the data
    // category rather than a topic whose name happens to contain it.
    for exact in [true, false] {
        for &category in &categories {
            if let Some(term) = vocabulary.lookup(category, name) {
                let is_exact = std::iter::once(&term.id)
                    .chain(std::iter::once(&term.label))
                    .chain(&term.synonyms)
                    .any(|n| crate::model::vocabulary::normalize_label(n) == wanted);
                if is_exact == exact {
                    return Ok(subject(category, term.id.clone()));
                }
            }
        }
    }
    let topics: Vec<&str> = vocabulary
        .terms(Category::Topics)
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    Err(format!(
        "\"{text}\" is not a topic or a term of the vocabulary; topics: {}",
        topics.join(", ")
    ))
}

fn subject(category: Category, id: String) -> Subject {
    match category {
        Category::Topics => Subject::Topic(id),
        category => Subject::Term { category, id },
    }
}

/// One flow of a column: where it is and what it says, labels as worded.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRef {
    pub context: String,
    pub context_name: String,
    /// Index of the flow in its context.
    pub index: usize,
    pub does: bool,
    /// What the flow says is done: collected, used, shared, sold.
    pub action: Action,
    /// For a negative: how far it reaches.
    pub scope: Option<Scope>,
    /// For a negative: the words that limit it ("knowingly").
    pub qualifier: Option<Arc<str>>,
    /// The flow names only narrower terms (Salesforce, for service providers).
    pub rolled_up: bool,
    /// The labels of the subject's field that map to the subject.
    pub matched: Vec<Arc<str>>,
    pub evidence: Vec<Arc<str>>,
}

impl FlowRef {
    /// "▲ shared", "● collected ↑" (through a narrower term), "✗ not sold",
    /// "✗ not collected (knowingly)", "✗ not sold (policy-wide)"; a flow's
    /// line names its context, which bounds a negative by default.
    pub fn label(&self) -> String {
        let done = self.action.done();
        let mut label = if self.does {
            let mark = match self.action {
                Action::Share | Action::Sell => "▲",
                Action::Collect | Action::Use => "●",
            };
            format!("{mark} {done}")
        } else {
            format!("✗ not {done}")
        };
        if self.rolled_up {
            label.push_str(" ↑");
        }
        if let Some(qualifier) = &self.qualifier {
            label.push_str(&format!(" ({qualifier})"));
        }
        if self.scope == Some(Scope::Policy) {
            label.push_str(" (policy-wide)");
        }
        label
    }
}

/// One policy's column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Index into the policies given.
    pub policy: usize,
    /// Clause ids, document order.
    pub clauses: Vec<String>,
    /// For a vocabulary term: the flows that mention it.
    pub flows: Vec<FlowRef>,
}

impl Column {
    /// Nothing on the subject: "not addressed".
    pub fn is_silent(&self) -> bool {
        self.clauses.is_empty() && self.flows.is_empty()
    }
}

/// The columns of a topic compare, one per policy, in the order given.
pub fn compare_topic(
    policies: &[&Policy],
    vocabulary: &Vocabulary,
    subject: &Subject,
) -> Vec<Column> {
    policies
        .iter()
        .enumerate()
        .map(|(index, policy)| column(index, policy, vocabulary, subject))
        .collect()
}

fn column(index: usize, policy: &Policy, vocabulary: &Vocabulary, subject: &Subject) -> Column {
    match subject {
        Subject::Topic(topic) => Column {
            policy: index,
            clauses: policy
                .clauses()
                .filter(|(_, c)| {
                    c.topics.iter().any(|t| {
                        **t == **topic || vocabulary.normalize(Category::Topics, t) == *topic
                    })
                })
                .map(|(_, c)| c.id.clone())
                .collect(),
            flows: Vec::new(),
        },
        Subject::Term { category, id } => {
            let definitions: HashSet<&str> = policy
                .clauses()
                .filter(|(_, c)| c.role.is_some())
                .map(|(_, c)| c.id.as_str())
                .collect();
            let mut flows = Vec::new();
            let mut path: Vec<&str> = Vec::new();
            for (depth, context) in policy.contexts_flat() {
                path.truncate(depth);
                path.push(&context.id);
                for (fi, flow) in context.flows.iter().enumerate() {
                    // A definition or an example states no practice.
                    if !flow.evidence.is_empty()
                        && flow.evidence.iter().all(|e| definitions.contains(&**e))
                    {
                        continue;
                    }
                    let labels = match category {
                        Category::Data => &flow.data,
                        Category::Recipients => &flow.recipients,
                        Category::Purposes => &flow.purposes,
                        Category::Bases | Category::Mechanisms => &flow.basis,
                        _ => continue,
                    };
                    let mut direct = false;
                    let matched: Vec<Arc<str>> = labels
                        .iter()
                        .filter(|l| {
                            let term = vocabulary.normalize(*category, l);
                            if term == *id {
                                direct = true;
                                return true;
                            }
                            // A negative about a narrower term says nothing
                            // of the broader one; a practice does.
                            flow.does && vocabulary.is_a(*category, &term, id)
                        })
                        .cloned()
                        .collect();
                    if !matched.is_empty() {
                        flows.push(FlowRef {
                            context: path.join("/"),
                            context_name: context.name.clone(),
                            index: fi,
                            does: flow.does,
                            action: flow.action(),
                            scope: flow.scope(),
                            qualifier: flow.qualifier.clone(),
                            rolled_up: !direct,
                            matched,
                            evidence: flow.evidence.clone(),
                        });
                    }
                }
            }
            let cited: std::collections::HashSet<&str> = flows
                .iter()
                .flat_map(|f| f.evidence.iter().map(|e| &**e))
                .collect();
            let clauses = policy
                .clauses()
                .filter(|(_, c)| cited.contains(c.id.as_str()))
                .map(|(_, c)| c.id.clone())
                .collect();
            Column {
                policy: index,
                clauses,
                flows,
            }
        }
    }
}
