//! Lays out a policy's whole text in document order for the reader, and
//! remembers where each clause starts so the reader can highlight it and
//! jump between clauses; and the reader view itself.

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::model::Policy;

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::text::{wrap, wrap_ranges};
use super::tree::NodeKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Heading,
    Text,
    Blank,
}

#[derive(Debug, Clone)]
pub struct ReaderLine {
    pub text: String,
    pub kind: LineKind,
    pub clause: Option<(usize, usize)>,
    /// For a clause's line: its words as byte ranges of the clause text,
    /// so annotated spans can be marked where they are.
    pub words: Vec<std::ops::Range<usize>>,
}

#[derive(Debug, Default)]
pub struct ReaderLayout {
    pub lines: Vec<ReaderLine>,
    /// (clause, first line, last line), in document order.
    spans: Vec<((usize, usize), usize, usize)>,
}

impl ReaderLayout {
    pub fn clause_start(&self, clause: (usize, usize)) -> Option<usize> {
        self.spans.iter().find(|s| s.0 == clause).map(|s| s.1)
    }

    pub fn clause_end(&self, clause: (usize, usize)) -> Option<usize> {
        self.spans.iter().find(|s| s.0 == clause).map(|s| s.2)
    }

    pub fn clause_order(&self) -> Vec<(usize, usize)> {
        self.spans.iter().map(|s| s.0).collect()
    }
}

pub fn layout(policy: &Policy, width: usize) -> ReaderLayout {
    let mut out = ReaderLayout::default();
    let blank = |out: &mut ReaderLayout| {
        out.lines.push(ReaderLine {
            text: String::new(),
            kind: LineKind::Blank,
            clause: None,
            words: Vec::new(),
        })
    };
    for (si, section) in policy.sections.iter().enumerate() {
        if !section.heading.is_empty() {
            for text in wrap(&section.heading, width) {
                out.lines.push(ReaderLine {
                    text,
                    kind: LineKind::Heading,
                    clause: None,
                    words: Vec::new(),
                });
            }
            blank(&mut out);
        }
        for (ci, clause) in section.clauses.iter().enumerate() {
            let start = out.lines.len();
            for words in wrap_ranges(&clause.text, width) {
                let text: Vec<&str> = words.iter().map(|w| &clause.text[w.clone()]).collect();
                out.lines.push(ReaderLine {
                    text: text.join(" "),
                    kind: LineKind::Text,
                    clause: Some((si, ci)),
                    words,
                });
            }
            out.spans.push(((si, ci), start, out.lines.len() - 1));
            blank(&mut out);
        }
    }
    out
}

/// The reader view: a policy's whole text, one clause highlighted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub policy: usize,
    /// The highlighted clause (section index, clause index).
    pub clause: Option<(usize, usize)>,
    pub scroll: usize,
    /// Terminal size, for wrapping and paging.
    size: (u16, u16),
}

impl Reader {
    pub fn open(shared: &Shared, policy: usize, clause: Option<(usize, usize)>) -> Reader {
        let mut reader = Reader {
            policy,
            clause,
            scroll: 0,
            size: shared.size,
        };
        reader.scroll_to_clause(shared);
        reader
    }

    fn width(&self) -> usize {
        usize::from(self.size.0).saturating_sub(4).max(20)
    }

    fn height(&self) -> usize {
        usize::from(self.size.1).saturating_sub(3).max(1)
    }

    fn scroll_to_clause(&mut self, shared: &Shared) {
        let policy = &shared.corpus.policies[self.policy].policy;
        let layout = layout(policy, self.width());
        if let Some(start) = self.clause.and_then(|c| layout.clause_start(c)) {
            // Leave two lines of the text before it, for context.
            self.scroll = start.saturating_sub(2);
        }
    }

    /// The tree node of the highlighted clause.
    fn clause_node(&self, shared: &Shared) -> Option<usize> {
        let (si, ci) = self.clause?;
        let id = &shared.corpus.policies[self.policy].policy.sections[si].clauses[ci].id;
        shared.tree.find_clause(&shared.corpus, self.policy, id)
    }
}

impl Component for Reader {
    fn keymap(&self) -> View {
        View::Reader
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let policy = &shared.corpus.policies[self.policy].policy;
        let layout = layout(policy, self.width());
        let max_scroll = layout.lines.len().saturating_sub(self.height());
        let half = (self.height() / 2).max(1);
        match action {
            Action::Down => self.scroll = (self.scroll + 1).min(max_scroll),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = max_scroll,
            Action::PageDown => self.scroll = (self.scroll + half).min(max_scroll),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(half),
            Action::NextClause | Action::PrevClause => {
                let order: Vec<(usize, usize)> = layout.clause_order();
                let at = self.clause.and_then(|c| order.iter().position(|&o| o == c));
                let next = match (action, at) {
                    (Action::NextClause, Some(i)) => order.get(i + 1).or(order.get(i)),
                    (Action::PrevClause, Some(i)) => order.get(i.saturating_sub(1)),
                    _ => order.first(),
                };
                self.clause = next.copied();
                if let Some((start, clause)) = self
                    .clause
                    .and_then(|c| layout.clause_start(c).map(|s| (s, c)))
                {
                    let end = layout.clause_end(clause).unwrap_or(start);
                    if start < self.scroll || end >= self.scroll + self.height() {
                        self.scroll = start.saturating_sub(2).min(max_scroll);
                    }
                }
            }
            // Show the clause in the tree: the reader closes.
            Action::Enter => {
                let mut effects = vec![Effect::Pop];
                effects.extend(self.clause_node(shared).map(Effect::Goto));
                return effects;
            }
            // Words are selected where the clause is shown whole.
            Action::SelectSpan => {
                return match self.clause_node(shared) {
                    Some(node) => vec![
                        Effect::Pop,
                        Effect::Goto(node),
                        Effect::Action(Action::SelectSpan),
                    ],
                    None => vec![Effect::Status(String::from("select a clause first"))],
                };
            }
            Action::Back | Action::Cancel => return vec![Effect::Pop],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::reader::render(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::NextClause, "next clause"),
            (Action::Back, "close"),
            (Action::Help, "help"),
        ]
    }

    fn title(&self, shared: &Shared) -> String {
        let policy = &shared.corpus.policies[self.policy].policy;
        match self.clause {
            Some((si, ci)) => format!("{} › {}", policy.id, policy.sections[si].clauses[ci].id),
            None => policy.id.clone(),
        }
    }

    /// A clause of the policy being read is shown in place.
    fn show_node(&mut self, node: usize, shared: &Shared) -> bool {
        let node = &shared.tree.nodes[node];
        match (&node.kind, node.policy == self.policy) {
            (NodeKind::Clause(si, ci), true) => {
                self.clause = Some((*si, *ci));
                self.scroll_to_clause(shared);
                true
            }
            _ => false,
        }
    }

    fn here(&self, _shared: &Shared) -> Option<Here> {
        Some(Here {
            policy: self.policy,
            clause: self.clause,
        })
    }

    fn resize(&mut self, shared: &Shared) {
        self.size = shared.size;
        self.scroll_to_clause(shared);
    }

    any_component!();
}
