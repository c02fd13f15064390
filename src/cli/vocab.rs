//! `qualm vocab [PATH...] [--unmapped]`: how each label of the models maps
//! to the vocabulary (the term, the rule that found it, the chain of
//! broader terms) and which labels map to nothing, so a mapping can be
//! checked by reading rather than trusted because no warning was shown.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use crate::model::{self, sanitize::sanitize, Category, Vocabulary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VocabFormat {
    Text,
    Json,
}

/// One distinct label of one field, across the policies loaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMapping {
    /// The flow field: data, purposes, basis or recipients.
    pub field: &'static str,
    pub label: String,
    /// The category the term was found in (a basis may name a transfer
    /// mechanism); `None` when unmapped.
    pub category: Option<&'static str>,
    pub term: Option<String>,
    pub rule: Option<&'static str>,
    /// The broader terms up to the top, nearest first.
    pub chain: Vec<String>,
    /// The ids of the policies that use the label.
    pub policies: Vec<String>,
}

const FIELDS: [(&str, Category); 4] = [
    ("data", Category::Data),
    ("purposes", Category::Purposes),
    ("basis", Category::Bases),
    ("recipients", Category::Recipients),
];

/// Every distinct label of the policies' flows, by field then label, with
/// how it maps.
pub fn mappings(corpus: &model::Corpus) -> Vec<LabelMapping> {
    let mut seen: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    for loaded in &corpus.policies {
        let policy = &loaded.policy;
        for (_, context) in policy.contexts_flat() {
            for flow in &context.flows {
                let lists = [&flow.data, &flow.purposes, &flow.basis, &flow.recipients];
                for (field, labels) in lists.into_iter().enumerate() {
                    for label in labels {
                        let users = seen.entry((field, label.to_string())).or_default();
                        if !users.contains(&policy.id) {
                            users.push(policy.id.clone());
                        }
                    }
                }
            }
        }
    }
    seen.into_iter()
        .map(|((field, label), policies)| {
            let (name, category) = FIELDS[field];
            map_label(&corpus.vocabulary, name, category, label, policies)
        })
        .collect()
}

fn map_label(
    vocabulary: &Vocabulary,
    field: &'static str,
    category: Category,
    label: String,
    policies: Vec<String>,
) -> LabelMapping {
    let found = vocabulary
        .map(category, &label)
        .map(|m| (category, m))
        .or_else(|| {
            (category == Category::Bases)
                .then(|| vocabulary.map(Category::Mechanisms, &label))
                .flatten()
                .map(|m| (Category::Mechanisms, m))
        });
    let (category, term, rule, chain) = match found {
        Some((category, m)) => (
            Some(category.name()),
            Some(m.term.id.clone()),
            Some(m.rule.as_str()),
            vocabulary
                .broader_chain(category, &m.term.id)
                .into_iter()
                .map(|t| t.id.clone())
                .collect(),
        ),
        None => (None, None, None, Vec::new()),
    };
    LabelMapping {
        field,
        label,
        category,
        term,
        rule,
        chain,
        policies,
    }
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    labels: Vec<&'a LabelMapping>,
    mapped: usize,
    unmapped: usize,
}

pub fn run(paths: &[PathBuf], unmapped_only: bool, format: VocabFormat) -> i32 {
    let corpus = model::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let all = mappings(&corpus);
    let unmapped = all.iter().filter(|m| m.term.is_none()).count();
    let shown: Vec<&LabelMapping> = all
        .iter()
        .filter(|m| !unmapped_only || m.term.is_none())
        .collect();
    let out = match format {
        VocabFormat::Json => {
            let doc = JsonDoc {
                labels: shown,
                mapped: all.len() - unmapped,
                unmapped,
            };
            serde_json::to_string_pretty(&doc).expect("json") + "\n"
        }
        VocabFormat::Text => text(&shown, all.len(), unmapped),
    };
    let code = super::emit(&out);
    if corpus.error_count() > 0 {
        1
    } else {
        code
    }
}

/// `field  label -> term [rule] < broader < ...  (policies)`, one a line.
fn text(shown: &[&LabelMapping], total: usize, unmapped: usize) -> String {
    let mut out = String::new();
    for m in shown {
        // Labels were sanitized at load; terms come from a vocabulary file.
        let (label, _) = sanitize(&m.label);
        let target = match (&m.term, m.rule) {
            (Some(term), Some(rule)) => {
                let mut t = format!("{} [{rule}]", sanitize(term).0);
                for broader in &m.chain {
                    let _ = write!(t, " < {}", sanitize(broader).0);
                }
                t
            }
            _ => String::from("(unmapped)"),
        };
        let _ = writeln!(
            out,
            "{:<10} {label} -> {target}  ({})",
            m.field,
            m.policies.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} labels: {} mapped, {unmapped} unmapped",
        total,
        total - unmapped
    );
    out
}
