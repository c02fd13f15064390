//! `:` goes to an id: a policy, section, clause, context, flow, note, or
//! a recipient or other vocabulary term (its card), typed with completion. Rows match as in search (fuzzy by word); `Tab`
//! completes the line to the selected id, `Enter` goes there.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::model::Category;

use super::action::Action;
use super::app::Shared;
use super::component::Component;
use super::effect::Effect;
use super::text::{truncate, truncate_middle};
use super::tree::NodeKind;
use super::widgets::filter::Filter;

/// Where an id leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdTarget {
    Node(usize),
    /// A flow: its context's node, and the flow's place in it.
    Flow {
        node: usize,
        flow: usize,
    },
    Note {
        policy: usize,
        id: String,
    },
    /// A vocabulary term's card (what a recipient, data category, purpose
    /// or legal basis is named with, policy by policy).
    Card(Category, String),
}

/// The vocabulary categories a card can be opened for, with the word
/// their ids are listed under.
pub const CARD_CATEGORIES: [(Category, &str); 4] = [
    (Category::Recipients, "recipient"),
    (Category::Data, "data"),
    (Category::Purposes, "purpose"),
    (Category::Bases, "basis"),
];

/// Every id of the folder as a row to match ("kind policy id", a term's
/// label after its id), with where it leads: `:` and the palette list
/// these.
pub fn id_rows(shared: &Shared) -> Vec<(String, IdTarget)> {
    let mut rows = Vec::new();
    for (n, node) in shared.tree.nodes.iter().enumerate() {
        let policy = &shared.corpus.policies[node.policy].policy;
        let text = match &node.kind {
            NodeKind::Policy => format!("policy {}", policy.id),
            NodeKind::Section(si) => {
                format!("section {} {}", policy.id, policy.sections[*si].id)
            }
            NodeKind::Clause(si, ci) => {
                format!(
                    "clause {} {}",
                    policy.id, policy.sections[*si].clauses[*ci].id
                )
            }
            NodeKind::Context(path) => {
                let context = policy.context_at(path);
                rows.push((
                    format!("context {} {}", policy.id, context.id),
                    IdTarget::Node(n),
                ));
                for (fi, flow) in context.flows.iter().enumerate() {
                    if let Some(id) = &flow.id {
                        rows.push((
                            format!("flow {} {id}", policy.id),
                            IdTarget::Flow { node: n, flow: fi },
                        ));
                    }
                }
                continue;
            }
            _ => continue,
        };
        rows.push((text, IdTarget::Node(n)));
    }
    for (policy, note) in shared.reviews.all_notes() {
        let text = format!(
            "note {} {} {}",
            shared.corpus.policies[policy].policy.id,
            note.id,
            note.target.key()
        );
        rows.push((
            text,
            IdTarget::Note {
                policy,
                id: note.id.clone(),
            },
        ));
    }
    for (category, word) in CARD_CATEGORIES {
        for term in shared.corpus.vocabulary.terms(category) {
            rows.push((
                format!("{word} {} {}", term.id, term.label),
                IdTarget::Card(category, term.id.clone()),
            ));
        }
    }
    rows
}

/// What going to an id does.
pub fn go(target: &IdTarget, shared: &Shared) -> Vec<Effect> {
    match target {
        IdTarget::Node(node) => vec![Effect::Goto(*node)],
        IdTarget::Flow { node, flow } => vec![
            Effect::Goto(*node),
            Effect::Status(format!("flow {} of the context", flow + 1)),
        ],
        IdTarget::Note { policy, id } => vec![Effect::GotoNote {
            policy: *policy,
            id: id.clone(),
        }],
        IdTarget::Card(category, term) => vec![Effect::Push(Box::new(super::card::TermCard::new(
            shared, *category, term,
        )))],
    }
}

pub struct GotoView {
    /// Every id: what is typed matches `text` ("kind policy id").
    rows: Vec<(String, IdTarget)>,
    pub filter: Filter,
    /// Index into the shown rows.
    pub selected: usize,
    shown: Vec<usize>,
}

impl GotoView {
    pub fn new(shared: &Shared) -> GotoView {
        let mut view = GotoView {
            rows: id_rows(shared),
            filter: Filter {
                query: String::new(),
                editing: true,
            },
            selected: 0,
            shown: Vec::new(),
        };
        view.refilter();
        view
    }

    fn refilter(&mut self) {
        self.shown = self.filter.order(self.rows.iter().map(|(t, _)| t.as_str()));
        self.selected = 0;
    }

    /// The rows shown, best first.
    pub fn shown(&self) -> impl Iterator<Item = &str> {
        self.shown.iter().map(|&i| self.rows[i].0.as_str())
    }
}

impl Component for GotoView {
    fn keymap(&self) -> View {
        View::Palette
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let last = self.shown.len().saturating_sub(1);
        let page = usize::from(shared.size.1 / 2).max(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::DeleteBack | Action::ClearInput => {
                self.filter.handle(action);
                self.refilter();
            }
            // Completion: the line becomes the selected row's id.
            Action::NextField => {
                if let Some(&row) = self.shown.get(self.selected) {
                    self.filter.query = self.rows[row].0.clone();
                    self.refilter();
                }
            }
            Action::Cancel | Action::Back => return vec![Effect::Pop],
            Action::Enter | Action::Submit => {
                let Some(&row) = self.shown.get(self.selected) else {
                    return vec![Effect::Status(format!(
                        "no id matches \"{}\"",
                        self.filter.query
                    ))];
                };
                let mut effects = vec![Effect::Pop];
                effects.extend(go(&self.rows[row].1, shared));
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        self.filter.type_text(&text.replace(['\n', '\r'], ""));
        self.refilter();
        Some(Vec::new())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        let theme = &shared.theme;
        let popup = super::view::centered(area, area.width.min(90), area.height.min(20));
        let inner_width = usize::from(popup.width.saturating_sub(2));
        let rows = usize::from(popup.height.saturating_sub(3));
        let offset = (self.selected + 1).saturating_sub(rows);
        let mut lines = vec![Line::from(vec![
            Span::styled(format!(": {}", self.filter.query), theme.base()),
            Span::styled(" ", theme.selected()),
        ])];
        for (k, text) in self.shown().enumerate().skip(offset).take(rows) {
            let selected = k == self.selected;
            let mut spans = vec![Span::raw(if selected { "> " } else { "  " })];
            spans.extend(self.filter.spans(
                &truncate_middle(text, inner_width.saturating_sub(2)),
                ratatui::style::Style::default(),
                theme.matched(),
            ));
            let line = Line::from(spans);
            lines.push(if selected {
                line.style(theme.selected())
            } else {
                line
            });
        }
        if self.shown.is_empty() {
            lines.push(Line::styled("  no id matches", theme.dim()));
        }
        let title = format!(
            " Go to · {} of {} ids · Tab completes ",
            self.shown.len(),
            self.rows.len()
        );
        let block = Block::bordered()
            .title(Span::styled(truncate(&title, inner_width), theme.title()))
            .border_style(theme.border(true));
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::Enter, "go"),
            (Action::Down, "next"),
            (Action::Cancel, "close"),
        ]
    }

    fn title(&self, _shared: &Shared) -> String {
        format!("go to \"{}\"", self.filter.query)
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}
