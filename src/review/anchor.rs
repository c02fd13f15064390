//! Finding a note's target again in the policy as it is now. Ids are looked
//! up; a quoted span is searched for in its clause (whitespace-insensitive,
//! the remembered text either side choosing between repeats), then in the
//! other clauses of the policy. A note whose target is gone is detached,
//! shown with its old quote, never dropped.

use std::ops::Range;

use crate::model::Policy;

use super::note::Target;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Policy,
    Section(usize),
    /// A clause (section index, clause index) and, for a span note, the
    /// byte range of the quote in the clause text. `moved` says the quote
    /// was found in another clause than the one it was made on.
    Clause {
        position: (usize, usize),
        span: Option<Range<usize>>,
        moved: bool,
    },
    /// A context by its index path, and a flow's 0-based index in it.
    Context {
        path: Vec<usize>,
        flow: Option<usize>,
    },
    Detached {
        reason: String,
    },
}

impl Anchor {
    pub fn is_detached(&self) -> bool {
        matches!(self, Anchor::Detached { .. })
    }
}

pub fn resolve(policy: &Policy, target: &Target) -> Anchor {
    if let Some(id) = &target.section {
        return match policy.sections.iter().position(|s| &s.id == id) {
            Some(si) => Anchor::Section(si),
            None => detached(format!("section `{id}` is no longer in the policy")),
        };
    }
    if let Some(flow_id) = &target.flow_id {
        // By id the flow is found wherever it is now, moved or not.
        return match find_flow(&policy.contexts, flow_id, &mut Vec::new()) {
            Some((path, index)) => Anchor::Context {
                path,
                flow: Some(index),
            },
            None => detached(format!("flow `{flow_id}` is no longer in the policy")),
        };
    }
    if let Some(id) = &target.context {
        let Some(path) = policy.context_path(id) else {
            return detached(format!("context `{id}` is no longer in the policy"));
        };
        let Some(number) = target.flow else {
            return Anchor::Context { path, flow: None };
        };
        let flows = policy.context_at(&path).flows.len();
        if number == 0 || number > flows {
            return detached(format!("context `{id}` has no flow {number} any more"));
        }
        return Anchor::Context {
            path,
            flow: Some(number - 1),
        };
    }
    if let Some(id) = &target.clause {
        return resolve_clause(policy, id, target);
    }
    Anchor::Policy
}

/// The index path of the context holding flow `id`, and its index there.
fn find_flow(
    contexts: &[crate::model::Context],
    id: &str,
    path: &mut Vec<usize>,
) -> Option<(Vec<usize>, usize)> {
    for (ci, context) in contexts.iter().enumerate() {
        path.push(ci);
        if let Some(fi) = context
            .flows
            .iter()
            .position(|f| f.id.as_deref() == Some(id))
        {
            return Some((path.clone(), fi));
        }
        if let Some(found) = find_flow(&context.contexts, id, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// Turns every note target naming a flow by its place (`flow: N`) into one
/// naming it by id, as the model now stands: the number of notes changed.
/// Done once, before flows can move, so a note stays on its flow.
pub fn migrate_flow_targets(file: &mut super::note::ReviewFile, policy: &Policy) -> usize {
    let mut changed = 0;
    for note in &mut file.notes {
        let target = &mut note.target;
        let (Some(context), Some(number)) = (&target.context, target.flow) else {
            continue;
        };
        let Some(path) = policy.context_path(context) else {
            continue;
        };
        let flows = &policy.context_at(&path).flows;
        if let Some(id) = number
            .checked_sub(1)
            .and_then(|i| flows.get(i)?.id.as_deref())
        {
            target.flow = None;
            target.flow_id = Some(id.to_string());
            changed += 1;
        }
    }
    changed
}

fn resolve_clause(policy: &Policy, id: &str, target: &Target) -> Anchor {
    let home = policy.clause_position(id);
    let Some(quote) = target.quote.as_deref() else {
        return match home {
            Some(position) => Anchor::Clause {
                position,
                span: None,
                moved: false,
            },
            None => detached(format!("clause `{id}` is no longer in the policy")),
        };
    };
    let before = target.before.as_deref().unwrap_or("");
    let after = target.after.as_deref().unwrap_or("");
    if let Some((si, ci)) = home {
        let text = &policy.sections[si].clauses[ci].text;
        if let Some(span) = best_occurrence(text, quote, before, after) {
            return Anchor::Clause {
                position: (si, ci),
                span: Some(span),
                moved: false,
            };
        }
    }
    // Elsewhere in the policy: the best-fitting occurrence wins, the first
    // in document order among equals.
    let mut best: Option<(usize, (usize, usize), Range<usize>)> = None;
    for (si, section) in policy.sections.iter().enumerate() {
        for (ci, clause) in section.clauses.iter().enumerate() {
            for span in occurrences(&clause.text, quote) {
                let fit = context_fit(&clause.text, &span, before, after);
                if best.as_ref().is_none_or(|b| fit > b.0) {
                    best = Some((fit, (si, ci), span));
                }
            }
        }
    }
    match best {
        Some((_, position, span)) => Anchor::Clause {
            position,
            span: Some(span),
            moved: true,
        },
        None => detached(format!(
            "the quoted text is no longer in clause `{id}` or elsewhere"
        )),
    }
}

fn detached(reason: String) -> Anchor {
    Anchor::Detached { reason }
}

fn best_occurrence(text: &str, quote: &str, before: &str, after: &str) -> Option<Range<usize>> {
    occurrences(text, quote).into_iter().max_by_key(|span| {
        (
            context_fit(text, span, before, after),
            std::cmp::Reverse(span.start),
        )
    })
}

/// How many characters of the remembered context still surround the span.
fn context_fit(text: &str, span: &Range<usize>, before: &str, after: &str) -> usize {
    let common_suffix = text[..span.start]
        .chars()
        .rev()
        .zip(before.chars().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let common_prefix = text[span.end..]
        .chars()
        .zip(after.chars())
        .take_while(|(a, b)| a == b)
        .count();
    common_suffix + common_prefix
}

/// Byte ranges in `text` where `quote` occurs, any run of whitespace in
/// either matching any run in the other, so re-wrapped text still matches.
pub fn occurrences(text: &str, quote: &str) -> Vec<Range<usize>> {
    let words: Vec<&str> = quote.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(first) {
        let start = from + found;
        if let Some(end) = match_words(text, start, &words) {
            out.push(start..end);
        }
        from = start + first.len();
    }
    out
}

fn match_words(text: &str, start: usize, words: &[&str]) -> Option<usize> {
    let mut at = start;
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let rest = &text[at..];
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            at += rest.len() - trimmed.len();
        }
        if !text[at..].starts_with(word) {
            return None;
        }
        at += word.len();
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_quotes_across_rewrapped_whitespace() {
        assert_eq!(
            occurrences("keep it  until\nwe need", "until we"),
            vec![9..17]
        );
        assert_eq!(occurrences("a b a b", "a b"), vec![0..3, 4..7]);
        assert!(occurrences("ab", "a b").is_empty());
    }

    #[test]
    fn context_chooses_between_repeats() {
        let text = "we sell data. we do not sell data.";
        assert_eq!(
            best_occurrence(text, "sell data", "we do not ", ""),
            Some(24..33)
        );
        assert_eq!(
            best_occurrence(text, "sell data", "we ", ". we"),
            Some(3..12)
        );
    }

    #[test]
    fn a_note_by_place_is_migrated_to_the_flow_id_and_follows_a_moved_flow() {
        let text = "schema: 1
policy: {id: p, organization: O, title: T, effective: 2024-01-01}
sections:
  - {id: s, heading: S, clauses: [{id: s.1, text: We collect.}]}
contexts:
  - id: a
    name: A
    flows:
      - {id: a.1, data: [x], evidence: [s.1]}
      - {id: a.2, data: [y], evidence: [s.1]}
  - {id: b, name: B}
";
        let file: crate::model::types::ModelFile = serde_yaml::from_str(text).unwrap();
        let mut policy = Policy::from(file);
        let mut review = super::super::ReviewFile::new("p");
        let note: super::super::Note = serde_yaml::from_str(
            "{id: abcdef, target: {context: a, flow: 2}, kind: k, severity: low, status: open,
              author: t, created: c, updated: u, body: b}",
        )
        .unwrap();
        review.notes.push(note);
        assert_eq!(migrate_flow_targets(&mut review, &policy), 1);
        assert_eq!(review.notes[0].target, Target::flow_by_id("a", "a.2"));
        // Migrated once: nothing by place is left.
        assert_eq!(migrate_flow_targets(&mut review, &policy), 0);
        // The flow moves to context b, ahead of nothing: the note follows.
        let moved = policy.contexts[0].flows.remove(1);
        policy.contexts[1].flows.push(moved);
        assert_eq!(
            resolve(&policy, &review.notes[0].target),
            Anchor::Context {
                path: vec![1],
                flow: Some(0)
            }
        );
    }
}
