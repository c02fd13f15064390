//! The workbench's shared data and its stack of views. The app holds what
//! every view reads ([`Shared`]: corpus, tree index, reviews, keymap,
//! theme) and the views, topmost last. A key goes to the view on top,
//! which answers with [`Effect`]s; [`App::run_effects`] is the one place
//! they are carried out. No view reaches into another.

use crate::keymap::{Key, Keymap, Press, View};
use crate::model::Corpus;
use crate::review::author::now;
use crate::review::{Anchor, Note, Op, ReviewSet, Severity};

use super::action::Action;
use super::browse::Browse;
use super::component::{Component, Here};
use super::effect::Effect;
use super::notes::{anchor_kind, Draft, Editor, NoteMarks, NotesView};
use super::palette::{HitRef, PaletteView, Search};
use super::popups::{Confirm, ErrorsView, HelpView};
use super::theme::Theme;
use super::tree::{NodeKind, Tree};

/// What every view reads: the loaded folder and how to show it.
pub struct Shared {
    pub corpus: Corpus,
    /// The tree of policies, contexts, sections and clauses (the index
    /// every view finds nodes in; which rows are open is a browse view's).
    pub tree: Tree,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The review files of the loaded policies.
    pub reviews: ReviewSet,
    /// Derived from `reviews`: anchors and tree marks.
    pub marks: NoteMarks,
    /// The search worker and the last search's hits (`n`/`N`).
    pub search: Search,
    /// Terminal size, for page sizes and wrapping.
    pub size: (u16, u16),
    /// What `qualm lint` finds, computed when first asked for and again
    /// after the review files change (statuses follow the notes).
    pub findings: std::cell::OnceCell<crate::findings::Report>,
    /// One policy's findings, for its overview, without linting the
    /// whole folder (thousands of policies) to draw one card.
    pub policy_findings:
        std::cell::RefCell<std::collections::HashMap<usize, std::rc::Rc<crate::findings::Report>>>,
    checklists: std::cell::OnceCell<crate::findings::checklist::Checklists>,
}

impl Shared {
    /// The folder's checklists (its own file, else the built-in ones).
    fn checklists(&self) -> &crate::findings::checklist::Checklists {
        self.checklists.get_or_init(|| {
            let folder = self
                .corpus
                .policies
                .first()
                .and_then(|p| p.path.parent().map(std::path::Path::to_path_buf));
            crate::findings::checklist::Checklists::for_folder(folder.as_deref())
                .unwrap_or_else(|_| crate::findings::checklist::Checklists::builtin())
        })
    }

    /// The findings of the folder, with the statuses of their notes.
    pub fn findings(&self) -> &crate::findings::Report {
        self.findings.get_or_init(|| {
            crate::findings::run(
                &self.corpus,
                Some(&self.reviews),
                self.checklists(),
                &crate::findings::Options::default(),
            )
        })
    }

    /// One policy's findings and grade (from the folder's, when known).
    pub fn findings_of(&self, pi: usize) -> std::rc::Rc<crate::findings::Report> {
        if let Some(all) = self.findings.get() {
            let id = &self.corpus.policies[pi].policy.id;
            return std::rc::Rc::new(crate::findings::Report {
                findings: all
                    .findings
                    .iter()
                    .filter(|f| &f.policy == id)
                    .cloned()
                    .collect(),
                policies: all
                    .policies
                    .iter()
                    .filter(|p| &p.id == id)
                    .cloned()
                    .collect(),
            });
        }
        let mut cache = self.policy_findings.borrow_mut();
        cache
            .entry(pi)
            .or_insert_with(|| {
                std::rc::Rc::new(crate::findings::run_policies(
                    &self.corpus,
                    Some(&self.reviews),
                    self.checklists(),
                    &crate::findings::Options::default(),
                    [pi],
                ))
            })
            .clone()
    }
}

/// One undoable change: the policy and the operation that reverses it.
struct Undo {
    policy: usize,
    op: Op,
    what: String,
}

pub struct App {
    pub shared: Shared,
    /// The views, the one on top last. Never empty: the first is the browse
    /// view the workbench opens on.
    pub stack: Vec<Box<dyn Component>>,
    /// Views `Ctrl-o` stepped back from, for `Ctrl-i` (most recent last).
    forward: Vec<Box<dyn Component>>,
    pub pending: Vec<Key>,
    pub status: Option<String>,
    pub quit: bool,
    /// Set by `redraw`: the next frame clears the screen first.
    pub clear: bool,
    /// Changes to notes, most recent last, for undo.
    undo: Vec<Undo>,
    /// Asks the event loop to run `$EDITOR` on the editor's text.
    pub external_edit: bool,
    /// Asks the event loop to run `$EDITOR` on a context: the policy's
    /// index and the context's id.
    pub context_edit: Option<(usize, String)>,
    /// Asks the event loop to suspend (`Ctrl-z`).
    pub suspend: bool,
    /// Text to put on the clipboard through OSC 52 at the next frame.
    pub clipboard: Option<String>,
    /// When review files were last checked for outside changes.
    checked_disk: std::time::Instant,
    /// Model edits under way, their undo and redo, model files' stamps.
    pub modelling: super::modelling::ModelState,
    /// The folder still loading in the background, if it is.
    pub loading: Option<Loading>,
}

impl App {
    pub fn new(corpus: Corpus, keymap: Keymap, theme: Theme) -> App {
        let tree = Tree::build(&corpus);
        let reviews = ReviewSet::load(&corpus);
        let mut shared = Shared {
            corpus,
            tree,
            keymap,
            theme,
            reviews,
            marks: NoteMarks::default(),
            search: Search::default(),
            size: (80, 24),
            findings: std::cell::OnceCell::new(),
            policy_findings: Default::default(),
            checklists: std::cell::OnceCell::new(),
        };
        shared.refresh_marks();
        let status = start_status(&shared);
        let browse = Browse::new(&shared);
        App {
            shared,
            stack: vec![Box::new(browse)],
            forward: Vec::new(),
            pending: Vec::new(),
            status,
            quit: false,
            clear: false,
            undo: Vec::new(),
            external_edit: false,
            context_edit: None,
            suspend: false,
            clipboard: None,
            checked_disk: std::time::Instant::now(),
            modelling: Default::default(),
            loading: None,
        }
    }

    fn top(&self) -> &dyn Component {
        self.stack
            .last()
            .expect("the stack is never empty")
            .as_ref()
    }

    /// The topmost view of type `T`, if one is open.
    pub fn find<T: Component>(&self) -> Option<&T> {
        self.stack
            .iter()
            .rev()
            .find_map(|v| v.as_any().downcast_ref::<T>())
    }

    fn find_mut<T: Component>(&mut self) -> Option<&mut T> {
        self.stack
            .iter_mut()
            .rev()
            .find_map(|v| v.as_any_mut().downcast_mut::<T>())
    }

    /// The view on top if it is a `T`.
    pub fn top_as<T: Component>(&self) -> Option<&T> {
        self.top().as_any().downcast_ref::<T>()
    }

    /// The topmost browse view (there is always one, at the bottom).
    pub fn browse(&self) -> &Browse {
        self.find::<Browse>().expect("a browse view at the bottom")
    }

    pub fn browse_mut(&mut self) -> &mut Browse {
        self.find_mut::<Browse>()
            .expect("a browse view at the bottom")
    }

    /// Selects a node in the topmost browse view (no jump recorded).
    pub fn select_node(&mut self, node: usize) {
        let App { shared, stack, .. } = self;
        if let Some(browse) = stack
            .iter_mut()
            .rev()
            .find_map(|v| v.as_any_mut().downcast_mut::<Browse>())
        {
            browse.select_node(shared, node);
        }
    }

    pub fn selected_node(&self) -> Option<usize> {
        self.browse().selected_node()
    }

    /// The keymap section that applies now.
    pub fn view(&self) -> View {
        self.top().keymap()
    }

    /// Feeds one key through the keymap; returns whether anything changed.
    pub fn press(&mut self, key: Key) -> bool {
        if let Some(loading) = &mut self.loading {
            loading.touched = true;
        }
        let view = self.view();
        match self.shared.keymap.press(view, &self.pending, key) {
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
                let App { shared, stack, .. } = self;
                let top = stack.last_mut().expect("the stack is never empty");
                if !had_pending {
                    if let Some(effects) = top.key(key, shared) {
                        self.run_effects(effects);
                        return true;
                    }
                }
                typed_char(key).is_some_and(|c| self.type_text(c.encode_utf8(&mut [0; 4])))
                    || had_pending
            }
        }
    }

    /// Typed text (an unbound key or a paste) for the view on top.
    pub fn type_text(&mut self, text: &str) -> bool {
        let App { shared, stack, .. } = self;
        let top = stack.last_mut().expect("the stack is never empty");
        match top.type_text(text, shared) {
            Some(effects) => {
                self.run_effects(effects);
                true
            }
            None => false,
        }
    }

    /// Takes in whatever background work (search, alignment) has finished;
    /// returns whether the screen needs drawing. Called by the event loop
    /// between inputs, so input never waits for the work.
    pub fn collect_background(&mut self) -> bool {
        let mut changed = self.collect_loading();
        // The first call comes after the first frame: start indexing then.
        self.start_search();
        changed |= self.shared.search.collect();
        changed |= self.reload_changed_reviews();
        changed |= self.collect_model();
        self.prepare_ids();
        let mut effects = Vec::new();
        for view in &mut self.stack {
            let (c, e) = view.collect(&self.shared);
            changed |= c;
            effects.extend(e);
        }
        self.run_effects(effects);
        changed
    }

    /// Review files another analyst (or `qualm note`, or a git pull)
    /// changed: read again, at most once a second, keeping every view
    /// where it is. True when any was.
    fn reload_changed_reviews(&mut self) -> bool {
        if self.checked_disk.elapsed() < std::time::Duration::from_secs(1) {
            return false;
        }
        self.checked_disk = std::time::Instant::now();
        let changed = self.shared.reviews.changed_on_disk();
        if changed.is_empty() {
            return false;
        }
        for &pi in &changed {
            self.shared.reviews.reload(pi);
        }
        self.shared.refresh_marks();
        self.shared.search.reindex();
        let names: Vec<&str> = changed
            .iter()
            .map(|&pi| self.shared.corpus.policies[pi].policy.id.as_str())
            .collect();
        self.status = Some(format!(
            "notes of {} changed on disk; shown as they are now",
            names.join(", ")
        ));
        true
    }

    /// Whether background work is under way, so the loop polls for its
    /// results often instead of sleeping a whole tick.
    pub fn busy(&self) -> bool {
        self.stack.iter().any(|v| v.busy())
            || self.shared.search.pending()
            || self.modelling.busy()
            || self.loading.is_some()
    }

    /// Starts the search worker (it builds the index on its own thread) if
    /// it is not running yet.
    pub fn start_search(&mut self) {
        // The index is built once, over the whole folder.
        if self.loading.is_some() {
            return;
        }
        let Shared {
            corpus,
            reviews,
            search,
            ..
        } = &mut self.shared;
        search.start(corpus, reviews);
    }

    /// Starts the id worker for `:` and the palette, when first needed
    /// (its rows and dictionary are some 7 MiB at a thousand policies).
    fn start_ids(&mut self) {
        if !self.shared.search.ids_started() {
            // What the idle ticks listed already is kept.
            let builder = self.shared.search.id_builder.take().unwrap_or_default();
            let rows = builder.finish(&self.shared);
            self.shared.search.start_ids(rows);
        }
    }

    /// Lists the id rows a slice at a time while the analyst reads, once
    /// the folder is in, so the first `/` or `:` does not wait for them
    /// (some 300 ms at 4,000 policies on the UI thread).
    fn prepare_ids(&mut self) {
        /// Tree nodes per tick: a few milliseconds.
        const IDS_PER_TICK: usize = 20_000;
        let search = &self.shared.search;
        if self.loading.is_some() || (search.ids_started() && !search.ids_stale()) {
            return;
        }
        let mut builder = self.shared.search.id_builder.take().unwrap_or_default();
        if builder.step(&self.shared, IDS_PER_TICK) {
            // In place of the old rows, if any (notes changed meanwhile).
            let rows = builder.finish(&self.shared);
            self.shared.search.start_ids(rows);
        } else {
            self.shared.search.id_builder = Some(builder);
        }
    }

    pub fn apply(&mut self, action: Action) {
        self.status = None;
        if let Some(waiting) = self.waits_for_loading(action) {
            self.status = Some(waiting);
            return;
        }
        let effects = match action {
            Action::Noop => Vec::new(),
            Action::Quit => self.close_or_quit(),
            Action::QuitAll => self.quit_all(),
            Action::Suspend => {
                self.suspend = true;
                Vec::new()
            }
            Action::Redraw => {
                self.clear = true;
                Vec::new()
            }
            Action::Help => vec![Effect::Push(Box::new(HelpView::new(self.view())))],
            Action::ShowErrors if self.top_as::<ErrorsView>().is_some() => vec![Effect::Pop],
            Action::ShowErrors => vec![Effect::Push(Box::new(ErrorsView::default()))],
            Action::ShowNotes if self.top_as::<NotesView>().is_none() => {
                vec![Effect::Push(Box::new(NotesView::default()))]
            }
            Action::ShowFindings if self.top_as::<super::findings::FindingsView>().is_none() => {
                let view = super::findings::FindingsView::open(&self.shared, None);
                vec![Effect::Push(Box::new(view))]
            }
            Action::ToggleReader if self.top_as::<super::reader::Reader>().is_some() => {
                vec![Effect::Pop]
            }
            Action::Annotate if self.top().keymap() != View::Select => {
                match self.top().annotation(&self.shared) {
                    Some((policy, targets, chosen)) => vec![Effect::Annotate {
                        policy,
                        targets,
                        chosen,
                    }],
                    None => vec![Effect::Status(String::from("nothing to annotate here"))],
                }
            }
            Action::CompareTopic => {
                let here = self.here();
                super::compare::open_topic(&self.shared, here)
            }
            Action::CompareVersions => {
                let here = self.here();
                super::compare::open_versions(&self.shared, here)
            }
            Action::ShowMatrix => super::compare::open_matrix(&self.shared),
            Action::Search => self.open_palette(),
            Action::GotoId => {
                // `:` matches on the id worker: start it (again, if notes
                // changed) before the first key.
                self.shared.search.refresh_if_stale();
                self.start_search();
                self.start_ids();
                vec![Effect::Push(Box::new(super::goto::GotoView::new(
                    &self.shared,
                )))]
            }
            Action::NextHit => self.step_hit(1),
            Action::PrevHit => self.step_hit(-1),
            Action::JumpBack => self.jump_back(),
            Action::JumpForward => self.jump_forward(),
            Action::Undo => vec![Effect::Undo],
            Action::EditContextExternal => self.request_context_edit(),
            Action::Redo => {
                self.redo_model();
                Vec::new()
            }
            Action::NewContext
            | Action::NewFlow
            | Action::EditFlow
            | Action::DeleteFlow
            | Action::DeleteContext
            | Action::MoveFlow
            | Action::AddEvidence
            | Action::ConfirmFlow
            | Action::RejectFlow
            | Action::ConfirmAll => self.model_action(action),
            Action::CopyText | Action::CopyId => match self.top().copy_text(&self.shared) {
                Some((text, id)) if action == Action::CopyText => {
                    let what = format!("copied the text of {id}");
                    vec![Effect::Copy { text, what }]
                }
                Some((_, id)) => vec![Effect::Copy {
                    what: format!("copied \"{id}\""),
                    text: id,
                }],
                None => vec![Effect::Status(String::from("select a clause to copy"))],
            },
            _ => {
                let App { shared, stack, .. } = self;
                let top = stack.last_mut().expect("the stack is never empty");
                top.handle(action, shared)
            }
        };
        self.run_effects(effects);
    }

    /// The selection of the topmost view that has one.
    fn here(&self) -> Option<Here> {
        self.stack.iter().rev().find_map(|v| v.here(&self.shared))
    }

    /// `q`: closes the view on top, and quits on the last one.
    fn close_or_quit(&mut self) -> Vec<Effect> {
        if self.stack.len() > 1 {
            vec![Effect::Pop]
        } else {
            vec![Effect::Quit]
        }
    }

    /// `Ctrl-c`: quits from anywhere, asking first when a note is being
    /// written or a model form holds changes.
    fn quit_all(&mut self) -> Vec<Effect> {
        if self.draft().is_some() {
            if self.top_as::<Confirm>().is_some() {
                return Vec::new();
            }
            let confirm = Confirm::new(
                "Quit? A note is being written.",
                vec![
                    (
                        'd',
                        "keep it as a draft and quit",
                        vec![Effect::Pop, Effect::StoreDraft, Effect::Quit],
                    ),
                    ('x', "discard it and quit", vec![Effect::Quit]),
                    ('n', "stay", vec![Effect::Pop]),
                ],
            );
            return vec![Effect::Push(Box::new(confirm))];
        }
        let form_open = self
            .find::<super::modelling::FlowForm>()
            .is_some_and(|f| f.unsaved())
            || self
                .find::<super::modelling::ContextForm>()
                .is_some_and(|f| f.unsaved());
        if form_open {
            if self.top_as::<Confirm>().is_some() {
                return Vec::new();
            }
            let confirm = Confirm::new(
                "Quit? A model form has changes not saved.",
                vec![
                    ('x', "discard them and quit", vec![Effect::Quit]),
                    ('n', "stay (Ctrl-s saves the form)", vec![Effect::Pop]),
                ],
            );
            return vec![Effect::Push(Box::new(confirm))];
        }
        vec![Effect::Quit]
    }

    fn open_palette(&mut self) -> Vec<Effect> {
        if self.top_as::<PaletteView>().is_some() {
            return Vec::new();
        }
        self.shared.search.refresh_if_stale();
        self.start_search();
        self.start_ids();
        let query = self.shared.search.last_query.clone();
        let mut effects = vec![Effect::Push(Box::new(PaletteView::new(&query)))];
        if !query.is_empty() {
            effects.push(Effect::Search(query));
        }
        effects
    }

    /// `n` (`step` 1) and `N` (-1): the next or previous hit of the last
    /// search, wrapping around.
    fn step_hit(&mut self, step: isize) -> Vec<Effect> {
        let search = &mut self.shared.search;
        let count = search.last_hits.len();
        if count == 0 {
            let key = self
                .shared
                .keymap
                .hint(self.view(), Action::Search)
                .unwrap_or_default();
            return vec![Effect::Status(format!("no search yet; {key} searches"))];
        }
        let next = match search.hit_cursor {
            Some(i) => (i as isize + step).rem_euclid(count as isize) as usize,
            None if step > 0 => 0,
            None => count - 1,
        };
        search.hit_cursor = Some(next);
        let hit = search.last_hits[next].clone();
        let status = format!(
            "hit {} of {} for \"{}\": {} {}",
            next + 1,
            count,
            search.last_query,
            hit.kind.name(),
            hit.id
        );
        vec![Effect::GotoHit(hit), Effect::Status(status)]
    }

    /// `Ctrl-o`: back in the top view's own jumps, else to the view below
    /// (kept for `Ctrl-i`, where it was).
    fn jump_back(&mut self) -> Vec<Effect> {
        let App { shared, stack, .. } = self;
        let top = stack.last_mut().expect("the stack is never empty");
        if top.jump_back(shared) {
            return Vec::new();
        }
        if self.stack.len() > 1 {
            let view = self.stack.pop().expect("more than one view");
            self.forward.push(view);
            return Vec::new();
        }
        vec![Effect::Status(String::from("no earlier jump"))]
    }

    fn jump_forward(&mut self) -> Vec<Effect> {
        let App { shared, stack, .. } = self;
        let top = stack.last_mut().expect("the stack is never empty");
        if top.jump_forward(shared) {
            return Vec::new();
        }
        match self.forward.pop() {
            Some(mut view) => {
                view.resize(&self.shared);
                self.stack.push(view);
                Vec::new()
            }
            None => vec![Effect::Status(String::from("no later jump"))],
        }
    }

    /// Carries out effects in order; an effect may bring more.
    pub fn run_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run_effect(effect);
        }
    }

    fn run_effect(&mut self, effect: Effect) {
        match effect {
            Effect::Push(view) => self.push(view),
            Effect::Pop => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
            }
            Effect::Goto(node) => self.goto(node),
            Effect::GotoNote { policy, id } => self.goto_note(policy, &id),
            Effect::GotoHit(hit) => self.goto_hit(&hit),
            Effect::Store {
                policy,
                op,
                done,
                close_editor,
            } => {
                let saved = self.store(policy, op, &done, true).is_some();
                if saved && close_editor && self.top_as::<Editor>().is_some() {
                    self.stack.pop();
                }
            }
            Effect::StoreDraft => {
                if let Some(draft) = self.draft() {
                    if self.store_draft(draft) && self.top_as::<Editor>().is_some() {
                        self.stack.pop();
                    }
                }
            }
            Effect::Undo => self.undo(),
            Effect::Model {
                policy,
                edit,
                done,
                close_form,
            } => self.model_edit(policy, edit, done, close_form),
            Effect::Annotate {
                policy,
                targets,
                chosen,
            } => {
                let editor = Editor::new_note(&self.shared, policy, targets, chosen);
                self.push(Box::new(editor));
            }
            Effect::Search(query) => self.shared.search.submit(&query),
            Effect::RememberHits {
                hits,
                query,
                cursor,
            } => self.shared.search.remember(hits, query, cursor),
            Effect::Status(message) => self.status = Some(message),
            Effect::ExternalEdit => self.external_edit = true,
            Effect::Action(action) => self.apply_keeping_status(action),
            Effect::Copy { text, what } => {
                self.clipboard = Some(text);
                self.status = Some(what);
            }
            Effect::Quit => self.quit = true,
        }
    }

    /// An action fed by an effect: it does not clear what the effects
    /// before it said.
    fn apply_keeping_status(&mut self, action: Action) {
        let status = self.status.take();
        self.apply(action);
        if self.status.is_none() {
            self.status = status;
        }
    }

    fn push(&mut self, mut view: Box<dyn Component>) {
        view.resize(&self.shared);
        self.forward.clear();
        self.stack.push(view);
    }

    /// Shows a tree node: in place if the view on top can, else in a
    /// browse view pushed over it (a copy of the one below, so the tree
    /// looks as the analyst left it), so `Ctrl-o` comes back.
    pub fn goto(&mut self, node: usize) {
        // Popups (palette, help) close first.
        while self.stack.len() > 1 && self.top().popup() {
            self.stack.pop();
        }
        let App { shared, stack, .. } = self;
        let top = stack.last_mut().expect("the stack is never empty");
        if top.show_node(node, shared) {
            return;
        }
        let mut browse = self.browse().fresh_copy();
        browse.select_node(&self.shared, node);
        self.push(Box::new(browse));
    }

    /// Same as [`App::goto`], for tests and the bench: a jump from elsewhere.
    pub fn jump_to_node(&mut self, node: usize) {
        self.goto(node);
    }

    /// Goes to what a note is about (or says it is detached).
    pub fn goto_note(&mut self, policy: usize, id: &str) {
        let Some(anchor) = self.shared.anchor_of(policy, id).cloned() else {
            return;
        };
        let Some(kind) = anchor_kind(&anchor) else {
            if let Anchor::Detached { reason } = anchor {
                self.status = Some(format!("note {id} is detached: {reason}"));
            }
            return;
        };
        if let Some(node) = self.shared.tree.find(policy, &kind) {
            self.goto(node);
            if let Anchor::Context { flow: Some(f), .. } = anchor {
                self.status = Some(format!("the note is on flow {}", f + 1));
            }
        }
    }

    /// Goes to a hit: its node in the tree (a data or recipient label goes
    /// to the context that uses it), or its note.
    fn goto_hit(&mut self, hit: &HitRef) {
        let corpus = &self.shared.corpus;
        let Some(pi) = corpus
            .policies
            .iter()
            .position(|p| p.policy.id == hit.policy)
        else {
            return;
        };
        if hit.kind == crate::search::Kind::Note {
            return self.goto_note(pi, &hit.id);
        }
        if let Some(node) = self.shared.hit_node(pi, hit) {
            self.goto(node);
        }
    }

    /// Applies a change to a review file and says what happened; with
    /// `record`, the change can be undone. The id of the note, if saved.
    fn store(&mut self, policy: usize, op: Op, done: &str, record: bool) -> Option<String> {
        let before = self.shared.reviews.reviews[policy]
            .file
            .note(op.note_id())
            .cloned();
        let result = self.shared.reviews.apply(policy, &op);
        self.shared.refresh_marks();
        let file = self.shared.reviews.reviews[policy]
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Notes are searchable: index them again (on the worker) with the
        // next search.
        self.shared.search.reindex();
        match result {
            Ok(id) => {
                self.status = Some(format!("{done} note {id} · saved to {file}"));
                if record {
                    if let Some(reverse) = reverse(&op, before, &id) {
                        self.undo.push(Undo {
                            policy,
                            op: reverse,
                            what: format!("{done} note {id}"),
                        });
                    }
                }
                Some(id)
            }
            Err(error) => {
                let recovery = match &error {
                    crate::review::StoreError::Unparsable {
                        recovery: Some(recovery),
                        ..
                    } => format!(
                        "{file} does not parse (see `qualm check`); the note is kept in {}",
                        recovery.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    crate::review::StoreError::Locked {
                        draft: Some(draft), ..
                    } => format!(
                        "{file} is locked by another qualm; the change waits in {} and is applied by the next save",
                        draft.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    other => format!("NOT SAVED: {}", other.to_string().replace('\n', " · ")),
                };
                self.status = Some(recovery);
                None
            }
        }
    }

    fn undo(&mut self) {
        // A model edit made after the last note change is undone first.
        if self.undo_model() {
            return;
        }
        let Some(undo) = self.undo.pop() else {
            self.status = Some(String::from("nothing to undo"));
            return;
        };
        if self.store(undo.policy, undo.op, "undid", false).is_some() {
            self.status = Some(format!("undid: {}", undo.what));
        }
    }

    /// How many note changes can be undone (model edits interleave).
    pub(super) fn note_undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Browse views `Ctrl-o` stepped back from follow a rebuilt tree.
    pub(super) fn remap_forward(&mut self, map: &[usize]) {
        let App {
            shared, forward, ..
        } = self;
        forward.retain(|v| !v.as_any().is::<super::goto::GotoView>());
        for view in forward.iter_mut() {
            if let Some(browse) = view.as_any_mut().downcast_mut::<Browse>() {
                browse.remap_nodes(shared, map);
            }
        }
    }

    /// On SIGHUP or SIGTERM: a note being written is saved as a draft
    /// (status `draft`) rather than lost with the connection.
    pub fn save_draft(&mut self) {
        if let Some(draft) = self.draft() {
            if self.store_draft(draft) {
                self.stack.retain(|v| !v.as_any().is::<Editor>());
            }
        }
    }

    /// Writes a draft taken with [`App::draft`]; whether it was saved.
    pub fn store_draft(&mut self, draft: Draft) -> bool {
        self.store(draft.policy, Op::Add(draft.note), "drafted", true)
            .is_some()
    }

    /// The note being written (in the topmost editor), as the draft note
    /// that would keep it.
    pub fn draft(&self) -> Option<Draft> {
        self.stack.iter().rev().find_map(|v| v.draft(&self.shared))
    }

    /// `edit_context_external`: asks the event loop to hand the terminal
    /// to `$EDITOR` on the context selected in the browse view on top.
    fn request_context_edit(&mut self) -> Vec<Effect> {
        let selected = self
            .top_as::<Browse>()
            .and_then(Browse::selected_node)
            .map(|node| &self.shared.tree.nodes[node]);
        match selected {
            Some(super::tree::Node {
                policy,
                kind: NodeKind::Context(path),
                ..
            }) => {
                let id = self.shared.corpus.policies[*policy]
                    .policy
                    .context_at(path)
                    .id
                    .clone();
                self.context_edit = Some((*policy, id));
                Vec::new()
            }
            _ => vec![Effect::Status(String::from(
                "select a context to edit it in $EDITOR",
            ))],
        }
    }

    /// Runs the `$EDITOR` session [`App::request_context_edit`] asked for
    /// (`editor` edits the file it is given; the event loop hands it the
    /// terminal) and says on the status line what it changed. The model
    /// file changed on disk; the view shows it once the policy is read
    /// again.
    pub fn run_context_edit(
        &mut self,
        editor: &mut dyn FnMut(&std::path::Path) -> std::io::Result<bool>,
    ) {
        let Some((policy, context)) = self.context_edit.take() else {
            return;
        };
        let path = self.shared.corpus.policies[policy].path.clone();
        let waiting = |lock: &std::path::Path| {
            // Not `eprintln!`: it panics if the terminal went away.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "qualm: waiting for {} (another qualm is writing)",
                crate::escape::path(lock)
            );
        };
        let outcome = crate::model::context_edit::edit(&path, &context, editor, &waiting);
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let applied = matches!(outcome, crate::model::context_edit::Outcome::Applied(_));
        // Shown at once, every view keeping its place, rather than when
        // the disk watcher next looks (the edit may have moved notes too).
        if applied {
            self.reload_model(policy, true);
        }
        self.status = Some(match outcome {
            crate::model::context_edit::Outcome::Applied(summary) => {
                format!("{summary} · saved to {}", crate::escape::escape(&file))
            }
            other => other.to_string(),
        });
    }

    /// Text back from `$EDITOR`, for the editor on top.
    pub fn finish_external_edit(&mut self, text: Option<String>) {
        self.external_edit = false;
        if let (Some(text), Some(editor)) = (text, self.find_mut::<Editor>()) {
            editor.external_text(text);
        }
    }

    /// The text the editor on top holds, for `$EDITOR`.
    pub fn editor_text(&self) -> String {
        self.find::<Editor>().map(|e| e.text()).unwrap_or_default()
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.shared.size = (width, height);
        let App { shared, stack, .. } = self;
        for view in stack.iter_mut() {
            view.resize(shared);
        }
    }
}

/// The change that undoes `op`, given the note as it was before.
fn reverse(op: &Op, before: Option<Note>, id: &str) -> Option<Op> {
    match (op, before) {
        (Op::Add(_), _) | (Op::Restore(_), None) => Some(Op::Remove { id: id.to_string() }),
        // A reply is taken back by putting the note back as it was.
        (Op::Remove { .. } | Op::Reply { .. }, Some(note)) => Some(Op::Restore(note)),
        (Op::Edit { .. }, Some(note)) => Some(Op::Edit {
            id: note.id.clone(),
            kind: Some(note.kind.clone()),
            severity: Some(note.severity),
            status: Some(note.status),
            body: Some(note.body.clone()),
            updated: now(),
            // An undo puts back what this session had: no merge with it.
            base: None,
        }),
        _ => None,
    }
}

/// The character a key types, if it types one.
fn typed_char(key: Key) -> Option<char> {
    use crossterm::event::{KeyCode, KeyModifiers};
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

impl Shared {
    /// Load problems, errors first, for the errors panel.
    pub fn sorted_diagnostics(&self) -> Vec<&crate::model::Diagnostic> {
        let mut list: Vec<_> = self.corpus.diagnostics.iter().collect();
        list.sort_by_key(|d| d.severity);
        list
    }

    /// The tree node a search hit points at.
    pub fn hit_node(&self, pi: usize, hit: &HitRef) -> Option<usize> {
        use crate::search::Kind;
        let policy = &self.corpus.policies[pi].policy;
        match hit.kind {
            Kind::Note => None,
            Kind::Policy => self.tree.find(pi, &NodeKind::Policy),
            Kind::Clause => self.tree.find_clause(&self.corpus, pi, &hit.id),
            Kind::Context | Kind::Data | Kind::Recipient => policy
                .context_path(&hit.id)
                .and_then(|p| self.tree.find_context(pi, &p)),
        }
    }

    /// The most severe open note on a node, for its mark.
    pub fn mark(&self, node: usize) -> Option<Severity> {
        self.marks.nodes.get(&node).copied()
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

/// A folder loading in the background while the workbench is already on
/// screen: policies join the tree in batches, in the order the whole
/// folder has, and views that need every policy wait for the rest.
pub struct Loading {
    pub loader: crate::model::load::Loader,
    /// Where the analyst was last time, applied as its policies arrive.
    pub restore: Option<super::state::Saved>,
    /// Whether the saved selection was put back.
    pub restored: bool,
    /// Set by the first key: a restore then never moves the selection.
    pub touched: bool,
    /// When the last batch was taken in.
    taken: std::time::Instant,
}

/// How often batches of loaded policies join the tree: each costs a pass
/// over the tree's rows (more with a filter), so not for every file.
const LOAD_BATCH: std::time::Duration = std::time::Duration::from_millis(100);

impl Loading {
    pub fn new(
        loader: crate::model::load::Loader,
        restore: Option<super::state::Saved>,
    ) -> Loading {
        Loading {
            loader,
            restore,
            restored: false,
            touched: false,
            taken: std::time::Instant::now(),
        }
    }

    /// "loading 1,234 / 4,000 policies", for the status line.
    pub fn progress(&self) -> String {
        format!(
            "loading {} / {} policies",
            grouped(self.loader.done()),
            grouped(self.loader.total())
        )
    }
}

/// A count with thousands separated by commas.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Shared {
    /// Appends policies loaded in the background (the next ones in the
    /// folder's order): their tree nodes, review files and note marks.
    /// Cached findings are dropped; the search index is built once the
    /// whole folder is there ([`App::start_search`] waits for it).
    pub fn add_loaded(&mut self, batch: crate::model::load::Batch) {
        let crate::model::load::Batch {
            policies,
            diagnostics,
            failed,
        } = batch;
        // Review files are read for the new policies only.
        let new = Corpus {
            policies,
            ..Corpus::default()
        };
        let reviews = ReviewSet::load(&new);
        self.corpus.absorb(crate::model::load::Batch {
            policies: new.policies,
            diagnostics,
            failed,
        });
        self.reviews.reviews.extend(reviews.reviews);
        self.tree.extend(&self.corpus);
        self.extend_marks();
        self.search.reindex();
    }
}

impl App {
    /// Waits up to `budget` for the folder to load, taking batches in as
    /// they come, so a small folder's first frame shows it whole.
    pub fn wait_for_loading(&mut self, budget: std::time::Duration) {
        let deadline = std::time::Instant::now() + budget;
        while let Some(loading) = &mut self.loading {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            if let Some(batch) = loading.loader.take(Some(left)) {
                self.take_batch(batch);
            }
            if self.loading.as_ref().is_some_and(|l| l.loader.finished()) {
                self.finish_loading();
            }
        }
    }

    /// Takes in the policies loaded since the last call, at most every
    /// [`LOAD_BATCH`]; finishes when the last is in. Whether anything did.
    fn collect_loading(&mut self) -> bool {
        let Some(loading) = &mut self.loading else {
            return false;
        };
        if loading.taken.elapsed() < LOAD_BATCH {
            return false;
        }
        loading.taken = std::time::Instant::now();
        let batch = loading.loader.take(Some(std::time::Duration::ZERO));
        let mut changed = false;
        if let Some(batch) = batch {
            self.take_batch(batch);
            changed = true;
        }
        if self.loading.as_ref().is_some_and(|l| l.loader.finished()) {
            self.finish_loading();
            changed = true;
        }
        changed
    }

    /// One batch into the shared data and every browse view (open or
    /// stepped back from), with the saved state of its policies.
    fn take_batch(&mut self, batch: crate::model::load::Batch) {
        let from = self.shared.corpus.policies.len();
        self.shared.add_loaded(batch);
        let (restore, select) = match &mut self.loading {
            Some(l) => (l.restore.take(), !l.touched && !l.restored),
            None => (None, false),
        };
        if let Some(saved) = restore {
            let restored = super::state::apply_loaded(self, &saved, from, select);
            if let Some(loading) = &mut self.loading {
                loading.restored |= restored;
                loading.restore = Some(saved);
            }
        }
        let App {
            shared,
            stack,
            forward,
            ..
        } = self;
        for view in stack.iter_mut().chain(forward.iter_mut()) {
            if let Some(browse) = view.as_any_mut().downcast_mut::<Browse>() {
                browse.tree_grew(shared);
            }
        }
    }

    /// The whole folder is in: the checks across policies, the rest of the
    /// saved state, and what went wrong said on the status line.
    fn finish_loading(&mut self) {
        let Some(loading) = self.loading.take() else {
            return;
        };
        crate::model::load::finish(&mut self.shared.corpus);
        if !loading.touched {
            // A single policy opens ready to browse, as one loaded at once.
            if let [root] = self.shared.tree.roots[..] {
                let App { shared, stack, .. } = self;
                if let Some(browse) = stack[0].as_any_mut().downcast_mut::<Browse>() {
                    browse.expanded[root] = true;
                    browse.tree_grew(shared);
                }
            }
            if let Some(saved) = &loading.restore {
                super::state::apply_at_end(self, saved);
            }
        }
        if self.status.is_none() {
            self.status = start_status(&self.shared);
        }
    }

    /// What an action that needs every policy says while some are still
    /// loading (None: it can run now).
    fn waits_for_loading(&self, action: Action) -> Option<String> {
        let loading = self.loading.as_ref()?;
        let what = match action {
            Action::Search => "search",
            Action::CompareTopic => "compare",
            Action::CompareVersions => "the version compare",
            Action::ShowMatrix => "the matrix",
            Action::TermCard => "the recipient card",
            Action::ShowFindings => "findings",
            Action::GotoId => "go to",
            Action::ShowNotes => "the list of notes",
            _ => return None,
        };
        Some(format!(
            "{what} waits for the whole folder: {} of {} policies loaded",
            grouped(loading.loader.done()),
            grouped(loading.loader.total())
        ))
    }
}

/// What the status line says once a folder is loaded: files that failed,
/// else a review file that does not parse or notes in a recovery file.
fn start_status(shared: &Shared) -> Option<String> {
    let failed = shared.corpus.failed.len();
    if failed > 0 {
        let key = shared
            .keymap
            .hint(View::Tree, Action::ShowErrors)
            .unwrap_or_default();
        Some(format!("{failed} file(s) failed to load; {key} lists them"))
    } else {
        review_problems(&shared.reviews)
    }
}
