//! `qualm note add|list|set|reply|rm`: the notes of one policy from the
//! command line, through the same locked read-merge-write as the TUI, so a
//! script and an analyst can annotate the same policy at once.

use std::path::Path;

use clap::{Args, Subcommand};

use super::{emit, TextOrJson};
use crate::model::{self, LoadedPolicy, Vocabulary};
use crate::review::author::{author, now};
use crate::review::note::is_concern;
use crate::review::report::{json, row};
use crate::review::store::{self, review_path};
use crate::review::{resolve, Anchor, Note, Op, Reply, Severity, Status, Target};

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a note; prints its id.
    Add {
        #[command(flatten)]
        policy: PolicyArg,
        /// policy | section:ID | clause:ID | context:ID | flow:ID | flow:CONTEXT#N
        #[arg(long)]
        target: String,
        /// A span of the clause's text (with a clause target).
        #[arg(long)]
        quote: Option<String>,
        /// A concern kind from the vocabulary, e.g. vague-language.
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "medium")]
        severity: Severity,
        #[arg(long, default_value = "open")]
        status: Status,
        /// The note's text; `-` reads it from standard input.
        #[arg(long, default_value = "")]
        body: String,
        /// Else QUALM_AUTHOR, git's user.name, or the login name.
        #[arg(long)]
        author: Option<String>,
    },
    /// List the notes of one policy, or of every policy in the folder.
    List {
        /// A policy id (default: every policy).
        policy: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        severity: Option<Severity>,
        #[arg(long)]
        status: Option<Status>,
        #[arg(long)]
        author: Option<String>,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Change a note's kind, severity, status or body.
    Set {
        #[command(flatten)]
        policy: PolicyArg,
        id: String,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        severity: Option<Severity>,
        #[arg(long)]
        status: Option<Status>,
        /// `-` reads it from standard input.
        #[arg(long)]
        body: Option<String>,
    },
    /// Reply to a note.
    Reply {
        #[command(flatten)]
        policy: PolicyArg,
        id: String,
        #[arg(long)]
        body: String,
        #[arg(long)]
        author: Option<String>,
    },
    /// Remove a note.
    Rm {
        #[command(flatten)]
        policy: PolicyArg,
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct PolicyArg {
    /// A policy id (its model is the policies folder's ID.yaml) or a model file.
    policy: String,
}

/// A usage problem: message on stderr, exit code 2.
fn usage(message: String) -> i32 {
    eprintln!("qualm: {}", crate::escape::escape(&message));
    2
}

/// [`store::apply_waiting`], saying on stderr why it waits for the lock.
fn apply(path: &Path, policy_id: &str, op: &Op) -> Result<store::Applied, store::StoreError> {
    store::apply_waiting(path, policy_id, op, None, &|lock| {
        eprintln!(
            "qualm: waiting for {} (another qualm is writing; giving up after {} s)",
            crate::escape::path(lock),
            store::lock_timeout().as_secs_f64()
        );
    })
}

pub fn run(command: NoteCommand, folder: &Path) -> i32 {
    match command {
        NoteCommand::Add {
            policy,
            target,
            quote,
            kind,
            severity,
            status,
            body,
            author: given,
        } => {
            let (loaded, vocabulary) = match load_one(&policy, folder) {
                Ok(found) => found,
                Err(code) => return code,
            };
            if !is_concern(&vocabulary, &kind) {
                return usage(unknown_kind(&vocabulary, &kind));
            }
            let target = match make_target(&loaded, &target, quote.as_deref()) {
                Ok(target) => target,
                Err(message) => return usage(message),
            };
            let body = match read_body(body) {
                Ok(body) => body,
                Err(message) => return usage(message),
            };
            let path = review_path(&loaded.path, &loaded.policy.id);
            let created = now();
            let note = Note {
                // Given under the lock, where the ids in use are known.
                id: String::new(),
                target,
                kind,
                severity,
                status,
                author: author(given.as_deref()),
                created: created.clone(),
                updated: created,
                digest: Some(loaded.digest.clone()),
                body,
                replies: Vec::new(),
                conflict: None,
                rule: None,
                fingerprint: None,
            };
            finish(
                apply(&path, &loaded.policy.id, &Op::Add(note))
                    .map(|a| a.id.unwrap_or_default() + "\n"),
            )
        }
        NoteCommand::List {
            policy,
            kind,
            severity,
            status,
            author,
            format,
        } => {
            let corpus = super::output::load(&[folder.to_path_buf()]);
            let reviews = crate::review::ReviewSet::load(&corpus);
            let filter = crate::review::NoteFilter {
                kind,
                severity,
                status,
                author,
            };
            let mut rows = Vec::new();
            // A review file that cannot be read hides its notes: say so,
            // and fail, rather than list fewer notes with exit 0.
            let mut unreadable = false;
            for (pi, review) in reviews.reviews.iter().enumerate() {
                let p = &corpus.policies[pi].policy;
                if policy.as_ref().is_some_and(|id| *id != p.id) {
                    continue;
                }
                if let Some(err) = &review.error {
                    eprintln!("{err}");
                    eprintln!(
                        "qualm: the notes of {} cannot be read and are not listed",
                        crate::escape::escape(&p.id)
                    );
                    unreadable = true;
                }
                for note in &review.file.notes {
                    if filter.keeps(note) {
                        rows.push(row(p, note));
                    }
                }
            }
            if let Some(id) = &policy {
                if corpus.policy(id).is_none() {
                    return usage(format!("no policy `{id}` in {}", folder.display()));
                }
            }
            let out = match format {
                TextOrJson::Json => json(&rows),
                TextOrJson::Text => rows
                    .iter()
                    .map(|r| {
                        format!(
                            "{}  {:<12} {} {:<9} {:<22} {:<24} {}{}\n",
                            r.id,
                            r.policy,
                            super::output::severity(&r.severity)
                                .paint(&format!("{:<8}", r.severity)),
                            r.status,
                            r.kind,
                            r.target,
                            r.body.lines().next().unwrap_or(""),
                            if r.detached { "  [detached]" } else { "" }
                        )
                    })
                    .collect(),
            };
            emit(&out).max(i32::from(unreadable))
        }
        NoteCommand::Set {
            policy,
            id,
            kind,
            severity,
            status,
            body,
        } => {
            let (loaded, vocabulary) = match load_one(&policy, folder) {
                Ok(found) => found,
                Err(code) => return code,
            };
            if let Some(kind) = &kind {
                if !is_concern(&vocabulary, kind) {
                    return usage(unknown_kind(&vocabulary, kind));
                }
            }
            let body = match body.map(read_body).transpose() {
                Ok(body) => body,
                Err(message) => return usage(message),
            };
            let op = Op::Edit {
                id: id.clone(),
                kind,
                severity,
                status,
                body,
                updated: now(),
                // Set outright: the command line holds no stale copy.
                base: None,
            };
            change_existing(&loaded, &id, op)
        }
        NoteCommand::Reply {
            policy,
            id,
            body,
            author: given,
        } => {
            let (loaded, _) = match load_one(&policy, folder) {
                Ok(found) => found,
                Err(code) => return code,
            };
            let body = match read_body(body) {
                Ok(body) => body,
                Err(message) => return usage(message),
            };
            let reply = Reply {
                author: author(given.as_deref()),
                created: now(),
                body,
            };
            change_existing(
                &loaded,
                &id,
                Op::Reply {
                    id: id.clone(),
                    reply,
                },
            )
        }
        NoteCommand::Rm { policy, id } => {
            let (loaded, _) = match load_one(&policy, folder) {
                Ok(found) => found,
                Err(code) => return code,
            };
            change_existing(&loaded, &id, Op::Remove { id: id.clone() })
        }
    }
}

/// Applies a change to a note that must exist.
fn change_existing(loaded: &LoadedPolicy, id: &str, op: Op) -> i32 {
    let path = review_path(&loaded.path, &loaded.policy.id);
    match apply(&path, &loaded.policy.id, &op) {
        Ok(applied) if applied.id.is_none() => {
            usage(format!("no note `{id}` in {}", path.display()))
        }
        result => finish(result.map(|_| String::new())),
    }
}

fn finish(result: Result<String, store::StoreError>) -> i32 {
    match result {
        Ok(out) => emit(&out),
        Err(e) => {
            eprintln!("qualm: {e}");
            1
        }
    }
}

/// Loads the one model a note command is about, and its vocabulary.
fn load_one(arg: &PolicyArg, folder: &Path) -> Result<(LoadedPolicy, Vocabulary), i32> {
    let as_path = Path::new(&arg.policy);
    let file = if as_path
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml")
    {
        as_path.to_path_buf()
    } else {
        folder.join(format!("{}.yaml", arg.policy))
    };
    if !file.is_file() {
        return Err(usage(format!(
            "no model for `{}` (looked for {})",
            arg.policy,
            file.display()
        )));
    }
    // One model alone: a `supersedes` naming a policy beside it is fine.
    let mut corpus = model::load::load_single(&file);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    match corpus.policies.pop() {
        Some(loaded) => Ok((loaded, corpus.vocabulary)),
        None => Err(1),
    }
}

fn make_target(loaded: &LoadedPolicy, text: &str, quote: Option<&str>) -> Result<Target, String> {
    let policy = &loaded.policy;
    let mut target = Target::parse_cli(text, &policy.id)?;
    if let Some(flow_id) = target.flow_id.clone() {
        // A flow id names its context: the one the flow is in now.
        let context = policy
            .contexts_flat()
            .into_iter()
            .map(|(_, c)| c)
            .find(|c| c.flows.iter().any(|f| f.id.as_deref() == Some(&*flow_id)))
            .ok_or_else(|| format!("no flow `{flow_id}` in {}", policy.id))?;
        target = Target::flow_by_id(&context.id, &flow_id);
    }
    if let Some(quote) = quote {
        let Some(clause_id) = target.clause.clone() else {
            return Err("--quote needs a clause target (--target clause:ID)".to_string());
        };
        let clause = policy
            .clause(&clause_id)
            .ok_or_else(|| format!("no clause `{clause_id}` in {}", policy.id))?;
        let span = crate::review::anchor::occurrences(&clause.text, quote)
            .into_iter()
            .next()
            .ok_or_else(|| format!("the quote is not in the text of clause `{clause_id}`"))?;
        target = Target::span(&clause_id, &clause.text, span);
    }
    if let Anchor::Detached { reason } = resolve(policy, &target) {
        return Err(reason.replace("is no longer", "is not"));
    }
    Ok(target)
}

fn read_body(body: String) -> Result<String, String> {
    if body != "-" {
        return Ok(body);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
    Ok(text.trim_end().to_string())
}

fn unknown_kind(vocabulary: &Vocabulary, kind: &str) -> String {
    let kinds: Vec<&str> = vocabulary
        .terms(crate::model::Category::Concerns)
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    format!("unknown kind `{kind}`; the kinds are: {}", kinds.join(", "))
}
