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
    Quit = "quit": "close this view (quit on the last)",
    QuitAll = "quit_all": "quit qualm (asks if a note is being written)",
    Suspend = "suspend": "suspend qualm (fg brings it back)",
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
    Annotate = "annotate": "add a note on the selection",
    ShowNotes = "show_notes": "list every note in the folder",
    SelectSpan = "select_span": "select words of the clause to annotate",
    NextWord = "next_word": "next word",
    PrevWord = "prev_word": "previous word",
    Mark = "mark": "start or drop the selection at the cursor",
    Left = "left": "cursor left, or the previous value",
    Right = "right": "cursor right, or the next value",
    LineStart = "line_start": "cursor to the start of the line",
    LineEnd = "line_end": "cursor to the end of the line",
    Newline = "newline": "new line in the text",
    DeleteBack = "delete_back": "delete the character before the cursor",
    DeleteForward = "delete_forward": "delete the character under the cursor",
    NextField = "next_field": "next field",
    PrevField = "prev_field": "previous field",
    ExternalEditor = "external_editor": "edit the text in $EDITOR",
    EditNote = "edit_note": "edit the note",
    ReplyNote = "reply_note": "reply to the note",
    CycleStatus = "cycle_status": "next status (open, resolved, accepted, dismissed)",
    CycleStatusBack = "cycle_status_back": "previous status",
    SeverityUp = "severity_up": "raise the severity",
    SeverityDown = "severity_down": "lower the severity",
    DeleteNote = "delete_note": "delete the note (undo brings it back)",
    Undo = "undo": "undo the last change to a note or the model",
    SaveDraft = "save_draft": "keep the note as a draft and close",
    CopyText = "copy_text": "copy the clause's text (OSC 52)",
    CopyId = "copy_id": "copy the clause's id and policy (OSC 52)",
    FilterKind = "filter_kind": "filter by kind (cycles)",
    FilterSeverity = "filter_severity": "filter by severity (cycles)",
    FilterStatus = "filter_status": "filter by status (cycles)",
    FilterAuthor = "filter_author": "filter by author (cycles)",
    FilterPolicy = "filter_policy": "filter by policy (cycles)",
    ClearFilters = "clear_filters": "show every note",
    CycleSort = "cycle_sort": "sort by folder, severity, newest or status",
    CompareTopic = "compare_topic": "compare a topic across policies",
    CompareVersions = "compare_versions": "compare a policy with its other version",
    ShowMatrix = "show_matrix": "data or recipients against policies",
    NextColumn = "next_column": "next column",
    PrevColumn = "prev_column": "previous column",
    ChooseTopic = "choose_topic": "choose the topic or term",
    ChoosePolicies = "choose_policies": "choose the policies",
    ToggleBy = "toggle_by": "matrix by data or by recipients",
    ToggleMark = "toggle_mark": "mark or unmark",
    Search = "search": "search everything by name (fuzzy)",
    NextHit = "next_hit": "next hit of the last search",
    PrevHit = "prev_hit": "previous hit of the last search",
    ClearInput = "clear_input": "clear what was typed",
    Filter = "filter": "filter the list as you type",
    GotoId = "goto_id": "go to an id (with completion)",
    TermCard = "term_card": "what a recipient (or term) gets, policy by policy",
    NextChange = "next_change": "next change (versions)",
    PrevChange = "prev_change": "previous change (versions)",
    ToggleUnchanged = "toggle_unchanged": "hide or show unchanged clauses (versions)",
    ShowFindings = "show_findings": "findings of the rules (what qualm lint finds)",
    RecordFinding = "record_finding": "record the finding as a note",
    DismissFinding = "dismiss_finding": "dismiss the finding (it never counts again)",
    EditContextExternal = "edit_context_external": "edit the selected context as YAML in $EDITOR",
    NewContext = "new_context": "new collection context (under the selected one)",
    NewFlow = "new_flow": "new flow from the clause (or the selected words)",
    EditFlow = "edit_flow": "edit the selected flow, every field",
    DeleteFlow = "delete_flow": "delete the selected flow (undo brings it back)",
    DeleteContext = "delete_context": "delete the selected context (undo brings it back)",
    MoveFlow = "move_flow": "move the selected flow to another context",
    AddEvidence = "add_evidence": "add the clause to a flow's evidence",
    ConfirmFlow = "confirm_flow": "confirm the suggested flow",
    RejectFlow = "reject_flow": "reject (remove) the suggested flow",
    ConfirmAll = "confirm_all": "confirm every suggested flow of the context",
    Redo = "redo": "redo the last change undone",
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
