//! What a view may ask of the app: the view itself only changes its own
//! state; anything beyond it (another view, the review files, the status
//! line, the search worker) is an effect, handled in one place
//! ([`super::app::App::run_effects`]).

use crate::review::{Op, Target};

use super::action::Action;
use super::component::Component;
use super::palette::HitRef;

// Effects live for one key press, so a large variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Effect {
    /// Put a view on top of the stack.
    Push(Box<dyn Component>),
    /// Close the view on top.
    Pop,
    /// Go to a tree node: the view on top shows it in place if it can,
    /// else a browse view at the node is pushed (so `Ctrl-o` comes back).
    Goto(usize),
    /// Go to what a note is about.
    GotoNote {
        policy: usize,
        id: String,
    },
    /// Go to a search hit.
    GotoHit(HitRef),
    /// Change a review file; `close_editor` pops the editor on top once
    /// the change is saved (a failed save keeps it open with its text).
    Store {
        policy: usize,
        op: Op,
        done: String,
        close_editor: bool,
    },
    /// Keep the note being written as a draft note, and close the editor.
    StoreDraft,
    /// Undo the last change to a note.
    Undo,
    /// Change policy `policy`'s model: saved at once (in the background),
    /// then the policy is read again; `close_form` closes the form on top
    /// once it is saved (a failed save keeps it open).
    Model {
        policy: usize,
        edit: crate::model::edit::Edit,
        done: String,
        close_form: bool,
    },
    /// Open the note editor on these targets (one preselected).
    Annotate {
        policy: usize,
        targets: Vec<Target>,
        chosen: usize,
    },
    /// Search for this query on the worker.
    Search(String),
    /// Remember a search's hits for `n`/`N`.
    RememberHits {
        hits: Vec<HitRef>,
        query: String,
        cursor: Option<usize>,
    },
    /// Say something on the status line.
    Status(String),
    /// Run `$EDITOR` on the note being written.
    ExternalEdit,
    /// Feed an action to whatever view is on top after the effects before.
    Action(Action),
    /// Copy text to the clipboard (OSC 52), saying `what` on the status line.
    Copy {
        text: String,
        what: String,
    },
    Quit,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Push(view) => write!(f, "Push({:?})", view.keymap()),
            Effect::Pop => f.write_str("Pop"),
            Effect::Goto(node) => write!(f, "Goto({node})"),
            Effect::GotoNote { policy, id } => write!(f, "GotoNote({policy}, {id})"),
            Effect::GotoHit(hit) => write!(f, "GotoHit({hit:?})"),
            Effect::Store { op, done, .. } => write!(f, "Store({}, {done})", op.note_id()),
            Effect::StoreDraft => f.write_str("StoreDraft"),
            Effect::Undo => f.write_str("Undo"),
            Effect::Model { done, .. } => write!(f, "Model({done})"),
            Effect::Annotate { policy, .. } => write!(f, "Annotate({policy})"),
            Effect::Search(q) => write!(f, "Search({q:?})"),
            Effect::RememberHits { query, .. } => write!(f, "RememberHits({query:?})"),
            Effect::Status(s) => write!(f, "Status({s:?})"),
            Effect::ExternalEdit => f.write_str("ExternalEdit"),
            Effect::Action(a) => write!(f, "Action({a})"),
            Effect::Copy { what, .. } => write!(f, "Copy({what})"),
            Effect::Quit => f.write_str("Quit"),
        }
    }
}
