//! Annotating in the workbench: the note editor popup, selecting words of
//! a clause for a span note, the notes view with its filters, and the
//! marks that show where notes are. Every change goes straight to the
//! review file through `review::ReviewSet` (no save key); the state here
//! only says what is being edited and shown.

use std::collections::HashMap;
use std::ops::Range;

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::any_component;
use crate::keymap::{Key, View};
use crate::model::Category;
use crate::review::author::{author, now};
use crate::review::{resolve, Anchor, Note, Op, Reply, Severity, Status, Target};

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::popups::Confirm;
use super::tree::NodeKind;
use super::widgets::filter::Filter;
use super::widgets::text_field::TextField;
use ratatui_textarea::CursorMove;

/// What the editor popup is writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorPurpose {
    /// A new note; the analyst picks one of `targets` (e.g. a context or
    /// one of its flows).
    New {
        targets: Vec<Target>,
        target: usize,
    },
    Edit {
        id: String,
    },
    Reply {
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorField {
    Target,
    Kind,
    Severity,
    Body,
}

#[derive(Debug, Clone)]
pub struct Editor {
    pub policy: usize,
    pub purpose: EditorPurpose,
    pub field: EditorField,
    /// Index into the vocabulary's concern kinds.
    pub kind: usize,
    pub severity: Severity,
    pub body: TextField,
    /// The text the editor opened with, to tell whether any was typed.
    pub original: String,
}

impl Editor {
    /// The fields this editor shows, in Tab order (the screen's).
    pub fn fields(&self) -> Vec<EditorField> {
        match &self.purpose {
            // In the order they are on screen; the text has focus first.
            EditorPurpose::New { targets, .. } if targets.len() > 1 => vec![
                EditorField::Target,
                EditorField::Kind,
                EditorField::Severity,
                EditorField::Body,
            ],
            EditorPurpose::New { .. } | EditorPurpose::Edit { .. } => {
                vec![EditorField::Kind, EditorField::Severity, EditorField::Body]
            }
            EditorPurpose::Reply { .. } => vec![EditorField::Body],
        }
    }
}

/// A note being written, kept as a draft note: what a hang-up saves.
#[derive(Debug, Clone)]
pub struct Draft {
    pub policy: usize,
    pub policy_id: String,
    /// The review file it goes to.
    pub path: std::path::PathBuf,
    pub note: Note,
}

impl Draft {
    /// Saves it without the app (for the watchdog, when the event loop is
    /// stuck on a terminal that went away, and on a hang-up): first to this
    /// process's draft file, which needs no lock, then into the review file
    /// if its lock is free within a moment (else the next write takes it).
    pub fn save(self) {
        use crate::review::store;
        match store::save_draft_notes(&self.path, &self.policy_id, vec![self.note.clone()]) {
            Ok(_) => {
                let _ = store::pick_up(&self.path, &self.policy_id);
            }
            Err(_) => {
                let _ = store::apply(&self.path, &self.policy_id, &Op::Add(self.note), None);
            }
        }
    }
}

/// Words of one clause being selected for a span note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanSelect {
    pub policy: usize,
    pub clause: (usize, usize),
    /// Byte ranges of the clause text's words.
    pub words: Vec<Range<usize>>,
    /// Where the selection started, once `mark` was pressed.
    pub anchor: Option<usize>,
    pub cursor: usize,
}

impl SpanSelect {
    /// The selected byte range of the clause text.
    pub fn range(&self) -> Range<usize> {
        let a = self.anchor.unwrap_or(self.cursor);
        let (first, last) = (a.min(self.cursor), a.max(self.cursor));
        self.words[first].start..self.words[last].end
    }
}

pub fn word_ranges(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    words
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoteSort {
    /// Policy by policy, in creation order.
    #[default]
    Folder,
    Severity,
    Newest,
    Status,
}

impl NoteSort {
    pub fn label(self) -> &'static str {
        match self {
            NoteSort::Folder => "by policy",
            NoteSort::Severity => "most severe first",
            NoteSort::Newest => "newest first",
            NoteSort::Status => "by status",
        }
    }

    fn next(self) -> NoteSort {
        match self {
            NoteSort::Folder => NoteSort::Severity,
            NoteSort::Severity => NoteSort::Newest,
            NoteSort::Newest => NoteSort::Status,
            NoteSort::Status => NoteSort::Folder,
        }
    }
}

/// The notes view's filter: the note's own fields, and its policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteFilter {
    pub note: crate::review::NoteFilter,
    pub policy: Option<usize>,
}

impl NoteFilter {
    pub fn keeps(&self, policy: usize, note: &Note) -> bool {
        self.note.keeps(note) && self.policy.is_none_or(|p| p == policy)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotesView {
    pub selected: usize,
    pub filter: NoteFilter,
    pub sort: NoteSort,
    /// Typed with `/`: notes whose words match.
    pub typed: Filter,
}

/// Where notes are, derived from the review files after every change: the
/// most severe note on each tree node, and each note's anchor.
#[derive(Debug, Default)]
pub struct NoteMarks {
    pub nodes: HashMap<usize, Severity>,
    /// Per policy, per note (in file order): where it is now.
    pub anchors: Vec<Vec<Anchor>>,
}

/// Cycles an optional filter value through `values` and back to none.
fn cycle<T: Clone + PartialEq>(current: &Option<T>, values: &[T]) -> Option<T> {
    match current
        .as_ref()
        .and_then(|c| values.iter().position(|v| v == c))
    {
        None => values.first().cloned(),
        Some(i) => values.get(i + 1).cloned(),
    }
}

impl Shared {
    /// The anchor of a note, as last derived.
    pub fn anchor_of(&self, policy: usize, id: &str) -> Option<&Anchor> {
        let review = self.reviews.reviews.get(policy)?;
        let i = review.file.notes.iter().position(|n| n.id == id)?;
        self.marks.anchors.get(policy)?.get(i)
    }

    /// Notes on a clause with the byte range each one marks in its text.
    pub fn clause_spans(
        &self,
        policy: usize,
        clause: (usize, usize),
    ) -> Vec<(Range<usize>, Severity)> {
        let Some(review) = self.reviews.reviews.get(policy) else {
            return Vec::new();
        };
        let anchors = &self.marks.anchors[policy];
        review
            .file
            .notes
            .iter()
            .zip(anchors)
            .filter_map(|(note, anchor)| match anchor {
                Anchor::Clause {
                    position,
                    span: Some(span),
                    ..
                } if *position == clause => Some((span.clone(), note.severity)),
                _ => None,
            })
            .collect()
    }

    /// Notes whose target is exactly the given tree node's item.
    pub fn notes_on_node(&self, node: usize) -> Vec<&Note> {
        let node = &self.tree.nodes[node];
        let Some(review) = self.reviews.reviews.get(node.policy) else {
            return Vec::new();
        };
        let anchors = &self.marks.anchors[node.policy];
        review
            .file
            .notes
            .iter()
            .zip(anchors)
            .filter(|(_, anchor)| anchor_kind(anchor).as_ref() == Some(&node.kind))
            .map(|(note, _)| note)
            .collect()
    }

    /// Recomputes anchors and tree marks from the review files.
    pub fn refresh_marks(&mut self) {
        self.marks = NoteMarks::default();
        self.extend_marks();
    }

    /// Anchors and marks for the review files that have none yet (those
    /// of policies loaded since), keeping the others.
    pub fn extend_marks(&mut self) {
        // Findings take their statuses from the notes.
        self.findings = std::cell::OnceCell::new();
        self.policy_findings.borrow_mut().clear();
        let mut marks = std::mem::take(&mut self.marks);
        let from = marks.anchors.len();
        for (pi, review) in self.reviews.reviews.iter().enumerate().skip(from) {
            let policy = &self.corpus.policies[pi].policy;
            let anchors: Vec<Anchor> = review
                .file
                .notes
                .iter()
                .map(|n| resolve(policy, &n.target))
                .collect();
            for (note, anchor) in review.file.notes.iter().zip(&anchors) {
                if matches!(note.status, Status::Resolved | Status::Dismissed) {
                    continue;
                }
                let kind = anchor_kind(anchor).unwrap_or(NodeKind::Policy);
                for node in [
                    self.tree.find(pi, &kind),
                    self.tree.find(pi, &NodeKind::Policy),
                ]
                .into_iter()
                .flatten()
                {
                    let mark = marks.nodes.entry(node).or_insert(note.severity);
                    *mark = (*mark).max(note.severity);
                }
            }
            marks.anchors.push(anchors);
        }
        self.marks = marks;
    }

    fn concern_index(&self, kind: &str) -> usize {
        self.corpus
            .vocabulary
            .terms(Category::Concerns)
            .iter()
            .position(|t| t.id == kind)
            .unwrap_or(0)
    }

    pub fn concern_ids(&self) -> Vec<&str> {
        self.corpus
            .vocabulary
            .terms(Category::Concerns)
            .iter()
            .map(|t| t.id.as_str())
            .collect()
    }

    fn new_note(
        &self,
        policy: usize,
        target: Target,
        kind: String,
        severity: Severity,
        body: String,
        status: Status,
    ) -> Note {
        let created = now();
        Note {
            id: String::new(),
            target,
            kind,
            severity,
            status,
            author: author(None),
            created: created.clone(),
            updated: created,
            digest: Some(self.corpus.policies[policy].digest.clone()),
            body,
            replies: Vec::new(),
            conflict: None,
            rule: None,
            fingerprint: None,
        }
    }
}

impl Editor {
    fn open(
        shared: &Shared,
        policy: usize,
        purpose: EditorPurpose,
        kind: &str,
        severity: Severity,
        body: &str,
    ) -> Editor {
        Editor {
            policy,
            purpose,
            field: EditorField::Body,
            kind: shared.concern_index(kind),
            severity,
            body: TextField::new(body),
            original: body.to_string(),
        }
    }

    /// A new note on one of `targets` (`chosen` preselected).
    pub fn new_note(shared: &Shared, policy: usize, targets: Vec<Target>, chosen: usize) -> Editor {
        let purpose = EditorPurpose::New {
            targets,
            target: chosen,
        };
        Editor::open(
            shared,
            policy,
            purpose,
            "vague-language",
            Severity::Medium,
            "",
        )
    }

    /// The text being written.
    pub fn text(&self) -> String {
        self.body.text()
    }

    /// Whether closing now would lose typed text.
    pub fn unsaved(&self) -> bool {
        {
            let text = self.body.text();
            !text.trim().is_empty() && text.trim_end() != self.original.trim_end()
        }
    }

    /// The concern id the editor's kind field shows.
    fn kind_id(&self, shared: &Shared) -> String {
        shared
            .concern_ids()
            .get(self.kind)
            .copied()
            .unwrap_or("other")
            .to_string()
    }

    fn submit(&self, shared: &Shared) -> Vec<Effect> {
        let kind = self.kind_id(shared);
        let body = self.body.text().trim_end().to_string();
        let time = now();
        let (op, done) = match &self.purpose {
            EditorPurpose::New { targets, target } => {
                let note = shared.new_note(
                    self.policy,
                    targets[*target].clone(),
                    kind,
                    self.severity,
                    body,
                    Status::Open,
                );
                (Op::Add(note), "added")
            }
            EditorPurpose::Edit { id } => {
                // Only the fields this edit changed are written, against
                // the note as this session saw it (a concurrent `qualm note
                // set` of another field is kept).
                let seen = shared.reviews.reviews[self.policy].file.note(id);
                let op = match seen {
                    Some(seen) => Op::edit_from(
                        seen,
                        Some(kind),
                        Some(self.severity),
                        None,
                        Some(body),
                        time,
                    ),
                    None => Op::Edit {
                        id: id.clone(),
                        kind: Some(kind),
                        severity: Some(self.severity),
                        status: None,
                        body: Some(body),
                        updated: time,
                        base: None,
                    },
                };
                (op, "saved")
            }
            EditorPurpose::Reply { id } => (
                Op::Reply {
                    id: id.clone(),
                    reply: Reply {
                        author: author(None),
                        created: time,
                        body,
                    },
                },
                "replied to",
            ),
        };
        vec![Effect::Store {
            policy: self.policy,
            op,
            done: done.to_string(),
            close_editor: true,
        }]
    }

    /// `Esc`: closes at once when nothing would be lost, else asks.
    fn cancel(&self) -> Vec<Effect> {
        if !self.unsaved() {
            return vec![Effect::Pop, Effect::Status(String::from("note discarded"))];
        }
        let confirm = Confirm::new(
            "The note has unsaved text.",
            vec![
                (
                    's',
                    "save it",
                    vec![Effect::Pop, Effect::Action(Action::Submit)],
                ),
                (
                    'd',
                    "keep it as a draft note",
                    vec![Effect::Pop, Effect::StoreDraft],
                ),
                (
                    'x',
                    "discard it",
                    vec![
                        Effect::Pop,
                        Effect::Pop,
                        Effect::Status(String::from("note discarded")),
                    ],
                ),
                ('e', "keep editing", vec![Effect::Pop]),
            ],
        );
        vec![Effect::Push(Box::new(confirm))]
    }
}

impl Component for Editor {
    fn keymap(&self) -> View {
        View::Editor
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let kinds = shared
            .corpus
            .vocabulary
            .terms(Category::Concerns)
            .len()
            .max(1);
        match (action, self.field) {
            (Action::Cancel | Action::Back, _) => return self.cancel(),
            (Action::Submit, _)
            | (Action::Newline, EditorField::Kind | EditorField::Severity | EditorField::Target) => {
                return self.submit(shared)
            }
            (Action::SaveDraft, _) => return vec![Effect::StoreDraft],
            (Action::NextField, _) => self.field = fields[(at + 1) % fields.len()],
            (Action::PrevField, _) => self.field = fields[(at + fields.len() - 1) % fields.len()],
            (Action::ExternalEditor, EditorField::Body) => return vec![Effect::ExternalEdit],
            (Action::Newline, EditorField::Body) => self.body.newline(),
            (Action::DeleteBack, EditorField::Body) => self.body.delete_back(),
            (Action::DeleteForward, EditorField::Body) => self.body.delete_forward(),
            (Action::Left, EditorField::Body) => self.body.step(CursorMove::Back),
            (Action::Right, EditorField::Body) => self.body.step(CursorMove::Forward),
            (Action::Up, EditorField::Body) => self.body.step(CursorMove::Up),
            (Action::Down, EditorField::Body) => self.body.step(CursorMove::Down),
            (Action::LineStart, EditorField::Body) => self.body.step(CursorMove::Head),
            (Action::LineEnd, EditorField::Body) => self.body.step(CursorMove::End),
            (Action::Left | Action::Up, EditorField::Kind) => {
                self.kind = (self.kind + kinds - 1) % kinds
            }
            (Action::Right | Action::Down, EditorField::Kind) => {
                self.kind = (self.kind + 1) % kinds
            }
            (Action::Left | Action::Down, EditorField::Severity) => {
                self.severity = self.severity.prev()
            }
            (Action::Right | Action::Up, EditorField::Severity) => {
                self.severity = self.severity.next()
            }
            (Action::Left | Action::Right | Action::Up | Action::Down, EditorField::Target) => {
                if let EditorPurpose::New { targets, target } = &mut self.purpose {
                    let n = targets.len();
                    *target = if matches!(action, Action::Left | Action::Up) {
                        (*target + n - 1) % n
                    } else {
                        (*target + 1) % n
                    };
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.field != EditorField::Body {
            return None;
        }
        self.body.insert(text);
        Some(Vec::new())
    }

    fn key(&mut self, key: Key, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.field != EditorField::Body {
            return None;
        }
        self.body.key(key).then(Vec::new)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::notes::editor(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        super::component::FORM_COMMANDS
    }

    fn title(&self, shared: &Shared) -> String {
        let policy = &shared.corpus.policies[self.policy].policy.id;
        match &self.purpose {
            EditorPurpose::New { .. } => format!("new note on {policy}"),
            EditorPurpose::Edit { id } => format!("editing note {id}"),
            EditorPurpose::Reply { id } => format!("replying to note {id}"),
        }
    }

    fn popup(&self) -> bool {
        true
    }

    /// The note being written, as the draft note that would keep it. An
    /// unsaved edit or reply becomes a draft note on the same target,
    /// saying so.
    fn draft(&self, shared: &Shared) -> Option<Draft> {
        let body = self.body.text().trim_end().to_string();
        if body.is_empty() {
            return None;
        }
        let kind = self.kind_id(shared);
        let (target, body) = match &self.purpose {
            EditorPurpose::New { targets, target } => (targets[*target].clone(), body),
            EditorPurpose::Edit { id } | EditorPurpose::Reply { id } => {
                let what = if matches!(self.purpose, EditorPurpose::Edit { .. }) {
                    "edit of"
                } else {
                    "reply to"
                };
                let target = shared.reviews.reviews[self.policy]
                    .file
                    .note(id)
                    .map(|n| n.target.clone())
                    .unwrap_or_else(|| {
                        Target::policy(&shared.corpus.policies[self.policy].policy.id)
                    });
                (target, format!("(unsaved {what} note {id})\n{body}"))
            }
        };
        let note = shared.new_note(
            self.policy,
            target,
            kind,
            self.severity,
            body,
            Status::Draft,
        );
        let review = &shared.reviews.reviews[self.policy];
        Some(Draft {
            policy: self.policy,
            policy_id: review.policy.clone(),
            path: review.path.clone(),
            note,
        })
    }

    fn external_text(&mut self, text: String) {
        self.body = TextField::new(text.trim_end());
    }

    any_component!();
}

impl NotesView {
    /// The rows: (policy index, note), filtered and sorted.
    pub fn listed_notes<'a>(&self, shared: &'a Shared) -> Vec<(usize, &'a Note)> {
        let mut notes: Vec<(usize, &Note)> = shared
            .reviews
            .all_notes()
            .filter(|(pi, n)| self.filter.keeps(*pi, n))
            .filter(|(pi, n)| {
                let policy = &shared.corpus.policies[*pi].policy.id;
                let row = format!(
                    "{policy} {} {} {} {} {} {}",
                    n.kind,
                    n.severity,
                    n.status,
                    n.author,
                    n.target.key(),
                    n.body
                );
                self.typed.keeps(&row)
            })
            .collect();
        match self.sort {
            NoteSort::Folder => {}
            NoteSort::Severity => notes.sort_by_key(|(_, n)| std::cmp::Reverse(n.severity)),
            NoteSort::Newest => notes.sort_by(|a, b| b.1.created.cmp(&a.1.created)),
            NoteSort::Status => notes.sort_by_key(|(_, n)| n.status),
        }
        notes
    }

    /// The note under the cursor.
    pub fn selected_note(&self, shared: &Shared) -> Option<(usize, Note)> {
        self.listed_notes(shared)
            .get(self.selected)
            .map(|(pi, n)| (*pi, (*n).clone()))
    }

    fn cycle_filter(&mut self, action: Action, shared: &Shared) {
        // Values offered are those present in the notes, so a filter never
        // lands on an empty list.
        let mut kinds: Vec<String> = Vec::new();
        let mut authors: Vec<String> = Vec::new();
        let mut policies: Vec<usize> = Vec::new();
        for (pi, note) in shared.reviews.all_notes() {
            if !kinds.contains(&note.kind) {
                kinds.push(note.kind.clone());
            }
            if !authors.contains(&note.author) {
                authors.push(note.author.clone());
            }
            if !policies.contains(&pi) {
                policies.push(pi);
            }
        }
        let filter = &mut self.filter;
        let by = &mut filter.note;
        match action {
            Action::FilterKind => by.kind = cycle(&by.kind, &kinds),
            Action::FilterSeverity => by.severity = cycle(&by.severity, Severity::ALL),
            Action::FilterStatus => by.status = cycle(&by.status, Status::ALL),
            Action::FilterAuthor => by.author = cycle(&by.author, &authors),
            Action::FilterPolicy => filter.policy = cycle(&filter.policy, &policies),
            _ => {}
        }
        self.selected = 0;
    }

    fn apply_to_note(
        &self,
        action: Action,
        shared: &Shared,
        policy: usize,
        note: Note,
    ) -> Vec<Effect> {
        let edit = |status: Option<Status>, severity: Option<Severity>| {
            Op::edit_from(&note, None, severity, status, None, now())
        };
        let store = |op: Op, done: String| {
            vec![Effect::Store {
                policy,
                op,
                done,
                close_editor: false,
            }]
        };
        match action {
            Action::Enter => vec![Effect::GotoNote {
                policy,
                id: note.id.clone(),
            }],
            Action::CycleStatus | Action::CycleStatusBack => {
                let next = match (action, note.status) {
                    (Action::CycleStatus, Status::Draft | Status::Dismissed) => Status::Open,
                    (Action::CycleStatus, other) => other.next(),
                    (_, Status::Draft | Status::Open) => Status::Dismissed,
                    (_, other) => other.prev(),
                };
                store(edit(Some(next), None), format!("marked {next}:"))
            }
            Action::SeverityUp if note.severity != Severity::Critical => store(
                edit(None, Some(note.severity.next())),
                String::from("raised"),
            ),
            Action::SeverityDown if note.severity != Severity::Info => store(
                edit(None, Some(note.severity.prev())),
                String::from("lowered"),
            ),
            Action::DeleteNote => {
                let key = shared
                    .keymap
                    .hint(View::Notes, Action::Undo)
                    .unwrap_or_default();
                let mut effects = store(
                    Op::Remove {
                        id: note.id.clone(),
                    },
                    String::from("deleted"),
                );
                effects.push(Effect::Status(format!(
                    "deleted note {} · {key} brings it back",
                    note.id
                )));
                effects
            }
            Action::EditNote => {
                let purpose = EditorPurpose::Edit {
                    id: note.id.clone(),
                };
                let editor = Editor::open(
                    shared,
                    policy,
                    purpose,
                    &note.kind,
                    note.severity,
                    &note.body,
                );
                vec![Effect::Push(Box::new(editor))]
            }
            Action::ReplyNote => {
                let purpose = EditorPurpose::Reply {
                    id: note.id.clone(),
                };
                let editor = Editor::open(shared, policy, purpose, &note.kind, note.severity, "");
                vec![Effect::Push(Box::new(editor))]
            }
            _ => Vec::new(),
        }
    }
}

impl Component for NotesView {
    fn keymap(&self) -> View {
        if self.typed.editing {
            View::Input
        } else {
            View::Notes
        }
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        if !self.typed.editing {
            return None;
        }
        self.typed.type_text(text);
        self.selected = 0;
        Some(Vec::new())
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        if self.typed.editing {
            self.typed.handle(action);
            self.selected = 0;
            return Vec::new();
        }
        let count = self.listed_notes(shared).len();
        let half = (usize::from(shared.size.1) / 4).max(1);
        let last = count.saturating_sub(1);
        let effects = match action {
            Action::Down => {
                self.selected = (self.selected + 1).min(last);
                Vec::new()
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Vec::new()
            }
            Action::Top => {
                self.selected = 0;
                Vec::new()
            }
            Action::Bottom => {
                self.selected = last;
                Vec::new()
            }
            Action::PageDown => {
                self.selected = (self.selected + half).min(last);
                Vec::new()
            }
            Action::PageUp => {
                self.selected = self.selected.saturating_sub(half);
                Vec::new()
            }
            Action::Filter => {
                self.typed.editing = true;
                Vec::new()
            }
            Action::Back | Action::Cancel if self.typed.active() => {
                self.typed = Filter::default();
                Vec::new()
            }
            Action::Back | Action::Cancel | Action::ShowNotes => vec![Effect::Pop],
            Action::CycleSort => {
                self.sort = self.sort.next();
                Vec::new()
            }
            Action::ClearFilters => {
                self.filter = NoteFilter::default();
                Vec::new()
            }
            Action::FilterKind
            | Action::FilterSeverity
            | Action::FilterStatus
            | Action::FilterAuthor
            | Action::FilterPolicy => {
                self.cycle_filter(action, shared);
                Vec::new()
            }
            _ => match self.selected_note(shared) {
                Some((policy, note)) => self.apply_to_note(action, shared, policy, note),
                None => Vec::new(),
            },
        };
        let last = self.listed_notes(shared).len().saturating_sub(1);
        self.selected = self.selected.min(last);
        effects
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::notes::list(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::Enter, "go to"),
            (Action::EditNote, "edit"),
            (Action::CycleStatus, "status"),
            (Action::Help, "help"),
        ]
    }

    fn title(&self, _shared: &Shared) -> String {
        String::from("notes")
    }

    fn here(&self, shared: &Shared) -> Option<Here> {
        let (policy, note) = self.selected_note(shared)?;
        let clause = match shared.anchor_of(policy, &note.id)? {
            Anchor::Clause { position, .. } => Some(*position),
            _ => None,
        };
        Some(Here { policy, clause })
    }

    /// Notes are not annotated from the list: `R` replies.
    fn annotation(&self, _shared: &Shared) -> Option<(usize, Vec<Target>, usize)> {
        None
    }

    any_component!();
}

/// The tree node kind an anchor belongs to.
pub fn anchor_kind(anchor: &Anchor) -> Option<NodeKind> {
    match anchor {
        Anchor::Policy => Some(NodeKind::Policy),
        Anchor::Section(si) => Some(NodeKind::Section(*si)),
        Anchor::Clause { position, .. } => Some(NodeKind::Clause(position.0, position.1)),
        Anchor::Context { path, .. } => Some(NodeKind::Context(path.clone())),
        Anchor::Detached { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_non_space() {
        assert_eq!(word_ranges(" ab  c\nd"), vec![1..3, 5..6, 7..8]);
    }
}
