//! Fuzzy search over everything an analyst jumps to by name: policies,
//! contexts, clauses, data and recipient labels, and notes.
//!
//! Items are built from a loaded corpus and its review notes
//! ([`Items::from_corpus_with_notes`]; a note is a [`Kind::Note`] item,
//! id = note id, text = its kind and body); an [`Index`] turns them into a
//! term dictionary so a keystroke scores each distinct word once instead of
//! every clause; a [`Session`] narrows from the previous keystroke's hits;
//! a [`Searcher`] runs sessions on a worker thread, where a newer query
//! cancels an older one. No TUI types live here.

mod ids;
mod index;
mod items;
mod score;
mod worker;

pub use ids::{IdHit, IdMatcher, IdMatches, IdResults, IdSearcher, IdTable};
pub use index::{Group, Hit};
pub use index::{Index, Session, Stats};
pub use items::{ItemRef, Items};
pub use score::{fold, highlight, term_score, words};
pub use worker::{run_query, Found, FoundGroup, Results, Searcher};

use std::sync::Arc;

use serde::Serialize;

use crate::model::{Context, Corpus};
use crate::review::ReviewSet;

/// How many hits of each kind the palette keeps (and `n`/`N` step
/// through); `qualm search` prints them all.
pub const PALETTE_HITS_PER_KIND: usize = 50;

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Policy,
    Context,
    Clause,
    Data,
    Recipient,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Policy,
        Kind::Context,
        Kind::Clause,
        Kind::Data,
        Kind::Recipient,
        Kind::Note,
    ];

    /// The lowercase name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Context => "context",
            Kind::Clause => "clause",
            Kind::Data => "data",
            Kind::Recipient => "recipient",
            Kind::Note => "note",
        }
    }

    /// Of two groups whose best hits score alike, the lower rank is shown
    /// first: names and labels, short and many to a screen, before clauses.
    pub fn display_rank(self) -> u8 {
        match self {
            Kind::Policy => 0,
            Kind::Context => 1,
            Kind::Recipient => 2,
            Kind::Data => 3,
            Kind::Note => 4,
            Kind::Clause => 5,
        }
    }

    /// The heading of its group in the palette.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Policy => "Policies",
            Kind::Context => "Contexts",
            Kind::Clause => "Clauses",
            Kind::Data => "Data",
            Kind::Recipient => "Recipients",
            Kind::Note => "Notes",
        }
    }
}

/// One thing search can find: its kind, the id of its policy, its own id
/// (what a jump needs) and the text that is matched and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchItem {
    pub kind: Kind,
    pub policy: String,
    pub id: String,
    pub text: String,
}

/// The searchable items of a corpus, policy by policy:
/// - a policy: id = policy id, text = "id · organization · title";
/// - a context: id = context id, text = its name;
/// - a clause: id = clause id, text = its text;
/// - a data or recipient label: once per policy (the same label in many
///   flows is one hit), id = the id of the first context, depth first,
///   whose flows use it, so a jump opens a card that shows it; text = the
///   label as the policy words it.
pub fn items_from_corpus(corpus: &Corpus) -> Vec<SearchItem> {
    let mut items = Vec::new();
    visit_corpus(corpus, |kind, policy, id, text| {
        items.push(SearchItem {
            kind,
            policy: policy.to_string(),
            id: id.to_string(),
            text: text.to_string(),
        })
    });
    items
}

impl Items {
    /// The items of a corpus as [`items_from_corpus`] lists them, without
    /// a `String` per field on the way.
    /// Clause texts and labels are shared with the corpus, not copied.
    pub fn from_corpus(corpus: &Corpus) -> Items {
        let mut items = Items::new();
        visit_corpus(corpus, |kind, policy, id, text| {
            items.push(kind, policy, id, text)
        });
        items
    }

    /// Everything the palette and `qualm search` look through: the
    /// corpus's items and every review note.
    pub fn from_corpus_with_notes(corpus: &Corpus, reviews: &ReviewSet) -> Items {
        let mut items = Items::from_corpus(corpus);
        for (pi, note) in reviews.all_notes() {
            let text = format!("{} · {}", note.kind, note.body);
            items.push(Kind::Note, &corpus.policies[pi].policy.id, &note.id, text);
        }
        items
    }
}

fn visit_corpus(corpus: &Corpus, mut item: impl FnMut(Kind, &str, &str, Arc<str>)) {
    for loaded in &corpus.policies {
        let p = &loaded.policy;
        let name = format!("{} · {} · {}", p.id, p.organization, p.title);
        item(Kind::Policy, &p.id, &p.id, name.into());
        let contexts: Vec<&Context> = p.contexts_flat().into_iter().map(|(_, c)| c).collect();
        for c in &contexts {
            item(Kind::Context, &p.id, &c.id, c.name.as_str().into());
        }
        for (_, clause) in p.clauses() {
            item(Kind::Clause, &p.id, &clause.id, Arc::clone(&clause.text));
        }
        for (kind, labels) in [
            (Kind::Data, labels_of(&contexts, |f| &f.data)),
            (Kind::Recipient, labels_of(&contexts, |f| &f.recipients)),
        ] {
            for (label, context) in labels {
                item(kind, &p.id, context, Arc::clone(label));
            }
        }
    }
}

/// Each distinct label (exact wording) with the first context using it.
fn labels_of<'a>(
    contexts: &[&'a Context],
    field: impl Fn(&'a crate::model::Flow) -> &'a Vec<Arc<str>>,
) -> Vec<(&'a Arc<str>, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for c in contexts {
        for flow in &c.flows {
            for label in field(flow) {
                if seen.insert(&**label) {
                    out.push((label, c.id.as_str()));
                }
            }
        }
    }
    out
}
