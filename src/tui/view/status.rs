//! The status line: where you are (or what just happened, or the keys of a
//! pending chord) on the left, the most useful keys of this view on the
//! right, all taken from the live keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::keymap::View;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::text::{truncate, width};
use crate::tui::tree::NodeKind;

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let view = app.view();
    let hints = hints(app, view);
    let room = usize::from(area.width).saturating_sub(width(&hints) + 1);
    let left = if !app.pending.is_empty() {
        let keys: Vec<String> = app.pending.iter().map(|k| k.to_string()).collect();
        Span::styled(format!("{} …", keys.join(" ")), app.theme.key())
    } else if let Some(message) = &app.status {
        Span::styled(truncate(message, room), app.theme.warning())
    } else {
        Span::styled(truncate(&location(app), room), app.theme.dim())
    };
    let pad = usize::from(area.width).saturating_sub(width(&left.content) + width(&hints));
    let line = Line::from(vec![
        left,
        Span::raw(" ".repeat(pad)),
        Span::styled(hints, app.theme.key()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn hints(app: &App, view: View) -> String {
    let wanted: &[(Action, &str)] = match view {
        View::Tree => &[
            (Action::Enter, "open"),
            (Action::ToggleReader, "read"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        View::Detail => &[
            (Action::Enter, "follow"),
            (Action::JumpBack, "back"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        View::Reader => &[
            (Action::NextClause, "next clause"),
            (Action::Back, "close"),
            (Action::Help, "help"),
        ],
        View::Notes => &[
            (Action::Enter, "go to"),
            (Action::EditNote, "edit"),
            (Action::CycleStatus, "status"),
            (Action::Help, "help"),
        ],
        View::Select => &[
            (Action::NextWord, "word"),
            (Action::Mark, "mark"),
            (Action::Annotate, "annotate"),
            (Action::Back, "stop"),
        ],
        View::Editor => &[
            (Action::Submit, "save"),
            (Action::NextField, "field"),
            (Action::Cancel, "cancel"),
        ],
        View::Compare => super::compare::hints(app),
        View::Picker => &[
            (Action::ToggleMark, "mark"),
            (Action::Submit, "accept"),
            (Action::Cancel, "cancel"),
        ],
        View::Palette => &[
            (Action::Enter, "jump"),
            (Action::Down, "next"),
            (Action::Cancel, "close"),
        ],
        View::Help | View::Errors | View::Input | View::Global => &[(Action::Back, "close")],
    };
    wanted
        .iter()
        .filter_map(|(action, label)| {
            app.keymap
                .hint(view, *action)
                .map(|k| format!("{k} {label}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// "policy › context › ..." for the selected node.
fn location(app: &App) -> String {
    if let Some(state) = &app.compare {
        return super::compare::location(app, state);
    }
    if app.notes_view.is_some() {
        return String::from("notes");
    }
    let Some(node) = app.selected_node() else {
        return String::new();
    };
    let n = &app.tree.nodes[node];
    let policy = &app.corpus.policies[n.policy].policy;
    let mut parts = vec![policy.id.clone()];
    match &n.kind {
        NodeKind::Context(path) => {
            for len in 1..=path.len() {
                parts.push(policy.context_at(&path[..len]).id.clone());
            }
        }
        NodeKind::Section(si) => parts.push(policy.sections[*si].id.clone()),
        NodeKind::Clause(si, ci) => parts.push(policy.sections[*si].clauses[*ci].id.clone()),
        _ => {}
    }
    parts.join(" › ")
}
