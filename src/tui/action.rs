//! Everything a key can do. Key bindings in `keymap.toml` name these by
//! their snake_case names; an unknown name is an error that lists them all.

use std::fmt;

macro_rules! actions {
    ($($variant:ident = $name:literal : $desc:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name used in keymap.toml.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// What it does, for help when a binding gives no `desc`.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Noop = "noop": "unbind the key",
    Quit = "quit": "quit qualm",
    Help = "help": "show the keys of this view",
    NextPane = "next_pane": "move to the next pane",
    PrevPane = "prev_pane": "move to the previous pane",
    JumpBack = "jump_back": "go back in the jump list",
    JumpForward = "jump_forward": "go forward in the jump list",
    ToggleReader = "toggle_reader": "read the whole policy text",
    ShowErrors = "show_errors": "list files that failed to load",
    Redraw = "redraw": "redraw the screen",
    Up = "up": "move up",
    Down = "down": "move down",
    Top = "top": "go to the top",
    Bottom = "bottom": "go to the bottom",
    PageUp = "page_up": "move up half a page",
    PageDown = "page_down": "move down half a page",
    Enter = "enter": "open, expand, or follow evidence",
    Back = "back": "go back out",
    ExpandAll = "expand_all": "expand every node",
    CollapseAll = "collapse_all": "collapse every node",
    NextClause = "next_clause": "next clause",
    PrevClause = "prev_clause": "previous clause",
    Submit = "submit": "accept the input",
    Cancel = "cancel": "cancel the input",
    Search = "search": "search everything by name (fuzzy)",
    NextHit = "next_hit": "next hit of the last search",
    PrevHit = "prev_hit": "previous hit of the last search",
    DeleteBack = "delete_back": "delete the last character typed",
    ClearInput = "clear_input": "clear what was typed",
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
