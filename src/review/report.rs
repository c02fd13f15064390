//! Notes for people and machines: a Markdown report an auditor can hand
//! over (grouped by policy, then severity, quoting the clause text), JSON,
//! and CSV for spreadsheets.

use std::fmt::Write;

use serde::Serialize;

use crate::model::{Category, Corpus, Policy};

use super::anchor::{resolve, Anchor};
use super::note::{Note, Severity};
use super::store::ReviewSet;

/// What a report says about itself: its title, when, what it covers.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub title: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// The folders the notes were read from.
    pub folder: String,
    /// The policies asked for (empty: all).
    pub policies: Vec<String>,
}

/// Notes per policy and severity, the table a client reads first.
pub fn summary_counts(reviews: &ReviewSet) -> Vec<(String, [usize; 5])> {
    reviews
        .reviews
        .iter()
        .filter(|r| !r.file.notes.is_empty())
        .map(|r| {
            let mut counts = [0; 5];
            for note in &r.file.notes {
                counts[note.severity as usize] += 1;
            }
            (r.policy.clone(), counts)
        })
        .collect()
}

fn summary_markdown(out: &mut String, corpus: &Corpus, reviews: &ReviewSet) {
    let rows = summary_counts(reviews);
    if rows.is_empty() {
        return;
    }
    out.push_str("| policy | critical | high | medium | low | info |\n| --- | --- | --- | --- | --- | --- |\n");
    for (policy, counts) in rows {
        let title = corpus
            .policy(&policy)
            .map(|p| format!("{} ({})", p.policy.organization, p.policy.date_label()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {policy} {title} | {} | {} | {} | {} | {} |",
            counts[4], counts[3], counts[2], counts[1], counts[0]
        );
    }
    out.push('\n');
}

/// One note as reports show it.
#[derive(Debug, Serialize)]
pub struct NoteRow {
    pub id: String,
    pub policy: String,
    pub target: String,
    pub kind: String,
    pub severity: String,
    pub status: String,
    pub author: String,
    pub created: String,
    pub updated: String,
    pub body: String,
    pub detached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<ReplyRow>,
}

#[derive(Debug, Serialize)]
pub struct ReplyRow {
    pub author: String,
    pub created: String,
    pub body: String,
}

pub fn row(policy: &Policy, note: &Note) -> NoteRow {
    NoteRow {
        id: note.id.clone(),
        policy: policy.id.clone(),
        target: note.target.key(),
        kind: note.kind.clone(),
        severity: note.severity.to_string(),
        status: note.status.to_string(),
        author: note.author.clone(),
        created: note.created.clone(),
        updated: note.updated.clone(),
        body: note.body.clone(),
        detached: resolve(policy, &note.target).is_detached(),
        quote: note.target.quote.clone(),
        replies: note
            .replies
            .iter()
            .map(|r| ReplyRow {
                author: r.author.clone(),
                created: r.created.clone(),
                body: r.body.clone(),
            })
            .collect(),
    }
}

/// Every note of the folder, policy by policy, most severe first.
pub fn rows(corpus: &Corpus, reviews: &ReviewSet) -> Vec<NoteRow> {
    let mut out = Vec::new();
    for (pi, review) in reviews.reviews.iter().enumerate() {
        let policy = &corpus.policies[pi].policy;
        let mut notes: Vec<&Note> = review.file.notes.iter().collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.severity));
        out.extend(notes.into_iter().map(|n| row(policy, n)));
    }
    out
}

pub fn json(rows: &[NoteRow]) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        notes: &'a [NoteRow],
    }
    serde_json::to_string_pretty(&Report { notes: rows }).expect("rows serialize") + "\n"
}

pub fn csv(rows: &[NoteRow]) -> String {
    let mut out = String::from(
        "id,policy,target,kind,severity,status,author,created,updated,detached,quote,body,replies\n",
    );
    for r in rows {
        let fields = [
            r.id.as_str(),
            &r.policy,
            &r.target,
            &r.kind,
            &r.severity,
            &r.status,
            &r.author,
            &r.created,
            &r.updated,
            if r.detached { "true" } else { "false" },
            r.quote.as_deref().unwrap_or(""),
            &r.body,
            &replies_text(&r.replies),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Replies in one CSV field: `author (time): body`, one per line.
fn replies_text(replies: &[ReplyRow]) -> String {
    replies
        .iter()
        .map(|r| format!("{} ({}): {}", r.author, r.created, r.body.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// RFC 4180 quoting, and a leading `'` before `= + - @` so a spreadsheet
/// never runs a note's text as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The Markdown report: per policy, per severity, each note with what it
/// is about, the clause text it concerns (its quote in bold), and replies.
pub fn markdown(corpus: &Corpus, reviews: &ReviewSet, meta: &ReportMeta) -> String {
    let mut out = format!("# {}\n\n", meta.title);
    let total: usize = reviews.reviews.iter().map(|r| r.file.notes.len()).sum();
    let policies = reviews
        .reviews
        .iter()
        .filter(|r| !r.file.notes.is_empty())
        .count();
    let _ = writeln!(out, "{} · {}\n", meta.date, meta.folder);
    let _ = writeln!(
        out,
        "{total} note{} on {policies} polic{}.\n",
        if total == 1 { "" } else { "s" },
        if policies == 1 { "y" } else { "ies" }
    );
    summary_markdown(&mut out, corpus, reviews);
    for (pi, review) in reviews.reviews.iter().enumerate() {
        if review.file.notes.is_empty() {
            continue;
        }
        let policy = &corpus.policies[pi].policy;
        let _ = writeln!(
            out,
            "## {} — {} ({})\n",
            policy.organization,
            policy.title,
            policy.date_label()
        );
        for severity in Severity::ALL.iter().rev() {
            let notes: Vec<&Note> = review
                .file
                .notes
                .iter()
                .filter(|n| n.severity == *severity)
                .collect();
            if notes.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "### {} ({})\n",
                capitalize(severity.as_str()),
                notes.len()
            );
            for note in notes {
                note_markdown(&mut out, corpus, policy, note);
            }
        }
    }
    out
}

/// A concern kind's label from the vocabulary, else its id.
pub fn concern_label<'a>(corpus: &'a Corpus, kind: &'a str) -> &'a str {
    corpus
        .vocabulary
        .terms(Category::Concerns)
        .iter()
        .find(|t| t.id == kind)
        .map_or(kind, |t| t.label.as_str())
}

fn note_markdown(out: &mut String, corpus: &Corpus, policy: &Policy, note: &Note) {
    let kind = concern_label(corpus, &note.kind);
    let anchor = resolve(policy, &note.target);
    let _ = writeln!(
        out,
        "#### {kind}: {} [{}]\n",
        target_words(policy, &anchor, &note.target.key()),
        note.status
    );
    let _ = writeln!(
        out,
        "*{} · {} · note {}*\n",
        note.author, note.created, note.id
    );
    match &anchor {
        Anchor::Clause {
            position,
            span,
            moved,
        } => {
            let clause = &policy.sections[position.0].clauses[position.1];
            let text = match span {
                Some(span) => format!(
                    "{}**{}**{}",
                    &clause.text[..span.start],
                    &clause.text[span.clone()],
                    &clause.text[span.end..]
                ),
                None => clause.text.to_string(),
            };
            let _ = writeln!(out, "{}\n", quote_block(&text));
            if *moved {
                let _ = writeln!(
                    out,
                    "(The quoted text has moved to clause `{}`.)\n",
                    clause.id
                );
            }
        }
        Anchor::Detached { reason } => {
            let _ = writeln!(out, "**Detached**: {reason}.");
            if let Some(quote) = &note.target.quote {
                let _ = writeln!(out, "The note quoted:\n\n{}", quote_block(quote));
            }
            out.push('\n');
        }
        _ => {}
    }
    if !note.body.is_empty() {
        let _ = writeln!(out, "{}\n", note.body.trim_end());
    }
    for reply in &note.replies {
        let _ = writeln!(
            out,
            "- **{}** ({}): {}",
            reply.author,
            reply.created,
            reply.body.trim_end()
        );
    }
    if !note.replies.is_empty() {
        out.push('\n');
    }
}

/// What a note is about, in words: `clause 4.2 (Data retention)`.
pub fn target_words(policy: &Policy, anchor: &Anchor, key: &str) -> String {
    match anchor {
        Anchor::Policy => "the whole policy".to_string(),
        Anchor::Section(si) => format!("section \"{}\"", policy.sections[*si].heading),
        Anchor::Clause { position, .. } => {
            let section = &policy.sections[position.0];
            format!(
                "clause `{}` in \"{}\"",
                section.clauses[position.1].id, section.heading
            )
        }
        Anchor::Context { path, flow } => {
            let context = policy.context_at(path);
            match flow {
                Some(i) => format!("flow {} of \"{}\"", i + 1, context.name),
                None => format!("\"{}\"", context.name),
            }
        }
        Anchor::Detached { .. } => format!("`{key}`"),
    }
}

fn quote_block(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("plain"), "plain");
    }
}
