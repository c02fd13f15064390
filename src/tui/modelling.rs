//! Modelling while reading: the flow form and the context form (popups on
//! the view stack), the pickers that move a flow or add a clause to a
//! flow's evidence, and the app's side of model edits. Every edit goes to
//! disk at once through [`crate::model::edit::apply`] on a background
//! thread (the status line says when it waits for another writer's lock),
//! then the policy is read again and replaced in memory keeping every
//! view's place by id. Edits are undone and redone by further edits through
//! the same discipline, and a model changed on disk by anyone else is read
//! again within a second.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use ratatui::Frame;
use ratatui_textarea::CursorMove;

use crate::any_component;
use crate::keymap::{Key, View};
use crate::model::edit::{self, Edit, EditError, FlowFields, FlowPatch};
use crate::model::guard::Stamp;
use crate::model::{Category, Context, Flow, LoadedPolicy, Policy, RetentionClass, Scope};

use super::action::Action;
use super::app::{App, Shared};
use super::browse::{Browse, Pane};
use super::component::Component;
use super::effect::Effect;
use super::popups::Confirm;
use super::tree::{NodeKind, Tree};
use super::widgets::filter::score;
use super::widgets::text_field::TextField;

/// Completions shown under a label field.
pub const COMPLETIONS: usize = 4;

// ---------------------------------------------------------------------
// The flow form

/// A field of the flow form, in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowField {
    Context,
    Data,
    Purposes,
    Basis,
    Recipients,
    Retention,
    IfWithheld,
    Action,
    Negative,
    Scope,
    Qualifier,
    Evidence,
}

impl FlowField {
    pub fn label(self) -> &'static str {
        match self {
            FlowField::Context => "Context",
            FlowField::Data => "Data",
            FlowField::Purposes => "Purposes",
            FlowField::Basis => "Legal basis",
            FlowField::Recipients => "Recipients",
            FlowField::Retention => "Retention",
            FlowField::IfWithheld => "If withheld",
            FlowField::Action => "Action",
            FlowField::Negative => "Negative",
            FlowField::Scope => "Scope",
            FlowField::Qualifier => "Qualifier",
            FlowField::Evidence => "Evidence",
        }
    }

    /// The label lists, in the order of [`FlowForm::lists`].
    const LISTS: [FlowField; 5] = [
        FlowField::Data,
        FlowField::Purposes,
        FlowField::Basis,
        FlowField::Recipients,
        FlowField::Evidence,
    ];

    fn list_index(self) -> Option<usize> {
        FlowField::LISTS.iter().position(|f| *f == self)
    }

    /// The vocabulary a label list maps to (evidence maps to clauses).
    pub fn category(self) -> Option<Category> {
        match self {
            FlowField::Data => Some(Category::Data),
            FlowField::Purposes => Some(Category::Purposes),
            FlowField::Basis => Some(Category::Bases),
            FlowField::Recipients => Some(Category::Recipients),
            _ => None,
        }
    }
}

/// Labels being chosen for one list field: those taken, and what is typed
/// for the next one with its completions.
#[derive(Debug, Clone, Default)]
pub struct LabelList {
    pub labels: Vec<String>,
    pub input: TextField,
    /// The completion under the cursor (none: the typed words as they are).
    pub pick: Option<usize>,
    /// Everything that may complete here (vocabulary terms, wording used
    /// in the folder, clause ids), best first when nothing is typed.
    candidates: Vec<Candidate>,
}

/// One completion: what is inserted, and what is shown and matched.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub value: String,
    pub shown: String,
}

impl LabelList {
    fn typed(&self) -> String {
        self.input.text().trim().to_string()
    }

    /// The completions for what is typed, best first.
    pub fn completions(&self) -> Vec<&Candidate> {
        let typed = self.typed();
        if typed.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(i64, usize)> = self
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| !self.labels.contains(&c.value))
            .filter_map(|(i, c)| score(&c.shown, &typed).map(|s| (s, i)))
            .collect();
        scored.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
        scored
            .into_iter()
            .take(COMPLETIONS)
            .map(|(_, i)| &self.candidates[i])
            .collect()
    }

    /// Takes the completion under the cursor, else the typed words (new
    /// wording is accepted as it is). False when nothing was typed.
    fn commit(&mut self) -> bool {
        let typed = self.typed();
        if typed.is_empty() {
            return false;
        }
        let value = match self.pick.and_then(|p| self.completions().get(p).copied()) {
            Some(candidate) => candidate.value.clone(),
            None => typed,
        };
        if !self.labels.contains(&value) {
            self.labels.push(value);
        }
        self.input = TextField::default();
        self.pick = None;
        true
    }

    /// The labels with what is typed, as saving would take them.
    fn with_typed(&self) -> Vec<String> {
        let mut list = self.clone();
        list.commit();
        list.labels
    }
}

/// What a flow form makes or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowPurpose {
    /// A new flow in one of the policy's contexts (ids, in tree order).
    New {
        contexts: Vec<(String, String)>,
        context: usize,
    },
    Edit {
        flow: String,
    },
}

/// Everything the form says, to compare with what it opened with.
#[derive(Debug, Clone, PartialEq)]
struct Values {
    lists: [Vec<String>; 5],
    retention: String,
    if_withheld: String,
    action: Option<crate::model::Action>,
    negative: bool,
    scope: Scope,
    qualifier: String,
}

#[derive(Debug, Clone)]
pub struct FlowForm {
    pub policy: usize,
    pub purpose: FlowPurpose,
    pub field: FlowField,
    /// Data, purposes, legal basis, recipients, evidence.
    pub lists: [LabelList; 5],
    pub retention: TextField,
    pub if_withheld: TextField,
    pub qualifier: TextField,
    /// None: not stated, so the loader infers it from the recipients.
    pub action: Option<crate::model::Action>,
    pub negative: bool,
    pub scope: Scope,
    original: Values,
    /// Sent to be saved; the form closes when the save lands.
    pub saving: bool,
}

impl FlowForm {
    fn open(shared: &Shared, policy: usize, purpose: FlowPurpose, flow: Option<&Flow>) -> FlowForm {
        let strings = |list: &[Arc<str>]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut lists: [LabelList; 5] = Default::default();
        for (i, field) in FlowField::LISTS.into_iter().enumerate() {
            lists[i].candidates = candidates(shared, policy, field);
        }
        let mut form = FlowForm {
            policy,
            purpose,
            field: FlowField::Data,
            lists,
            retention: TextField::default(),
            if_withheld: TextField::default(),
            qualifier: TextField::default(),
            action: None,
            negative: false,
            scope: Scope::Context,
            original: Values {
                lists: Default::default(),
                retention: String::new(),
                if_withheld: String::new(),
                action: None,
                negative: false,
                scope: Scope::Context,
                qualifier: String::new(),
            },
            saving: false,
        };
        if let Some(flow) = flow {
            form.lists[0].labels = strings(&flow.data);
            form.lists[1].labels = strings(&flow.purposes);
            form.lists[2].labels = strings(&flow.basis);
            form.lists[3].labels = strings(&flow.recipients);
            form.lists[4].labels = strings(&flow.evidence);
            form.retention = TextField::new(flow.retention.as_deref().unwrap_or(""));
            form.if_withheld = TextField::new(flow.if_withheld.as_deref().unwrap_or(""));
            form.qualifier = TextField::new(flow.qualifier.as_deref().unwrap_or(""));
            form.action = Some(flow.action());
            form.negative = !flow.does;
            form.scope = flow.scope().unwrap_or(Scope::Context);
        }
        form.original = form.values();
        form
    }

    /// A new flow citing `clause`, in `context` (an index into the
    /// policy's contexts in tree order); `words` (a selected span) are
    /// offered as the first data label.
    pub fn new_flow(
        shared: &Shared,
        policy: usize,
        context: usize,
        clause: &str,
        words: Option<&str>,
    ) -> FlowForm {
        let contexts = context_choices(&shared.corpus.policies[policy].policy);
        let purpose = FlowPurpose::New { contexts, context };
        let mut form = FlowForm::open(shared, policy, purpose, None);
        form.lists[4].labels.push(clause.to_string());
        form.original = form.values();
        if let Some(words) = words {
            form.lists[0].input = TextField::new(words);
        }
        form
    }

    pub fn edit_flow(shared: &Shared, policy: usize, flow: &Flow) -> FlowForm {
        let id = flow.id.as_deref().unwrap_or_default().to_string();
        FlowForm::open(shared, policy, FlowPurpose::Edit { flow: id }, Some(flow))
    }

    /// The fields shown, in Tab order.
    pub fn fields(&self) -> Vec<FlowField> {
        let mut fields = Vec::new();
        if matches!(self.purpose, FlowPurpose::New { .. }) {
            fields.push(FlowField::Context);
        }
        fields.extend([
            FlowField::Data,
            FlowField::Purposes,
            FlowField::Basis,
            FlowField::Recipients,
            FlowField::Retention,
            FlowField::IfWithheld,
            FlowField::Action,
            FlowField::Negative,
        ]);
        if self.negative {
            fields.extend([FlowField::Scope, FlowField::Qualifier]);
        }
        fields.push(FlowField::Evidence);
        fields
    }

    pub fn list(&self, field: FlowField) -> Option<&LabelList> {
        field.list_index().map(|i| &self.lists[i])
    }

    fn text_mut(&mut self) -> Option<&mut TextField> {
        match self.field {
            FlowField::Retention => Some(&mut self.retention),
            FlowField::IfWithheld => Some(&mut self.if_withheld),
            FlowField::Qualifier => Some(&mut self.qualifier),
            field => field.list_index().map(|i| &mut self.lists[i].input),
        }
    }

    fn values(&self) -> Values {
        Values {
            lists: std::array::from_fn(|i| self.lists[i].with_typed()),
            retention: self.retention.text().trim().to_string(),
            if_withheld: self.if_withheld.text().trim().to_string(),
            action: self.action,
            negative: self.negative,
            scope: self.scope,
            qualifier: self.qualifier.text().trim().to_string(),
        }
    }

    /// Whether closing now would lose something.
    pub fn unsaved(&self) -> bool {
        self.values() != self.original
    }

    /// The action the flow will state (explicit, else inferred).
    pub fn shown_action(&self) -> (crate::model::Action, bool) {
        match self.action {
            Some(action) => (action, true),
            None if self.lists[3].with_typed().is_empty() => (crate::model::Action::Collect, false),
            None => (crate::model::Action::Share, false),
        }
    }

    /// The edit that saves the form: only what changed, by id.
    fn edit(&self) -> Result<(Edit, String), String> {
        self.edit_marked(None)
    }

    /// What the form holds as an edit that leaves the flow suggested, for
    /// a session that ends (hang-up, kill) before it was saved: the flow
    /// is kept for an analyst to confirm or reject, not lost and not
    /// passed off as confirmed. None when there is nothing to keep.
    pub fn edit_kept_as_suggested(&self) -> Option<(usize, Edit)> {
        if !self.unsaved() || self.saving {
            return None;
        }
        let (edit, _) = self.edit_marked(Some(true)).ok()?;
        Some((self.policy, edit))
    }

    fn edit_marked(&self, suggested: Option<bool>) -> Result<(Edit, String), String> {
        let now = self.values();
        // A new flow says everything it holds; an edit only what changed.
        let blank = Values {
            lists: Default::default(),
            retention: String::new(),
            if_withheld: String::new(),
            action: None,
            negative: false,
            scope: Scope::Context,
            qualifier: String::new(),
        };
        let was = match self.purpose {
            FlowPurpose::New { .. } => &blank,
            FlowPurpose::Edit { .. } => &self.original,
        };
        if now.lists[4].is_empty() {
            return Err(String::from(
                "a flow needs evidence: add a clause id under Evidence",
            ));
        }
        let changed_list = |i: usize| (now.lists[i] != was.lists[i]).then(|| now.lists[i].clone());
        let changed_text = |a: &String, b: &String| (a != b).then(|| a.clone());
        let fields = FlowFields {
            data: changed_list(0),
            purposes: changed_list(1),
            basis: changed_list(2),
            recipients: changed_list(3),
            evidence: changed_list(4),
            retention: changed_text(&now.retention, &was.retention),
            if_withheld: changed_text(&now.if_withheld, &was.if_withheld),
            negative: (now.negative != was.negative).then_some(now.negative),
            action: None,
        };
        let patch = FlowPatch {
            fields,
            scope: (now.negative && (now.scope != was.scope || !was.negative)).then_some(match now
                .scope
            {
                Scope::Policy => Some(Scope::Policy),
                Scope::Context => None,
            }),
            qualifier: (now.qualifier != was.qualifier)
                .then(|| (!now.qualifier.is_empty()).then(|| now.qualifier.clone())),
            suggested,
            action: (now.action != was.action).then_some(now.action),
        };
        match &self.purpose {
            FlowPurpose::New { contexts, context } => {
                let (id, _) = &contexts[*context];
                let add = Edit::AddFlow {
                    context: id.clone(),
                    fields: patch.fields.clone(),
                };
                // Scope, qualifier and an explicit action follow as a
                // patch of the new flow, under the same lock.
                Ok((wrap_new(add, patch), format!("added a flow to {id}")))
            }
            FlowPurpose::Edit { flow } => Ok((
                Edit::PatchFlow {
                    flow: flow.clone(),
                    patch,
                },
                format!("saved flow {flow}"),
            )),
        }
    }

    fn submit(&mut self) -> Vec<Effect> {
        if !self.unsaved() && matches!(self.purpose, FlowPurpose::Edit { .. }) {
            return vec![Effect::Pop, Effect::Status(String::from("nothing changed"))];
        }
        match self.edit() {
            Ok((edit, done)) => {
                self.saving = true;
                vec![Effect::Model {
                    policy: self.policy,
                    edit,
                    done,
                    close_form: true,
                }]
            }
            Err(why) => vec![Effect::Status(why)],
        }
    }

    fn cancel(&self) -> Vec<Effect> {
        if !self.unsaved() {
            return vec![
                Effect::Pop,
                Effect::Status(String::from("flow not changed")),
            ];
        }
        ask_before_closing("The flow form has unsaved changes.")
    }

    fn cycle(&mut self, forward: bool) {
        use crate::model::Action as A;
        match self.field {
            FlowField::Context => {
                if let FlowPurpose::New { contexts, context } = &mut self.purpose {
                    let n = contexts.len().max(1);
                    *context = if forward {
                        (*context + 1) % n
                    } else {
                        (*context + n - 1) % n
                    };
                }
            }
            FlowField::Action => {
                let order = [
                    None,
                    Some(A::Collect),
                    Some(A::Use),
                    Some(A::Share),
                    Some(A::Sell),
                ];
                let at = order.iter().position(|a| *a == self.action).unwrap_or(0);
                let n = order.len();
                self.action = order[if forward {
                    (at + 1) % n
                } else {
                    (at + n - 1) % n
                }];
            }
            FlowField::Negative => self.negative = !self.negative,
            FlowField::Scope => {
                self.scope = match self.scope {
                    Scope::Context => Scope::Policy,
                    Scope::Policy => Scope::Context,
                }
            }
            _ => {}
        }
    }

    fn step_field(&mut self, forward: bool) {
        if let Some(i) = self.field.list_index() {
            self.lists[i].commit();
        }
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = fields.len();
        self.field = fields[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
    }
}

/// A new flow's edit, with what `AddFlow` cannot say yet as a patch.
fn wrap_new(add: Edit, patch: FlowPatch) -> Edit {
    let extra = FlowPatch {
        fields: FlowFields::default(),
        ..patch
    };
    if extra == FlowPatch::default() {
        add
    } else {
        // In a batch, an empty flow id stands for the flow just added.
        Edit::Batch(vec![
            add,
            Edit::PatchFlow {
                flow: String::new(),
                patch: extra,
            },
        ])
    }
}

/// The Esc question of a form with changes.
fn ask_before_closing(question: &str) -> Vec<Effect> {
    let confirm = Confirm::new(
        question,
        vec![
            (
                's',
                "save them",
                vec![Effect::Pop, Effect::Action(Action::Submit)],
            ),
            (
                'x',
                "discard them",
                vec![
                    Effect::Pop,
                    Effect::Pop,
                    Effect::Status(String::from("changes discarded")),
                ],
            ),
            ('e', "keep editing", vec![Effect::Pop]),
        ],
    );
    vec![Effect::Push(Box::new(confirm))]
}

/// Every context of a policy as (id, "name (id)" indented by depth).
pub fn context_choices(policy: &Policy) -> Vec<(String, String)> {
    policy
        .contexts_flat()
        .into_iter()
        .map(|(depth, c)| {
            (
                c.id.clone(),
                crate::escape::escape(&format!("{}{} ({})", "  ".repeat(depth), c.name, c.id))
                    .into_owned(),
            )
        })
        .collect()
}

/// What may complete a label field: the vocabulary's terms and synonyms,
/// then the wording the folder already uses; for evidence, the policy's
/// clauses.
fn candidates(shared: &Shared, policy: usize, field: FlowField) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |value: &str, shown: String| {
        if seen.insert(value.to_string()) {
            out.push(Candidate {
                value: value.to_string(),
                // Vocabulary files are read as they are: shown escaped.
                shown: crate::escape::escape(&shown).into_owned(),
            });
        }
    };
    if field == FlowField::Evidence {
        for (_, clause) in shared.corpus.policies[policy].policy.clauses() {
            let text: String = clause.text.chars().take(80).collect();
            add(&clause.id, format!("{} {text}", clause.id));
        }
        return out;
    }
    let vocabulary = &shared.corpus.vocabulary;
    let mut categories = vec![field.category().unwrap_or(Category::Data)];
    if field == FlowField::Basis {
        categories.push(Category::Mechanisms);
    }
    for category in categories {
        for term in vocabulary.terms(category) {
            add(&term.label, term.label.clone());
            for synonym in &term.synonyms {
                add(synonym, synonym.clone());
            }
        }
    }
    for loaded in &shared.corpus.policies {
        for (_, context) in loaded.policy.contexts_flat() {
            for flow in &context.flows {
                let list = match field {
                    FlowField::Data => &flow.data,
                    FlowField::Purposes => &flow.purposes,
                    FlowField::Basis => &flow.basis,
                    _ => &flow.recipients,
                };
                for label in list {
                    add(label, label.to_string());
                }
            }
        }
    }
    out
}

impl Component for FlowForm {
    fn keymap(&self) -> View {
        View::Editor
    }

    fn handle(&mut self, action: Action, _shared: &Shared) -> Vec<Effect> {
        if self.saving {
            return Vec::new();
        }
        let list = self.field.list_index();
        match (action, self.field) {
            (Action::Cancel | Action::Back, _) => return self.cancel(),
            (Action::Submit, _) => return self.submit(),
            (Action::NextField, _) => self.step_field(true),
            (Action::PrevField, _) => self.step_field(false),
            (Action::Newline, _) => {
                // Enter takes what is typed; with nothing typed it saves,
                // as Enter does in the note editor's other fields.
                let took = list.is_some_and(|i| self.lists[i].commit());
                if !took {
                    return self.submit();
                }
            }
            (Action::Down | Action::Up, _) if list.is_some() => {
                let list = &mut self.lists[list.unwrap_or(0)];
                let n = list.completions().len();
                list.pick = match (action, list.pick) {
                    (_, _) if n == 0 => None,
                    (Action::Down, None) => Some(0),
                    (Action::Down, Some(p)) => Some((p + 1).min(n - 1)),
                    (_, Some(0) | None) => None,
                    (_, Some(p)) => Some(p - 1),
                };
            }
            (Action::DeleteBack, _) if list.is_some() => {
                let list = &mut self.lists[list.unwrap_or(0)];
                if list.input.text().is_empty() {
                    list.labels.pop();
                } else {
                    list.input.delete_back();
                    list.pick = None;
                }
            }
            (Action::Left | Action::Right, FlowField::Context)
            | (Action::Left | Action::Right, FlowField::Action)
            | (Action::Left | Action::Right, FlowField::Negative)
            | (Action::Left | Action::Right, FlowField::Scope) => {
                self.cycle(action == Action::Right)
            }
            (Action::DeleteBack, _) => {
                if let Some(text) = self.text_mut() {
                    text.delete_back();
                }
            }
            (Action::DeleteForward, _) => {
                if let Some(text) = self.text_mut() {
                    text.delete_forward();
                }
            }
            (Action::Left, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::Back);
                }
            }
            (Action::Right, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::Forward);
                }
            }
            (Action::LineStart, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::Head);
                }
            }
            (Action::LineEnd, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::End);
                }
            }
            (Action::Down, _) => self.step_field(true),
            (Action::Up, _) => self.step_field(false),
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.saving {
            return Some(Vec::new());
        }
        let choice = matches!(
            self.field,
            FlowField::Context | FlowField::Action | FlowField::Negative | FlowField::Scope
        );
        if choice {
            // Space (or any letter) turns a choice to its next value.
            self.cycle(true);
            return Some(Vec::new());
        }
        let one_line = text.replace(['\n', '\r'], " ");
        if let Some(i) = self.field.list_index() {
            self.lists[i].pick = None;
        }
        self.text_mut()?.insert(&one_line);
        Some(Vec::new())
    }

    fn key(&mut self, key: Key, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.saving {
            return Some(Vec::new());
        }
        let handled = self.text_mut()?.key(key);
        if let Some(i) = self.field.list_index() {
            self.lists[i].pick = None;
        }
        handled.then(Vec::new)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::modelling::flow_form(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        super::component::FORM_COMMANDS
    }

    fn title(&self, shared: &Shared) -> String {
        let policy = &shared.corpus.policies[self.policy].policy.id;
        match &self.purpose {
            FlowPurpose::New { .. } => format!("new flow in {policy}"),
            FlowPurpose::Edit { flow } => format!("editing flow {flow} of {policy}"),
        }
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}

// ---------------------------------------------------------------------
// The context form

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextField {
    Name,
    Id,
    Parent,
}

#[derive(Debug, Clone)]
pub struct ContextForm {
    pub policy: usize,
    pub field: ContextField,
    pub name: TextField,
    pub id: TextField,
    /// Whether the id was typed (else it follows the name).
    pub id_typed: bool,
    /// None, then the policy's contexts (id, shown) in tree order.
    pub parents: Vec<(String, String)>,
    /// Index into `parents` + 1 (0: top level).
    pub parent: usize,
    pub saving: bool,
    taken: HashSet<String>,
}

/// A context id from its name: lower-case words joined by `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

impl ContextForm {
    pub fn new(shared: &Shared, policy: usize, parent: Option<&str>) -> ContextForm {
        let p = &shared.corpus.policies[policy].policy;
        let parents = context_choices(p);
        let parent = parent
            .and_then(|id| parents.iter().position(|(c, _)| c == id))
            .map_or(0, |i| i + 1);
        ContextForm {
            policy,
            field: ContextField::Name,
            name: TextField::default(),
            id: TextField::default(),
            id_typed: false,
            taken: parents.iter().map(|(id, _)| id.clone()).collect(),
            parents,
            parent,
            saving: false,
        }
    }

    /// The id the context gets: as typed, else from the name, made unique.
    pub fn id_value(&self) -> String {
        if self.id_typed {
            return self.id.text().trim().to_string();
        }
        let base = slug(&self.name.text());
        let mut id = base.clone();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    pub fn unsaved(&self) -> bool {
        !self.name.text().trim().is_empty() || (self.id_typed && !self.id.text().is_empty())
    }

    fn submit(&mut self) -> Vec<Effect> {
        let name = self.name.text().trim().to_string();
        let id = self.id_value();
        if name.is_empty() {
            return vec![Effect::Status(String::from("a context needs a name"))];
        }
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return vec![Effect::Status(String::from(
                "a context id is one word (letters, digits, - . _)",
            ))];
        }
        self.saving = true;
        vec![Effect::Model {
            policy: self.policy,
            edit: self.add_context(id.clone(), name),
            done: format!("added context {id}"),
            close_form: true,
        }]
    }

    fn add_context(&self, id: String, name: String) -> Edit {
        let parent = self
            .parent
            .checked_sub(1)
            .map(|i| self.parents[i].0.clone());
        Edit::AddContext { id, name, parent }
    }

    /// The context the form names, for a session ended by a signal before
    /// it was saved (an empty context is harmless, and `m D` or undo in a
    /// later session removes it). None when nothing was typed.
    pub fn edit_kept(&self) -> Option<(usize, Edit)> {
        let name = self.name.text().trim().to_string();
        let id = self.id_value();
        if self.saving || name.is_empty() || id.is_empty() || id.chars().any(char::is_whitespace) {
            return None;
        }
        Some((self.policy, self.add_context(id, name)))
    }

    fn text_mut(&mut self) -> Option<&mut TextField> {
        match self.field {
            ContextField::Name => Some(&mut self.name),
            ContextField::Id => {
                if !self.id_typed {
                    self.id = TextField::new(&self.id_value());
                    self.id_typed = true;
                }
                Some(&mut self.id)
            }
            ContextField::Parent => None,
        }
    }

    fn fields() -> [ContextField; 3] {
        [ContextField::Name, ContextField::Id, ContextField::Parent]
    }
}

impl Component for ContextForm {
    fn keymap(&self) -> View {
        View::Editor
    }

    fn handle(&mut self, action: Action, _shared: &Shared) -> Vec<Effect> {
        if self.saving {
            return Vec::new();
        }
        let fields = ContextForm::fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = self.parents.len() + 1;
        match (action, self.field) {
            (Action::Cancel | Action::Back, _) if self.unsaved() => {
                return ask_before_closing("The new context is not saved.")
            }
            (Action::Cancel | Action::Back, _) => return vec![Effect::Pop],
            (Action::Submit | Action::Newline, _) => return self.submit(),
            (Action::NextField | Action::Down, _) => self.field = fields[(at + 1) % 3],
            (Action::PrevField | Action::Up, _) => self.field = fields[(at + 2) % 3],
            (Action::Left, ContextField::Parent) => self.parent = (self.parent + n - 1) % n,
            (Action::Right, ContextField::Parent) => self.parent = (self.parent + 1) % n,
            (Action::DeleteBack, _) => {
                if let Some(text) = self.text_mut() {
                    text.delete_back()
                }
            }
            (Action::DeleteForward, _) => {
                if let Some(text) = self.text_mut() {
                    text.delete_forward()
                }
            }
            (Action::Left, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::Back)
                }
            }
            (Action::Right, _) => {
                if let Some(text) = self.text_mut() {
                    text.step(CursorMove::Forward)
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.saving {
            return Some(Vec::new());
        }
        if self.field == ContextField::Parent {
            let n = self.parents.len() + 1;
            self.parent = (self.parent + 1) % n;
            return Some(Vec::new());
        }
        let one_line = text.replace(['\n', '\r'], " ");
        self.text_mut()?.insert(&one_line);
        Some(Vec::new())
    }

    fn key(&mut self, key: Key, _shared: &Shared) -> Option<Vec<Effect>> {
        if self.saving {
            return Some(Vec::new());
        }
        self.text_mut()?.key(key).then(Vec::new)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::modelling::context_form(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        super::component::FORM_COMMANDS
    }

    fn title(&self, shared: &Shared) -> String {
        format!(
            "new context in {}",
            shared.corpus.policies[self.policy].policy.id
        )
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}

// ---------------------------------------------------------------------
// Pickers

/// What choosing in a [`ListPicker`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickFor {
    /// Move this flow to the chosen context.
    MoveFlow { flow: String },
    /// Add this clause to the chosen flow's evidence.
    AddEvidence { clause: String },
}

/// A list to choose one item from (a context, a flow).
#[derive(Debug, Clone)]
pub struct ListPicker {
    pub policy: usize,
    pub title: String,
    /// (id, shown), in tree order.
    pub items: Vec<(String, String)>,
    pub selected: usize,
    pub purpose: PickFor,
}

impl ListPicker {
    fn choose(&self, shared: &Shared) -> Vec<Effect> {
        let Some((id, _)) = self.items.get(self.selected) else {
            return vec![Effect::Pop];
        };
        let policy = &shared.corpus.policies[self.policy].policy;
        let edit = match &self.purpose {
            PickFor::MoveFlow { flow } => (
                Edit::MoveFlow {
                    flow: flow.clone(),
                    to: id.clone(),
                    index: None,
                },
                format!("moved flow {flow} to {id}"),
            ),
            PickFor::AddEvidence { clause } => {
                let Some((_, flow)) = find_flow(policy, id) else {
                    return vec![Effect::Pop];
                };
                let mut evidence: Vec<String> =
                    flow.evidence.iter().map(|e| e.to_string()).collect();
                if evidence.contains(clause) {
                    return vec![
                        Effect::Pop,
                        Effect::Status(format!("{clause} is already evidence of flow {id}")),
                    ];
                }
                evidence.push(clause.clone());
                (
                    Edit::SetFlow {
                        flow: id.clone(),
                        fields: FlowFields {
                            evidence: Some(evidence),
                            ..FlowFields::default()
                        },
                    },
                    format!("added {clause} to the evidence of flow {id}"),
                )
            }
        };
        vec![
            Effect::Pop,
            Effect::Model {
                policy: self.policy,
                edit: edit.0,
                done: edit.1,
                close_form: false,
            },
        ]
    }
}

impl Component for ListPicker {
    fn keymap(&self) -> View {
        View::Picker
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let last = self.items.len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + 10).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::Submit | Action::Enter => return self.choose(shared),
            Action::Cancel | Action::Back => return vec![Effect::Pop],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::modelling::picker(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[(Action::Submit, "choose"), (Action::Cancel, "cancel")]
    }

    fn title(&self, _shared: &Shared) -> String {
        self.title.clone()
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}

/// A flow of a policy by id, with the id of its context.
pub fn find_flow<'a>(policy: &'a Policy, id: &str) -> Option<(&'a Context, &'a Flow)> {
    policy.contexts_flat().into_iter().find_map(|(_, c)| {
        c.flows
            .iter()
            .find(|f| f.id.as_deref() == Some(id))
            .map(|f| (c, f))
    })
}

/// Every flow of a policy as (id, "context › n: data"), in tree order.
fn flow_choices(policy: &Policy) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, context) in policy.contexts_flat() {
        for flow in &context.flows {
            let Some(id) = flow.id.as_deref() else {
                continue;
            };
            let data: Vec<&str> = flow.data.iter().map(|d| &**d).collect();
            let mark = if flow.suggested { " (suggested)" } else { "" };
            out.push((
                id.to_string(),
                crate::escape::escape(&format!(
                    "{} › {id}: {}{mark}",
                    context.name,
                    data.join(", ")
                ))
                .into_owned(),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------
// The app's side: running edits, undo and redo, reloading

/// How a finished edit is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    /// A new edit: its reverse can be undone; the redo list is dropped.
    New,
    /// An undo: its reverse can be redone.
    Undo,
    /// A redo: its reverse can be undone again.
    Redo,
}

struct Job {
    policy: usize,
    path: PathBuf,
    edit: Edit,
    done: String,
    record: Record,
    close_form: bool,
}

struct Running {
    job: Job,
    result: Receiver<Result<String, EditError>>,
    /// Set by the worker when the lock was not free at once.
    waiting: Arc<AtomicBool>,
    said_waiting: bool,
    /// The policy as this session had it when the edit started, to work
    /// out the edit that reverses it.
    before: Policy,
}

/// One edit that can be undone (or redone): the edit that does it.
#[derive(Debug, Clone)]
struct Step {
    policy: usize,
    edit: Edit,
    what: String,
    /// How many note changes could be undone when this was recorded: an
    /// undo takes whichever of a note or a model change came last.
    notes: usize,
}

/// Model edits under way, the undo and redo lists, and what the model
/// files looked like when last read, to notice changes made elsewhere.
#[derive(Default)]
pub struct ModelState {
    queue: VecDeque<Job>,
    running: Option<Running>,
    undo: Vec<Step>,
    redo: Vec<Step>,
    stamps: Vec<Option<Stamp>>,
    checked: Option<Instant>,
    /// The context a new flow went to last (policy, id), preselected next.
    pub last_context: Option<(usize, String)>,
    /// The flow last made or changed (policy, id), preselected when a
    /// clause is added to a flow's evidence.
    pub last_flow: Option<(usize, String)>,
}

impl ModelState {
    /// Whether an edit is being saved or waits to be.
    pub fn busy(&self) -> bool {
        self.running.is_some() || !self.queue.is_empty()
    }
}

/// How often model files are looked at for changes made elsewhere.
const CHECK_EVERY: Duration = Duration::from_millis(500);

impl App {
    /// Queues an edit of policy `policy`'s model, to be saved at once.
    pub fn model_edit(&mut self, policy: usize, edit: Edit, done: String, close_form: bool) {
        self.queue_model(policy, edit, done, Record::New, close_form);
    }

    fn queue_model(
        &mut self,
        policy: usize,
        edit: Edit,
        done: String,
        record: Record,
        close_form: bool,
    ) {
        let Some(loaded) = self.shared.corpus.policies.get(policy) else {
            return;
        };
        self.modelling.queue.push_back(Job {
            policy,
            path: loaded.path.clone(),
            edit,
            done,
            record,
            close_form,
        });
        self.start_model_job();
    }

    fn start_model_job(&mut self) {
        if self.modelling.running.is_some() {
            return;
        }
        let Some(job) = self.modelling.queue.pop_front() else {
            return;
        };
        let (tx, rx) = channel();
        let waiting = Arc::new(AtomicBool::new(false));
        let (path, edit, flag) = (job.path.clone(), job.edit.clone(), Arc::clone(&waiting));
        std::thread::spawn(move || {
            let _ = tx.send(run(&path, &edit, &flag));
        });
        let before = self.shared.corpus.policies[job.policy].policy.clone();
        self.status = Some(String::from("saving…"));
        self.modelling.running = Some(Running {
            job,
            result: rx,
            waiting,
            said_waiting: false,
            before,
        });
    }

    /// Takes in finished edits and model files changed elsewhere; whether
    /// the screen needs drawing. Called with the other background work.
    pub fn collect_model(&mut self) -> bool {
        let mut changed = false;
        if let Some(running) = &mut self.modelling.running {
            match running.result.try_recv() {
                Ok(result) => {
                    let running = self.modelling.running.take().expect("running");
                    self.finish_model_job(running, result);
                    self.start_model_job();
                    changed = true;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    if running.waiting.load(Ordering::SeqCst) && !running.said_waiting {
                        running.said_waiting = true;
                        let lock = edit::lock_path(&running.job.path);
                        self.status = Some(format!(
                            "waiting for the model lock ({}): another qualm is saving",
                            crate::escape::path(&lock)
                        ));
                        changed = true;
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.modelling.running = None;
                    self.status = Some(String::from("NOT SAVED: the save stopped"));
                    changed = true;
                }
            }
        }
        changed | self.reload_changed_models()
    }

    /// A form still open when the session ends by a signal (a dropped
    /// SSH connection): a flow is saved marked suggested, a context as
    /// named. True when there was one to keep.
    pub fn keep_open_form(&mut self) -> bool {
        let kept = self
            .find::<FlowForm>()
            .and_then(FlowForm::edit_kept_as_suggested)
            .or_else(|| self.find::<ContextForm>().and_then(ContextForm::edit_kept));
        let Some((policy, edit)) = kept else {
            return false;
        };
        let done = String::from("kept the open form");
        self.model_edit(policy, edit, done, false);
        true
    }

    /// Waits until every queued edit is saved (tests and scripted use).
    pub fn wait_model(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.modelling.busy() && Instant::now() < deadline {
            self.collect_model();
            std::thread::sleep(Duration::from_millis(5));
        }
        !self.modelling.busy()
    }

    fn finish_model_job(&mut self, running: Running, result: Result<String, EditError>) {
        let Running { job, before, .. } = running;
        let file = job
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = match result {
            Ok(id) => id,
            Err(error) => {
                let why = error.to_string().replace('\n', " · ");
                self.status = Some(format!("NOT SAVED: {}", crate::escape::escape(&why)));
                for view in self.stack.iter_mut() {
                    if let Some(form) = view.as_any_mut().downcast_mut::<FlowForm>() {
                        form.saving = false;
                    } else if let Some(form) = view.as_any_mut().downcast_mut::<ContextForm>() {
                        form.saving = false;
                    }
                }
                return;
            }
        };
        let reverse = reverse(&before, &job.edit, &id);
        self.reload_model(job.policy, true);
        let pi = job.policy;
        match &job.edit {
            Edit::AddFlow { context, .. } => {
                self.modelling.last_context = Some((pi, context.clone()));
                self.modelling.last_flow = Some((pi, id.clone()));
            }
            Edit::Batch(list) => {
                if let Some(Edit::AddFlow { context, .. }) = list.first() {
                    self.modelling.last_context = Some((pi, context.clone()));
                    self.modelling.last_flow = Some((pi, id.clone()));
                }
            }
            Edit::AddContext { id, .. } => self.modelling.last_context = Some((pi, id.clone())),
            Edit::PatchFlow { flow, .. }
            | Edit::SetFlow { flow, .. }
            | Edit::MoveFlow { flow, .. } => self.modelling.last_flow = Some((pi, flow.clone())),
            _ => {}
        }
        let notes = self.note_undo_len();
        let step = reverse.map(|edit| Step {
            policy: pi,
            edit,
            what: job.done.clone(),
            notes,
        });
        let key = |action| {
            self.shared
                .keymap
                .hint(View::Tree, action)
                .unwrap_or_default()
        };
        self.status = Some(match job.record {
            Record::New => {
                self.modelling.redo.clear();
                let undo = key(Action::Undo);
                self.modelling.undo.extend(step);
                format!("{} · saved to {file} · {undo} undoes", job.done)
            }
            Record::Undo => {
                self.modelling.redo.extend(step);
                format!("undid: {} · saved to {file}", job.done)
            }
            Record::Redo => {
                self.modelling.undo.extend(step);
                format!("redid: {} · saved to {file}", job.done)
            }
        });
        if job.close_form {
            let form_on_top = self
                .stack
                .last()
                .is_some_and(|v| v.as_any().is::<FlowForm>() || v.as_any().is::<ContextForm>());
            if form_on_top && self.stack.len() > 1 {
                self.stack.pop();
            }
        }
    }

    /// `u`: undoes the last model edit if it came after the last note
    /// change; false when the note change is the later (or there is none).
    pub fn undo_model(&mut self) -> bool {
        let notes = self.note_undo_len();
        let Some(step) = self.modelling.undo.last() else {
            return false;
        };
        if step.notes < notes {
            return false;
        }
        let step = self.modelling.undo.pop().expect("looked at above");
        self.queue_model(step.policy, step.edit, step.what, Record::Undo, false);
        true
    }

    /// `Ctrl-r`: does again the last model edit undone.
    pub fn redo_model(&mut self) {
        match self.modelling.redo.pop() {
            Some(step) => self.queue_model(step.policy, step.edit, step.what, Record::Redo, false),
            None => self.status = Some(String::from("nothing to redo")),
        }
    }

    /// Reads policy `pi`'s model again and puts it in place of the one in
    /// memory, every view keeping its place. A model that no longer loads
    /// keeps the one in memory, and the status line says why.
    pub(super) fn reload_model(&mut self, pi: usize, own_edit: bool) -> bool {
        let path = self.shared.corpus.policies[pi].path.clone();
        if let Some(stamp) = self.modelling.stamps.get_mut(pi) {
            *stamp = Stamp::of(&path);
        }
        let mut corpus = crate::model::load::load_single(&path);
        let diagnostics = std::mem::take(&mut corpus.diagnostics);
        self.shared.corpus.diagnostics.retain(|d| d.file != path);
        self.shared.corpus.diagnostics.extend(diagnostics);
        let Some(loaded) = corpus.policies.pop() else {
            let error = self
                .shared
                .corpus
                .diagnostics
                .iter()
                .find(|d| d.file == path && d.is_error())
                .map(|d| d.to_string())
                .unwrap_or_else(|| String::from("it does not load"));
            self.status = Some(format!(
                "{} changed on disk and does not load: {} (showing it as it was)",
                crate::escape::path(&path),
                crate::escape::escape(&error)
            ));
            return false;
        };
        if loaded.policy.id != self.shared.corpus.policies[pi].policy.id {
            self.status = Some(format!(
                "{} now holds another policy ({}); showing it as it was",
                crate::escape::path(&path),
                crate::escape::escape(&loaded.policy.id)
            ));
            return false;
        }
        // The edit may have moved notes on flows to flow ids.
        if own_edit {
            self.shared.reviews.reload(pi);
        }
        self.replace_policy_keeping_place(pi, loaded);
        true
    }

    /// Puts `loaded` in place of policy `pi` ([`Shared::replace_policy`]);
    /// every browse view keeps its selection, open rows and jumps by id,
    /// not by position.
    pub fn replace_policy_keeping_place(&mut self, pi: usize, loaded: LoadedPolicy) {
        let map = self.shared.replace_policy(pi, loaded);
        let shared = &self.shared;
        // Lists of nodes made before (go to an id) would point elsewhere.
        self.stack
            .retain(|v| !v.as_any().is::<super::goto::GotoView>());
        for view in self.stack.iter_mut() {
            if let Some(browse) = view.as_any_mut().downcast_mut::<Browse>() {
                browse.remap_nodes(shared, &map);
            }
        }
        self.remap_forward(&map);
    }

    /// Model files changed on disk since last read (another analyst, an
    /// editor in another pane, a git pull): read again, at most twice a
    /// second. True when any was.
    fn reload_changed_models(&mut self) -> bool {
        let count = self.shared.corpus.policies.len();
        let first = self.modelling.checked.is_none();
        if self
            .modelling
            .checked
            .is_some_and(|at| at.elapsed() < CHECK_EVERY)
        {
            return false;
        }
        self.modelling.checked = Some(Instant::now());
        // Policies added since (progressive loading) are taken as they are.
        while self.modelling.stamps.len() < count {
            let path = &self.shared.corpus.policies[self.modelling.stamps.len()].path;
            self.modelling.stamps.push(Stamp::of(path));
        }
        if first || self.modelling.busy() {
            return false;
        }
        let changed: Vec<usize> = (0..count)
            .filter(|&pi| {
                Stamp::of(&self.shared.corpus.policies[pi].path) != self.modelling.stamps[pi]
            })
            .collect();
        if changed.is_empty() {
            return false;
        }
        let mut names = Vec::new();
        let mut status = None;
        for pi in changed {
            if self.reload_model(pi, false) {
                names.push(self.shared.corpus.policies[pi].policy.id.clone());
            } else {
                status = self.status.take();
            }
        }
        self.status = status.or_else(|| {
            Some(format!(
                "model {} changed on disk; shown as it is now",
                names.join(", ")
            ))
        });
        true
    }

    /// Where a modelling key acts: the policy, the selected clause, the
    /// selected context and flow, and selected words.
    fn model_place(&self) -> Option<Place> {
        let top = self.stack.last()?;
        let shared = &self.shared;
        if let Some(browse) = top.as_any().downcast_ref::<Browse>() {
            let node = &shared.tree.nodes[browse.selected_node()?];
            let policy = &shared.corpus.policies[node.policy].policy;
            let mut place = Place {
                policy: node.policy,
                clause: None,
                context: None,
                flow: None,
                words: None,
            };
            match &node.kind {
                NodeKind::Clause(si, ci) => {
                    place.clause = Some(policy.sections[*si].clauses[*ci].id.clone())
                }
                NodeKind::Context(path) => {
                    let context = policy.context_at(path);
                    place.context = Some(context.id.clone());
                    let by_flow = browse.detail_links_by_flow(shared);
                    let chosen = (browse.focus == Pane::Detail)
                        .then(|| by_flow.get(browse.detail_selected).and_then(|l| l.1))
                        .flatten();
                    place.flow = chosen
                        .or((context.flows.len() == 1).then_some(0))
                        .and_then(|i| context.flows.get(i))
                        .and_then(|f| f.id.as_deref().map(String::from));
                }
                _ => {}
            }
            if let Some(span) = &browse.span {
                let clause = &policy.sections[span.clause.0].clauses[span.clause.1];
                place.clause = Some(clause.id.clone());
                if span.anchor.is_some() {
                    place.words = Some(clause.text[span.range()].to_string());
                }
            }
            return Some(place);
        }
        let here = top.here(shared)?;
        let policy = &shared.corpus.policies[here.policy].policy;
        Some(Place {
            policy: here.policy,
            clause: here
                .clause
                .map(|(si, ci)| policy.sections[si].clauses[ci].id.clone()),
            context: None,
            flow: None,
            words: None,
        })
    }

    /// A modelling key: opens a form or a picker, or makes the edit.
    pub fn model_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(place) = self.model_place() else {
            return vec![Effect::Status(String::from("nothing to model here"))];
        };
        let shared = &self.shared;
        let pi = place.policy;
        let policy = &shared.corpus.policies[pi].policy;
        let key = |action| shared.keymap.hint(View::Tree, action).unwrap_or_default();
        let status = |text: String| vec![Effect::Status(text)];
        let flow = place.flow.as_deref().and_then(|id| find_flow(policy, id));
        let need_flow = || {
            status(format!(
                "select a flow first: on a context, {} to the detail pane and a line of the flow's evidence",
                key(Action::NextPane)
            ))
        };
        let edit = |edit: Edit, done: String| {
            vec![Effect::Model {
                policy: pi,
                edit,
                done,
                close_form: false,
            }]
        };
        match action {
            Action::NewContext => {
                let form = ContextForm::new(shared, pi, place.context.as_deref());
                vec![Effect::Push(Box::new(form))]
            }
            Action::NewFlow => {
                let Some(clause) = place.clause.clone() else {
                    return status(String::from(
                        "select a clause (or words of one) to make a flow from",
                    ));
                };
                let choices = context_choices(policy);
                if choices.is_empty() {
                    return status(format!(
                        "{} has no context yet: {} makes one",
                        policy.id,
                        key(Action::NewContext)
                    ));
                }
                let citing = super::tree::contexts_citing(policy, &clause)
                    .first()
                    .map(|path| policy.context_at(path).id.clone());
                let last = self
                    .modelling
                    .last_context
                    .as_ref()
                    .filter(|(p, _)| *p == pi)
                    .map(|(_, id)| id.clone());
                let preselect = last
                    .or(citing)
                    .and_then(|id| choices.iter().position(|(c, _)| *c == id))
                    .unwrap_or(0);
                let form =
                    FlowForm::new_flow(shared, pi, preselect, &clause, place.words.as_deref());
                vec![Effect::Push(Box::new(form))]
            }
            Action::EditFlow => match flow {
                Some((_, flow)) => vec![Effect::Push(Box::new(FlowForm::edit_flow(
                    shared, pi, flow,
                )))],
                None => need_flow(),
            },
            Action::DeleteFlow => match &place.flow {
                Some(id) => edit(
                    Edit::RemoveFlow { flow: id.clone() },
                    format!("deleted flow {id}"),
                ),
                None => need_flow(),
            },
            Action::DeleteContext => match &place.context {
                Some(id) => edit(
                    Edit::RemoveContext { id: id.clone() },
                    format!("deleted context {id}"),
                ),
                None => status(String::from("select a context to delete")),
            },
            Action::MoveFlow => {
                let (Some(id), Some((from, _))) = (&place.flow, flow) else {
                    return need_flow();
                };
                let items: Vec<_> = context_choices(policy)
                    .into_iter()
                    .filter(|(c, _)| *c != from.id)
                    .collect();
                if items.is_empty() {
                    return status(String::from("there is no other context to move it to"));
                }
                vec![Effect::Push(Box::new(ListPicker {
                    policy: pi,
                    title: format!("Move flow {id} to"),
                    items,
                    selected: 0,
                    purpose: PickFor::MoveFlow { flow: id.clone() },
                }))]
            }
            Action::AddEvidence => {
                let Some(clause) = place.clause.clone() else {
                    return status(String::from("select a clause to add to a flow's evidence"));
                };
                let items = flow_choices(policy);
                if items.is_empty() {
                    return status(format!("{} has no flow yet", policy.id));
                }
                let selected = self
                    .modelling
                    .last_flow
                    .as_ref()
                    .filter(|(p, _)| *p == pi)
                    .and_then(|(_, id)| items.iter().position(|(f, _)| f == id))
                    .unwrap_or(0);
                vec![Effect::Push(Box::new(ListPicker {
                    policy: pi,
                    title: format!("Add {clause} to the evidence of"),
                    items,
                    selected,
                    purpose: PickFor::AddEvidence { clause },
                }))]
            }
            Action::ConfirmFlow | Action::RejectFlow => {
                // The selected flow, else the context's first suggested one.
                let suggested = match (flow, &place.context) {
                    (Some((_, f)), _) => Some(f),
                    (None, Some(id)) => policy
                        .contexts_flat()
                        .into_iter()
                        .find(|(_, c)| c.id == *id)
                        .and_then(|(_, c)| c.flows.iter().find(|f| f.suggested)),
                    _ => None,
                };
                let Some(f) = suggested.filter(|f| f.suggested) else {
                    return status(String::from("no suggested flow selected"));
                };
                let id = f.id.as_deref().unwrap_or_default().to_string();
                if action == Action::ConfirmFlow {
                    edit(
                        Edit::ConfirmFlow { flow: id.clone() },
                        format!("confirmed flow {id}"),
                    )
                } else {
                    edit(
                        Edit::RemoveFlow { flow: id.clone() },
                        format!("rejected suggested flow {id}"),
                    )
                }
            }
            Action::ConfirmAll => {
                let Some(context) = place.context.as_deref() else {
                    return status(String::from("select a context"));
                };
                let flows: Vec<Edit> = policy
                    .contexts_flat()
                    .into_iter()
                    .find(|(_, c)| c.id == context)
                    .map(|(_, c)| {
                        c.flows
                            .iter()
                            .filter(|f| f.suggested)
                            .filter_map(|f| f.id.as_deref())
                            .map(|id| Edit::ConfirmFlow { flow: id.into() })
                            .collect()
                    })
                    .unwrap_or_default();
                if flows.is_empty() {
                    return status(format!("{context} has no suggested flow"));
                }
                let n = flows.len();
                edit(
                    Edit::Batch(flows),
                    format!("confirmed {n} suggested flow(s) of {context}"),
                )
            }
            _ => Vec::new(),
        }
    }
}

impl Shared {
    /// Puts `loaded` (policy `pi` read again) in place of the one in
    /// memory: the tree, the marks, the search index and the findings
    /// follow. Returns, for every old tree node, the node that now shows
    /// the same thing (by id; a node that is gone maps to its nearest
    /// ancestor still there), for views that hold nodes.
    pub fn replace_policy(&mut self, pi: usize, loaded: LoadedPolicy) -> Vec<usize> {
        let old_tree = std::mem::take(&mut self.tree);
        let old_policy = std::mem::replace(&mut self.corpus.policies[pi], loaded).policy;
        self.tree = Tree::build(&self.corpus);
        let map = node_map(
            &old_tree,
            &self.tree,
            pi,
            &old_policy,
            &self.corpus.policies[pi].policy,
        );
        // Marks and findings are derived again; the index on next search.
        self.refresh_marks();
        self.search.reindex();
        map
    }
}

/// Where a modelling key acts.
struct Place {
    policy: usize,
    clause: Option<String>,
    context: Option<String>,
    flow: Option<String>,
    /// Selected words of the clause.
    words: Option<String>,
}

/// The edit, on the worker; `waiting` is set when the lock is not free.
fn run(path: &std::path::Path, edit: &Edit, waiting: &AtomicBool) -> Result<String, EditError> {
    edit::apply(path, edit, &|_| waiting.store(true, Ordering::SeqCst))
}

/// The edit that undoes `edit`, given the policy as it was before it and
/// the id `edit` returned.
fn reverse(before: &Policy, edit: &Edit, id: &str) -> Option<Edit> {
    Some(match edit {
        Edit::AddContext { id, .. } => Edit::RemoveContext { id: id.clone() },
        Edit::AddFlow { .. } => Edit::RemoveFlow {
            flow: id.to_string(),
        },
        Edit::RestoreFlow { flow, .. } => Edit::RemoveFlow {
            flow: flow.id.as_deref().unwrap_or(id).to_string(),
        },
        Edit::RestoreContext { context, .. } => Edit::RemoveContext {
            id: context.id.clone(),
        },
        Edit::RemoveContext { id } => {
            let path = before.context_path(id)?;
            let parent =
                (path.len() > 1).then(|| before.context_at(&path[..path.len() - 1]).id.clone());
            Edit::RestoreContext {
                parent,
                index: *path.last()?,
                context: as_written_context(before.context_at(&path)),
            }
        }
        Edit::RemoveFlow { flow } => {
            let (context, f) = find_flow(before, flow)?;
            Edit::RestoreFlow {
                context: context.id.clone(),
                index: context.flows.iter().position(|x| x.id == f.id)?,
                flow: as_written(f),
            }
        }
        Edit::MoveFlow { flow, .. } => {
            let (context, f) = find_flow(before, flow)?;
            Edit::MoveFlow {
                flow: flow.clone(),
                to: context.id.clone(),
                index: context.flows.iter().position(|x| x.id == f.id),
            }
        }
        Edit::ConfirmFlow { flow } => Edit::PatchFlow {
            flow: flow.clone(),
            patch: FlowPatch {
                suggested: Some(true),
                ..FlowPatch::default()
            },
        },
        Edit::SetFlow { flow, fields } => Edit::PatchFlow {
            flow: flow.clone(),
            patch: undo_patch(
                find_flow(before, flow)?.1,
                &FlowPatch {
                    fields: fields.clone(),
                    ..FlowPatch::default()
                },
            ),
        },
        Edit::PatchFlow { flow, patch } => Edit::PatchFlow {
            flow: flow.clone(),
            patch: undo_patch(find_flow(before, flow)?.1, patch),
        },
        Edit::Batch(list) => {
            if let [Edit::AddFlow { .. }, ..] = list.as_slice() {
                return Some(Edit::RemoveFlow {
                    flow: id.to_string(),
                });
            }
            let mut state = before.clone();
            let mut back = Vec::new();
            for e in list {
                let made = edit::apply_to(&mut state.clone(), e).ok()?;
                back.push(reverse(&state, e, &made)?);
                edit::apply_to(&mut state, e).ok()?;
            }
            back.reverse();
            Edit::Batch(back)
        }
    })
}

/// A patch that sets back every field `patch` sets, as `flow` had it.
fn undo_patch(flow: &Flow, patch: &FlowPatch) -> FlowPatch {
    let list = |given: &Option<Vec<String>>, had: &[Arc<str>]| {
        given
            .as_ref()
            .map(|_| had.iter().map(|s| s.to_string()).collect())
    };
    let f = &patch.fields;
    let text = |given: &Option<String>, had: &Option<Arc<str>>| {
        given
            .as_ref()
            .map(|_| had.as_deref().unwrap_or("").to_string())
    };
    let negative_changed = f.negative.is_some();
    FlowPatch {
        fields: FlowFields {
            evidence: list(&f.evidence, &flow.evidence),
            data: list(&f.data, &flow.data),
            purposes: list(&f.purposes, &flow.purposes),
            basis: list(&f.basis, &flow.basis),
            recipients: list(&f.recipients, &flow.recipients),
            retention: text(&f.retention, &flow.retention),
            if_withheld: text(&f.if_withheld, &flow.if_withheld),
            negative: f.negative.map(|_| !flow.does),
            action: None,
        },
        scope: (patch.scope.is_some() || negative_changed)
            .then(|| flow.scope.filter(|s| !flow.does && *s == Scope::Policy)),
        qualifier: patch
            .qualifier
            .as_ref()
            .map(|_| flow.qualifier.as_deref().map(String::from)),
        suggested: patch.suggested.map(|_| flow.suggested),
        action: patch.action.map(|_| {
            let action = flow.action();
            (action != flow.inferred_action()).then_some(action)
        }),
    }
}

/// A flow as loaded, without what the loader filled in (so putting it
/// back writes what the file said, not the inferences).
fn as_written(flow: &Flow) -> Flow {
    let mut flow = flow.clone();
    if flow.action == Some(flow.inferred_action()) {
        flow.action = None;
    }
    if flow.retention_class == Some(RetentionClass::infer(flow.retention.as_deref())) {
        flow.retention_class = None;
    }
    if flow.does || flow.scope == Some(Scope::Context) {
        flow.scope = None;
    }
    flow
}

fn as_written_context(context: &Context) -> Context {
    let mut context = context.clone();
    context.flows = context.flows.iter().map(as_written).collect();
    context.contexts = context.contexts.iter().map(as_written_context).collect();
    context
}

/// A tree node named by ids rather than by position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum NodeKey {
    Policy,
    ContextGroup,
    SectionGroup,
    Context(String),
    Section(usize),
    Clause(usize, usize),
}

fn node_key(policy: &Policy, kind: &NodeKind) -> NodeKey {
    match kind {
        NodeKind::Policy => NodeKey::Policy,
        NodeKind::ContextGroup => NodeKey::ContextGroup,
        NodeKind::SectionGroup => NodeKey::SectionGroup,
        NodeKind::Context(path) => NodeKey::Context(policy.context_at(path).id.clone()),
        NodeKind::Section(si) => NodeKey::Section(*si),
        NodeKind::Clause(si, ci) => NodeKey::Clause(*si, *ci),
    }
}

/// For every node of `old`, the node of `new` showing the same thing after
/// policy `pi` was replaced: by id inside the policy (a node that is gone
/// maps to its nearest ancestor still there), by offset after it.
fn node_map(old: &Tree, new: &Tree, pi: usize, was: &Policy, now: &Policy) -> Vec<usize> {
    let (old_root, new_root) = (old.roots[pi], new.roots[pi]);
    let (old_end, new_end) = (old.nodes[old_root].end, new.nodes[new_root].end);
    let found: HashMap<NodeKey, usize> = (new_root..new_end)
        .map(|n| (node_key(now, &new.nodes[n].kind), n))
        .collect();
    let mut map = Vec::with_capacity(old.nodes.len());
    for n in 0..old.nodes.len() {
        let to = if n < old_root {
            n
        } else if n >= old_end {
            n - old_end + new_end
        } else {
            match found.get(&node_key(was, &old.nodes[n].kind)) {
                Some(&to) => to,
                None => old.nodes[n].parent.map_or(new_root, |p| map[p]),
            }
        };
        map.push(to);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slug("Signing up (web)"), "signing-up-web");
        assert_eq!(slug("  "), "");
    }
}
