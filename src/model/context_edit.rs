//! `$EDITOR` on one context, for bulk edits: the context as YAML in a
//! private temp file, checked when the editor returns and written with
//! model edits' discipline ([`edit::apply_with`]: lock, re-read, just this
//! context replaced by id, the whole policy validated, canonical, atomic).
//!
//! A bad edit reopens the editor with the errors on top as YAML comments,
//! at lines and columns of the file as reopened, above the analyst's text
//! as they left it. Quitting the editor without a change, or emptying the
//! file, changes nothing. Flows keep their ids; a flow without one is new
//! and gets a fresh id; a removed flow's id is retired. What another
//! writer did to the context meanwhile is kept where the analyst did not
//! touch it (flows added meanwhile stay, flows changed meanwhile keep
//! that change unless the analyst changed them too).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::edit::{self, EditError};
use super::position::PositionIndex;
use super::types::{Context, Flow, Policy};
use super::{load, write};

/// How an editing session ended.
#[derive(Debug)]
pub enum Outcome {
    /// The edit was written; what it changed.
    Applied(Summary),
    /// The editor was left without a change, or the text says what the
    /// model already holds: nothing was written.
    NoChange,
    /// The file was emptied: nothing was written.
    Emptied,
    /// The analyst left a reopened bad edit without saving: nothing was
    /// written, and their text (with the errors) is kept in this file.
    Abandoned(PathBuf),
    /// The edit could not be made (the model does not load, the context
    /// went away, the lock was held, the editor failed). Nothing was
    /// written; the analyst's text, if they had typed any, is kept.
    Failed {
        message: String,
        kept: Option<PathBuf>,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Applied(summary) => write!(f, "{summary}"),
            Outcome::NoChange => write!(f, "no change; nothing was written"),
            Outcome::Emptied => write!(f, "the file was emptied; nothing was written"),
            Outcome::Abandoned(kept) => write!(
                f,
                "not applied; nothing was written (your text is kept in {})",
                crate::escape::path(kept)
            ),
            Outcome::Failed { message, kept } => {
                write!(f, "{}", crate::escape::escape(message))?;
                match kept {
                    Some(kept) => {
                        write!(f, " (your text is kept in {})", crate::escape::path(kept))
                    }
                    None => Ok(()),
                }
            }
        }
    }
}

/// What an applied edit changed in the context, by flow id.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub context: String,
    /// Its name or evidence changed.
    pub context_changed: bool,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Flows another writer added to the context during the session.
    pub kept_meanwhile: Vec<String>,
    /// Flows another writer changed during the session that the analyst
    /// changed too: the analyst's version replaced theirs.
    pub replaced_meanwhile: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.context_changed {
            parts.push(String::from("its name or evidence changed"));
        }
        for (ids, what) in [
            (&self.added, "added"),
            (&self.changed, "changed"),
            (&self.removed, "removed"),
        ] {
            if !ids.is_empty() {
                let flows = if ids.len() == 1 { "flow" } else { "flows" };
                parts.push(format!("{} {flows} {what} ({})", ids.len(), ids.join(", ")));
            }
        }
        if parts.is_empty() {
            parts.push(String::from("nothing changed"));
        }
        write!(
            f,
            "context {}: {}",
            crate::escape::escape(&self.context),
            crate::escape::escape(&parts.join(", "))
        )?;
        if !self.replaced_meanwhile.is_empty() {
            write!(
                f,
                "; your version replaced a change made meanwhile to {}",
                crate::escape::escape(&self.replaced_meanwhile.join(", "))
            )?;
        }
        if !self.kept_meanwhile.is_empty() {
            write!(
                f,
                "; kept {} added meanwhile ({})",
                self.kept_meanwhile.len(),
                crate::escape::escape(&self.kept_meanwhile.join(", "))
            )?;
        }
        Ok(())
    }
}

/// Runs `$VISUAL`, else `$EDITOR`, else `vi` on `file` (through `sh`, so
/// the command may carry arguments: `code -w`); whether it exited well.
pub fn run_editor(file: &Path) -> io::Result<bool> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| String::from("vi"));
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file)
        .status()?;
    Ok(status.success())
}

/// Edits context `context` of the model file `model` with `editor` (which
/// edits the file it is given in place and says whether it exited well)
/// until the edit is applied or given up. `waiting` is told when the
/// model's lock is held by another writer.
pub fn edit(
    model: &Path,
    context: &str,
    editor: &mut dyn FnMut(&Path) -> io::Result<bool>,
    waiting: &dyn Fn(&Path),
) -> Outcome {
    let failed = |message: String| Outcome::Failed {
        message,
        kept: None,
    };
    let policy = match edit::read_for_edit(model) {
        Ok((policy, _)) => policy,
        Err(e) => return failed(e.to_string()),
    };
    let Some(base) = find(&policy.contexts, context) else {
        return failed(format!("no context `{context}` in {}", policy.id));
    };
    let base = Context {
        contexts: Vec::new(),
        ..base.clone()
    };
    let session = Session {
        model,
        policy: &policy.id,
        base: &base,
    };
    let mut body = write::context_to_yaml(&base);
    let mut shown = session.file_text(&body, &[]);
    let file = match crate::review::author::private_temp_file("qualm-context-", ".yaml", &shown) {
        Ok(file) => file,
        Err(e) => return failed(format!("cannot make a temp file: {e}")),
    };
    let mut reopened = false;
    loop {
        // Kept only when it holds text the analyst typed.
        let keep = |file: &Path, reopened: bool| {
            if reopened {
                Some(file.to_path_buf())
            } else {
                let _ = std::fs::remove_file(file);
                None
            }
        };
        match editor(&file) {
            Ok(true) => {}
            Ok(false) => {
                let typed = std::fs::read_to_string(&file).is_ok_and(|t| t != shown);
                return Outcome::Failed {
                    message: String::from("the editor exited with an error; nothing was written"),
                    kept: keep(&file, reopened || typed),
                };
            }
            Err(e) => {
                return Outcome::Failed {
                    message: format!("the editor could not be run: {e}; nothing was written"),
                    kept: keep(&file, reopened),
                }
            }
        }
        let returned = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                return Outcome::Failed {
                    message: format!("cannot read the edited file back: {e}"),
                    kept: keep(&file, true),
                }
            }
        };
        if returned == shown {
            return match keep(&file, reopened) {
                Some(kept) => Outcome::Abandoned(kept),
                None => Outcome::NoChange,
            };
        }
        body = strip_leading_comments(&returned).to_string();
        if body.trim().is_empty() {
            let _ = std::fs::remove_file(&file);
            return Outcome::Emptied;
        }
        match session.apply(&body, waiting) {
            Ok(outcome) => {
                let _ = std::fs::remove_file(&file);
                return outcome;
            }
            Err(Refusal::Errors(errors)) => {
                shown = session.file_text(&body, &errors);
                if let Err(e) = std::fs::write(&file, &shown) {
                    return Outcome::Failed {
                        message: format!("cannot write the errors into the file: {e}"),
                        kept: Some(file),
                    };
                }
                reopened = true;
            }
            Err(Refusal::Fatal(message)) => {
                return Outcome::Failed {
                    message,
                    kept: Some(file),
                }
            }
        }
    }
}

/// One error of an edit: where in the analyst's text (1-based line and
/// column of the body, below the comments qualm puts on top), and what.
#[derive(Debug, Clone, PartialEq)]
struct EditProblem {
    at: Option<(usize, usize)>,
    message: String,
}

enum Refusal {
    /// The analyst can fix these: the editor reopens.
    Errors(Vec<EditProblem>),
    /// They cannot: the session ends, keeping the text.
    Fatal(String),
}

struct Session<'a> {
    model: &'a Path,
    policy: &'a str,
    /// The context as the editor first showed it (without sub-contexts).
    base: &'a Context,
}

impl Session<'_> {
    /// The file the editor shows: comments saying what it is (and what
    /// was wrong with the last save), then `body`.
    fn file_text(&self, body: &str, errors: &[EditProblem]) -> String {
        let mut head = vec![format!(
            "# qualm: context `{}` of {} ({})",
            self.base.id,
            self.policy,
            self.model.display()
        )];
        if !errors.is_empty() {
            head.push(String::from(
                "# NOT APPLIED: fix what is said below and save again, or empty the file to give up.",
            ));
        }
        // One comment line per error, so the body's first line is known.
        let top = head.len() + errors.len() + 4;
        for error in errors {
            let message = error.message.replace(['\n', '\r'], " ");
            head.push(match error.at {
                Some((line, column)) => {
                    format!("#   line {}, column {column}: {message}", line + top)
                }
                None => format!("#   {message}"),
            });
        }
        head.extend([
            String::from("# Save and quit to apply; quit without saving to change nothing."),
            String::from(
                "# A flow keeps its `id:` (notes name flows by it); a flow without one is new.",
            ),
            String::from("# The contexts under this one are not shown and stay as they are."),
            String::from("# These comment lines are dropped."),
        ]);
        let mut text = String::new();
        for line in head {
            text.push_str(&crate::escape::escape(&line));
            text.push('\n');
        }
        text.push_str(body);
        if !body.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    /// Checks the analyst's text and applies it: the outcome, or what to
    /// tell them.
    fn apply(&self, body: &str, waiting: &dyn Fn(&Path)) -> Result<Outcome, Refusal> {
        let edited = self.parse(body)?;
        if &edited == self.base {
            return Ok(Outcome::NoChange);
        }
        let index = PositionIndex::build(body);
        let applied = edit::apply_with(self.model, waiting, |policy, vocabulary| {
            let (places, summary) = merge(policy, self.base, &edited)?;
            let text = write::to_yaml(policy);
            let errors: Vec<_> = load::check_text(self.model, &text, vocabulary)
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            if errors.is_empty() {
                return Ok(summary);
            }
            let at = context_path(&policy.contexts, &self.base.id).unwrap_or_default();
            let written = PositionIndex::build(&text);
            Err(Refusal::Errors(
                errors
                    .into_iter()
                    .map(|d| EditProblem {
                        at: d
                            .line
                            .zip(d.column)
                            .and_then(|p| written.path_at(p))
                            .and_then(|path| relative(path, &at, &places))
                            .and_then(|path| index.find(&path)),
                        message: d.message,
                    })
                    .collect(),
            ))
        });
        match applied {
            Ok(Ok(summary)) => Ok(Outcome::Applied(summary)),
            Ok(Err(refusal)) => Err(refusal),
            Err(EditError::Invalid(ds)) => Err(Refusal::Errors(
                ds.into_iter()
                    .map(|d| EditProblem {
                        at: None,
                        message: d.message,
                    })
                    .collect(),
            )),
            Err(e) => Err(Refusal::Fatal(e.to_string())),
        }
    }

    /// The analyst's text as a context, or where it is wrong.
    fn parse(&self, body: &str) -> Result<Context, Refusal> {
        let one = |at: Option<(usize, usize)>, message: String| {
            Refusal::Errors(vec![EditProblem { at, message }])
        };
        if let Some((problem, at)) = super::guard::prescan(body) {
            return Err(one(
                Some(at),
                format!("qualm would refuse to read this ({problem:?})"),
            ));
        }
        let edited: Context = serde_yaml::from_str(body).map_err(|e| {
            let d = load::yaml_error(Path::new("edit"), &e);
            let message = d.message.replace(
                "expected struct Context",
                "expected one context (a mapping with `id`, `name`, `flows`)",
            );
            one(d.line.zip(d.column), message)
        })?;
        let index = PositionIndex::build(body);
        let mut problems = Vec::new();
        if edited.id != self.base.id {
            problems.push(EditProblem {
                at: index.find("id"),
                message: format!(
                    "the context's id stays `{}` (notes and flow ids name it)",
                    self.base.id
                ),
            });
        }
        if !edited.contexts.is_empty() {
            problems.push(EditProblem {
                at: index.find("contexts"),
                message: String::from(
                    "the contexts under this one are edited on their own: remove `contexts:`",
                ),
            });
        }
        let mut seen = HashSet::new();
        for (i, flow) in edited.flows.iter().enumerate() {
            if let Some(id) = flow.id.as_deref() {
                if !seen.insert(id) {
                    problems.push(EditProblem {
                        at: index.find(&format!("flows[{i}].id")),
                        message: format!(
                            "flow id `{id}` is used twice: a copied flow is new without its `id:` line"
                        ),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(edited)
        } else {
            Err(Refusal::Errors(problems))
        }
    }
}

/// Replaces context `base.id` of `policy` (as re-read under the lock) with
/// `edited`, keeping what another writer changed where the analyst did
/// not: each flow of the result with its place in `edited` (None: added
/// meanwhile), and what changed.
fn merge(
    policy: &mut Policy,
    base: &Context,
    edited: &Context,
) -> Result<(Vec<Option<usize>>, Summary), Refusal> {
    let id = base.id.clone();
    let Some(now) = edit::find_context(&mut policy.contexts, &id) else {
        return Err(Refusal::Fatal(format!(
            "context `{id}` was removed from {} meanwhile; nothing was written",
            policy.id
        )));
    };
    let by_id = |flows: &[Flow]| -> HashMap<String, Flow> {
        flows
            .iter()
            .filter_map(|f| Some((f.id.as_deref()?.to_string(), f.clone())))
            .collect()
    };
    let before = by_id(&base.flows);
    let on_disk = by_id(&now.flows);
    let mut summary = Summary {
        context: id.clone(),
        ..Summary::default()
    };
    let mut flows = Vec::new();
    let mut origin = Vec::new();
    for (i, flow) in edited.flows.iter().enumerate() {
        let known = flow.id.as_deref().and_then(|f| before.get(f));
        match known {
            // Untouched here: as it is on disk now (changed meanwhile or
            // not), or gone if it was removed meanwhile.
            Some(was) if was == flow => {
                if let Some(current) = flow.id.as_deref().and_then(|f| on_disk.get(f)) {
                    flows.push(current.clone());
                    origin.push(Some(i));
                }
            }
            Some(was) => {
                let fid = flow.id.as_deref().unwrap_or_default().to_string();
                if on_disk.get(&fid).is_some_and(|now| now != was) {
                    summary.replaced_meanwhile.push(fid.clone());
                }
                summary.changed.push(fid);
                flows.push(flow.clone());
                origin.push(Some(i));
            }
            None => {
                flows.push(flow.clone());
                origin.push(Some(i));
            }
        }
    }
    let kept: HashSet<&str> = edited
        .flows
        .iter()
        .filter_map(|f| f.id.as_deref())
        .collect();
    for flow in &now.flows {
        let fid = flow.id.as_deref().unwrap_or_default();
        if !before.contains_key(fid) && !kept.contains(fid) {
            summary.kept_meanwhile.push(fid.to_string());
            flows.push(flow.clone());
            origin.push(None);
        }
    }
    summary.removed = base
        .flows
        .iter()
        .filter_map(|f| f.id.as_deref())
        .filter(|f| !kept.contains(f))
        .map(str::to_string)
        .collect();
    if edited.name != base.name {
        now.name = edited.name.clone();
        summary.context_changed = true;
    }
    if edited.evidence != base.evidence {
        now.evidence = edited.evidence.clone();
        summary.context_changed = true;
    }
    now.flows = flows;
    // New flows get fresh ids, after every id the policy has or retired.
    edit::retire(policy, summary.removed.iter().cloned());
    let count = origin.len();
    for place in 0..count {
        let list = &edit::find_context(&mut policy.contexts, &id)
            .expect("found above")
            .flows;
        if list[place].id.is_some() {
            continue;
        }
        let fresh = edit::fresh_flow_id(policy, &id, place + 1);
        summary.added.push(fresh.clone());
        edit::find_context(&mut policy.contexts, &id)
            .expect("found above")
            .flows[place]
            .id = Some(fresh.as_str().into());
    }
    for flow in &edited.flows {
        if let Some(fid) = flow.id.as_deref() {
            if !before.contains_key(fid) {
                summary.added.push(fid.to_string());
            }
        }
    }
    Ok((origin, summary))
}

fn find<'a>(list: &'a [Context], id: &str) -> Option<&'a Context> {
    list.iter()
        .find_map(|c| (c.id == id).then_some(c).or_else(|| find(&c.contexts, id)))
}

/// The YAML path of context `id` in the model: `contexts[1].contexts[0]`.
fn context_path(list: &[Context], id: &str) -> Option<String> {
    for (i, context) in list.iter().enumerate() {
        if context.id == id {
            return Some(format!("contexts[{i}]"));
        }
        if let Some(below) = context_path(&context.contexts, id) {
            return Some(format!("contexts[{i}].{below}"));
        }
    }
    None
}

/// A path of the written model as a path of the analyst's text: under the
/// context (`at`), with a flow's place in the model turned into its place
/// in the text. None for paths elsewhere in the policy.
fn relative(path: &str, at: &str, origin: &[Option<usize>]) -> Option<String> {
    let rest = path.strip_prefix(at)?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() || rest.starts_with('[') {
        return None;
    }
    let Some(flow) = rest.strip_prefix("flows[") else {
        return Some(rest.to_string());
    };
    let (place, tail) = flow.split_once(']')?;
    let place: usize = place.parse().ok()?;
    match origin.get(place).copied().flatten() {
        Some(i) => Some(format!("flows[{i}]{tail}")),
        None => Some(String::from("flows")),
    }
}

/// The text after the comment lines (and blank lines) at its top: the
/// ones qualm wrote, dropped before the text is read or shown again.
fn strip_leading_comments(text: &str) -> &str {
    let mut rest = text;
    loop {
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = rest[..end].trim();
        if rest.is_empty() || !(line.is_empty() || line.starts_with('#')) {
            return rest;
        }
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_only_the_comments_on_top() {
        assert_eq!(
            strip_leading_comments("# a\n\n# b\nid: x\n# kept\nname: y\n"),
            "id: x\n# kept\nname: y\n"
        );
        assert_eq!(strip_leading_comments("# only\n  \n"), "");
        assert_eq!(strip_leading_comments(""), "");
    }

    #[test]
    fn model_paths_become_paths_of_the_text() {
        let origin = [Some(0), None, Some(1)];
        let at = "contexts[2].contexts[0]";
        assert_eq!(
            relative("contexts[2].contexts[0].flows[2].evidence[0]", at, &origin).as_deref(),
            Some("flows[1].evidence[0]")
        );
        assert_eq!(
            relative("contexts[2].contexts[0].flows[1].data", at, &origin).as_deref(),
            Some("flows")
        );
        assert_eq!(
            relative("contexts[2].contexts[0].name", at, &origin).as_deref(),
            Some("name")
        );
        assert_eq!(relative("contexts[2].contexts[01].name", at, &origin), None);
        assert_eq!(relative("sections[0].id", at, &origin), None);
    }
}
