//! The trait every view implements (the gitui pattern): a view owns its
//! state, turns an action into changes of that state plus [`Effect`]s for
//! the app, draws itself from `&self`, and lists its commands for the
//! status line. The app keeps the views on a stack; help is drawn from the
//! keymap section a view names, so it cannot drift from the bindings.

use std::any::Any;

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::keymap::View;
use crate::review::Target;

use super::action::Action;
use super::app::Shared;
use super::effect::Effect;
use super::notes::Draft;

/// Where a view's selection is: the policy, and the clause if one is
/// selected (for the reader, compare views and annotating).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Here {
    pub policy: usize,
    pub clause: Option<(usize, usize)>,
}

/// The status line's keys of every form (the note editor, the flow and
/// context forms): they save, move between fields and cancel alike.
pub const FORM_COMMANDS: &[(Action, &str)] = &[
    (Action::Submit, "save"),
    (Action::NextField, "field"),
    (Action::Cancel, "cancel"),
];

pub trait Component: Any {
    /// The keymap section that applies while this view is on top.
    fn keymap(&self) -> View;

    /// An action for this view: changes to its own state, and effects.
    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect>;

    /// Text typed into the view (a key no binding claims, or a paste);
    /// None when the view takes no text.
    fn type_text(&mut self, _text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        None
    }

    /// A key no binding claims (for text fields: readline keys); None
    /// when the view does not take raw keys.
    fn key(&mut self, _key: crate::keymap::Key, _shared: &Shared) -> Option<Vec<Effect>> {
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared);

    /// The most useful commands, for the status line (help lists them all).
    fn commands(&self) -> &'static [(Action, &'static str)];

    /// Where the view is, for the status line and the jump list.
    fn title(&self, shared: &Shared) -> String;

    /// A popup is drawn over the views below it.
    fn popup(&self) -> bool {
        false
    }

    /// Shows a tree node in place, if this view can; false otherwise.
    fn show_node(&mut self, _node: usize, _shared: &Shared) -> bool {
        false
    }

    /// Steps back (forward) in the view's own jump list; false at its end,
    /// when the app steps to the view below (above) instead.
    fn jump_back(&mut self, _shared: &Shared) -> bool {
        false
    }
    fn jump_forward(&mut self, _shared: &Shared) -> bool {
        false
    }

    /// What the selection is, for opening a reader, a compare or a note.
    fn here(&self, _shared: &Shared) -> Option<Here> {
        None
    }

    /// What `annotate` would annotate: the policy, the targets to choose
    /// from, and which one is preselected.
    fn annotation(&self, shared: &Shared) -> Option<(usize, Vec<Target>, usize)> {
        let here = self.here(shared)?;
        let (si, ci) = here.clause?;
        let policy = &shared.corpus.policies[here.policy].policy;
        let id = &policy.sections[si].clauses[ci].id;
        Some((here.policy, vec![Target::clause(id)], 0))
    }

    /// The clause's text to copy with `y` (and its id with `Y`).
    fn copy_text(&self, shared: &Shared) -> Option<(String, String)> {
        let here = self.here(shared)?;
        let (si, ci) = here.clause?;
        let policy = &shared.corpus.policies[here.policy].policy;
        let clause = &policy.sections[si].clauses[ci];
        Some((
            clause.text.to_string(),
            format!("{} {}", policy.id, clause.id),
        ))
    }

    /// Takes in finished background work; whether the view changed.
    fn collect(&mut self, _shared: &Shared) -> (bool, Vec<Effect>) {
        (false, Vec::new())
    }

    /// Whether background work for this view is under way.
    fn busy(&self) -> bool {
        false
    }

    /// The terminal changed size.
    fn resize(&mut self, _shared: &Shared) {}

    /// The note being written, for an editor: what a hang-up keeps.
    fn draft(&self, _shared: &Shared) -> Option<Draft> {
        None
    }

    /// Text `$EDITOR` gave back, for an editor.
    fn external_text(&mut self, _text: String) {}

    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The `as_any` boilerplate of a component.
#[macro_export]
macro_rules! any_component {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    };
}
