//! The workbench's state and the one place it changes: [`App::apply`] takes
//! an [`Action`] and updates the state; views only read it.

use crate::keymap::{Key, Keymap, Press, View};
use crate::model::Corpus;
use crate::review::{Note, ReviewSet};

use super::action::Action;
use super::compare::CompareState;
use super::notes::{Editor, NoteMarks, NotesView, SpanSelect};
use super::palette::Palette;
use super::reader;
use super::theme::Theme;
use super::tree::{contexts_citing, NodeKind, Tree};

/// A move that takes the tree's selection at most this many rows past the
/// pane's edge (a step, or the few steps of keys that came in together)
/// scrolls the pane by just those rows.
const STEP_SCROLL: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// Help for the view it was opened from.
    Help {
        view: View,
        scroll: usize,
    },
    Errors {
        selected: usize,
    },
}

/// Something the detail pane can point at and Enter can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Clause(String),
    Context(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderState {
    pub policy: usize,
    /// The highlighted clause (section index, clause index).
    pub clause: Option<(usize, usize)>,
    pub scroll: usize,
}

pub struct App {
    pub corpus: Corpus,
    pub tree: Tree,
    pub keymap: Keymap,
    pub theme: Theme,
    pub expanded: Vec<bool>,
    /// Derived from `tree` and `expanded`; refreshed whenever they change.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row of the tree pane; moves only to keep the selection in view.
    pub tree_offset: usize,
    pub focus: Pane,
    pub detail_selected: usize,
    pub detail_scroll: usize,
    pub reader: Option<ReaderState>,
    /// A compare view (topic, versions, matrix), full screen while open.
    pub compare: Option<CompareState>,
    pub overlay: Overlay,
    jumps: Vec<usize>,
    jump_pos: usize,
    pub pending: Vec<Key>,
    pub status: Option<String>,
    /// Terminal size, for page sizes and the reader's wrapping.
    pub size: (u16, u16),
    pub quit: bool,
    /// Set by `redraw`: the next frame clears the screen first.
    pub clear: bool,
    /// The review files of the loaded policies.
    pub reviews: ReviewSet,
    /// Derived from `reviews`: anchors and tree marks.
    pub marks: NoteMarks,
    /// The note editor popup, when open.
    pub editor: Option<Editor>,
    /// Words of a clause being selected for a span note.
    pub span: Option<SpanSelect>,
    /// The notes view, when open.
    pub notes_view: Option<NotesView>,
    /// Deleted notes, most recent last, for undo.
    pub removed: Vec<(usize, Note)>,
    /// Asks the event loop to run `$EDITOR` on the editor's text.
    pub external_edit: bool,
    /// The search palette (`/`) and the last search's hits (`n`/`N`).
    pub palette: Palette,
}

impl App {
    pub fn new(corpus: Corpus, keymap: Keymap, theme: Theme) -> App {
        let tree = Tree::build(&corpus);
        let mut expanded = vec![false; tree.nodes.len()];
        // A single policy opens ready to browse; many start as a list.
        if tree.roots.len() == 1 {
            expanded[tree.roots[0]] = true;
        }
        let failed = corpus.failed.len();
        let reviews = ReviewSet::load(&corpus);
        let status = if failed > 0 {
            let key = keymap
                .hint(View::Tree, Action::ShowErrors)
                .unwrap_or_default();
            Some(format!("{failed} file(s) failed to load; {key} lists them"))
        } else {
            review_problems(&reviews)
        };
        let mut app = App {
            corpus,
            tree,
            keymap,
            theme,
            expanded,
            visible: Vec::new(),
            selected: 0,
            tree_offset: 0,
            focus: Pane::Tree,
            detail_selected: 0,
            detail_scroll: 0,
            reader: None,
            compare: None,
            overlay: Overlay::None,
            jumps: Vec::new(),
            jump_pos: 0,
            pending: Vec::new(),
            status,
            size: (80, 24),
            quit: false,
            clear: false,
            reviews,
            marks: NoteMarks::default(),
            editor: None,
            span: None,
            notes_view: None,
            removed: Vec::new(),
            external_edit: false,
            palette: Palette::default(),
        };
        app.refresh_visible();
        app.refresh_marks();
        app
    }

    /// Load problems, errors first, for the errors panel.
    pub fn sorted_diagnostics(&self) -> Vec<&crate::model::Diagnostic> {
        let mut list: Vec<_> = self.corpus.diagnostics.iter().collect();
        list.sort_by_key(|d| d.severity);
        list
    }

    /// The keymap section that applies now.
    pub fn view(&self) -> View {
        match &self.overlay {
            Overlay::Help { .. } => return View::Help,
            Overlay::Errors { .. } => return View::Errors,
            Overlay::None => {}
        }
        if self.palette.open {
            View::Palette
        } else if self.editor.is_some() {
            View::Editor
        } else if self.compare.is_some() {
            self.compare_view()
        } else if self.notes_view.is_some() {
            View::Notes
        } else if self.reader.is_some() {
            View::Reader
        } else if self.span.is_some() {
            View::Select
        } else if self.focus == Pane::Tree {
            View::Tree
        } else {
            View::Detail
        }
    }

    /// Feeds one key through the keymap; returns whether anything changed.
    pub fn press(&mut self, key: Key) -> bool {
        let view = self.view();
        match self.keymap.press(view, &self.pending, key) {
            Press::Action(action) => {
                self.pending.clear();
                self.apply(action);
                true
            }
            Press::Pending => {
                self.pending.push(key);
                true
            }
            Press::Unbound => {
                let had_pending = !self.pending.is_empty();
                self.pending.clear();
                // Where text is typed, a key no binding claims types.
                let typed = matches!(view, View::Editor | View::Palette) && self.type_key(key);
                typed || had_pending
            }
        }
    }

    /// Takes in whatever background work (search, alignment) has finished;
    /// returns whether the screen needs drawing. Called by the event loop
    /// between inputs, so input never waits for the work.
    pub fn collect_background(&mut self) -> bool {
        let aligned = self.collect_alignment();
        // The first call comes after the first frame: start indexing then.
        self.start_search();
        self.palette.collect() || aligned
    }

    /// Whether background work is under way, so the loop polls for its
    /// results often instead of sleeping a whole tick.
    pub fn busy(&self) -> bool {
        self.compare.as_ref().is_some_and(CompareState::busy) || self.palette.pending()
    }

    pub fn selected_node(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    fn refresh_visible(&mut self) {
        let current = self.selected_node();
        self.visible = self.tree.visible(&self.expanded);
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

    pub fn apply(&mut self, action: Action) {
        self.apply_action(action);
        self.keep_selection_in_view();
    }

    fn apply_action(&mut self, action: Action) {
        self.status = None;
        match action {
            Action::Noop => {}
            Action::Quit => self.quit = true,
            Action::Redraw => self.clear = true,
            Action::Help => {
                let view = self.view();
                self.overlay = Overlay::Help { view, scroll: 0 };
            }
            Action::ShowErrors => {
                self.overlay = match self.overlay {
                    Overlay::Errors { .. } => Overlay::None,
                    _ => Overlay::Errors { selected: 0 },
                }
            }
            Action::ToggleReader if self.notes_view.is_none() && self.compare.is_none() => {
                self.span = None;
                self.toggle_reader()
            }
            Action::Annotate if self.span.is_none() => self.open_annotate(),
            Action::SelectSpan if self.notes_view.is_none() => self.start_span_select(),
            Action::ShowNotes if self.notes_view.is_none() => self.toggle_notes_view(),
            Action::CompareTopic => self.open_topic_compare(),
            Action::CompareVersions => self.open_version_compare(),
            Action::ShowMatrix => self.open_matrix(),
            Action::Search => self.open_palette(),
            Action::NextHit => self.step_hit(1),
            Action::PrevHit => self.step_hit(-1),
            Action::JumpBack => self.jump_back(),
            Action::JumpForward => self.jump_forward(),
            Action::NextPane | Action::PrevPane => {
                if self.reader.is_none()
                    && self.notes_view.is_none()
                    && self.span.is_none()
                    && matches!(self.overlay, Overlay::None)
                {
                    self.focus = match self.focus {
                        Pane::Tree => Pane::Detail,
                        Pane::Detail => Pane::Tree,
                    };
                }
            }
            _ => match self.view() {
                View::Editor => self.apply_editor(action),
                View::Notes => self.apply_notes(action),
                View::Select => self.apply_select(action),
                View::Palette => self.apply_palette(action),
                View::Help => self.apply_help(action),
                View::Errors => self.apply_errors(action),
                View::Reader => self.apply_reader(action),
                View::Compare => self.apply_compare(action),
                View::Picker => self.apply_picker(action),
                View::Detail => self.apply_detail(action),
                View::Tree | View::Global | View::Input => self.apply_tree(action),
            },
        }
    }

    fn apply_help(&mut self, action: Action) {
        if let Overlay::Help { scroll, .. } = &mut self.overlay {
            match action {
                Action::Down => *scroll += 1,
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Back | Action::Cancel => self.overlay = Overlay::None,
                _ => {}
            }
        }
    }

    fn apply_errors(&mut self, action: Action) {
        let count = self.corpus.diagnostics.len();
        if let Overlay::Errors { selected } = &mut self.overlay {
            match action {
                Action::Down => *selected = (*selected + 1).min(count.saturating_sub(1)),
                Action::Up => *selected = selected.saturating_sub(1),
                Action::Back | Action::Cancel => self.overlay = Overlay::None,
                _ => {}
            }
        }
    }

    fn apply_tree(&mut self, action: Action) {
        let last = self.visible.len().saturating_sub(1);
        let before = self.selected;
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::PageDown => self.selected = (self.selected + self.page()).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(self.page()),
            Action::Enter => self.enter_tree(),
            Action::Back => self.back_tree(),
            Action::ExpandAll => {
                self.expanded.iter_mut().for_each(|e| *e = true);
                self.refresh_visible();
            }
            Action::CollapseAll => {
                let root = self.selected_node().map(|n| {
                    let mut top = n;
                    while let Some(p) = self.tree.nodes[top].parent {
                        top = p;
                    }
                    top
                });
                self.expanded.iter_mut().for_each(|e| *e = false);
                self.refresh_visible();
                if let Some(root) = root {
                    self.select_node(root);
                }
            }
            _ => {}
        }
        if self.selected != before {
            self.detail_selected = 0;
            self.detail_scroll = 0;
        }
    }

    fn enter_tree(&mut self) {
        let Some(node) = self.selected_node() else {
            return;
        };
        let has_children = self.tree.has_children(node);
        if has_children && !self.expanded[node] {
            self.expanded[node] = true;
            self.refresh_visible();
        } else if has_children && !matches!(self.tree.nodes[node].kind, NodeKind::Context(_)) {
            self.selected += 1;
        } else {
            self.focus = Pane::Detail;
            self.detail_selected = 0;
        }
    }

    fn back_tree(&mut self) {
        let Some(node) = self.selected_node() else {
            return;
        };
        if self.expanded[node] && self.tree.has_children(node) {
            self.expanded[node] = false;
            self.refresh_visible();
        } else if let Some(parent) = self.tree.nodes[node].parent {
            self.select_node(parent);
        }
    }

    fn apply_detail(&mut self, action: Action) {
        let links = self.detail_links().len();
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
            Action::Enter => self.follow_link(),
            Action::Back => self.focus = Pane::Tree,
            _ => {}
        }
    }

    /// The links the detail pane shows for the selected node, in display order.
    pub fn detail_links(&self) -> Vec<Link> {
        self.detail_links_by_flow()
            .into_iter()
            .map(|(link, _)| link)
            .collect()
    }

    /// The detail pane's links in the order the card shows them, each with
    /// the flow (0-based) whose evidence it is, for a context's card.
    pub fn detail_links_by_flow(&self) -> Vec<(Link, Option<usize>)> {
        let Some(node) = self.selected_node() else {
            return Vec::new();
        };
        let node = &self.tree.nodes[node];
        let policy = &self.corpus.policies[node.policy].policy;
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

    fn follow_link(&mut self) {
        let links = self.detail_links();
        let (Some(link), Some(current)) = (links.get(self.detail_selected), self.selected_node())
        else {
            return;
        };
        let policy = self.tree.nodes[current].policy;
        let target = match link {
            Link::Clause(id) => self.tree.find_clause(&self.corpus, policy, id),
            Link::Context(path) => self.tree.find_context(policy, path),
        };
        if let Some(target) = target {
            self.jump_to_node(target);
        }
    }

    fn jump_back(&mut self) {
        let Some(current) = self.selected_node() else {
            return;
        };
        if self.jump_pos == 0 {
            self.status = Some(String::from("no earlier jump"));
            return;
        }
        if self.jump_pos == self.jumps.len() {
            self.jumps.push(current);
        }
        self.jump_pos -= 1;
        self.select_node(self.jumps[self.jump_pos]);
    }

    fn jump_forward(&mut self) {
        if self.jump_pos + 1 >= self.jumps.len() {
            self.status = Some(String::from("no later jump"));
            return;
        }
        self.jump_pos += 1;
        self.select_node(self.jumps[self.jump_pos]);
    }

    /// Goes to a node from elsewhere (a search hit), keeping the jump list:
    /// the reader, if open, moves to it when it is a clause of the policy
    /// being read, and closes otherwise; overlays close.
    pub fn jump_to_node(&mut self, target: usize) {
        self.overlay = Overlay::None;
        if let Some(current) = self.selected_node() {
            self.jumps.truncate(self.jump_pos);
            self.jumps.push(current);
            self.jump_pos = self.jumps.len();
        }
        self.select_node(target);
        if let Some(mut state) = self.reader.take() {
            let node = &self.tree.nodes[target];
            if let (NodeKind::Clause(si, ci), true) = (&node.kind, node.policy == state.policy) {
                state.clause = Some((*si, *ci));
                self.scroll_reader_to_clause(&mut state);
                self.reader = Some(state);
            }
        }
    }

    /// Selects a node, expanding its ancestors so it is visible.
    pub fn select_node(&mut self, node: usize) {
        for a in self.tree.ancestors(node) {
            self.expanded[a] = true;
        }
        self.visible = self.tree.visible(&self.expanded);
        if let Some(i) = self.visible.iter().position(|&n| n == node) {
            self.selected = i;
        }
        self.detail_selected = 0;
        self.detail_scroll = 0;
    }

    fn toggle_reader(&mut self) {
        if self.reader.take().is_some() {
            return;
        }
        let Some(node) = self.selected_node() else {
            return;
        };
        let node = &self.tree.nodes[node];
        let policy = &self.corpus.policies[node.policy].policy;
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
        let mut state = ReaderState {
            policy: node.policy,
            clause,
            scroll: 0,
        };
        self.scroll_reader_to_clause(&mut state);
        self.reader = Some(state);
    }

    fn reader_width(&self) -> usize {
        usize::from(self.size.0).saturating_sub(4).max(20)
    }

    fn reader_height(&self) -> usize {
        usize::from(self.size.1).saturating_sub(3).max(1)
    }

    fn scroll_reader_to_clause(&self, state: &mut ReaderState) {
        let policy = &self.corpus.policies[state.policy].policy;
        let layout = reader::layout(policy, self.reader_width());
        if let Some(start) = state.clause.and_then(|c| layout.clause_start(c)) {
            // Leave two lines of the text before it, for context.
            state.scroll = start.saturating_sub(2);
        }
    }

    fn apply_reader(&mut self, action: Action) {
        let Some(mut state) = self.reader.clone() else {
            return;
        };
        let policy = &self.corpus.policies[state.policy].policy;
        let layout = reader::layout(policy, self.reader_width());
        let max_scroll = layout.lines.len().saturating_sub(self.reader_height());
        let half = (self.reader_height() / 2).max(1);
        match action {
            Action::Down => state.scroll = (state.scroll + 1).min(max_scroll),
            Action::Up => state.scroll = state.scroll.saturating_sub(1),
            Action::Top => state.scroll = 0,
            Action::Bottom => state.scroll = max_scroll,
            Action::PageDown => state.scroll = (state.scroll + half).min(max_scroll),
            Action::PageUp => state.scroll = state.scroll.saturating_sub(half),
            Action::NextClause | Action::PrevClause => {
                let order: Vec<(usize, usize)> = layout.clause_order();
                let at = state
                    .clause
                    .and_then(|c| order.iter().position(|&o| o == c));
                let next = match (action, at) {
                    (Action::NextClause, Some(i)) => order.get(i + 1).or(order.get(i)),
                    (Action::PrevClause, Some(i)) => order.get(i.saturating_sub(1)),
                    _ => order.first(),
                };
                state.clause = next.copied();
                if let Some(start) = state.clause.and_then(|c| layout.clause_start(c)) {
                    let end = layout.clause_end(state.clause.unwrap()).unwrap_or(start);
                    if start < state.scroll || end >= state.scroll + self.reader_height() {
                        state.scroll = start.saturating_sub(2).min(max_scroll);
                    }
                }
            }
            Action::Enter => {
                let target = state.clause.and_then(|(si, ci)| {
                    let id = &policy.sections[si].clauses[ci].id;
                    self.tree.find_clause(&self.corpus, state.policy, id)
                });
                self.reader = None;
                if let Some(target) = target {
                    self.select_node(target);
                }
                return;
            }
            Action::Back | Action::Cancel => {
                self.reader = None;
                return;
            }
            _ => {}
        }
        self.reader = Some(state);
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.keep_selection_in_view();
        if let Some(mut state) = self.reader.clone() {
            self.scroll_reader_to_clause(&mut state);
            self.reader = Some(state);
        }
    }
}

/// What the status line says at start about review files: one that does
/// not parse, or notes waiting in a recovery file.
fn review_problems(reviews: &ReviewSet) -> Option<String> {
    reviews.reviews.iter().find_map(|r| {
        if let Some(error) = &r.error {
            Some(format!("{error} — new notes go to a recovery file"))
        } else {
            r.recovery
                .as_ref()
                .map(|p| format!("notes are waiting in {}: copy them back", p.display()))
        }
    })
}
