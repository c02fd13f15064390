//! Model edits: one change to a policy's contexts or flows, applied by id to
//! the model file on disk with the review files' discipline, so the command
//! line and (later) the TUI change models the same safe way.
//!
//! Each edit takes the advisory lock `<id>.yaml.lock`, re-reads and parses
//! the model (a file that does not parse is never overwritten), applies
//! just this change, validates the result as the loader would (an edit
//! that makes the model invalid is refused with the errors and nothing is
//! written), and replaces the file atomically through the canonical writer,
//! after checking the new text reads back as the same model.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostic::Diagnostic;
use super::types::{Action, Context, Flow, ModelFile, Policy, Scope};
use super::{load, write};
use crate::review::store::{self, LockError};

/// The fields of a flow an edit may set. `None` leaves a field as it is
/// (on a new flow: unset); a list given replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowFields {
    pub evidence: Option<Vec<String>>,
    pub data: Option<Vec<String>>,
    pub purposes: Option<Vec<String>>,
    pub basis: Option<Vec<String>>,
    pub recipients: Option<Vec<String>>,
    pub retention: Option<String>,
    pub if_withheld: Option<String>,
    /// `Some(true)`: a negative statement ("we do not ...").
    pub negative: Option<bool>,
    pub action: Option<Action>,
}

/// One change to a model, naming what it changes by id.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    AddContext {
        id: String,
        name: String,
        parent: Option<String>,
    },
    RemoveContext {
        id: String,
    },
    AddFlow {
        context: String,
        fields: FlowFields,
    },
    SetFlow {
        flow: String,
        fields: FlowFields,
    },
    RemoveFlow {
        flow: String,
    },
    /// Drops `suggested` from a flow drafted by `qualm import`.
    ConfirmFlow {
        flow: String,
    },
    /// Changes any field a flow form shows, including those `SetFlow`
    /// leaves alone (scope, qualifier, suggested; action back to inferred).
    PatchFlow {
        flow: String,
        patch: FlowPatch,
    },
    /// Puts a flow back with its own id at its place (an undone removal).
    RestoreFlow {
        context: String,
        index: usize,
        flow: Flow,
    },
    /// Puts a context back, with its flows and contexts, at its place.
    RestoreContext {
        parent: Option<String>,
        index: usize,
        context: Context,
    },
    /// Moves a flow (keeping its id) to another context, at `index` or last.
    MoveFlow {
        flow: String,
        to: String,
        index: Option<usize>,
    },
    /// Several edits under one lock, all or none (confirming a context's
    /// suggested flows at once, and undoing that). A `PatchFlow` with an
    /// empty flow id patches the flow the edit before it made or changed.
    Batch(Vec<Edit>),
}

/// [`FlowFields`] and the fields only a full flow form sets. `None` leaves
/// a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowPatch {
    pub fields: FlowFields,
    /// `Some(None)`: the default reach (its context).
    pub scope: Option<Option<Scope>>,
    /// `Some(None)` clears it.
    pub qualifier: Option<Option<String>>,
    pub suggested: Option<bool>,
    /// `Some(None)`: no explicit action, the loader infers it.
    pub action: Option<Option<Action>>,
}

/// Why an edit was not made; in every case the file was left as it was.
#[derive(Debug)]
pub enum EditError {
    /// The model on disk does not parse or is invalid before the edit.
    Unparsable(Vec<Diagnostic>),
    /// The edit names a context or flow that is not there, or an id taken.
    NotApplicable(String),
    /// The edit would make the model invalid: the loader's errors.
    Invalid(Vec<Diagnostic>),
    /// Another process held the lock for longer than the timeout.
    Locked(PathBuf),
    /// What would be written would not read back as the same model.
    Unreadable(String),
    Io(PathBuf, std::io::Error),
    /// The policy's review file could not be migrated to flow ids.
    Review(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines = |f: &mut std::fmt::Formatter<'_>, ds: &[Diagnostic]| {
            ds.iter().try_for_each(|d| writeln!(f, "{d}"))
        };
        match self {
            EditError::Unparsable(ds) => {
                lines(f, ds)?;
                write!(
                    f,
                    "the model was left untouched: fix it first (`qualm check`)"
                )
            }
            EditError::NotApplicable(why) => write!(f, "{why}; nothing was written"),
            EditError::Invalid(ds) => {
                lines(f, ds)?;
                write!(
                    f,
                    "the edit would make the model invalid; nothing was written"
                )
            }
            EditError::Locked(lock) => write!(
                f,
                "{} is held by another process; nothing was written",
                crate::escape::path(lock)
            ),
            EditError::Unreadable(why) => write!(f, "not written: {why}"),
            EditError::Io(path, e) => write!(f, "{}: {e}", crate::escape::path(path)),
            EditError::Review(why) => write!(
                f,
                "{why}\nthe notes on its flows could not be moved to flow ids; nothing was written"
            ),
        }
    }
}

/// The lock file of a model: `<id>.yaml.lock` beside it.
pub fn lock_path(model: &Path) -> PathBuf {
    let mut name = model.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    model.with_file_name(name)
}

/// Applies `edit` to the model file at `model` under its lock. Returns the
/// id of what was made (a new flow's id, a new context's id) or changed.
pub fn apply(model: &Path, edit: &Edit, waiting: &dyn Fn(&Path)) -> Result<String, EditError> {
    apply_with(model, waiting, |policy, _| apply_to(policy, edit))?
        .map_err(EditError::NotApplicable)
}

/// The discipline of [`apply`] around any change: under the model's lock,
/// re-reads it, lets `change` alter the parsed policy (the vocabulary is
/// given for checks of its own), then validates and writes atomically.
/// The outer error is the discipline's; the inner one is `change`
/// refusing, and then nothing was written either.
pub fn apply_with<T, E>(
    model: &Path,
    waiting: &dyn Fn(&Path),
    change: impl FnOnce(&mut Policy, &super::Vocabulary) -> Result<T, E>,
) -> Result<Result<T, E>, EditError> {
    let _lock = match store::lock_file(&lock_path(model), store::lock_timeout(), waiting) {
        Ok(lock) => lock,
        Err(LockError::Io(e)) => return Err(EditError::Unreadable(e.to_string())),
        Err(LockError::TimedOut { lock, .. }) => return Err(EditError::Locked(lock)),
    };
    store::remove_stale_temps(model);
    let (mut policy, vocabulary) = read_for_edit(model)?;
    // Notes that name a flow by its place are moved to its id before any
    // flow moves, so every note stays on its flow.
    let review = store::review_path(model, &policy.id);
    store::migrate_flow_targets(&review, &policy, store::lock_timeout())
        .map_err(|e| EditError::Review(e.to_string()))?;
    let made = match change(&mut policy, &vocabulary) {
        Ok(made) => made,
        Err(refused) => return Ok(Err(refused)),
    };
    tidy_retired(&mut policy);
    let new_text = write::to_yaml(&policy);
    let after = errors_of(load::check_text(model, &new_text, &vocabulary));
    if !after.is_empty() {
        return Err(EditError::Invalid(after));
    }
    match serde_yaml::from_str::<ModelFile>(&new_text) {
        Ok(back) if write::to_yaml(&Policy::from(back.clone())) == new_text => {}
        Ok(_) => {
            return Err(EditError::Unreadable(
                "it would not read back the same".into(),
            ))
        }
        Err(e) => return Err(EditError::Unreadable(format!("it would not parse: {e}"))),
    }
    store::write_atomic(model, new_text.as_bytes())
        .map_err(|e| EditError::Io(model.to_path_buf(), e))?;
    Ok(Ok(made))
}

/// The model file as edits see it: parsed as written (nothing the loader
/// fills in), checked valid, every flow with its id. A file that does not
/// parse or is invalid is refused, so it is never overwritten.
pub fn read_for_edit(model: &Path) -> Result<(Policy, super::Vocabulary), EditError> {
    let text = load::read_yaml(model).map_err(|d| EditError::Unparsable(vec![d]))?;
    let vocabulary = load::vocabulary_beside(model);
    let before = errors_of(load::check_text(model, &text, &vocabulary));
    if !before.is_empty() {
        return Err(EditError::Unparsable(before));
    }
    let file: ModelFile = serde_yaml::from_str(&text)
        .map_err(|e| EditError::Unparsable(vec![load::yaml_error(model, &e)]))?;
    let mut policy = Policy::from(file);
    // Ids the loader would assign are written from now on, so notes on
    // flows keep their flows whatever is added or removed later.
    load::assign_flow_ids_avoiding(&mut policy.contexts, &policy.retired_flow_ids);
    Ok((policy, vocabulary))
}

/// Keeps the retired ids sorted, once each, and without the ids of flows
/// that are there (a flow put back by an undo is no longer retired).
fn tidy_retired(policy: &mut Policy) {
    if policy.retired_flow_ids.is_empty() {
        return;
    }
    let mut present = Vec::new();
    flow_ids(&policy.contexts, &mut present);
    let present: std::collections::HashSet<String> = present.into_iter().collect();
    policy.retired_flow_ids.retain(|id| !present.contains(id));
    policy.retired_flow_ids.sort();
    policy.retired_flow_ids.dedup();
}

/// Records `ids` as removed: no new flow of the policy gets one of them.
pub fn retire(policy: &mut Policy, ids: impl IntoIterator<Item = String>) {
    policy.retired_flow_ids.extend(ids);
}

/// A new flow id for `context`: `<context>.<n>` for the first `n` from
/// `from` that no flow of the policy has and no removed flow had.
pub fn fresh_flow_id(policy: &Policy, context: &str, from: usize) -> String {
    let mut taken = Vec::new();
    flow_ids(&policy.contexts, &mut taken);
    let mut n = from.max(1);
    loop {
        let candidate = format!("{context}.{n}");
        if !taken.contains(&candidate) && !policy.retired_flow_ids.contains(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

fn errors_of(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.into_iter().filter(|d| d.is_error()).collect()
}

/// Applies `edit` to a parsed model in memory: the id made or changed, or
/// why the edit does not apply.
pub fn apply_to(policy: &mut Policy, edit: &Edit) -> Result<String, String> {
    let policy_id = policy.id.clone();
    match edit {
        Edit::AddContext { id, name, parent } => {
            if find_context(&mut policy.contexts, id).is_some() {
                return Err(format!("{policy_id} already has a context `{id}`"));
            }
            let context = Context {
                id: id.clone(),
                name: name.clone(),
                evidence: Vec::new(),
                flows: Vec::new(),
                contexts: Vec::new(),
            };
            match parent {
                None => policy.contexts.push(context),
                Some(parent) => find_context(&mut policy.contexts, parent)
                    .ok_or_else(|| format!("no context `{parent}` in {policy_id}"))?
                    .contexts
                    .push(context),
            }
            Ok(id.clone())
        }
        Edit::RemoveContext { id } => {
            let Some(gone) = find_context(&mut policy.contexts, id).cloned() else {
                return Err(format!("no context `{id}` in {policy_id}"));
            };
            remove_context(&mut policy.contexts, id);
            let mut ids = Vec::new();
            flow_ids(std::slice::from_ref(&gone), &mut ids);
            retire(policy, ids);
            Ok(id.clone())
        }
        Edit::AddFlow { context, fields } => {
            let count = find_context(&mut policy.contexts, context)
                .ok_or_else(|| format!("no context `{context}` in {policy_id}"))?
                .flows
                .len();
            let id = fresh_flow_id(policy, context, count + 1);
            let mut flow = empty_flow();
            flow.id = Some(id.as_str().into());
            set_fields(&mut flow, fields);
            find_context(&mut policy.contexts, context)
                .expect("found above")
                .flows
                .push(flow);
            Ok(id)
        }
        Edit::SetFlow { flow, fields } => {
            set_fields(find_flow(policy, flow)?, fields);
            Ok(flow.clone())
        }
        Edit::ConfirmFlow { flow } => {
            find_flow(policy, flow)?.suggested = false;
            Ok(flow.clone())
        }
        Edit::RemoveFlow { flow } => {
            fn remove(list: &mut [Context], id: &str) -> bool {
                list.iter_mut().any(|c| {
                    let before = c.flows.len();
                    c.flows.retain(|f| f.id.as_deref() != Some(id));
                    c.flows.len() != before || remove(&mut c.contexts, id)
                })
            }
            if remove(&mut policy.contexts, flow) {
                retire(policy, [flow.clone()]);
                Ok(flow.clone())
            } else {
                Err(format!("no flow `{flow}` in {policy_id}"))
            }
        }
        Edit::PatchFlow { flow, patch } => {
            let target = find_flow(policy, flow)?;
            set_fields(target, &patch.fields);
            if let Some(scope) = patch.scope {
                target.scope = scope;
            }
            if let Some(qualifier) = &patch.qualifier {
                target.qualifier = qualifier
                    .as_deref()
                    .filter(|q| !q.is_empty())
                    .map(Arc::from);
            }
            if let Some(suggested) = patch.suggested {
                target.suggested = suggested;
            }
            if let Some(action) = patch.action {
                target.action = action;
            }
            Ok(flow.clone())
        }
        Edit::RestoreFlow {
            context,
            index,
            flow,
        } => {
            let id = flow.id.as_deref().unwrap_or_default().to_string();
            let mut taken = Vec::new();
            flow_ids(&policy.contexts, &mut taken);
            if id.is_empty() || taken.contains(&id) {
                return Err(format!("{policy_id} already has a flow `{id}`"));
            }
            let target = find_context(&mut policy.contexts, context)
                .ok_or_else(|| format!("no context `{context}` in {policy_id}"))?;
            let at = (*index).min(target.flows.len());
            target.flows.insert(at, flow.clone());
            Ok(id)
        }
        Edit::RestoreContext {
            parent,
            index,
            context,
        } => {
            if find_context(&mut policy.contexts, &context.id).is_some() {
                return Err(format!(
                    "{policy_id} already has a context `{}`",
                    context.id
                ));
            }
            let mut taken = Vec::new();
            flow_ids(&policy.contexts, &mut taken);
            let mut coming = Vec::new();
            flow_ids(std::slice::from_ref(context), &mut coming);
            if let Some(id) = coming.iter().find(|id| taken.contains(id)) {
                return Err(format!("{policy_id} already has a flow `{id}`"));
            }
            let list = match parent {
                None => &mut policy.contexts,
                Some(parent) => {
                    &mut find_context(&mut policy.contexts, parent)
                        .ok_or_else(|| format!("no context `{parent}` in {policy_id}"))?
                        .contexts
                }
            };
            let at = (*index).min(list.len());
            list.insert(at, context.clone());
            Ok(context.id.clone())
        }
        Edit::MoveFlow { flow, to, index } => {
            find_context(&mut policy.contexts, to)
                .ok_or_else(|| format!("no context `{to}` in {policy_id}"))?;
            let moved = take_flow(&mut policy.contexts, flow)
                .ok_or_else(|| format!("no flow `{flow}` in {policy_id}"))?;
            let target = find_context(&mut policy.contexts, to).expect("looked up above");
            let at = index.unwrap_or(usize::MAX).min(target.flows.len());
            target.flows.insert(at, moved);
            Ok(flow.clone())
        }
        Edit::Batch(edits) => {
            let mut last = String::new();
            for edit in edits {
                last = match edit {
                    // The flow the edit before made (a new flow's scope,
                    // qualifier or action, which `AddFlow` cannot say).
                    Edit::PatchFlow { flow, patch } if flow.is_empty() => apply_to(
                        policy,
                        &Edit::PatchFlow {
                            flow: last,
                            patch: patch.clone(),
                        },
                    )?,
                    _ => apply_to(policy, edit)?,
                };
            }
            Ok(last)
        }
    }
}

/// Takes the flow with this id out of its context.
fn take_flow(list: &mut [Context], id: &str) -> Option<Flow> {
    for context in list {
        if let Some(i) = context
            .flows
            .iter()
            .position(|f| f.id.as_deref() == Some(id))
        {
            return Some(context.flows.remove(i));
        }
        if let Some(found) = take_flow(&mut context.contexts, id) {
            return Some(found);
        }
    }
    None
}

pub(crate) fn empty_flow() -> Flow {
    serde_yaml::from_str("{}").expect("every flow field has a default")
}

fn labels(list: &[String]) -> Vec<Arc<str>> {
    list.iter().map(|s| Arc::from(s.as_str())).collect()
}

fn set_fields(flow: &mut Flow, fields: &FlowFields) {
    let lists = [
        (&fields.evidence, &mut flow.evidence),
        (&fields.data, &mut flow.data),
        (&fields.purposes, &mut flow.purposes),
        (&fields.basis, &mut flow.basis),
        (&fields.recipients, &mut flow.recipients),
    ];
    for (given, list) in lists {
        if let Some(given) = given {
            *list = labels(given);
        }
    }
    if let Some(text) = &fields.retention {
        flow.retention = (!text.is_empty()).then(|| text.as_str().into());
    }
    if let Some(text) = &fields.if_withheld {
        flow.if_withheld = (!text.is_empty()).then(|| text.as_str().into());
    }
    if let Some(negative) = fields.negative {
        flow.does = !negative;
        if !negative {
            flow.scope = None;
        }
    }
    if let Some(action) = fields.action {
        flow.action = Some(action);
    }
}

pub(crate) fn find_context<'a>(list: &'a mut [Context], id: &str) -> Option<&'a mut Context> {
    for context in list {
        if context.id == id {
            return Some(context);
        }
        if let Some(found) = find_context(&mut context.contexts, id) {
            return Some(found);
        }
    }
    None
}

fn remove_context(list: &mut Vec<Context>, id: &str) -> bool {
    let before = list.len();
    list.retain(|c| c.id != id);
    list.len() != before || list.iter_mut().any(|c| remove_context(&mut c.contexts, id))
}

pub(crate) fn flow_ids(list: &[Context], out: &mut Vec<String>) {
    for context in list {
        out.extend(
            context
                .flows
                .iter()
                .filter_map(|f| f.id.as_deref().map(String::from)),
        );
        flow_ids(&context.contexts, out);
    }
}

fn find_flow<'a>(policy: &'a mut Policy, id: &str) -> Result<&'a mut Flow, String> {
    fn walk<'a>(list: &'a mut [Context], id: &str) -> Option<&'a mut Flow> {
        for context in list {
            if let Some(i) = context
                .flows
                .iter()
                .position(|f| f.id.as_deref() == Some(id))
            {
                return Some(&mut context.flows[i]);
            }
            if let Some(found) = walk(&mut context.contexts, id) {
                return Some(found);
            }
        }
        None
    }
    let policy_id = policy.id.clone();
    walk(&mut policy.contexts, id).ok_or_else(|| format!("no flow `{id}` in {policy_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "schema: 1
policy:
  id: demo
  organization: Demo
  title: Demo policy
  effective: 2024-01-01
sections:
  - id: s
    heading: S
    clauses:
      - id: s.1
        text: We collect your email.
contexts:
  - id: signup
    name: Signing up
    flows:
      - data: [email]
        evidence: [s.1]
      - data: [name]
        evidence: [s.1]
";

    fn policy() -> Policy {
        let file: ModelFile = serde_yaml::from_str(MODEL).unwrap();
        let mut policy = Policy::from(file);
        load::assign_flow_ids_avoiding(&mut policy.contexts, &[]);
        policy
    }

    fn add(context: &str) -> Edit {
        Edit::AddFlow {
            context: context.into(),
            fields: FlowFields {
                evidence: Some(vec!["s.1".into()]),
                data: Some(vec!["phone".into()]),
                ..FlowFields::default()
            },
        }
    }

    #[test]
    fn a_new_flow_gets_an_id_no_other_flow_has() {
        let mut policy = policy();
        apply_to(
            &mut policy,
            &Edit::RemoveFlow {
                flow: "signup.1".into(),
            },
        )
        .unwrap();
        // One flow left (signup.2): the new one must not take that id.
        let id = apply_to(&mut policy, &add("signup")).unwrap();
        assert_eq!(id, "signup.3");
        let yaml = write::to_yaml(&policy);
        assert!(
            yaml.contains("id: signup.2") && yaml.contains("id: signup.3"),
            "{yaml}"
        );
    }

    #[test]
    fn a_removed_flows_id_is_never_given_again() {
        let mut policy = policy();
        let remove = |flow: &str| Edit::RemoveFlow { flow: flow.into() };
        apply_to(&mut policy, &remove("signup.2")).unwrap();
        // signup.2 was the last: counting alone would give it out again.
        assert_eq!(apply_to(&mut policy, &add("signup")).unwrap(), "signup.3");
        let yaml = write::to_yaml(&policy);
        assert!(yaml.contains("retired_flow_ids: [signup.2]"), "{yaml}");
        // Removing the context retires its flows' ids too, so a context of
        // the same name added later starts after them.
        apply_to(
            &mut policy,
            &Edit::RemoveContext {
                id: "signup".into(),
            },
        )
        .unwrap();
        apply_to(
            &mut policy,
            &Edit::AddContext {
                id: "signup".into(),
                name: "Again".into(),
                parent: None,
            },
        )
        .unwrap();
        assert_eq!(apply_to(&mut policy, &add("signup")).unwrap(), "signup.4");
        // A flow put back with its old id (an undo) is no longer retired.
        let mut back = empty_flow();
        back.id = Some("signup.1".into());
        back.evidence = vec!["s.1".into()];
        policy.contexts[0].flows.push(back);
        tidy_retired(&mut policy);
        assert_eq!(policy.retired_flow_ids, ["signup.2", "signup.3"]);
    }

    #[test]
    fn edits_naming_nothing_are_refused() {
        let mut policy = policy();
        assert!(apply_to(&mut policy, &add("nowhere")).is_err());
        assert!(apply_to(&mut policy, &Edit::ConfirmFlow { flow: "x".into() }).is_err());
        let duplicate = Edit::AddContext {
            id: "signup".into(),
            name: "Again".into(),
            parent: None,
        };
        assert!(apply_to(&mut policy, &duplicate).is_err());
    }

    #[test]
    fn a_removed_flow_comes_back_with_its_id_in_its_place_and_moves_keep_ids() {
        let mut policy = policy();
        let removed = policy.contexts[0].flows[0].clone();
        let remove = Edit::RemoveFlow {
            flow: "signup.1".into(),
        };
        apply_to(&mut policy, &remove).unwrap();
        let restore = Edit::RestoreFlow {
            context: "signup".into(),
            index: 0,
            flow: removed,
        };
        assert_eq!(apply_to(&mut policy, &restore).unwrap(), "signup.1");
        assert_eq!(policy.contexts[0].flows[0].id.as_deref(), Some("signup.1"));
        // The id is taken now: a second restore is refused.
        assert!(apply_to(&mut policy, &restore).is_err());
        let other = Edit::AddContext {
            id: "news".into(),
            name: "Newsletter".into(),
            parent: Some("signup".into()),
        };
        apply_to(&mut policy, &other).unwrap();
        let moved = Edit::MoveFlow {
            flow: "signup.2".into(),
            to: "news".into(),
            index: None,
        };
        apply_to(&mut policy, &moved).unwrap();
        let news = &policy.contexts[0].contexts[0];
        assert_eq!(news.flows[0].id.as_deref(), Some("signup.2"));
        assert_eq!(policy.contexts[0].flows.len(), 1);
    }

    #[test]
    fn a_patch_sets_what_set_cannot_and_a_batch_is_all_or_nothing() {
        let mut policy = policy();
        let patch = Edit::PatchFlow {
            flow: "signup.1".into(),
            patch: FlowPatch {
                fields: FlowFields {
                    negative: Some(true),
                    ..FlowFields::default()
                },
                scope: Some(Some(Scope::Policy)),
                qualifier: Some(Some("knowingly".into())),
                suggested: Some(true),
                action: Some(Some(Action::Sell)),
            },
        };
        apply_to(&mut policy, &patch).unwrap();
        let flow = &policy.contexts[0].flows[0];
        assert!(!flow.does && flow.suggested);
        assert_eq!(flow.scope, Some(Scope::Policy));
        assert_eq!(flow.qualifier.as_deref(), Some("knowingly"));
        assert_eq!(flow.action, Some(Action::Sell));
        // On disk: one edit of a batch that does not apply writes nothing.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.yaml");
        std::fs::write(&path, MODEL).unwrap();
        let batch = Edit::Batch(vec![
            Edit::RemoveFlow {
                flow: "signup.1".into(),
            },
            Edit::ConfirmFlow {
                flow: "nowhere".into(),
            },
        ]);
        assert!(apply(&path, &batch, &|_| {}).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), MODEL);
    }

    #[test]
    fn set_replaces_lists_and_keeps_the_rest() {
        let mut policy = policy();
        let edit = Edit::SetFlow {
            flow: "signup.1".into(),
            fields: FlowFields {
                recipients: Some(vec!["Salesforce".into()]),
                ..FlowFields::default()
            },
        };
        apply_to(&mut policy, &edit).unwrap();
        let flow = &policy.contexts[0].flows[0];
        assert_eq!(&*flow.recipients[0], "Salesforce");
        assert_eq!(&*flow.data[0], "email");
    }
}
