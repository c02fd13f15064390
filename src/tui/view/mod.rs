//! Drawing: every function here takes the state by shared reference and
//! paints a frame; nothing in a view changes state. Each view's `draw`
//! calls into the module here that paints it.

pub mod compare;
pub mod detail;
pub mod notes;
pub mod overlay;
pub mod palette;
pub mod reader;
mod status;
pub mod tree;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
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
