//! The reader: a policy's whole text in document order, the selected clause
//! highlighted, so an analyst reads every statement in its context.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::tui::app::Shared as App;
use crate::tui::reader::{layout, LineKind, Reader as ReaderState};

pub fn render(frame: &mut Frame, app: &App, state: &ReaderState, area: Rect) {
    let policy = &app.corpus.policies[state.policy].policy;
    let block = Block::bordered().border_style(app.theme.border(true));
    let inner = block.inner(area);
    let width = usize::from(inner.width).saturating_sub(2).max(10);
    let text = layout(policy, width);
    let height = usize::from(inner.height);
    let total = text.lines.len();
    let position = if total == 0 {
        String::from("empty")
    } else {
        format!(
            "{}–{} of {total}",
            state.scroll + 1,
            (state.scroll + height).min(total)
        )
    };
    let block = block
        .title(Span::styled(
            format!(" Reader · {} · {} ", policy.id, policy.title),
            app.theme.title(),
        ))
        .title_bottom(Line::from(format!(" {position} ")).right_aligned());
    let lines: Vec<Line> = text
        .lines
        .iter()
        .skip(state.scroll)
        .take(height)
        .map(|line| {
            let highlighted = line.clause.is_some() && line.clause == state.clause;
            let gutter = if highlighted { "▌ " } else { "  " };
            let style = match line.kind {
                LineKind::Heading => app.theme.heading(),
                _ if highlighted => app.theme.highlight(),
                _ => app.theme.base(),
            };
            let mut spans = vec![Span::styled(gutter, app.theme.key())];
            let marks: Vec<_> = line
                .clause
                .map(|c| app.clause_spans(state.policy, c))
                .unwrap_or_default()
                .into_iter()
                .map(|(range, severity)| (range, style.patch(app.theme.span(severity))))
                .collect();
            if marks.is_empty() {
                spans.push(Span::styled(line.text.clone(), style));
            } else {
                let (si, ci) = line.clause.unwrap_or_default();
                let text = &policy.sections[si].clauses[ci].text;
                spans.extend(super::marked_words(text, &line.words, style, &marks));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
