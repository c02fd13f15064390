//! `:` goes to an id: a policy, section, clause, context, flow, note, or
//! a recipient or other vocabulary term (its card), typed with completion. Rows match as in search (fuzzy by word); `Tab`
//! completes the line to the selected id, `Enter` goes there.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use std::sync::Arc;

use crate::any_component;
use crate::keymap::View;
use crate::model::Category;
use crate::search::IdTable;

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

/// Where a row leads, compactly: a node or a flow by index, a note or a
/// card by its place in [`IdRows`]' short lists.
#[derive(Debug, Clone, Copy)]
enum RowTarget {
    Node(u32),
    Flow { node: u32, flow: u32 },
    Note(u32),
    Card(u32),
}

/// Every id of the folder as `:` and the palette list them: the rows'
/// texts in a shared [`IdTable`] (matched on the id worker), and where
/// each row leads. At a thousand policies there are a quarter of a million
/// rows; as texts with a search index they cost some 80 MiB, kept so some 7.
#[derive(Default)]
pub struct IdRows {
    pub table: Arc<IdTable>,
    targets: Vec<RowTarget>,
    /// Notes and cards are few: their targets are kept whole.
    notes: Vec<(usize, String)>,
    cards: Vec<(Category, String)>,
}

impl IdRows {
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// A row's text ("kind policy id", a term's label after its id) and
    /// where it leads.
    pub fn get(&self, row: usize) -> Option<(String, IdTarget)> {
        let text = self.table.text(row)?;
        let target = match *self.targets.get(row)? {
            RowTarget::Node(n) => IdTarget::Node(n as usize),
            RowTarget::Flow { node, flow } => IdTarget::Flow {
                node: node as usize,
                flow: flow as usize,
            },
            RowTarget::Note(i) => {
                let (policy, id) = self.notes.get(i as usize)?;
                IdTarget::Note {
                    policy: *policy,
                    id: id.clone(),
                }
            }
            RowTarget::Card(i) => {
                let (category, id) = self.cards.get(i as usize)?;
                IdTarget::Card(*category, id.clone())
            }
        };
        Some((text, target))
    }
}

fn index32(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 4 billion ids")
}

/// Every id of the folder as a row to match ("kind policy id", a term's
/// label after its id), with where it leads: `:` and the palette list
/// these.
pub fn id_rows(shared: &Shared) -> IdRows {
    let mut builder = IdRowsBuilder::default();
    builder.step(shared, usize::MAX);
    builder.finish(shared)
}

/// [`id_rows`] a slice of the tree at a time: at 4,000 policies the rows
/// take some 300 ms to list, so the app lists them between keystrokes
/// once the folder is in, instead of stalling the first `/` or `:`.
#[derive(Default)]
pub struct IdRowsBuilder {
    table: IdTable,
    targets: Vec<RowTarget>,
    /// The next tree node to list.
    next: usize,
}

impl IdRowsBuilder {
    /// Lists up to `budget` more tree nodes; true when the tree is done.
    pub fn step(&mut self, shared: &Shared, budget: usize) -> bool {
        let end = self
            .next
            .saturating_add(budget)
            .min(shared.tree.nodes.len());
        for n in self.next..end {
            let node = &shared.tree.nodes[n];
            let policy = &shared.corpus.policies[node.policy].policy;
            let here = RowTarget::Node(index32(n));
            let table = &mut self.table;
            match &node.kind {
                NodeKind::Policy => table.push("policy", None, &policy.id),
                NodeKind::Section(si) => {
                    table.push("section", Some(&policy.id), &policy.sections[*si].id)
                }
                NodeKind::Clause(si, ci) => table.push(
                    "clause",
                    Some(&policy.id),
                    &policy.sections[*si].clauses[*ci].id,
                ),
                NodeKind::Context(path) => {
                    let context = policy.context_at(path);
                    table.push("context", Some(&policy.id), &context.id);
                    self.targets.push(here);
                    for (fi, flow) in context.flows.iter().enumerate() {
                        if let Some(id) = &flow.id {
                            table.push("flow", Some(&policy.id), id);
                            self.targets.push(RowTarget::Flow {
                                node: index32(n),
                                flow: index32(fi),
                            });
                        }
                    }
                    continue;
                }
                _ => continue,
            }
            self.targets.push(here);
        }
        self.next = end;
        self.next >= shared.tree.nodes.len()
    }

    /// The rest of the tree, then the notes and the vocabulary's terms.
    pub fn finish(mut self, shared: &Shared) -> IdRows {
        self.step(shared, usize::MAX);
        let (mut table, mut targets) = (self.table, self.targets);
        let mut notes = Vec::new();
        for (policy, note) in shared.reviews.all_notes() {
            let rest = format!("{} {}", note.id, note.target.key());
            table.push(
                "note",
                Some(&shared.corpus.policies[policy].policy.id),
                &rest,
            );
            targets.push(RowTarget::Note(index32(notes.len())));
            notes.push((policy, note.id.clone()));
        }
        let mut cards = Vec::new();
        for (category, word) in CARD_CATEGORIES {
            for term in shared.corpus.vocabulary.terms(category) {
                table.push(word, None, &format!("{} {}", term.id, term.label));
                targets.push(RowTarget::Card(index32(cards.len())));
                cards.push((category, term.id.clone()));
            }
        }
        table.finish();
        targets.shrink_to_fit();
        IdRows {
            table: Arc::new(table),
            targets,
            notes,
            cards,
        }
    }
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

/// `:`: the typed line and the selected row. The ids and their matching
/// live in the search worker for ids ([`super::palette::Search`]): at a
/// thousand policies a quarter of a million ids are too many to filter
/// on the UI thread.
pub struct GotoView {
    pub filter: Filter,
    /// Index into the shown rows.
    pub selected: usize,
}

/// How many ids `:` lists before anything is typed.
const UNFILTERED: usize = 200;

impl GotoView {
    pub fn new(_shared: &Shared) -> GotoView {
        GotoView {
            filter: Filter {
                query: String::new(),
                editing: true,
            },
            selected: 0,
        }
    }

    /// The rows shown (indices into the id rows), best first, and how many
    /// match in all; None while the worker has not answered the query.
    fn shown_rows(&self, shared: &Shared) -> Option<(Vec<usize>, usize)> {
        let search = &shared.search;
        if !self.filter.active() {
            let all = search.id_count();
            return Some(((0..all.min(UNFILTERED)).collect(), all));
        }
        search.id_hits(&self.filter.query, super::palette::GOTO_IDS)
    }

    /// The rows shown, best first.
    pub fn shown(&self, shared: &Shared) -> Vec<String> {
        let rows = self.shown_rows(shared).map(|(rows, _)| rows);
        rows.unwrap_or_default()
            .into_iter()
            .filter_map(|row| shared.search.id_row(row).map(|(text, _)| text))
            .collect()
    }

    fn query_changed(&mut self) -> Vec<Effect> {
        self.selected = 0;
        vec![Effect::Search(self.filter.query.clone())]
    }
}

impl Component for GotoView {
    fn keymap(&self) -> View {
        View::Palette
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let shown = self.shown_rows(shared).map(|(rows, _)| rows);
        let shown = shown.unwrap_or_default();
        let last = shown.len().saturating_sub(1);
        let page = usize::from(shared.size.1 / 2).max(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::DeleteBack | Action::ClearInput => {
                self.filter.handle(action);
                return self.query_changed();
            }
            // Completion: the line becomes the selected row's id.
            Action::NextField => {
                if let Some((text, _)) = shown
                    .get(self.selected)
                    .and_then(|&row| shared.search.id_row(row))
                {
                    self.filter.query = text;
                    return self.query_changed();
                }
            }
            Action::Cancel | Action::Back => return vec![Effect::Pop],
            Action::Enter | Action::Submit => {
                let target = shown
                    .get(self.selected)
                    .and_then(|&row| shared.search.id_row(row))
                    .map(|(_, target)| target);
                let Some(target) = target else {
                    return vec![Effect::Status(format!(
                        "no id matches \"{}\"",
                        self.filter.query
                    ))];
                };
                let mut effects = vec![Effect::Pop];
                effects.extend(go(&target, shared));
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        self.filter.type_text(&text.replace(['\n', '\r'], ""));
        Some(self.query_changed())
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
        let shown = self.shown(shared);
        for (k, text) in shown.iter().enumerate().skip(offset).take(rows) {
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
        let answered = self.shown_rows(shared);
        if shared.search.id_count() == 0 || answered.is_none() {
            lines.push(Line::styled("  searching…", theme.dim()));
        } else if shown.is_empty() {
            lines.push(Line::styled("  no id matches", theme.dim()));
        }
        let matching = answered.map_or(0, |(_, total)| total);
        let title = format!(
            " Go to · {matching} of {} ids · Tab completes ",
            shared.search.id_count()
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
