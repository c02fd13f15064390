//! The report a client receives: one self-contained HTML file (inline CSS
//! and SVG, no script, no network), readable on screen and printed to PDF
//! from a browser (A4, a page per policy). It opens with a summary (notes
//! by policy and severity, grades and checklist completeness), then
//! heatmaps (data categories and recipients against policies from the
//! matrix, notes by concern kind, checklist items), then each policy's
//! notes with the clause text they concern and their replies.
//!
//! Written by hand rather than through a template crate: the page is a few
//! tables, and every string from a file goes through `escape` here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::compare::matrix::{matrix, By, Cell, CellValue, Matrix, Tone};
use crate::findings::checklist::ItemState;
use crate::findings::Report as Findings;
use crate::model::{Corpus, Policy};

use super::anchor::{resolve, Anchor};
use super::note::{Note, Severity};
use super::report::{concern_label, summary_counts, target_words, ReportMeta};
use super::store::ReviewSet;

/// HTML text: `& < > " '` as entities, and control characters dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #5a6270; --line: #d6dae0; --accent: #2851a3; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .2rem; }
.meta, .by { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: .85rem; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
.heatmap td { text-align: center; white-space: nowrap; }
.heatmap th[scope=row] { font-weight: normal; white-space: nowrap; }
.cell-shared { background: #f4a3a3; } .cell-sold { background: #e36b6b; }
.cell-collected { background: #f7d794; } .cell-negative { background: #b8dfc1; }
.cell-unspecified { background: #fafbfc; color: #9aa3ad; }
.cell-present { background: #b8dfc1; } .cell-missing { background: #f4a3a3; }
.cell-na { background: #fafbfc; color: #9aa3ad; } .cell-notstated { background: #eef0f3; }
.heat-0 { background: #fafbfc; color: #9aa3ad; } .heat-1 { background: #fde3c8; }
.heat-2 { background: #f9bf8f; } .heat-3 { background: #f28b5b; } .heat-4 { background: #d9532d; color: #fff; }
.grade { display: inline-block; min-width: 1.8em; text-align: center; font-weight: 700; border-radius: .3em; padding: 0 .3em; }
.grade-A { background: #3f9f5a; color: #fff; } .grade-B { background: #8cc265; } .grade-C { background: #f2d15a; }
.grade-D { background: #f29b4b; } .grade-E { background: #d9473c; color: #fff; } .grade-NA { background: #ddd; }
blockquote { margin: .4rem 0 .6rem; padding: .3rem .8rem; border-left: 4px solid var(--line); background: #f8f9fb; }
mark { background: #ffe58a; }
.note { page-break-inside: avoid; break-inside: avoid; }
.sev { font-size: .8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; }
.sev-critical { color: #a4161a; } .sev-high { color: #c2410c; } .sev-medium { color: #a16207; }
.sev-low { color: #3f6212; } .sev-info { color: #475569; }
.replies { margin: .3rem 0 0 1rem; padding-left: .8rem; border-left: 2px solid var(--line); }
.legend span { display: inline-block; padding: 0 .4rem; margin-right: .3rem; border: 1px solid var(--line); font-size: .8rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  @page { size: A4; margin: 16mm 14mm; }
  section.policy { page-break-before: always; break-before: page; }
  h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole page.
pub fn report(
    corpus: &Corpus,
    reviews: &ReviewSet,
    findings: &Findings,
    meta: &ReportMeta,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&meta.title)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} · {} · generated by qualm {}</p>\n</header>",
        escape(&meta.title),
        escape(&meta.date),
        escape(&meta.folder),
        env!("CARGO_PKG_VERSION")
    );
    let policies: Vec<&Policy> = corpus
        .policies
        .iter()
        .map(|p| &p.policy)
        .filter(|p| meta.policies.is_empty() || meta.policies.contains(&p.id))
        .collect();
    summary(&mut out, reviews, findings, &policies);
    out.push_str("<section id=\"heatmaps\">\n<h2>Heatmaps</h2>\n");
    let data = matrix(&policies, &corpus.vocabulary, By::Data);
    matrix_table(&mut out, "Data categories × policies", &data, &policies);
    let recipients = matrix(&policies, &corpus.vocabulary, By::Recipients);
    matrix_table(&mut out, "Recipients × policies", &recipients, &policies);
    concerns_table(&mut out, corpus, reviews, &policies);
    checklist_table(&mut out, findings, &policies);
    out.push_str("</section>\n");
    for (pi, review) in reviews.reviews.iter().enumerate() {
        if review.file.notes.is_empty() {
            continue;
        }
        let policy = &corpus.policies[pi].policy;
        policy_section(&mut out, corpus, policy, &review.file.notes);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn summary(out: &mut String, reviews: &ReviewSet, findings: &Findings, policies: &[&Policy]) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let counts: BTreeMap<String, [usize; 5]> = summary_counts(reviews).into_iter().collect();
    let total: usize = counts.values().flatten().sum();
    let _ = writeln!(
        out,
        "<p>{total} note{} on {} of {} policies.</p>",
        if total == 1 { "" } else { "s" },
        counts.len(),
        policies.len()
    );
    out.push_str("<table class=\"summary\">\n<thead><tr><th>policy</th><th>date</th><th>grade</th><th>checklists</th>");
    for s in Severity::ALL.iter().rev() {
        let _ = write!(out, "<th>{}</th>", s.as_str());
    }
    out.push_str("<th>notes</th></tr></thead>\n<tbody>\n");
    let max = counts
        .values()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    for policy in policies {
        let result = findings.policies.iter().find(|p| p.id == policy.id);
        let grade = result.map_or("N/A", |r| r.grade.as_str());
        let lists: Vec<String> = result
            .map(|r| {
                r.checklists
                    .iter()
                    .map(|l| {
                        let (present, applicable) = l.completeness();
                        format!("{} {present}/{applicable}", escape(&l.name))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let c = counts.get(&policy.id).copied().unwrap_or_default();
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{} <span class=\"by\">{}</span></th><td class=\"date\">{}</td><td><span class=\"grade grade-{}\">{}</span></td><td>{}</td>",
            escape(&policy.id),
            escape(&policy.organization),
            escape(policy.date_label()),
            grade.replace('/', ""),
            grade,
            if lists.is_empty() { "—".to_string() } else { lists.join("<br>") }
        );
        for n in c.iter().rev() {
            let _ = write!(out, "<td class=\"num\">{n}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", severity_bar(&c, max));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A small stacked bar of notes by severity, as inline SVG.
fn severity_bar(counts: &[usize; 5], max: usize) -> String {
    const COLOURS: [&str; 5] = ["#94a3b8", "#65a30d", "#ca8a04", "#ea580c", "#b91c1c"];
    let width = 120.0;
    let mut x = 0.0;
    let mut rects = String::new();
    for (i, &n) in counts.iter().enumerate().rev() {
        if n == 0 {
            continue;
        }
        let w = width * n as f64 / max as f64;
        let _ = write!(
            rects,
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"12\" fill=\"{}\"/>",
            COLOURS[i]
        );
        x += w;
    }
    let total: usize = counts.iter().sum();
    format!(
        "<svg width=\"{width}\" height=\"12\" viewBox=\"0 0 {width} 12\" role=\"img\" aria-label=\"{total} notes\">{rects}</svg>"
    )
}

fn cell_class(value: &CellValue) -> &'static str {
    match (value.tone(), value.cell) {
        (Tone::Disclosed, Cell::Sold) => "cell-sold",
        (Tone::Disclosed, _) => "cell-shared",
        (Tone::Kept, _) => "cell-collected",
        (Tone::Negative, _) => "cell-negative",
        (Tone::Silent, _) => "cell-unspecified",
    }
}

fn matrix_table(out: &mut String, title: &str, m: &Matrix, policies: &[&Policy]) {
    let _ = writeln!(out, "<h3>{title}</h3>");
    if m.rows.is_empty() {
        out.push_str("<p>No flow names any.</p>\n");
        return;
    }
    out.push_str("<table class=\"heatmap matrix\">\n<thead><tr><th></th>");
    for p in policies {
        let _ = write!(out, "<th>{}</th>", escape(&p.id));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &m.rows {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(&row.label));
        for cell in &row.cells {
            let title = if cell.evidence.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = cell.evidence.iter().map(|e| &**e).collect();
                format!(" title=\"clauses: {}\"", escape(&ids.join(", ")))
            };
            let _ = write!(
                out,
                "<td class=\"{}\"{title}>{}</td>",
                cell_class(&cell.value),
                escape(&cell.value.label())
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn heat_class(n: usize) -> &'static str {
    match n {
        0 => "heat-0",
        1 => "heat-1",
        2 => "heat-2",
        3..=4 => "heat-3",
        _ => "heat-4",
    }
}

fn concerns_table(out: &mut String, corpus: &Corpus, reviews: &ReviewSet, policies: &[&Policy]) {
    out.push_str("<h3>Notes by concern kind × policy</h3>\n");
    let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for review in &reviews.reviews {
        for note in &review.file.notes {
            *counts
                .entry(note.kind.as_str())
                .or_default()
                .entry(review.policy.as_str())
                .or_default() += 1;
        }
    }
    if counts.is_empty() {
        out.push_str("<p>No notes.</p>\n");
        return;
    }
    out.push_str("<table class=\"heatmap concerns\">\n<thead><tr><th></th>");
    for p in policies {
        let _ = write!(out, "<th>{}</th>", escape(&p.id));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (kind, per_policy) in &counts {
        let label = concern_label(corpus, kind);
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(label));
        for p in policies {
            let n = per_policy.get(p.id.as_str()).copied().unwrap_or(0);
            let _ = write!(out, "<td class=\"{}\">{n}</td>", heat_class(n));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn checklist_table(out: &mut String, findings: &Findings, policies: &[&Policy]) {
    let results: Vec<_> = policies
        .iter()
        .map(|p| findings.policies.iter().find(|r| r.id == p.id))
        .collect();
    // Items in the order of the checklists, each once.
    let mut items: Vec<(String, String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for result in results.iter().flatten() {
        for list in &result.checklists {
            for item in &list.items {
                if seen.insert(item.id.clone()) {
                    items.push((item.id.clone(), list.name.clone(), item.title.clone()));
                }
            }
        }
    }
    out.push_str("<h3>Checklist items × policy</h3>\n");
    if items.is_empty() {
        out.push_str("<p>No policy is held to a law with a checklist (see each policy's jurisdictions and date).</p>\n");
        return;
    }
    out.push_str("<p class=\"legend\"><span class=\"cell-present\">✓ present</span><span class=\"cell-missing\">✗ missing</span><span class=\"cell-notstated\">? only if applicable</span><span class=\"cell-na\">· not applicable</span></p>\n");
    out.push_str("<table class=\"heatmap checklist\">\n<thead><tr><th>law</th><th>item</th>");
    for p in policies {
        let _ = write!(out, "<th>{}</th>", escape(&p.id));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (id, law, title) in &items {
        let _ = write!(
            out,
            "<tr><td>{}</td><th scope=\"row\">{}</th>",
            escape(law),
            escape(title)
        );
        for result in &results {
            let state = result.and_then(|r| {
                r.checklists
                    .iter()
                    .flat_map(|l| &l.items)
                    .find(|i| &i.id == id)
                    .map(|i| &i.state)
            });
            let (class, mark, tip) = match state {
                Some(ItemState::Present { evidence, shown_by }) => (
                    "cell-present",
                    "✓",
                    if evidence.is_empty() {
                        shown_by.clone()
                    } else {
                        format!("{shown_by}: {}", evidence.join(", "))
                    },
                ),
                Some(ItemState::Missing) => ("cell-missing", "✗", "not found".to_string()),
                Some(ItemState::NotStated { condition }) => {
                    ("cell-notstated", "?", condition.clone())
                }
                Some(ItemState::NotApplicable) => ("cell-na", "·", "not applicable".to_string()),
                None => ("cell-na", "", "law does not apply".to_string()),
            };
            let _ = write!(
                out,
                "<td class=\"{class}\" title=\"{}\">{mark}</td>",
                escape(&tip)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn policy_section(out: &mut String, corpus: &Corpus, policy: &Policy, notes: &[Note]) {
    let _ = writeln!(
        out,
        "<section class=\"policy\" id=\"policy-{}\">\n<h2>{} — {} <span class=\"by\">({}, {})</span></h2>",
        escape(&policy.id),
        escape(&policy.organization),
        escape(&policy.title),
        escape(&policy.id),
        escape(policy.date_label())
    );
    for severity in Severity::ALL.iter().rev() {
        let group: Vec<&Note> = notes.iter().filter(|n| n.severity == *severity).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h3><span class=\"sev sev-{0}\">{0}</span> ({1})</h3>",
            severity.as_str(),
            group.len()
        );
        for note in group {
            note_html(out, corpus, policy, note);
        }
    }
    out.push_str("</section>\n");
}

fn note_html(out: &mut String, corpus: &Corpus, policy: &Policy, note: &Note) {
    let kind = concern_label(corpus, &note.kind);
    let anchor = resolve(policy, &note.target);
    let _ = writeln!(
        out,
        "<div class=\"note\">\n<h4>{}: {} <span class=\"by\">[{}]</span></h4>\n<p class=\"by\">{} · {} · note {}</p>",
        escape(kind),
        escape(&target_words(policy, &anchor, &note.target.key())),
        note.status,
        escape(&note.author),
        escape(&note.created),
        escape(&note.id)
    );
    match &anchor {
        Anchor::Clause { position, span, .. } => {
            let clause = &policy.sections[position.0].clauses[position.1];
            let text = match span {
                Some(span) => format!(
                    "{}<mark>{}</mark>{}",
                    escape(&clause.text[..span.start]),
                    escape(&clause.text[span.clone()]),
                    escape(&clause.text[span.end..])
                ),
                None => escape(&clause.text),
            };
            let _ = writeln!(out, "<blockquote>{text}</blockquote>");
        }
        Anchor::Detached { reason } => {
            let _ = writeln!(out, "<p><strong>Detached</strong>: {}.</p>", escape(reason));
            if let Some(quote) = &note.target.quote {
                let _ = writeln!(out, "<blockquote>{}</blockquote>", escape(quote));
            }
        }
        _ => {}
    }
    for paragraph in note
        .body
        .trim()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
    {
        let _ = writeln!(out, "<p>{}</p>", escape(paragraph).replace('\n', "<br>"));
    }
    if !note.replies.is_empty() {
        out.push_str("<div class=\"replies\">\n");
        for reply in &note.replies {
            let _ = writeln!(
                out,
                "<p><strong>{}</strong> <span class=\"by\">{}</span><br>{}</p>",
                escape(&reply.author),
                escape(&reply.created),
                escape(reply.body.trim()).replace('\n', "<br>")
            );
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_drops_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \u{1b}[2J"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; [2J"
        );
    }
}
