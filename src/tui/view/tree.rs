//! The tree pane: policies, their contexts and sections, one row each.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::tui::app::Shared as App;
use crate::tui::browse::{Browse, Pane};
use crate::tui::text::{truncate_lead, truncate_middle, width};
use crate::tui::tree::NodeKind;

pub fn render(frame: &mut Frame, app: &App, b: &Browse, area: Rect) {
    let focused = b.focus == Pane::Tree;
    let title = match b.filter.prompt() {
        Some(prompt) => format!(" Policies ({}) · {prompt} ", app.corpus.policies.len()),
        None => format!(" Policies ({}) ", app.corpus.policies.len()),
    };
    let block = Block::bordered()
        .title(Span::styled(title, app.theme.title()))
        .border_style(app.theme.border(focused));
    let inner = block.inner(area);
    let row_width = usize::from(inner.width);
    let lines: Vec<Line> = b
        .visible
        .iter()
        .enumerate()
        .skip(b.tree_offset)
        .take(usize::from(inner.height))
        .map(|(row, &node)| {
            let selected = row == b.selected;
            let (label, note) = node_label(app, node);
            let n = &app.tree.nodes[node];
            let marker = if !app.tree.has_children(node) {
                "  "
            } else if b.expanded[node] || b.filter.active() {
                "▾ "
            } else {
                "▸ "
            };
            let cursor = if selected { ">" } else { " " };
            let indent = "  ".repeat(n.depth);
            let head = format!("{cursor}{indent}{marker}");
            let mark = app
                .marks
                .nodes
                .get(&node)
                .map(|s| app.theme.severity_mark(*s));
            let room = row_width.saturating_sub(width(&head) + if mark.is_some() { 2 } else { 0 });
            // Ids and names that share a prefix keep their distinguishing
            // end: a clause row keeps its id (cut in the middle if need
            // be), a policy id or a name is cut in the middle.
            let label = match n.kind {
                NodeKind::Clause(..) => truncate_lead(&label, room),
                _ => truncate_middle(&label, room),
            };
            let note_room = room.saturating_sub(width(&label) + 1);
            let mut spans = vec![Span::raw(head)];
            if let Some((symbol, style)) = mark {
                spans.push(Span::styled(symbol, style));
                spans.push(Span::raw(" "));
            }
            spans.push(Span::raw(label));
            // A note (an organisation, a count of flows) shows whole or
            // not at all: cut short, "2 f…" reads as a fragment.
            if !note.is_empty() && width(&note) <= note_room {
                spans.push(Span::styled(format!(" {note}"), app.theme.dim()));
            }
            let mut line = Line::from(spans);
            if selected {
                line = line.style(if focused {
                    app.theme.selected()
                } else {
                    app.theme.selected_unfocused()
                });
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A node's label and a dimmed note beside it.
pub fn node_label(app: &App, node: usize) -> (String, String) {
    let n = &app.tree.nodes[node];
    let policy = &app.corpus.policies[n.policy].policy;
    match &n.kind {
        NodeKind::Policy => {
            // Once the findings are known (the policy's overview was seen,
            // or `F` ran), the row carries its grade and open findings.
            let known = match app.findings.get() {
                Some(all) => grade_and_open(all, &policy.id),
                None => app
                    .policy_findings
                    .borrow()
                    .get(&n.policy)
                    .and_then(|report| grade_and_open(report, &policy.id)),
            };
            let note = match known {
                Some((grade, open)) if open > 0 => {
                    format!("{} · {grade} ⚑{open}", policy.organization)
                }
                Some((grade, _)) => format!("{} · {grade}", policy.organization),
                None => policy.organization.clone(),
            };
            (policy.id.clone(), note)
        }
        NodeKind::ContextGroup => (
            String::from("Collection contexts"),
            format!("{}", policy.contexts_flat().len()),
        ),
        NodeKind::SectionGroup => (
            String::from("Sections"),
            format!("{}", policy.sections.len()),
        ),
        NodeKind::Context(path) => {
            let context = policy.context_at(path);
            let flows = context.flows.len();
            let note = match flows {
                0 => String::new(),
                1 => String::from("1 flow"),
                n => format!("{n} flows"),
            };
            (context.name.clone(), note)
        }
        NodeKind::Section(si) => {
            let section = &policy.sections[*si];
            let label = if section.heading.is_empty() {
                section.id.clone()
            } else {
                section.heading.clone()
            };
            (label, String::new())
        }
        NodeKind::Clause(si, ci) => {
            let clause = &policy.sections[*si].clauses[*ci];
            let first = clause.text.lines().next().unwrap_or("");
            (format!("{} {first}", clause.id), String::new())
        }
    }
}

/// A policy's grade and open findings in a report that holds them.
fn grade_and_open(
    report: &crate::findings::Report,
    id: &str,
) -> Option<(crate::findings::Grade, usize)> {
    let grade = report.policies.iter().find(|p| p.id == id)?.grade;
    let open = report
        .findings
        .iter()
        .filter(|f| f.policy == id && f.status == crate::review::Status::Open)
        .count();
    Some((grade, open))
}
