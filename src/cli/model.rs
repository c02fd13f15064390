//! `qualm model context|flow ...`: change a policy's contexts and flows from
//! the command line, each change one locked, validated, atomic edit of the
//! model file (`model::edit`), so scripts and analysts can model at once.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::model::edit::{self, Edit, FlowFields};
use crate::model::Action;

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Add or remove collection contexts.
    #[command(subcommand)]
    Context(ContextCommand),
    /// Add, change, remove or confirm flows.
    #[command(subcommand)]
    Flow(FlowCommand),
}

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Add a context (under --parent, else at the top).
    Add {
        /// A policy id (the policies folder's ID.yaml) or a model file.
        policy: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
    /// Remove a context with its flows and the contexts under it.
    Rm { policy: String, id: String },
    /// Edit a context (name, evidence, flows) as YAML in $VISUAL or
    /// $EDITOR; a bad edit reopens with the errors on top.
    Edit { policy: String, id: String },
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Add a flow to a context; prints its id.
    Add {
        policy: String,
        #[arg(long)]
        context: String,
        #[command(flatten)]
        fields: FlowArgs,
    },
    /// Change a flow; a list option given replaces that list.
    Set {
        policy: String,
        flow: String,
        #[command(flatten)]
        fields: FlowArgs,
    },
    /// Remove a flow.
    Rm { policy: String, flow: String },
    /// Confirm a flow drafted by `qualm import` (drops `suggested`).
    Confirm { policy: String, flow: String },
}

#[derive(Debug, Args)]
pub struct FlowArgs {
    /// Clause ids the flow rests on (repeatable).
    #[arg(long, num_args = 1..)]
    evidence: Vec<String>,
    #[arg(long)]
    data: Vec<String>,
    #[arg(long)]
    purpose: Vec<String>,
    #[arg(long)]
    basis: Vec<String>,
    #[arg(long)]
    recipient: Vec<String>,
    /// How long the data is kept, in the policy's words.
    #[arg(long)]
    retention: Option<String>,
    /// What happens if the person withholds the data.
    #[arg(long)]
    if_withheld: Option<String>,
    /// A negative statement ("we do not ...").
    #[arg(long, conflicts_with = "positive")]
    negative: bool,
    /// A positive statement again (undoes --negative; drops its scope).
    #[arg(long)]
    positive: bool,
    #[arg(long, value_parser = parse_action)]
    action: Option<Action>,
}

fn parse_action(text: &str) -> Result<Action, String> {
    Action::ALL
        .into_iter()
        .find(|a| a.as_str() == text)
        .ok_or_else(|| "one of collect, use, share, sell".to_string())
}

impl FlowArgs {
    /// The fields given; lists not given are left as they are, and a
    /// list given as one empty value (`--recipient ""`) is cleared.
    fn fields(self) -> FlowFields {
        let list = |v: Vec<String>| match v.as_slice() {
            [] => None,
            [only] if only.is_empty() => Some(Vec::new()),
            _ => Some(v),
        };
        FlowFields {
            evidence: list(self.evidence),
            data: list(self.data),
            purposes: list(self.purpose),
            basis: list(self.basis),
            recipients: list(self.recipient),
            retention: self.retention,
            if_withheld: self.if_withheld,
            negative: if self.negative {
                Some(true)
            } else {
                self.positive.then_some(false)
            },
            action: self.action,
        }
    }
}

/// The model file a policy argument names: a `.yaml` path, else the
/// folder's `ID.yaml`.
fn model_file(policy: &str, folder: &Path) -> Result<PathBuf, i32> {
    let as_path = Path::new(policy);
    let file = if as_path
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml")
    {
        as_path.to_path_buf()
    } else {
        folder.join(format!("{policy}.yaml"))
    };
    if file.is_file() {
        Ok(file)
    } else {
        eprintln!(
            "qualm: no model for `{}` (looked for {})",
            crate::escape::escape(policy),
            crate::escape::path(&file)
        );
        Err(2)
    }
}

/// `qualm model context edit`: the editing session, then what it did.
fn edit_context(policy: &str, id: &str, folder: &Path, waiting: &dyn Fn(&Path)) -> i32 {
    use crate::model::context_edit::{self, Outcome};
    let file = match model_file(policy, folder) {
        Ok(file) => file,
        Err(code) => return code,
    };
    let outcome = context_edit::edit(&file, id, &mut context_edit::run_editor, waiting);
    match &outcome {
        Outcome::Applied(_) => {
            println!("{outcome}");
            0
        }
        Outcome::NoChange | Outcome::Emptied => {
            eprintln!("qualm: {outcome}");
            0
        }
        Outcome::Abandoned(_) | Outcome::Failed { .. } => {
            eprintln!("qualm: {outcome}");
            1
        }
    }
}

pub fn run(command: ModelCommand, folder: &Path) -> i32 {
    let waiting = |lock: &Path| {
        eprintln!(
            "qualm: waiting for {} (another qualm is writing)",
            crate::escape::path(lock)
        );
    };
    let (policy, edit, print_id) = match command {
        ModelCommand::Context(ContextCommand::Edit { policy, id }) => {
            return edit_context(&policy, &id, folder, &waiting)
        }
        ModelCommand::Context(ContextCommand::Add {
            policy,
            id,
            name,
            parent,
        }) => (policy, Edit::AddContext { id, name, parent }, false),
        ModelCommand::Context(ContextCommand::Rm { policy, id }) => {
            (policy, Edit::RemoveContext { id }, false)
        }
        ModelCommand::Flow(FlowCommand::Add {
            policy,
            context,
            fields,
        }) => {
            let fields = fields.fields();
            if fields.evidence.is_none() {
                eprintln!("qualm: a new flow needs --evidence CLAUSE");
                return 2;
            }
            (policy, Edit::AddFlow { context, fields }, true)
        }
        ModelCommand::Flow(FlowCommand::Set {
            policy,
            flow,
            fields,
        }) => {
            let fields = fields.fields();
            (policy, Edit::SetFlow { flow, fields }, false)
        }
        ModelCommand::Flow(FlowCommand::Rm { policy, flow }) => {
            (policy, Edit::RemoveFlow { flow }, false)
        }
        ModelCommand::Flow(FlowCommand::Confirm { policy, flow }) => {
            (policy, Edit::ConfirmFlow { flow }, false)
        }
    };
    let file = match model_file(&policy, folder) {
        Ok(file) => file,
        Err(code) => return code,
    };
    match edit::apply(&file, &edit, &waiting) {
        Ok(id) => {
            if print_id {
                println!("{}", crate::escape::escape(&id));
            }
            0
        }
        Err(e) => {
            eprintln!("{}", crate::escape::escape(&e.to_string()));
            1
        }
    }
}
