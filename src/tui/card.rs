//! The term card: "what does Salesforce get". For a recipient (or any
//! data, purpose or recipient term), every flow across the policies that
//! names it, policy by policy: the context, the data, the purposes, the
//! retention, and the evidence clauses (`Enter` opens one over the card).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::model::Category;

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::text::{truncate, wrap};

/// One line of the card; `link` is an evidence clause (policy, id).
struct CardLine {
    text: String,
    heading: bool,
    link: Option<(usize, String)>,
}

pub struct TermCard {
    pub category: Category,
    pub term: String,
    pub label: String,
    lines: Vec<CardLine>,
    /// Index among the link lines.
    pub selected: usize,
}

impl TermCard {
    pub fn new(shared: &Shared, category: Category, term: &str) -> TermCard {
        let vocabulary = &shared.corpus.vocabulary;
        let label = vocabulary
            .terms(category)
            .iter()
            .find(|t| t.id == term)
            .map_or(term.to_string(), |t| t.label.clone());
        let list = |items: &[std::sync::Arc<str>]| {
            if items.is_empty() {
                String::from("unspecified")
            } else {
                items
                    .iter()
                    .map(|s| s.as_ref())
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        };
        let mut lines = Vec::new();
        let mut silent = Vec::new();
        for (pi, loaded) in shared.corpus.policies.iter().enumerate() {
            let policy = &loaded.policy;
            let mut found = Vec::new();
            for (_, context) in policy.contexts_flat() {
                for (fi, flow) in context.flows.iter().enumerate() {
                    let labels = match category {
                        Category::Data => &flow.data,
                        Category::Purposes => &flow.purposes,
                        Category::Bases => &flow.basis,
                        _ => &flow.recipients,
                    };
                    if !labels
                        .iter()
                        .any(|l| vocabulary.normalize(category, l) == term)
                    {
                        continue;
                    }
                    let negative = if flow.does { "" } else { "  ✗ NEGATIVE" };
                    found.push(CardLine {
                        text: format!("  {} · flow {}{negative}", context.id, fi + 1),
                        heading: false,
                        link: None,
                    });
                    for (name, value) in [
                        ("Data", list(&flow.data)),
                        ("Purposes", list(&flow.purposes)),
                        ("Recipients", list(&flow.recipients)),
                        (
                            "Retention",
                            flow.retention
                                .as_deref()
                                .unwrap_or("unspecified")
                                .to_string(),
                        ),
                    ] {
                        found.push(CardLine {
                            text: format!("    {name:<11}{value}"),
                            heading: false,
                            link: None,
                        });
                    }
                    for id in &flow.evidence {
                        found.push(CardLine {
                            text: format!("    Evidence   {id}"),
                            heading: false,
                            link: Some((pi, id.to_string())),
                        });
                    }
                }
            }
            if found.is_empty() {
                silent.push(policy.id.clone());
                continue;
            }
            lines.push(CardLine {
                text: format!("{} · {}", policy.id, policy.organization),
                heading: true,
                link: None,
            });
            lines.extend(found);
            lines.push(CardLine {
                text: String::new(),
                heading: false,
                link: None,
            });
        }
        if !silent.is_empty() {
            lines.push(CardLine {
                text: format!("Not named by: {}", silent.join(", ")),
                heading: true,
                link: None,
            });
        }
        TermCard {
            category,
            term: term.to_string(),
            label,
            lines,
            selected: 0,
        }
    }

    /// "What Salesforce gets" for a recipient; for a data category, a
    /// purpose or a basis, the flows it is named in.
    fn heading(&self) -> String {
        match self.category {
            Category::Recipients => format!("What {} gets", self.label),
            _ => format!("Flows naming {}", self.label),
        }
    }

    /// The first link of the next (`step` 1) or previous (-1) policy's
    /// block, as an index among the links; for the previous, the start of
    /// the selected block when the selection is inside it.
    fn policy_start(&self, step: i8) -> Option<usize> {
        let links = self.links();
        let at = *links.get(self.selected)?;
        let block_of = |line: usize| {
            (0..=line)
                .rev()
                .find(|&i| self.lines[i].heading)
                .unwrap_or(0)
        };
        let here = block_of(at);
        let starts: Vec<usize> = links
            .iter()
            .enumerate()
            .filter(|(k, &l)| *k == 0 || block_of(links[k - 1]) != block_of(l))
            .map(|(k, _)| k)
            .collect();
        if step > 0 {
            starts.into_iter().find(|&k| block_of(links[k]) > here)
        } else {
            let current = starts
                .iter()
                .rev()
                .copied()
                .find(|&k| block_of(links[k]) == here)?;
            if current < self.selected {
                Some(current)
            } else {
                starts.into_iter().rev().find(|&k| k < current)
            }
        }
    }

    /// How many evidence clauses the card lists.
    pub fn link_count(&self) -> usize {
        self.links().len()
    }

    fn links(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| self.lines[i].link.is_some())
            .collect()
    }
}

impl Component for TermCard {
    fn keymap(&self) -> View {
        View::Card
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let last = self.links().len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::PageDown => self.selected = self.policy_start(1).unwrap_or(last),
            Action::PageUp => self.selected = self.policy_start(-1).unwrap_or(0),
            Action::Back | Action::Cancel => return vec![Effect::Pop],
            Action::Enter => {
                let link = self
                    .links()
                    .get(self.selected)
                    .and_then(|&l| self.lines[l].link.clone());
                return link
                    .and_then(|(pi, id)| shared.tree.find_clause(&shared.corpus, pi, &id))
                    .map(|node| vec![Effect::Goto(node)])
                    .unwrap_or_default();
            }
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        let theme = &shared.theme;
        let block = Block::bordered()
            .title(Span::styled(
                format!(" {} · {} ", self.heading(), self.category.name()),
                theme.title(),
            ))
            .border_style(theme.border(true));
        let inner = block.inner(area);
        let room = usize::from(inner.width).max(10);
        let selected_line = self.links().get(self.selected).copied();
        // Every row, wrapped; then the window that shows the selection.
        let mut shown = Vec::new();
        let mut selected_row = 0;
        for (i, line) in self.lines.iter().enumerate() {
            if Some(i) == selected_line {
                selected_row = shown.len();
            }
            if Some(i) == selected_line {
                let text = format!(">{}", &line.text[1..]);
                shown.push(Line::styled(truncate(&text, room), theme.selected()));
            } else if line.heading {
                shown.push(Line::styled(truncate(&line.text, room), theme.heading()));
            } else {
                // Long values wrap under their start, after the label.
                let indent = line.text.len() - line.text.trim_start().len();
                let prefix = if indent >= 4 { indent + 11 } else { indent };
                let (head, value) = line.text.split_at(prefix.min(line.text.len()));
                let pieces = wrap(value, room.saturating_sub(prefix).max(10));
                for (k, piece) in pieces.into_iter().enumerate() {
                    let lead = if k == 0 {
                        head.to_string()
                    } else {
                        " ".repeat(prefix)
                    };
                    shown.push(Line::from(Span::raw(truncate(
                        &format!("{lead}{piece}"),
                        room,
                    ))));
                }
            }
        }
        let height = usize::from(inner.height);
        let offset = (selected_row + 2).saturating_sub(height);
        let shown: Vec<Line> = shown.into_iter().skip(offset).take(height).collect();
        frame.render_widget(Paragraph::new(shown).block(block), area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::Enter, "show evidence"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ]
    }

    fn title(&self, _shared: &Shared) -> String {
        match self.category {
            Category::Recipients => format!("what {} gets", self.label),
            _ => format!("flows naming {}", self.label),
        }
    }

    fn here(&self, shared: &Shared) -> Option<Here> {
        let (policy, id) = self.lines[*self.links().get(self.selected)?].link.clone()?;
        let clause = shared.corpus.policies[policy].policy.clause_position(&id);
        Some(Here { policy, clause })
    }

    any_component!();
}
