//! The status line: where you are (or what just happened, or the keys of a
//! pending chord) on the left, the most useful keys of this view on the
//! right, all taken from the live keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::keymap::View;
use crate::tui::action::Action;
use crate::tui::app::{App, Shared};
use crate::tui::text::{truncate, truncate_path, width};

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let shared = &app.shared;
    let top = app.stack.last().expect("the stack is never empty");
    let mut wanted = top.commands().to_vec();
    let mut hints = hints(shared, top.keymap(), &wanted);
    // A status message wins over key hints: hints go, last first, until
    // the message fits whole (or none are left).
    if let Some(message) = app.status.as_ref().filter(|_| app.pending.is_empty()) {
        while !wanted.is_empty() && width(message) + 1 + width(&hints) > usize::from(area.width) {
            wanted.pop();
            hints = self::hints(shared, top.keymap(), &wanted);
        }
    }
    let room = usize::from(area.width).saturating_sub(width(&hints) + 1);
    let left = if !app.pending.is_empty() {
        let keys: Vec<String> = app.pending.iter().map(|k| k.to_string()).collect();
        Span::styled(format!("{} …", keys.join(" ")), shared.theme.key())
    } else if let Some(message) = &app.status {
        Span::styled(truncate(message, room), shared.theme.warning())
    } else if let Some(loading) = &app.loading {
        // Until the folder is in, the line says how far it is.
        Span::styled(truncate(&loading.progress(), room), shared.theme.key())
    } else {
        // Under a popup, where it was opened from.
        let base = app.stack.iter().rposition(|v| !v.popup()).unwrap_or(0);
        let place = app.stack[base].title(shared);
        // A breadcrumb drops whole parts from its middle, keeping the
        // policy and where it ends.
        Span::styled(truncate_path(&place, " › ", room), shared.theme.dim())
    };
    let pad = usize::from(area.width).saturating_sub(width(&left.content) + width(&hints));
    let line = Line::from(vec![
        left,
        Span::raw(" ".repeat(pad)),
        Span::styled(hints, shared.theme.key()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn hints(shared: &Shared, view: View, wanted: &[(Action, &str)]) -> String {
    wanted
        .iter()
        .filter_map(|(action, label)| {
            shared
                .keymap
                .hint(view, *action)
                .map(|k| format!("{k} {label}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}
