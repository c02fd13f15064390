//! Annotating in the workbench: the note editor popup, selecting words of
//! a clause for a span note, the notes view with its filters, and the
//! marks that show where notes are. Every change goes straight to the
//! review file through `review::ReviewSet` (no save key); the state here
//! only says what is being edited and shown.

use std::collections::HashMap;
use std::ops::Range;

use crate::keymap::{Key, View};
use crate::model::Category;
use crate::review::author::{author, now};
use crate::review::{resolve, Anchor, Note, Op, Reply, Severity, Status, Target};

use super::action::Action;
use super::app::{App, Pane};
use super::tree::NodeKind;

/// A small text buffer with a cursor (a byte offset on a char boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBuffer {
    pub text: String,
    pub cursor: usize,
}

impl TextBuffer {
    pub fn new(text: &str) -> TextBuffer {
        TextBuffer {
            text: text.to_string(),
            cursor: text.len(),
        }
    }

    pub fn insert(&mut self, text: &str) {
        // Pasted text keeps its line breaks but loses control characters,
        // which would otherwise reach the terminal when the note is shown.
        let clean: String = text
            .replace("\r\n", "\n")
            .chars()
            .map(|c| if c == '\r' { '\n' } else { c })
            .filter(|&c| c == '\n' || !crate::model::sanitize::is_unsafe_char(c))
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
    }

    pub fn delete_back(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
    }

    pub fn delete_forward(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    fn line_start_of(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end_of(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    pub fn line_start(&mut self) {
        self.cursor = self.line_start_of(self.cursor);
    }

    pub fn line_end(&mut self) {
        self.cursor = self.line_end_of(self.cursor);
    }

    /// Moves to the same column (in characters) of the line above or below.
    pub fn vertical(&mut self, down: bool) {
        let start = self.line_start_of(self.cursor);
        let column = self.text[start..self.cursor].chars().count();
        let target_start = if down {
            let end = self.line_end_of(self.cursor);
            if end == self.text.len() {
                return;
            }
            end + 1
        } else {
            if start == 0 {
                return;
            }
            self.line_start_of(start - 1)
        };
        let target_end = self.line_end_of(target_start);
        let line = &self.text[target_start..target_end];
        let offset = line
            .char_indices()
            .nth(column)
            .map_or(line.len(), |(i, _)| i);
        self.cursor = target_start + offset;
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub policy: usize,
    pub purpose: EditorPurpose,
    pub field: EditorField,
    /// Index into the vocabulary's concern kinds.
    pub kind: usize,
    pub severity: Severity,
    pub body: TextBuffer,
}

impl Editor {
    /// The fields this editor shows, in Tab order.
    pub fn fields(&self) -> Vec<EditorField> {
        match &self.purpose {
            EditorPurpose::New { targets, .. } if targets.len() > 1 => vec![
                EditorField::Body,
                EditorField::Kind,
                EditorField::Severity,
                EditorField::Target,
            ],
            EditorPurpose::New { .. } | EditorPurpose::Edit { .. } => {
                vec![EditorField::Body, EditorField::Kind, EditorField::Severity]
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

impl App {
    /// The notes view's rows: (policy index, note), filtered and sorted.
    pub fn listed_notes(&self) -> Vec<(usize, &Note)> {
        let filter = self.notes_view.as_ref().map(|v| &v.filter);
        let mut notes: Vec<(usize, &Note)> = self
            .reviews
            .all_notes()
            .filter(|(pi, n)| filter.is_none_or(|f| f.keeps(*pi, n)))
            .collect();
        match self.notes_view.as_ref().map(|v| v.sort).unwrap_or_default() {
            NoteSort::Folder => {}
            NoteSort::Severity => notes.sort_by_key(|(_, n)| std::cmp::Reverse(n.severity)),
            NoteSort::Newest => notes.sort_by(|a, b| b.1.created.cmp(&a.1.created)),
            NoteSort::Status => notes.sort_by_key(|(_, n)| n.status),
        }
        notes
    }

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
        let mut marks = NoteMarks::default();
        for (pi, review) in self.reviews.reviews.iter().enumerate() {
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

    /// What `annotate` would annotate now: the policy, the targets to
    /// choose from, and which one is preselected.
    fn annotation_targets(&self) -> Option<(usize, Vec<Target>, usize)> {
        if let Some(compare) = &self.compare {
            let (policy, clause) = compare.clause_under_cursor()?;
            return Some((policy, vec![Target::clause(&clause)], 0));
        }
        if let Some(span) = &self.span {
            let policy = &self.corpus.policies[span.policy].policy;
            let clause = &policy.sections[span.clause.0].clauses[span.clause.1];
            let target = Target::span(&clause.id, &clause.text, span.range());
            return Some((span.policy, vec![target], 0));
        }
        if let Some(reader) = &self.reader {
            let policy = &self.corpus.policies[reader.policy].policy;
            let (si, ci) = reader.clause?;
            let id = &policy.sections[si].clauses[ci].id;
            return Some((reader.policy, vec![Target::clause(id)], 0));
        }
        let node = &self.tree.nodes[self.selected_node()?];
        let policy = &self.corpus.policies[node.policy].policy;
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
                    self.detail_flow().map_or(0, |f| f + 1)
                } else {
                    0
                };
                return Some((node.policy, targets, chosen));
            }
        };
        Some((node.policy, targets, 0))
    }

    /// The flow (0-based) of the detail link under the cursor, for a context.
    fn detail_flow(&self) -> Option<usize> {
        self.detail_links_by_flow()
            .into_iter()
            .nth(self.detail_selected)?
            .1
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

    pub fn open_annotate(&mut self) {
        let Some((policy, targets, target)) = self.annotation_targets() else {
            self.status = Some(String::from("nothing to annotate here"));
            return;
        };
        self.editor = Some(Editor {
            policy,
            purpose: EditorPurpose::New { targets, target },
            field: EditorField::Body,
            kind: self.concern_index("vague-language"),
            severity: Severity::Medium,
            body: TextBuffer::default(),
        });
        self.span = None;
    }

    /// The note under the notes view's cursor.
    pub fn selected_listed_note(&self) -> Option<(usize, Note)> {
        let view = self.notes_view.as_ref()?;
        self.listed_notes()
            .get(view.selected)
            .map(|(pi, n)| (*pi, (*n).clone()))
    }

    /// Applies a change to a review file and says what happened.
    fn store(&mut self, policy: usize, op: &Op, done: &str) -> Option<String> {
        let result = self.reviews.apply(policy, op);
        self.refresh_marks();
        let file = self.reviews.reviews[policy]
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Notes are searchable: index them again (on the worker) with the
        // next search.
        self.palette.reindex();
        match result {
            Ok(id) => {
                self.status = Some(format!("{done} note {id} · saved to {file}"));
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
                    other => format!("NOT SAVED: {other}"),
                };
                self.status = Some(recovery);
                None
            }
        }
    }

    pub fn apply_editor(&mut self, action: Action) {
        let Some(editor) = self.editor.as_mut() else {
            return;
        };
        let fields = editor.fields();
        let at = fields.iter().position(|f| *f == editor.field).unwrap_or(0);
        let kinds = self
            .corpus
            .vocabulary
            .terms(Category::Concerns)
            .len()
            .max(1);
        match (action, editor.field) {
            (Action::Cancel | Action::Back, _) => {
                self.editor = None;
                self.status = Some(String::from("note discarded"));
            }
            (Action::Submit, _)
            | (Action::Newline, EditorField::Kind | EditorField::Severity | EditorField::Target) => {
                self.submit_editor()
            }
            (Action::NextField, _) => editor.field = fields[(at + 1) % fields.len()],
            (Action::PrevField, _) => editor.field = fields[(at + fields.len() - 1) % fields.len()],
            (Action::ExternalEditor, EditorField::Body) => self.external_edit = true,
            (Action::Newline, EditorField::Body) => editor.body.insert("\n"),
            (Action::DeleteBack, EditorField::Body) => editor.body.delete_back(),
            (Action::DeleteForward, EditorField::Body) => editor.body.delete_forward(),
            (Action::Left, EditorField::Body) => editor.body.left(),
            (Action::Right, EditorField::Body) => editor.body.right(),
            (Action::Up, EditorField::Body) => editor.body.vertical(false),
            (Action::Down, EditorField::Body) => editor.body.vertical(true),
            (Action::LineStart, EditorField::Body) => editor.body.line_start(),
            (Action::LineEnd, EditorField::Body) => editor.body.line_end(),
            (Action::Left | Action::Up, EditorField::Kind) => {
                editor.kind = (editor.kind + kinds - 1) % kinds
            }
            (Action::Right | Action::Down, EditorField::Kind) => {
                editor.kind = (editor.kind + 1) % kinds
            }
            (Action::Left | Action::Down, EditorField::Severity) => {
                editor.severity = editor.severity.prev()
            }
            (Action::Right | Action::Up, EditorField::Severity) => {
                editor.severity = editor.severity.next()
            }
            (Action::Left | Action::Right | Action::Up | Action::Down, EditorField::Target) => {
                if let EditorPurpose::New { targets, target } = &mut editor.purpose {
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
    }

    /// Typed text (a key no binding claims, or a paste) into the editor.
    pub fn type_text(&mut self, text: &str) -> bool {
        if self.palette.open {
            // A pasted line searches as typed; line breaks end it.
            for c in text.chars().take_while(|c| *c != '\n' && *c != '\r') {
                if !c.is_control() {
                    self.palette_type(c);
                }
            }
            return true;
        }
        match self.editor.as_mut() {
            Some(editor) if editor.field == EditorField::Body => {
                editor.body.insert(text);
                true
            }
            _ => false,
        }
    }

    /// A key the editor or the palette does not bind: a printable
    /// character types into it.
    pub fn type_key(&mut self, key: Key) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.type_text(c.encode_utf8(&mut [0; 4]))
            }
            _ => false,
        }
    }

    /// Text back from `$EDITOR`.
    pub fn finish_external_edit(&mut self, text: Option<String>) {
        self.external_edit = false;
        if let (Some(editor), Some(text)) = (self.editor.as_mut(), text) {
            editor.body = TextBuffer::new(text.trim_end());
        }
    }

    /// The concern id the editor's kind field shows.
    fn editor_kind(&self, editor: &Editor) -> String {
        self.concern_ids()
            .get(editor.kind)
            .copied()
            .unwrap_or("other")
            .to_string()
    }

    fn submit_editor(&mut self) {
        let Some(editor) = self.editor.take() else {
            return;
        };
        let kind = self.editor_kind(&editor);
        let body = editor.body.text.trim_end().to_string();
        let time = now();
        let (op, done) = match editor.purpose {
            EditorPurpose::New { targets, target } => {
                let note = self.new_note(
                    editor.policy,
                    targets[target].clone(),
                    kind,
                    editor.severity,
                    body,
                    Status::Open,
                );
                (Op::Add(note), "added")
            }
            EditorPurpose::Edit { id } => {
                // Field-level against the note as this session shows it.
                let seen = self.reviews.reviews[editor.policy].file.note(&id).cloned();
                let op = match seen {
                    Some(seen) => Op::edit_from(
                        &seen,
                        Some(kind),
                        Some(editor.severity),
                        None,
                        Some(body),
                        time,
                    ),
                    None => Op::Edit {
                        id,
                        kind: Some(kind),
                        severity: Some(editor.severity),
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
                    id,
                    reply: Reply {
                        author: author(None),
                        created: time,
                        body,
                    },
                },
                "replied to",
            ),
        };
        self.store(editor.policy, &op, done);
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

    /// On SIGHUP or SIGTERM: a note being written is saved as a draft
    /// (status `draft`) rather than lost with the connection. An unsaved
    /// edit or reply becomes a draft note on the same target, saying so.
    pub fn save_draft(&mut self) {
        if let Some(draft) = self.draft() {
            self.editor = None;
            self.store_draft(draft);
        }
    }

    /// Writes a draft taken with [`App::draft`].
    pub fn store_draft(&mut self, draft: Draft) {
        self.store(draft.policy, &Op::Add(draft.note), "drafted");
    }

    /// The note being written, as the draft note that would keep it.
    pub fn draft(&self) -> Option<Draft> {
        let editor = self.editor.as_ref()?;
        let body = editor.body.text.trim_end().to_string();
        if body.is_empty() {
            return None;
        }
        let kind = self.editor_kind(editor);
        let (target, body) = match &editor.purpose {
            EditorPurpose::New { targets, target } => (targets[*target].clone(), body),
            EditorPurpose::Edit { id } | EditorPurpose::Reply { id } => {
                let what = if matches!(editor.purpose, EditorPurpose::Edit { .. }) {
                    "edit of"
                } else {
                    "reply to"
                };
                let target = self.reviews.reviews[editor.policy]
                    .file
                    .note(id)
                    .map(|n| n.target.clone())
                    .unwrap_or_else(|| {
                        Target::policy(&self.corpus.policies[editor.policy].policy.id)
                    });
                (target, format!("(unsaved {what} note {id})\n{body}"))
            }
        };
        let note = self.new_note(
            editor.policy,
            target,
            kind,
            editor.severity,
            body,
            Status::Draft,
        );
        let review = &self.reviews.reviews[editor.policy];
        Some(Draft {
            policy: editor.policy,
            policy_id: review.policy.clone(),
            path: review.path.clone(),
            note,
        })
    }

    pub fn start_span_select(&mut self) {
        let clause = if let Some(reader) = &self.reader {
            reader.clause.map(|c| (reader.policy, c))
        } else {
            self.selected_node()
                .and_then(|n| match self.tree.nodes[n].kind {
                    NodeKind::Clause(si, ci) => Some((self.tree.nodes[n].policy, (si, ci))),
                    _ => None,
                })
        };
        let Some((policy, (si, ci))) = clause else {
            self.status = Some(String::from("select a clause first"));
            return;
        };
        let text = &self.corpus.policies[policy].policy.sections[si].clauses[ci].text;
        let words = word_ranges(text);
        if words.is_empty() {
            return;
        }
        if self.reader.take().is_some() {
            // Select in the detail pane, where the clause is shown whole.
            let id = self.corpus.policies[policy].policy.sections[si].clauses[ci]
                .id
                .clone();
            if let Some(node) = self.tree.find_clause(&self.corpus, policy, &id) {
                self.select_node(node);
            }
        }
        self.focus = Pane::Detail;
        self.span = Some(SpanSelect {
            policy,
            clause: (si, ci),
            words,
            anchor: None,
            cursor: 0,
        });
    }

    pub fn apply_select(&mut self, action: Action) {
        let Some(span) = self.span.as_mut() else {
            return;
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
            Action::Annotate => self.open_annotate(),
            Action::Back | Action::Cancel => self.span = None,
            _ => {}
        }
    }

    pub fn toggle_notes_view(&mut self) {
        self.notes_view = match self.notes_view {
            Some(_) => None,
            None => Some(NotesView::default()),
        };
    }

    pub fn apply_notes(&mut self, action: Action) {
        let count = self.listed_notes().len();
        let half = (usize::from(self.size.1) / 4).max(1);
        let selected = self.selected_listed_note();
        let Some(view) = self.notes_view.as_mut() else {
            return;
        };
        let last = count.saturating_sub(1);
        match action {
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Top => view.selected = 0,
            Action::Bottom => view.selected = last,
            Action::PageDown => view.selected = (view.selected + half).min(last),
            Action::PageUp => view.selected = view.selected.saturating_sub(half),
            Action::Back | Action::Cancel | Action::ShowNotes => self.notes_view = None,
            Action::CycleSort => view.sort = view.sort.next(),
            Action::ClearFilters => view.filter = NoteFilter::default(),
            Action::FilterKind
            | Action::FilterSeverity
            | Action::FilterStatus
            | Action::FilterAuthor
            | Action::FilterPolicy => {
                self.cycle_filter(action);
            }
            Action::Undo => self.undo_delete(),
            _ => {
                if let Some((policy, note)) = selected {
                    self.apply_to_note(action, policy, note);
                }
            }
        }
        let last = self.listed_notes().len().saturating_sub(1);
        if let Some(view) = self.notes_view.as_mut() {
            view.selected = view.selected.min(last);
        }
    }

    fn cycle_filter(&mut self, action: Action) {
        // Values offered are those present in the notes, so a filter never
        // lands on an empty list.
        let mut kinds: Vec<String> = Vec::new();
        let mut authors: Vec<String> = Vec::new();
        let mut policies: Vec<usize> = Vec::new();
        for (pi, note) in self.reviews.all_notes() {
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
        let Some(view) = self.notes_view.as_mut() else {
            return;
        };
        let filter = &mut view.filter;
        let by = &mut filter.note;
        match action {
            Action::FilterKind => by.kind = cycle(&by.kind, &kinds),
            Action::FilterSeverity => by.severity = cycle(&by.severity, Severity::ALL),
            Action::FilterStatus => by.status = cycle(&by.status, Status::ALL),
            Action::FilterAuthor => by.author = cycle(&by.author, &authors),
            Action::FilterPolicy => filter.policy = cycle(&filter.policy, &policies),
            _ => {}
        }
        view.selected = 0;
    }

    fn apply_to_note(&mut self, action: Action, policy: usize, note: Note) {
        let edit = |status: Option<Status>, severity: Option<Severity>| {
            Op::edit_from(&note, None, severity, status, None, now())
        };
        match action {
            Action::Enter => self.jump_to_note(policy, &note.id),
            Action::CycleStatus => {
                let next = match note.status {
                    Status::Draft => Status::Open,
                    Status::Dismissed => Status::Open,
                    other => other.next(),
                };
                self.store(policy, &edit(Some(next), None), &format!("marked {next}:"));
            }
            Action::SeverityUp if note.severity != Severity::Critical => {
                self.store(policy, &edit(None, Some(note.severity.next())), "raised");
            }
            Action::SeverityDown if note.severity != Severity::Info => {
                self.store(policy, &edit(None, Some(note.severity.prev())), "lowered");
            }
            Action::DeleteNote => {
                let remove = Op::Remove {
                    id: note.id.clone(),
                };
                let Some(id) = self.store(policy, &remove, "deleted") else {
                    return;
                };
                let key = self
                    .keymap
                    .hint(View::Notes, Action::Undo)
                    .unwrap_or_default();
                self.status = Some(format!("deleted note {id} · {key} brings it back"));
                self.removed.push((policy, note));
            }
            Action::EditNote => {
                self.editor = Some(Editor {
                    policy,
                    purpose: EditorPurpose::Edit {
                        id: note.id.clone(),
                    },
                    field: EditorField::Body,
                    kind: self.concern_index(&note.kind),
                    severity: note.severity,
                    body: TextBuffer::new(&note.body),
                });
            }
            Action::ReplyNote => {
                self.editor = Some(Editor {
                    policy,
                    purpose: EditorPurpose::Reply {
                        id: note.id.clone(),
                    },
                    field: EditorField::Body,
                    kind: self.concern_index(&note.kind),
                    severity: note.severity,
                    body: TextBuffer::default(),
                });
            }
            _ => {}
        }
    }

    fn undo_delete(&mut self) {
        match self.removed.pop() {
            Some((policy, note)) => {
                self.store(policy, &Op::Restore(note), "restored");
            }
            None => self.status = Some(String::from("nothing to undo")),
        }
    }

    /// Selects what a note is about in the tree (or says it is detached).
    pub fn jump_to_note(&mut self, policy: usize, id: &str) {
        let Some(anchor) = self.anchor_of(policy, id).cloned() else {
            return;
        };
        let kind = match anchor_kind(&anchor) {
            Some(kind) => kind,
            None => {
                if let Anchor::Detached { reason } = anchor {
                    self.status = Some(format!("note {id} is detached: {reason}"));
                }
                return;
            }
        };
        if let Some(node) = self.tree.find(policy, &kind) {
            self.notes_view = None;
            self.reader = None;
            self.select_node(node);
            self.focus = Pane::Tree;
            if let Anchor::Context { flow: Some(f), .. } = anchor {
                self.status = Some(format!("the note is on flow {}", f + 1));
            }
        }
    }
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
    fn the_text_buffer_edits_by_characters_and_lines() {
        let mut b = TextBuffer::new("héllo\nwörld");
        b.vertical(false);
        assert_eq!(&b.text[b.cursor..], "\nwörld");
        b.delete_back();
        assert_eq!(b.text, "héll\nwörld");
        b.line_start();
        b.right();
        b.right();
        b.vertical(true);
        b.insert("X");
        assert_eq!(b.text, "héll\nwöXrld");
        b.insert("a\r\nb\x1b[31m");
        assert_eq!(b.text, "héll\nwöXa\nb[31mrld");
    }

    #[test]
    fn words_are_runs_of_non_space() {
        assert_eq!(word_ranges(" ab  c\nd"), vec![1..3, 5..6, 7..8]);
    }
}
