//! Popups over the main view: help drawn from the live keymap, and the list
//! of files that failed to load with their `file:line:col` messages.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::centered;
use crate::keymap::View;
use crate::model::Severity;
use crate::tui::app::Shared as App;
use crate::tui::popups::HelpView;
use crate::tui::text::{shorten_long_words, truncate, wrap};
use ratatui::style::Style;

pub fn help(frame: &mut Frame, app: &App, state: &HelpView, area: Rect) {
    let (view, scroll, filter) = (state.view, state.scroll, &state.filter);
    let mut lines = Vec::new();
    // Modelling keys are live in the tree, detail, reader and selection.
    let sections: &[View] = match view {
        View::Tree | View::Detail | View::Reader | View::Select => {
            &[view, View::Model, View::Global]
        }
        _ => &[view, View::Global],
    };
    for (at, &section) in sections.iter().enumerate() {
        lines.push(Line::styled(
            format!("{} keys", section.name()),
            app.theme.heading(),
        ));
        // One line per action and description, its keys side by side.
        let mut rows: Vec<(String, &str)> = Vec::new();
        for binding in app.keymap.bindings(section) {
            // A key a section before rebinds is not live here: leave it out.
            let shadowed = sections[..at].iter().any(|&before| {
                before != section
                    && app
                        .keymap
                        .bindings(before)
                        .iter()
                        .any(|b| b.keys == binding.keys)
            });
            if shadowed {
                continue;
            }
            let keys: Vec<String> = binding.keys.iter().map(|k| k.to_string()).collect();
            let keys = keys.join(" ");
            match rows.iter_mut().find(|(_, desc)| *desc == binding.desc) {
                Some((existing, _)) => {
                    existing.push_str(", ");
                    existing.push_str(&keys);
                }
                None => rows.push((keys, &binding.desc)),
            }
        }
        for (keys, desc) in rows {
            if !filter.keeps(desc) {
                continue;
            }
            let mut spans = vec![Span::styled(format!("  {keys:<22}"), app.theme.key())];
            spans.extend(filter.spans(desc, Style::default(), app.theme.matched()));
            lines.push(Line::from(spans));
        }
        lines.push(Line::default());
    }
    let popup = centered(area, 64, (lines.len() as u16).saturating_add(2));
    let inner_height = usize::from(popup.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(inner_height));
    let block = Block::bordered()
        .title(Span::styled(
            match filter.prompt() {
                Some(prompt) => format!(" Help · {} · {prompt} ", view.name()),
                None => format!(" Help · {} (from keymap.toml) ", view.name()),
            },
            app.theme.title(),
        ))
        .border_style(app.theme.border(true));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(scroll).collect::<Vec<_>>()).block(block),
        popup,
    );
}

pub fn errors(frame: &mut Frame, app: &App, selected: usize, area: Rect) {
    let popup = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let width = usize::from(popup.width.saturating_sub(4));
    let mut lines = Vec::new();
    let mut selected_line = 0;
    let diagnostics = app.sorted_diagnostics();
    if diagnostics.is_empty() {
        lines.push(Line::styled(
            "Every file loaded without a problem.",
            app.theme.dim(),
        ));
    }
    for (i, d) in diagnostics.iter().enumerate() {
        if i == selected {
            selected_line = lines.len();
        }
        let style = match d.severity {
            Severity::Error => app.theme.error(),
            Severity::Warning => app.theme.warning(),
        };
        let cursor = if i == selected { "> " } else { "  " };
        // A path longer than a row is cut in its middle, never broken.
        let room = width.saturating_sub(2);
        for (j, text) in wrap(&shorten_long_words(&d.to_string(), room), room)
            .into_iter()
            .enumerate()
        {
            let head = if j == 0 { cursor } else { "  " };
            let line = Line::styled(format!("{head}{}", truncate(&text, width)), style);
            lines.push(if i == selected {
                line.style(app.theme.selected())
            } else {
                line
            });
        }
    }
    let height = usize::from(popup.height.saturating_sub(2));
    let offset = selected_line.saturating_sub(height.saturating_sub(1));
    let failed = app.corpus.failed.len();
    let block = Block::bordered()
        .title(Span::styled(
            format!(
                " Load problems · {failed} file(s) not loaded · {} message(s) ",
                diagnostics.len()
            ),
            app.theme.title(),
        ))
        .border_style(app.theme.border(true));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(offset).collect::<Vec<_>>()).block(block),
        popup,
    );
}
