//! Drawing: every function here takes the state by shared reference and
//! paints a frame; nothing in a view changes state. Each view's `draw`
//! calls into the module here that paints it.

pub mod compare;
pub mod detail;
pub mod modelling;
pub mod notes;
pub mod overlay;
pub mod palette;
pub mod reader;
mod status;
pub mod tree;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::{truncate, width};
use ratatui::Frame;

use super::app::App;

/// Below this, qualm shows a message instead of a squeezed layout.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;

pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let message = vec![
            Line::from("Terminal too small"),
            Line::from(format!(
                "need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
                area.width, area.height
            )),
        ];
        frame.render_widget(
            Paragraph::new(message).style(app.shared.theme.warning()),
            area,
        );
        return;
    }
    let [main, status_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    // The topmost full view, then the popups over it, bottom up.
    let base = app.stack.iter().rposition(|v| !v.popup()).unwrap_or(0);
    for view in &app.stack[base..] {
        view.draw(frame, main, &app.shared);
    }
    status::render(frame, app, status_area);
    if !app.pending.is_empty() {
        which_key(frame, app, main);
    }
}

/// After a chord's first keys, the keys that can complete it (which-key),
/// in a small popup above the status line's right end.
fn which_key(frame: &mut Frame, app: &App, area: Rect) {
    let shared = &app.shared;
    let view = app.view();
    let rows: Vec<(String, String)> = shared
        .keymap
        .completions(view, &app.pending)
        .into_iter()
        .map(|b| {
            let rest: Vec<String> = b.keys[app.pending.len()..]
                .iter()
                .map(|k| k.to_string())
                .collect();
            (rest.join(" "), b.desc.clone())
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let keys_width = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(1);
    let desc_width = rows.iter().map(|(_, d)| width(d)).max().unwrap_or(1);
    let w = (keys_width + desc_width + 5).min(usize::from(area.width)) as u16;
    let h = (rows.len() + 2).min(usize::from(area.height)) as u16;
    let popup = Rect {
        x: area.x + area.width.saturating_sub(w),
        y: area.y + area.height.saturating_sub(h),
        width: w,
        height: h,
    };
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, desc)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<keys_width$} "), shared.theme.key()),
                Span::raw(truncate(
                    &desc,
                    usize::from(w).saturating_sub(keys_width + 4),
                )),
            ])
        })
        .collect();
    let pending: Vec<String> = app.pending.iter().map(|k| k.to_string()).collect();
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} … ", pending.join(" ")),
            shared.theme.title(),
        ))
        .border_style(shared.theme.border(true));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// One wrapped line of `text` (its words, drawn one space apart) with the
/// parts under `marks` styled (later marks win where they overlap); the
/// space between two words belongs to a mark that covers both.
fn marked_words(
    text: &str,
    words: &[std::ops::Range<usize>],
    base: Style,
    marks: &[(std::ops::Range<usize>, Style)],
) -> Vec<Span<'static>> {
    let style_at = |at: usize| {
        marks
            .iter()
            .rev()
            .find(|(r, _)| r.contains(&at))
            .map_or(base, |(_, s)| *s)
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut push = |piece: &str, style: Style| match spans.last_mut() {
        Some(last) if last.style == style => last.content.to_mut().push_str(piece),
        _ => spans.push(Span::styled(piece.to_string(), style)),
    };
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let previous_end = words[i - 1].end;
            let gap = marks
                .iter()
                .rev()
                .find(|(r, _)| r.start < previous_end && r.end > word.start)
                .map_or(base, |(_, s)| *s);
            push(" ", gap);
        }
        for (offset, c) in text[word.clone()].char_indices() {
            push(c.encode_utf8(&mut [0; 4]), style_at(word.start + offset));
        }
    }
    spans
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
