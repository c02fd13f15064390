//! The search palette: the query on top, then the hits grouped by kind
//! under headers with their counts, matched characters in bold underline
//! (visible without colour), the selected hit reversed and marked `>`.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use super::centered;
use crate::search::highlight;
use crate::tui::app::Shared as App;
use crate::tui::palette::PaletteView;
use crate::tui::text::{truncate, truncate_middle, width};
use crate::tui::widgets::filter::Filter;

pub fn render(frame: &mut Frame, app: &App, view: &PaletteView, area: Rect) {
    let palette = &app.search;
    // Results for a shorter list may come in after the cursor moved.
    let ids = view.id_hits(app);
    let id_total = palette
        .id_hits(&view.query, 0)
        .map_or(0, |(_, total)| total);
    let selected = view
        .selected
        .min((ids.len() + palette.hit_count()).saturating_sub(1));
    let theme = app.theme;
    let popup = centered(area, area.width.min(110), area.height);
    let inner = usize::from(popup.width.saturating_sub(2));
    let rows = usize::from(popup.height.saturating_sub(3));

    let state = if palette.indexing() {
        String::from("indexing…")
    } else if palette.pending() {
        String::from("searching…")
    } else {
        match &palette.results {
            Some(r) if !view.query.trim().is_empty() => {
                format!("{} hit{}", r.total, if r.total == 1 { "" } else { "s" })
            }
            _ => String::new(),
        }
    };
    let prompt = format!("/ {}", view.query);
    let room = inner.saturating_sub(width(&state) + 2);
    let prompt = truncate_left(&prompt, room);
    let pad = inner.saturating_sub(width(&prompt) + 1 + width(&state));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(prompt, theme.base()),
            Span::styled(" ", theme.selected()),
            Span::raw(" ".repeat(pad)),
            Span::styled(state, theme.dim()),
        ]),
        Line::styled("─".repeat(inner), theme.border(false)),
    ];

    // Every row (headers and hits) with the hit index of hit rows.
    let mut body: Vec<(Option<usize>, Line)> = Vec::new();
    let query = palette
        .results
        .as_ref()
        .map_or(view.query.as_str(), |r| r.query.as_str());
    if !ids.is_empty() {
        let more = if id_total > ids.len() {
            format!(" · best {}", ids.len())
        } else {
            String::new()
        };
        body.push((
            None,
            Line::styled(format!("ids ({id_total}){more}"), theme.heading()),
        ));
        for (k, text) in ids.iter().enumerate() {
            body.push((
                Some(k),
                id_line(app, text, k == selected, &view.query, inner),
            ));
        }
    }
    let mut n = ids.len();
    for group in palette.results.iter().flat_map(|r| &r.groups) {
        let more = if group.total > group.hits.len() {
            format!(" · best {}", group.hits.len())
        } else {
            String::new()
        };
        body.push((
            None,
            Line::styled(
                format!("{} ({}){more}", group.kind.plural(), group.total),
                theme.heading(),
            ),
        ));
        for found in &group.hits {
            body.push((
                Some(n),
                hit_line(app, n, selected, &found.item, query, inner),
            ));
            n += 1;
        }
    }
    if body.is_empty() {
        let message = if view.query.trim().is_empty() {
            "Type to search policies, contexts, clauses, data, recipients and notes."
        } else if palette.pending() || palette.indexing() {
            ""
        } else {
            "Nothing matches."
        };
        body.push((None, Line::styled(message, theme.dim())));
    }
    // Scroll so the selected hit is visible, with its header when it can be.
    let at = body
        .iter()
        .position(|(i, _)| *i == Some(selected))
        .unwrap_or(0);
    let offset = if at < rows { 0 } else { at + 1 - rows };
    lines.extend(body.into_iter().skip(offset).take(rows).map(|(_, l)| l));

    let block = Block::bordered()
        .title(Span::styled(" Search ", theme.title()))
        .border_style(theme.border(true));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// One id (`clause quali-2024 collect.demo`, `recipient salesforce
/// Salesforce`): cut in the middle when long, so its distinguishing end
/// shows, matched letters marked.
fn id_line(app: &App, text: &str, selected: bool, query: &str, inner: usize) -> Line<'static> {
    let theme = app.theme;
    let base = if selected {
        theme.selected()
    } else {
        theme.base()
    };
    let filter = Filter {
        query: query.to_string(),
        editing: false,
    };
    let text = truncate_middle(text, inner.saturating_sub(2));
    let mut spans = vec![Span::styled(if selected { "> " } else { "  " }, base)];
    spans.extend(filter.spans(&text, base, theme.matched()));
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::styled(" ".repeat(inner.saturating_sub(used)), base));
    Line::from(spans)
}

/// One hit: marker, its text (around the first match) with the matched
/// characters emphasised, and where it is on the right.
fn hit_line<'a>(
    app: &App,
    n: usize,
    selected: usize,
    item: &'a crate::search::SearchItem,
    query: &str,
    inner: usize,
) -> Line<'a> {
    let theme = app.theme;
    let selected = n == selected;
    let place = if item.id == item.policy {
        item.policy.clone()
    } else {
        format!("{} {}", item.policy, item.id)
    };
    let place = truncate(&place, (inner * 2 / 5).max(8));
    let text_room = inner.saturating_sub(2 + 2 + width(&place));
    let text: String = item
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let marked = highlight(&text, query);
    let base = if selected {
        theme.selected()
    } else {
        theme.base()
    };
    let mut spans = vec![Span::styled(if selected { "> " } else { "  " }, base)];
    spans.extend(windowed(
        &text,
        &marked,
        text_room,
        base,
        base.patch(theme.matched()),
    ));
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let pad = inner.saturating_sub(used + width(&place));
    spans.push(Span::styled(" ".repeat(pad), base));
    spans.push(Span::styled(
        place,
        if selected { base } else { theme.dim() },
    ));
    Line::from(spans)
}

/// `text` cut to `room` columns, starting a little before the first marked
/// character when it would not be visible otherwise, as spans.
fn windowed(
    text: &str,
    marked: &[usize],
    room: usize,
    plain: Style,
    matched: Style,
) -> Vec<Span<'static>> {
    let chars: Vec<char> = text.chars().collect();
    let first = marked.first().copied().unwrap_or(0);
    let mut start = 0;
    let before: usize = chars[..first.min(chars.len())]
        .iter()
        .map(|c| c.width().unwrap_or(0))
        .sum();
    if before > room / 2 {
        // Back up a quarter of the room from the first match.
        let mut back = 0;
        start = first;
        while start > 0 && back < room / 4 {
            start -= 1;
            back += chars[start].width().unwrap_or(0);
        }
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let push = |s: String, style: Style, spans: &mut Vec<Span<'static>>| match spans.last_mut() {
        Some(last) if last.style == style => last.content.to_mut().push_str(&s),
        _ => spans.push(Span::styled(s, style)),
    };
    if start > 0 {
        push("…".into(), plain, &mut spans);
        used += 1;
    }
    for (i, &c) in chars.iter().enumerate().skip(start) {
        let w = c.width().unwrap_or(0);
        let last = i + 1 == chars.len();
        if used + w + usize::from(!last) > room {
            push("…".into(), plain, &mut spans);
            break;
        }
        let style = if marked.binary_search(&i).is_ok() {
            matched
        } else {
            plain
        };
        push(c.to_string(), style, &mut spans);
        used += w;
    }
    spans
}

/// The end of `text` in `max` columns, with `…` in front when cut, so the
/// cursor end of a long query stays visible.
fn truncate_left(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > max {
            break;
        }
        out.push(c);
        used += w;
    }
    std::iter::once('…').chain(out.into_iter().rev()).collect()
}
