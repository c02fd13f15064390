//! The detail pane: a policy's overview, a context's flows as a card, a
//! section's clause ids, or a clause's text with the contexts that cite it.
//! Silence is shown: a missing basis or retention reads "unspecified".

use std::ops::Range;
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::model::{Flow, Policy, RetentionClass};
use crate::review::{Note, Status};
use crate::tui::app::Shared as App;
use crate::tui::browse::{Browse, Pane};
use crate::tui::text::{truncate, truncate_middle, width, wrap, wrap_ranges};
use crate::tui::theme::Theme;
use crate::tui::tree::{cited_clauses, contexts_citing, NodeKind};

/// The column of field labels ("Legal basis", "If withheld"), and a
/// narrower one where the card itself is narrow (80-column terminals),
/// so values keep room to read.
const LABEL_WIDTH: usize = 14;
const NARROW_LABEL_WIDTH: usize = 12;
const NARROW_CARD: usize = 44;

/// Lines being built, with the line index of each link in display order.
struct Card<'t> {
    theme: &'t Theme,
    width: usize,
    label_width: usize,
    lines: Vec<Line<'static>>,
    links: Vec<usize>,
}

impl<'t> Card<'t> {
    fn text(&mut self, text: &str, style: Style) {
        for line in wrap(text, self.width) {
            self.lines.push(Line::styled(line, style));
        }
    }

    /// Text wrapped like [`Card::text`], with parts styled by where they
    /// are in `text` (later marks win where they overlap).
    fn marked_text(&mut self, text: &str, base: Style, marks: &[(Range<usize>, Style)]) {
        for line in wrap_ranges(text, self.width) {
            self.lines
                .push(Line::from(super::marked_words(text, &line, base, marks)));
        }
    }

    /// The notes on the item shown, each with its severity, kind, status,
    /// author and text.
    fn notes(&mut self, notes: &[&Note]) {
        if notes.is_empty() {
            return;
        }
        let theme = self.theme;
        self.blank();
        self.text(&format!("Notes ({})", notes.len()), theme.label());
        for note in notes {
            let (symbol, style) = theme.severity_mark(note.severity);
            let on_flow = note
                .target
                .flow
                .map(|n| format!("flow {n} · "))
                .unwrap_or_default();
            let mut head = vec![
                Span::raw("  "),
                Span::styled(symbol, style),
                Span::styled(
                    format!(" {} ", note.severity),
                    theme.severity(note.severity),
                ),
                Span::raw(format!(
                    "{on_flow}{} · {} · {}",
                    note.kind, note.status, note.author
                )),
            ];
            if note.status == Status::Draft {
                head.push(Span::styled(" · unsaved draft", theme.unspecified()));
            }
            self.lines.push(Line::from(head));
            let room = self.width.saturating_sub(4);
            if let Some(quote) = &note.target.quote {
                for line in wrap(&format!("“{quote}”"), room) {
                    self.lines
                        .push(Line::styled(format!("    {line}"), theme.dim()));
                }
            }
            for line in wrap(&note.body, room) {
                self.lines.push(Line::from(format!("    {line}")));
            }
            if !note.replies.is_empty() {
                self.lines.push(Line::styled(
                    format!(
                        "    + {} repl{}",
                        note.replies.len(),
                        if note.replies.len() == 1 { "y" } else { "ies" }
                    ),
                    theme.dim(),
                ));
            }
        }
    }

    fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// `Label        value`, the value wrapped under itself.
    fn field(&mut self, label: &str, value: &str, style: Style) {
        let room = self.width.saturating_sub(self.label_width + 2).max(10);
        for (i, line) in wrap(value, room).into_iter().enumerate() {
            // Only the label itself is styled: styled padding costs escape
            // sequences on every line sent over the wire.
            let head = if i == 0 { label } else { "" };
            let pad = " ".repeat(self.label_width.saturating_sub(head.chars().count()));
            self.lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(head.to_string(), self.theme.label()),
                Span::raw(pad),
                Span::styled(line, style),
            ]));
        }
    }

    fn list_field(&mut self, label: &str, values: &[Arc<str>], silence: &str) {
        if values.is_empty() {
            self.field(label, silence, self.theme.unspecified());
        } else {
            self.field(label, &values.join("; "), self.theme.base());
        }
    }

    fn link(&mut self, indent: usize, text: String) {
        self.links.push(self.lines.len());
        let room = self.width.saturating_sub(indent + 2);
        self.lines.push(Line::from(format!(
            "{}  {}",
            " ".repeat(indent),
            truncate(&text, room)
        )));
    }
}

pub fn render(frame: &mut Frame, app: &App, b: &Browse, area: Rect) {
    let focused = b.focus == Pane::Detail;
    let block = Block::bordered().border_style(app.theme.border(focused));
    let inner = block.inner(area);
    let width = usize::from(inner.width.saturating_sub(1)).max(10);
    let mut card = Card {
        theme: &app.theme,
        width,
        label_width: if width < NARROW_CARD {
            NARROW_LABEL_WIDTH
        } else {
            LABEL_WIDTH
        },
        lines: Vec::new(),
        links: Vec::new(),
    };
    let title = build(app, b, &mut card);
    // The card draws its links and `App::detail_links` follows them; both
    // list them in the same order, and every test that draws checks it.
    debug_assert_eq!(
        card.links.len(),
        b.detail_links(app).len(),
        "the card's links and App::detail_links disagree"
    );
    let height = usize::from(inner.height);
    let offset = match card.links.get(b.detail_selected) {
        Some(&line) if !card.links.is_empty() && b.focus == Pane::Detail => {
            line.saturating_sub(height.saturating_sub(2))
        }
        _ => b.detail_scroll.min(card.lines.len().saturating_sub(height)),
    };
    if let Some(&line) = card.links.get(b.detail_selected) {
        let l = std::mem::take(&mut card.lines[line]);
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let text = text.replacen("  ", "> ", 1);
        card.lines[line] = if focused {
            Line::styled(text, app.theme.selected())
        } else {
            Line::styled(text, app.theme.selected_unfocused())
        };
    }
    let block = block.title(Span::styled(format!(" {title} "), app.theme.title()));
    let visible: Vec<Line> = card.lines.into_iter().skip(offset).take(height).collect();
    frame.render_widget(Paragraph::new(visible).block(block), area);
}

/// Fills the card for the selected node; returns the pane title.
fn build(app: &App, b: &Browse, card: &mut Card) -> String {
    let Some(node) = b.selected_node() else {
        card.text("No policies loaded.", app.theme.dim());
        return String::from("Detail");
    };
    let notes = app.notes_on_node(node);
    let node = &app.tree.nodes[node];
    let loaded = &app.corpus.policies[node.policy];
    let policy = &loaded.policy;
    match &node.kind {
        NodeKind::Policy | NodeKind::ContextGroup | NodeKind::SectionGroup => {
            if node.kind == NodeKind::Policy {
                card.notes(&notes);
                if !notes.is_empty() {
                    card.blank();
                }
            }
            overview(app, card, node.policy);
            policy.id.clone()
        }
        NodeKind::Context(path) => {
            let context = policy.context_at(path);
            card.text(&context.name, app.theme.heading());
            card.text(&format!("{} · {}", policy.id, context.id), app.theme.dim());
            card.notes(&notes);
            if !context.evidence.is_empty() {
                card.blank();
                card.text("Described by", app.theme.label());
                for id in &context.evidence {
                    card.link(2, clause_link_text(policy, id));
                }
            }
            if context.flows.is_empty() {
                card.blank();
                let text = if context.contexts.is_empty() {
                    "No flows are modelled for this context."
                } else {
                    "Its flows are in the contexts under it."
                };
                card.text(text, app.theme.dim());
            }
            let count = context.flows.len();
            for (i, flow) in context.flows.iter().enumerate() {
                card.blank();
                flow_card(app, card, policy, flow, i, count);
            }
            String::from("Context")
        }
        NodeKind::Section(si) => {
            let section = &policy.sections[*si];
            card.text(&section.heading, app.theme.heading());
            card.text(
                &format!("{} · section {}", policy.id, section.id),
                app.theme.dim(),
            );
            card.notes(&notes);
            card.blank();
            // Ids only: the tree beside the card already shows each
            // clause's first words, and a list of first words filled the
            // pane, so every step onto or off a section cost a kilobyte.
            let cited = cited_clauses(policy);
            let count = section.clauses.len();
            let cited_here = section
                .clauses
                .iter()
                .filter(|c| cited.contains(c.id.as_str()))
                .count();
            card.text(
                &format!(
                    "{count} clause{}, {cited_here} cited by a context",
                    if count == 1 { "" } else { "s" }
                ),
                app.theme.label(),
            );
            for clause in &section.clauses {
                card.link(0, clause.id.clone());
            }
            String::from("Section")
        }
        NodeKind::Clause(si, ci) => {
            let section = &policy.sections[*si];
            let clause = &section.clauses[*ci];
            // The section's heading first and the clause's id after it, so
            // walking a section's clauses redraws neither the heading nor,
            // mostly, the topics: fewer bytes per step over a slow link.
            if !section.heading.is_empty() {
                card.text(&section.heading, app.theme.dim());
            }
            let topics = if clause.topics.is_empty() {
                String::from("none")
            } else {
                clause.topics.join(", ")
            };
            let topics = format!("Topics: {topics}");
            let id_and_topics = format!("{} · {topics}", clause.id);
            if width(&id_and_topics) <= card.width {
                card.text(&id_and_topics, app.theme.dim());
            } else {
                // An id never wraps mid-word: its middle gives way.
                card.text(&truncate_middle(&clause.id, card.width), app.theme.dim());
                card.text(&topics, app.theme.dim());
            }
            card.blank();
            let mut marks: Vec<(Range<usize>, Style)> = app
                .clause_spans(node.policy, (*si, *ci))
                .into_iter()
                .map(|(range, severity)| (range, app.theme.span(severity)))
                .collect();
            if let Some(span) = b.span.as_ref().filter(|s| s.clause == (*si, *ci)) {
                marks.push((span.range(), app.theme.selecting()));
            }
            card.marked_text(&clause.text, app.theme.base(), &marks);
            card.notes(&notes);
            card.blank();
            let citing = contexts_citing(policy, &clause.id);
            if citing.is_empty() {
                card.text("No context cites this clause.", app.theme.dim());
            } else {
                card.text(
                    &format!("Cited by {} context(s)", citing.len()),
                    app.theme.label(),
                );
                for path in citing {
                    card.link(2, context_trail(policy, &path));
                }
            }
            String::from("Clause")
        }
    }
}

fn flow_card(app: &App, card: &mut Card, policy: &Policy, flow: &Flow, index: usize, count: usize) {
    let theme = app.theme;
    let head = format!("Flow {} of {count} · {}", index + 1, flow.action().as_str());
    // A negative says what is denied, how far and with which words, so
    // "not sold" never reads as "not shared", nor "not knowingly" as "not".
    let negative = (!flow.does).then(|| {
        let mut text = format!("✗ NOT {}", flow.action().done().to_uppercase());
        if let Some(qualifier) = &flow.qualifier {
            text.push_str(&format!(" ({qualifier})"));
        }
        text.push_str(match flow.scope() {
            Some(crate::model::Scope::Policy) => " · policy-wide",
            _ => " · in this context",
        });
        text
    });
    match &negative {
        Some(warning) if width(&head) + 2 + width(warning) <= card.width => {
            card.lines.push(Line::from(vec![
                Span::styled(head, theme.heading()),
                Span::raw("  "),
                Span::styled(warning.clone(), theme.negative()),
            ]));
        }
        _ => {
            card.text(&head, theme.heading());
            // On a narrow card the warning gets lines of its own rather
            // than being cut off at the pane's edge.
            if let Some(warning) = &negative {
                card.text(warning, theme.negative());
            }
        }
    }
    if flow.suggested {
        card.text(
            "◌ SUGGESTED by import from the text; not confirmed by an analyst",
            theme.dim(),
        );
    }
    card.list_field("Data", &flow.data, "unspecified");
    card.list_field("Purposes", &flow.purposes, "unspecified");
    card.list_field("Legal basis", &flow.basis, "unspecified");
    if !flow.source.is_empty() {
        card.list_field("Source", &flow.source, "unspecified");
    }
    card.list_field("Recipients", &flow.recipients, "none stated");
    let class = flow.retention_class.unwrap_or(RetentionClass::Unspecified);
    match &flow.retention {
        Some(text) => card.field(
            "Retention",
            &format!("{text} [{}]", class.as_str()),
            theme.base(),
        ),
        None => card.field("Retention", "unspecified", theme.unspecified()),
    }
    match &flow.if_withheld {
        Some(text) => card.field("If withheld", text, theme.base()),
        None => card.field("If withheld", "not stated", theme.dim()),
    }
    if let Some(choice) = &flow.choice {
        let mut text = choice.kind.as_str().to_string();
        if let Some(how) = &choice.how {
            text.push_str(&format!(": {how}"));
        }
        if !choice.evidence.is_empty() {
            let ids: Vec<&str> = choice.evidence.iter().map(|e| &**e).collect();
            text.push_str(&format!(" ({})", ids.join(", ")));
        }
        card.field("Choice", &text, theme.base());
    }
    if flow.evidence.is_empty() {
        card.field("Evidence", "none", theme.unspecified());
    } else {
        card.lines.push(Line::styled(
            format!("  {:<1$}", "Evidence", card.label_width),
            theme.label(),
        ));
        for id in &flow.evidence {
            card.link(4, clause_link_text(policy, id));
        }
    }
}

fn clause_link_text(policy: &Policy, id: &str) -> String {
    match policy.clause(id) {
        Some(clause) => format!("{id} “{}”", clause.text.replace('\n', " ")),
        None => format!("{id} (missing)"),
    }
}

/// "Parent › Child" names of a context path.
fn context_trail(policy: &Policy, path: &[usize]) -> String {
    (1..=path.len())
        .map(|n| policy.context_at(&path[..n]).name.as_str())
        .collect::<Vec<_>>()
        .join(" › ")
}

fn overview(app: &App, card: &mut Card, pi: usize) {
    let theme = app.theme;
    let policy = &app.corpus.policies[pi].policy;
    // "Jurisdictions" and "Superseded by" need the wide label column.
    card.label_width = LABEL_WIDTH;
    card.text(&policy.organization, theme.heading());
    card.text(&policy.title, theme.base());
    card.blank();
    card.field(
        "Effective",
        policy.effective.as_deref().unwrap_or("not stated"),
        theme.base(),
    );
    if let Some(version) = &policy.version {
        card.field("Version", version, theme.base());
    }
    if !policy.jurisdictions.is_empty() {
        card.field(
            "Jurisdictions",
            &policy.jurisdictions.join(", "),
            theme.base(),
        );
    }
    if let Some(earlier) = &policy.supersedes {
        card.field("Supersedes", earlier, theme.base());
    }
    let later: Vec<&str> = app
        .corpus
        .policies
        .iter()
        .filter(|p| p.policy.supersedes.as_deref() == Some(policy.id.as_str()))
        .map(|p| p.policy.id.as_str())
        .collect();
    if !later.is_empty() {
        card.field("Superseded by", &later.join(", "), theme.base());
    }
    if let Some(source) = policy.url.as_deref().or(policy.source.as_deref()) {
        // One row, cut in the middle: an archive URL wrapped over five rows
        // of a narrow card pushed what the policy leaves unspecified off
        // screen, and a path broken mid-word reads as two.
        let room = card.width.saturating_sub(card.label_width + 2);
        card.field("Source", &truncate_middle(source, room), theme.dim());
    }
    let contexts = policy.contexts_flat();
    let flows: Vec<&Flow> = contexts.iter().flat_map(|(_, c)| &c.flows).collect();
    let clauses = policy.clauses().count();
    card.field(
        "Contents",
        &format!(
            "{} sections, {clauses} clauses, {} contexts, {} flows",
            policy.sections.len(),
            contexts.len(),
            flows.len()
        ),
        theme.base(),
    );
    let negative = flows.iter().filter(|f| !f.does).count();
    if negative > 0 {
        card.field(
            "Negative",
            &format!("{negative} statement(s) of what is not done"),
            theme.negative(),
        );
    }
    let suggested = flows.iter().filter(|f| f.suggested).count();
    if suggested > 0 {
        card.field(
            "Suggested",
            &format!("{suggested} flow(s) drafted by import, to confirm"),
            theme.dim(),
        );
    }
    // What `qualm lint` makes of it: the grade, how it was earned, and
    // how complete each legal checklist is (F lists the findings).
    let report = app.findings_of(pi);
    if let Some(result) = report.policies.iter().find(|r| r.id == policy.id) {
        let (good, bad, blocker) = crate::findings::grade::tally(&result.points);
        let open = report
            .findings
            .iter()
            .filter(|f| f.policy == policy.id && f.status == Status::Open)
            .count();
        card.field(
            "Grade",
            &format!(
                "{} ({good} good, {bad} bad, {blocker} blocker; {open} open finding(s))",
                result.grade
            ),
            theme.base(),
        );
        let lists: Vec<String> = result
            .checklists
            .iter()
            .map(|l| {
                let (present, applicable) = l.completeness();
                format!("{} {present}/{applicable}", l.name)
            })
            .collect();
        if !lists.is_empty() {
            card.field("Checklists", &lists.join("; "), theme.base());
        }
    }
    card.blank();
    card.text("Left unspecified", theme.label());
    let positive: Vec<&&Flow> = flows.iter().filter(|f| f.does).collect();
    let silent = |pred: &dyn Fn(&Flow) -> bool| positive.iter().filter(|f| pred(f)).count();
    let gaps = [
        ("legal basis", silent(&|f| f.basis.is_empty())),
        ("retention", silent(&|f| f.retention.is_none())),
        ("recipients", silent(&|f| f.recipients.is_empty())),
        ("purpose", silent(&|f| f.purposes.is_empty())),
        ("if withheld", silent(&|f| f.if_withheld.is_none())),
    ];
    let total = positive.len();
    for (what, n) in gaps {
        let style = if n > 0 {
            theme.unspecified()
        } else {
            theme.base()
        };
        card.field(what, &format!("{n} of {total} flows"), style);
    }
    let keys = app
        .keymap
        .hint(
            crate::keymap::View::Global,
            crate::tui::action::Action::ToggleReader,
        )
        .unwrap_or_default();
    card.blank();
    card.text(&format!("{keys}: read the whole text"), theme.dim());
}
