//! The browse view: the tree of policies, contexts, sections and clauses
//! beside the detail of the selection, with its own jump list for evidence
//! followed inside it, and word selection for span notes.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::review::Target;

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::notes::{word_ranges, SpanSelect};
use super::reader::Reader;
use super::tree::{contexts_citing, NodeKind};
use super::widgets::filter::Filter;

/// A move that takes the tree's selection at most this many rows past the
/// pane's edge (a step, or the few steps of keys that came in together)
/// scrolls the pane by just those rows.
const STEP_SCROLL: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
}

/// Something the detail pane can point at and Enter can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Clause(String),
    Context(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct Browse {
    pub expanded: Vec<bool>,
    /// Derived from the tree and `expanded`; refreshed whenever they change.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row of the tree pane; moves only to keep the selection in view.
    pub tree_offset: usize,
    pub focus: Pane,
    pub detail_selected: usize,
    pub detail_scroll: usize,
    /// Words of a clause being selected for a span note.
    pub span: Option<SpanSelect>,
    jumps: Vec<usize>,
    jump_pos: usize,
    /// Typed with `f`: only matching nodes and their ancestors are shown.
    pub filter: Filter,
    /// Terminal size, kept for page sizes.
    size: (u16, u16),
}

impl Browse {
    pub fn new(shared: &Shared) -> Browse {
        let tree = &shared.tree;
        let mut expanded = vec![false; tree.nodes.len()];
        // A single policy opens ready to browse; many start as a list.
        if tree.roots.len() == 1 {
            expanded[tree.roots[0]] = true;
        }
        let mut browse = Browse {
            expanded,
            visible: Vec::new(),
            selected: 0,
            tree_offset: 0,
            focus: Pane::Tree,
            detail_selected: 0,
            detail_scroll: 0,
            span: None,
            jumps: Vec::new(),
            jump_pos: 0,
            filter: Filter::default(),
            size: shared.size,
        };
        browse.refresh_visible(shared);
        browse
    }

    /// A copy to push over other views: the same open rows, its own jumps.
    pub fn fresh_copy(&self) -> Browse {
        let mut copy = self.clone();
        copy.jumps.clear();
        copy.jump_pos = 0;
        copy.span = None;
        copy.focus = Pane::Tree;
        copy
    }

    /// Takes in nodes added at the tree's end (policies loaded in the
    /// background): they start closed, and the selection stays on its node.
    pub fn tree_grew(&mut self, shared: &Shared) {
        self.expanded.resize(shared.tree.nodes.len(), false);
        self.refresh_visible(shared);
        self.keep_selection_in_view();
    }

    pub fn selected_node(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// The rows shown: the open part of the tree, or with a filter, every
    /// node whose label matches with its ancestors.
    fn rows(&self, shared: &Shared) -> Vec<usize> {
        if !self.filter.active() {
            return shared.tree.visible(&self.expanded);
        }
        let all = vec![true; shared.tree.nodes.len()];
        let mut keep = vec![false; shared.tree.nodes.len()];
        for node in shared.tree.visible(&all) {
            let (label, _) = super::view::tree::node_label(shared, node);
            if self.filter.keeps(&label) {
                keep[node] = true;
                for a in shared.tree.ancestors(node) {
                    keep[a] = true;
                }
            }
        }
        shared
            .tree
            .visible(&all)
            .into_iter()
            .filter(|&n| keep[n])
            .collect()
    }

    fn refresh_visible(&mut self, shared: &Shared) {
        let current = self.selected_node();
        self.visible = self.rows(shared);
        if let Some(node) = current {
            if let Some(i) = self.visible.iter().position(|&n| n == node) {
                self.selected = i;
            }
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// Rows of the tree pane, for paging.
    fn page(&self) -> usize {
        (usize::from(self.size.1).saturating_sub(4) / 2).max(1)
    }

    /// Rows inside the tree pane's border, above the status line.
    pub fn tree_height(&self) -> usize {
        usize::from(self.size.1).saturating_sub(3).max(1)
    }

    fn keep_selection_in_view(&mut self) {
        // A step past the pane's edge scrolls it by just that row: the
        // terminal scrolls the rows itself (see the backend), so a step
        // draws only the row let in, and none pays for repainting the
        // whole pane. A longer move (a page, a search hit, a jump back)
        // puts the selection mid-pane, to show what is around it.
        let height = self.tree_height();
        let mid_pane = self.selected.saturating_sub(height / 2);
        if self.selected < self.tree_offset {
            let past = self.tree_offset - self.selected;
            self.tree_offset = if past <= STEP_SCROLL {
                self.selected
            } else {
                mid_pane
            };
        } else if self.selected >= self.tree_offset + height {
            let past = self.selected + 1 - (self.tree_offset + height);
            self.tree_offset = if past <= STEP_SCROLL {
                self.selected + 1 - height
            } else {
                mid_pane
            };
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.tree_offset = self.tree_offset.min(max_offset);
    }

    fn apply_tree(&mut self, action: Action, shared: &Shared) {
        let last = self.visible.len().saturating_sub(1);
        let before = self.selected;
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::PageDown => self.selected = (self.selected + self.page()).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(self.page()),
            Action::Enter => self.enter_tree(shared),
            Action::Back => self.back_tree(shared),
            Action::ExpandAll => {
                self.expanded.iter_mut().for_each(|e| *e = true);
                self.refresh_visible(shared);
            }
            Action::CollapseAll => {
                let root = self.selected_node().map(|n| {
                    let mut top = n;
                    while let Some(p) = shared.tree.nodes[top].parent {
                        top = p;
                    }
                    top
                });
                self.expanded.iter_mut().for_each(|e| *e = false);
                self.refresh_visible(shared);
                if let Some(root) = root {
                    self.select_node(shared, root);
                }
            }
            _ => {}
        }
        if self.selected != before {
            self.detail_selected = 0;
            self.detail_scroll = 0;
        }
    }

    fn enter_tree(&mut self, shared: &Shared) {
        let Some(node) = self.selected_node() else {
            return;
        };
        let tree = &shared.tree;
        let has_children = tree.has_children(node);
        if has_children && !self.expanded[node] {
            self.expanded[node] = true;
            self.refresh_visible(shared);
        } else if has_children && !matches!(tree.nodes[node].kind, NodeKind::Context(_)) {
            self.selected += 1;
        } else {
            self.focus = Pane::Detail;
            self.detail_selected = 0;
        }
    }

    fn back_tree(&mut self, shared: &Shared) {
        let Some(node) = self.selected_node() else {
            return;
        };
        if self.expanded[node] && shared.tree.has_children(node) {
            self.expanded[node] = false;
            self.refresh_visible(shared);
        } else if let Some(parent) = shared.tree.nodes[node].parent {
            self.select_node(shared, parent);
        }
    }

    fn apply_detail(&mut self, action: Action, shared: &Shared) {
        let links = self.detail_links(shared).len();
        let last = links.saturating_sub(1);
        let half = usize::from(self.size.1 / 2).max(1);
        match action {
            Action::Down if links > 0 => {
                self.detail_selected = (self.detail_selected + 1).min(last)
            }
            Action::Up if links > 0 => {
                self.detail_selected = self.detail_selected.saturating_sub(1)
            }
            Action::Top if links > 0 => self.detail_selected = 0,
            Action::Bottom if links > 0 => self.detail_selected = last,
            Action::PageDown if links > 0 => {
                self.detail_selected = (self.detail_selected + half / 2).min(last)
            }
            Action::PageUp if links > 0 => {
                self.detail_selected = self.detail_selected.saturating_sub(half / 2)
            }
            Action::Down => self.detail_scroll += 1,
            Action::Up => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            Action::Top => self.detail_scroll = 0,
            Action::Bottom => self.detail_scroll = usize::MAX / 2,
            Action::PageDown => self.detail_scroll += half,
            Action::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(half),
            Action::Enter => self.follow_link(shared),
            Action::Back => self.focus = Pane::Tree,
            _ => {}
        }
    }

    /// The links the detail pane shows for the selected node, in display order.
    pub fn detail_links(&self, shared: &Shared) -> Vec<Link> {
        self.detail_links_by_flow(shared)
            .into_iter()
            .map(|(link, _)| link)
            .collect()
    }

    /// The detail pane's links in the order the card shows them, each with
    /// the flow (0-based) whose evidence it is, for a context's card.
    pub fn detail_links_by_flow(&self, shared: &Shared) -> Vec<(Link, Option<usize>)> {
        let Some(node) = self.selected_node() else {
            return Vec::new();
        };
        let node = &shared.tree.nodes[node];
        let policy = &shared.corpus.policies[node.policy].policy;
        let clause = |id: &str| Link::Clause(id.to_string());
        match &node.kind {
            NodeKind::Context(path) => {
                let context = policy.context_at(path);
                let mut links: Vec<_> =
                    context.evidence.iter().map(|e| (clause(e), None)).collect();
                for (fi, flow) in context.flows.iter().enumerate() {
                    links.extend(flow.evidence.iter().map(|e| (clause(e), Some(fi))));
                }
                links
            }
            NodeKind::Clause(si, ci) => {
                contexts_citing(policy, &policy.sections[*si].clauses[*ci].id)
                    .into_iter()
                    .map(|path| (Link::Context(path), None))
                    .collect()
            }
            NodeKind::Section(si) => policy.sections[*si]
                .clauses
                .iter()
                .map(|c| (clause(&c.id), None))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn follow_link(&mut self, shared: &Shared) {
        let links = self.detail_links(shared);
        let (Some(link), Some(current)) = (links.get(self.detail_selected), self.selected_node())
        else {
            return;
        };
        let policy = shared.tree.nodes[current].policy;
        let target = match link {
            Link::Clause(id) => shared.tree.find_clause(&shared.corpus, policy, id),
            Link::Context(path) => shared.tree.find_context(policy, path),
        };
        if let Some(target) = target {
            self.jump_to_node(shared, target);
        }
    }

    /// Goes to a node, keeping the jump list.
    pub fn jump_to_node(&mut self, shared: &Shared, target: usize) {
        if let Some(current) = self.selected_node() {
            self.jumps.truncate(self.jump_pos);
            self.jumps.push(current);
            self.jump_pos = self.jumps.len();
        }
        self.select_node(shared, target);
    }

    /// Selects a node, expanding its ancestors so it is visible.
    pub fn select_node(&mut self, shared: &Shared, node: usize) {
        for a in shared.tree.ancestors(node) {
            self.expanded[a] = true;
        }
        self.visible = self.rows(shared);
        if let Some(i) = self.visible.iter().position(|&n| n == node) {
            self.selected = i;
        }
        self.detail_selected = 0;
        self.detail_scroll = 0;
    }

    /// Follows a tree rebuilt after a policy was read again: `map` gives
    /// each old node's new node (by id). The selection, open rows and
    /// jumps stay on what they showed; the detail cursor stays put.
    pub fn remap_nodes(&mut self, shared: &Shared, map: &[usize]) {
        let selected = self.selected_node().and_then(|n| map.get(n).copied());
        let mut expanded = vec![false; shared.tree.nodes.len()];
        for (old, _) in self.expanded.iter().enumerate().filter(|(_, open)| **open) {
            if let Some(&new) = map.get(old) {
                expanded[new] = true;
            }
        }
        self.expanded = expanded;
        self.jumps.retain(|n| *n < map.len());
        for jump in &mut self.jumps {
            *jump = map[*jump];
        }
        if let Some(node) = selected {
            for a in shared.tree.ancestors(node) {
                self.expanded[a] = true;
            }
        }
        self.visible = self.rows(shared);
        if let Some(i) = selected.and_then(|node| self.visible.iter().position(|&n| n == node)) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        let links = self.detail_links(shared).len();
        self.detail_selected = self.detail_selected.min(links.saturating_sub(1));
        self.keep_selection_in_view();
    }

    /// The flow (0-based) of the detail link under the cursor, for a context.
    fn detail_flow(&self, shared: &Shared) -> Option<usize> {
        self.detail_links_by_flow(shared)
            .into_iter()
            .nth(self.detail_selected)?
            .1
    }

    /// A reader on the selection's policy, at its clause (a context's
    /// first evidence, a section's first clause).
    fn reader_here(&self, shared: &Shared) -> Option<Reader> {
        let node = &shared.tree.nodes[self.selected_node()?];
        let policy = &shared.corpus.policies[node.policy].policy;
        let clause = match &node.kind {
            NodeKind::Clause(si, ci) => Some((*si, *ci)),
            NodeKind::Section(si) if !policy.sections[*si].clauses.is_empty() => Some((*si, 0)),
            NodeKind::Context(path) => {
                let first = policy.context_at(path).evidence_ids().next();
                first.and_then(|id| policy.clause_position(id))
            }
            _ => policy
                .sections
                .iter()
                .position(|s| !s.clauses.is_empty())
                .map(|si| (si, 0)),
        };
        Some(Reader::open(shared, node.policy, clause))
    }

    /// Starts selecting words of the selected clause for a span note.
    pub fn start_span_select(&mut self, shared: &Shared) -> Vec<Effect> {
        let clause = self
            .selected_node()
            .and_then(|n| match shared.tree.nodes[n].kind {
                NodeKind::Clause(si, ci) => Some((shared.tree.nodes[n].policy, (si, ci))),
                _ => None,
            });
        let Some((policy, (si, ci))) = clause else {
            return vec![Effect::Status(String::from("select a clause first"))];
        };
        let text = &shared.corpus.policies[policy].policy.sections[si].clauses[ci].text;
        let words = word_ranges(text);
        if words.is_empty() {
            return Vec::new();
        }
        self.focus = Pane::Detail;
        self.span = Some(SpanSelect {
            policy,
            clause: (si, ci),
            words,
            anchor: None,
            cursor: 0,
        });
        Vec::new()
    }

    fn apply_select(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let Some(span) = self.span.as_mut() else {
            return Vec::new();
        };
        match action {
            Action::NextWord => span.cursor = (span.cursor + 1).min(span.words.len() - 1),
            Action::PrevWord => span.cursor = span.cursor.saturating_sub(1),
            Action::Mark => {
                span.anchor = match span.anchor {
                    Some(_) => None,
                    None => Some(span.cursor),
                }
            }
            Action::Annotate => {
                let annotation = self.annotation(shared);
                self.span = None;
                if let Some((policy, targets, chosen)) = annotation {
                    return vec![Effect::Annotate {
                        policy,
                        targets,
                        chosen,
                    }];
                }
            }
            Action::Back | Action::Cancel => self.span = None,
            _ => {}
        }
        Vec::new()
    }
}

impl Component for Browse {
    fn keymap(&self) -> View {
        if self.filter.editing {
            View::Input
        } else if self.span.is_some() {
            View::Select
        } else if self.focus == Pane::Tree {
            View::Tree
        } else {
            View::Detail
        }
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.filter.editing {
            self.filter.handle(action);
            self.refresh_visible(shared);
            self.keep_selection_in_view();
            return effects;
        }
        match action {
            Action::Filter => self.filter.editing = true,
            Action::Back | Action::Cancel if self.filter.active() && self.span.is_none() => {
                // The selection stays where it was, in the whole tree.
                let node = self.selected_node();
                self.filter = Filter::default();
                if let Some(node) = node {
                    self.select_node(shared, node);
                }
            }
            Action::ToggleReader => {
                self.span = None;
                if let Some(reader) = self.reader_here(shared) {
                    effects.push(Effect::Push(Box::new(reader)));
                }
            }
            Action::SelectSpan if self.span.is_none() => effects = self.start_span_select(shared),
            Action::NextPane | Action::PrevPane if self.span.is_none() => {
                self.focus = match self.focus {
                    Pane::Tree => Pane::Detail,
                    Pane::Detail => Pane::Tree,
                };
            }
            _ => match self.keymap() {
                View::Select => effects = self.apply_select(action, shared),
                View::Detail => self.apply_detail(action, shared),
                _ => self.apply_tree(action, shared),
            },
        }
        self.keep_selection_in_view();
        effects
    }

    fn type_text(&mut self, text: &str, shared: &Shared) -> Option<Vec<Effect>> {
        if !self.filter.editing {
            return None;
        }
        self.filter.type_text(text);
        self.refresh_visible(shared);
        // The first match under the cursor.
        if let Some(first) = self.visible.iter().position(|&n| {
            self.filter
                .keeps(&super::view::tree::node_label(shared, n).0)
        }) {
            self.selected = first;
        }
        self.keep_selection_in_view();
        Some(Vec::new())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        let tree_width = (area.width / 2).clamp(28, 48);
        let [tree_area, detail_area] =
            Layout::horizontal([Constraint::Length(tree_width), Constraint::Min(10)]).areas(area);
        super::view::tree::render(frame, shared, self, tree_area);
        super::view::detail::render(frame, shared, self, detail_area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        match self.keymap() {
            View::Select => &[
                (Action::NextWord, "word"),
                (Action::Mark, "mark"),
                (Action::Annotate, "annotate"),
                (Action::Back, "stop"),
            ],
            View::Detail => &[
                (Action::Enter, "follow"),
                (Action::JumpBack, "back"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            _ => &[
                (Action::Enter, "open"),
                (Action::ToggleReader, "read"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
        }
    }

    /// "policy › context › ..." for the selected node.
    fn title(&self, shared: &Shared) -> String {
        let Some(node) = self.selected_node() else {
            return String::new();
        };
        let n = &shared.tree.nodes[node];
        let policy = &shared.corpus.policies[n.policy].policy;
        let mut parts = vec![policy.id.clone()];
        match &n.kind {
            NodeKind::Context(path) => {
                for len in 1..=path.len() {
                    parts.push(policy.context_at(&path[..len]).id.clone());
                }
            }
            NodeKind::Section(si) => parts.push(policy.sections[*si].id.clone()),
            NodeKind::Clause(si, ci) => parts.push(policy.sections[*si].clauses[*ci].id.clone()),
            _ => {}
        }
        parts.join(" › ")
    }

    fn show_node(&mut self, node: usize, shared: &Shared) -> bool {
        self.span = None;
        self.focus = Pane::Tree;
        self.jump_to_node(shared, node);
        self.keep_selection_in_view();
        true
    }

    fn jump_back(&mut self, shared: &Shared) -> bool {
        let Some(current) = self.selected_node() else {
            return false;
        };
        if self.jump_pos == 0 {
            return false;
        }
        if self.jump_pos == self.jumps.len() {
            self.jumps.push(current);
        }
        self.jump_pos -= 1;
        self.select_node(shared, self.jumps[self.jump_pos]);
        self.keep_selection_in_view();
        true
    }

    fn jump_forward(&mut self, shared: &Shared) -> bool {
        if self.jump_pos + 1 >= self.jumps.len() {
            return false;
        }
        self.jump_pos += 1;
        self.select_node(shared, self.jumps[self.jump_pos]);
        self.keep_selection_in_view();
        true
    }

    fn here(&self, shared: &Shared) -> Option<Here> {
        let node = &shared.tree.nodes[self.selected_node()?];
        let policy = &shared.corpus.policies[node.policy].policy;
        let _ = policy;
        let clause = match &node.kind {
            NodeKind::Clause(si, ci) => Some((*si, *ci)),
            _ => None,
        };
        Some(Here {
            policy: node.policy,
            clause,
        })
    }

    fn annotation(&self, shared: &Shared) -> Option<(usize, Vec<Target>, usize)> {
        if let Some(span) = &self.span {
            let policy = &shared.corpus.policies[span.policy].policy;
            let clause = &policy.sections[span.clause.0].clauses[span.clause.1];
            let target = Target::span(&clause.id, &clause.text, span.range());
            return Some((span.policy, vec![target], 0));
        }
        let node = &shared.tree.nodes[self.selected_node()?];
        let policy = &shared.corpus.policies[node.policy].policy;
        let targets = match &node.kind {
            NodeKind::Policy | NodeKind::ContextGroup | NodeKind::SectionGroup => {
                vec![Target::policy(&policy.id)]
            }
            NodeKind::Section(si) => vec![Target::section(&policy.sections[*si].id)],
            NodeKind::Clause(si, ci) => vec![Target::clause(&policy.sections[*si].clauses[*ci].id)],
            NodeKind::Context(path) => {
                let context = policy.context_at(path);
                let mut targets = vec![Target::context(&context.id)];
                targets.extend((1..=context.flows.len()).map(|n| Target::flow(&context.id, n)));
                // From the detail pane, the flow whose evidence is selected.
                let chosen = if self.focus == Pane::Detail {
                    self.detail_flow(shared).map_or(0, |f| f + 1)
                } else {
                    0
                };
                return Some((node.policy, targets, chosen));
            }
        };
        Some((node.policy, targets, 0))
    }

    fn copy_text(&self, shared: &Shared) -> Option<(String, String)> {
        let node = &shared.tree.nodes[self.selected_node()?];
        let policy = &shared.corpus.policies[node.policy].policy;
        match &node.kind {
            NodeKind::Clause(si, ci) => {
                let clause = &policy.sections[*si].clauses[*ci];
                Some((
                    clause.text.to_string(),
                    format!("{} {}", policy.id, clause.id),
                ))
            }
            _ => None,
        }
    }

    fn resize(&mut self, shared: &Shared) {
        self.size = shared.size;
        self.keep_selection_in_view();
    }

    any_component!();
}
