//! Drawing the compare views: topic columns (stacked when narrow), two
//! versions aligned with word changes marked `[-old-]` `{+new+}` (side by
//! side when wide, with the practice diff beside when wider still), the
//! matrix with a cell's evidence, and the picker.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::centered;
use crate::compare::Tone;
use crate::tui::action::Action;
use crate::tui::app::Shared as App;
use crate::tui::compare::{
    matrix_geometry, practice_lines, topic_geometry, topic_lines, version_geometry, version_lines,
    wrap_runs, CLine, CompareState, Mark, MatrixView, Mode, Picker, Side, TopicView, VersionView,
};
use crate::tui::text::{truncate, truncate_lead, truncate_middle, width, wrap};

/// A column's title: the policy id and its date, or only the id, cut in
/// its middle, when both do not fit (ids that share a prefix differ at
/// the end).
fn column_title(id: &str, date: &str, room: usize) -> String {
    let whole = format!(" {id} · {date} ");
    if width(&whole) <= room {
        whole
    } else {
        format!(" {} ", truncate_middle(id, room.saturating_sub(2)))
    }
}
use crate::tui::theme::Theme;

pub fn render(frame: &mut Frame, app: &App, state: &CompareState, area: Rect) {
    match &state.mode {
        Mode::Topic(t) => topic(frame, app, t, area),
        Mode::Versions(v) => versions(frame, app, v, area),
        Mode::Matrix(m) => matrix(frame, app, m, area),
    }
    if let Some(picker) = &state.picker {
        draw_picker(frame, app, picker, area);
    }
}

/// The keys the status line offers in a compare view.
pub fn hints(state: &CompareState) -> &'static [(Action, &'static str)] {
    match Some(&state.mode) {
        Some(Mode::Matrix(m)) if m.evidence.is_some() => &[
            (Action::Enter, "show in tree"),
            (Action::Back, "close"),
            (Action::Help, "help"),
        ],
        Some(Mode::Matrix(_)) => &[
            (Action::Enter, "evidence"),
            (Action::TermCard, "card"),
            (Action::ToggleBy, "data/recipients"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ],
        Some(Mode::Versions(_)) => &[
            (Action::NextColumn, "side"),
            (Action::ChoosePolicies, "policies"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ],
        _ => &[
            (Action::ChooseTopic, "topic"),
            (Action::ChoosePolicies, "policies"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ],
    }
}

/// Where the analyst is, for the status line.
pub fn location(app: &App, state: &CompareState) -> String {
    let id = |i: usize| app.corpus.policies[i].policy.id.as_str();
    let here = state
        .clause_under_cursor()
        .map(|(p, c)| format!(" · {} › {c}", id(p)))
        .unwrap_or_default();
    match &state.mode {
        Mode::Topic(t) => format!("compare {}{here}", t.subject.describe()),
        Mode::Versions(v) if v.result.is_none() && !v.aligning() => {
            String::from("compare versions: choose two policies")
        }
        Mode::Versions(v) => format!("compare {} → {}{here}", id(v.left), id(v.right)),
        Mode::Matrix(m) => format!("matrix by {}{here}", m.by.name()),
    }
}

fn style(theme: &Theme, mark: Mark) -> Style {
    match mark {
        Mark::Plain => theme.base(),
        Mark::Heading => theme.heading(),
        Mark::Id => theme.label(),
        Mark::Deleted => theme.error().add_modifier(Modifier::CROSSED_OUT),
        Mark::Inserted => theme.key().add_modifier(Modifier::UNDERLINED),
        Mark::Silent => theme.unspecified(),
        Mark::Negative => theme.negative(),
        Mark::Dim => theme.dim(),
    }
}

/// A laid-out line as a ratatui line; the selected item gets a gutter bar.
fn to_line(theme: &Theme, line: &CLine, selected: Option<usize>) -> Line<'static> {
    let marked = line.item.is_some() && line.item == selected;
    let mut spans = vec![Span::styled(if marked { "▌" } else { " " }, theme.key())];
    for (text, mark) in &line.runs {
        let mut s = style(theme, *mark);
        if marked && *mark == Mark::Id {
            s = theme.selected();
        }
        spans.push(Span::styled(text.clone(), s));
    }
    Line::from(spans)
}

fn topic(frame: &mut Frame, app: &App, t: &TopicView, area: Rect) {
    let (stacked, text_width, height) = topic_geometry(app.size, t.columns.len());
    let selected = Some(t.column * 100_000 + t.selected);
    let addressed = t.columns.iter().filter(|c| !c.is_silent()).count();
    let title = format!(
        " Compare · {} · addressed by {addressed} of {} ",
        t.subject.describe(),
        t.columns.len()
    );
    let body = title_row(frame, app, &title, area);
    if stacked || t.columns.is_empty() {
        let all: Vec<usize> = (0..t.columns.len()).collect();
        let lines = topic_lines(app, t, &all, text_width, true);
        let block = Block::bordered().border_style(app.theme.border(true));
        let shown: Vec<Line> = lines
            .iter()
            .skip(t.scroll)
            .take(height + 1)
            .map(|l| to_line(&app.theme, l, selected))
            .collect();
        frame.render_widget(Paragraph::new(shown).block(block), body);
        return;
    }
    let constraints = vec![Constraint::Ratio(1, t.columns.len() as u32); t.columns.len()];
    let areas = Layout::horizontal(constraints).split(body);
    for (ci, column_area) in areas.iter().enumerate() {
        let column = &t.columns[ci];
        let policy = &app.corpus.policies[t.policies[column.policy]].policy;
        let focused = ci == t.column;
        let lines = topic_lines(app, t, &[ci], text_width, false);
        let shown: Vec<Line> = lines
            .iter()
            .skip(t.scroll)
            .take(height + 1)
            .map(|l| to_line(&app.theme, l, if focused { selected } else { None }))
            .collect();
        let block = Block::bordered()
            .border_style(app.theme.border(focused))
            .title(Span::styled(
                column_title(
                    &policy.id,
                    policy.date_label(),
                    usize::from(column_area.width).saturating_sub(2),
                ),
                if focused {
                    app.theme.title()
                } else {
                    app.theme.dim()
                },
            ));
        frame.render_widget(Paragraph::new(shown).block(block), *column_area);
    }
}

fn versions(frame: &mut Frame, app: &App, v: &VersionView, area: Rect) {
    let Some(result) = &v.result else {
        let message = if v.aligning() {
            "aligning…"
        } else {
            "choose two policies to compare"
        };
        let block = Block::bordered()
            .border_style(app.theme.border(true))
            .title(Span::styled(" Compare versions ", app.theme.title()));
        frame.render_widget(
            Paragraph::new(Line::styled(message, app.theme.dim())).block(block),
            area,
        );
        return;
    };
    let (a, d) = &**result;
    let (beside, side_by_side, _, practice_width, height) = version_geometry(app.size);
    let left = &app.corpus.policies[v.left].policy;
    let right = &app.corpus.policies[v.right].policy;
    let title = format!(
        " {} → {} · {} unchanged{}, {} reworded, {} moved, {} added, {} removed ",
        left.id,
        right.id,
        a.count(crate::compare::Status::Unchanged),
        if v.hide_unchanged { " (hidden)" } else { "" },
        a.count(crate::compare::Status::Reworded),
        a.moved(),
        a.count(crate::compare::Status::Added),
        a.count(crate::compare::Status::Removed),
    );
    let body = title_row(frame, app, &title, area);
    let practices_block = |focused: bool| {
        Block::bordered()
            .border_style(app.theme.border(focused))
            .title(Span::styled(" Practices ", app.theme.title()))
    };
    let practice_view = |focused: bool| {
        let lines: Vec<Line> = practice_lines(d, practice_width)
            .iter()
            .skip(v.practice_scroll)
            .take(height)
            .map(|l| to_line(&app.theme, l, None))
            .collect();
        Paragraph::new(lines).block(practices_block(focused))
    };
    let clauses_area = if beside {
        let [c, p] = Layout::horizontal([
            Constraint::Min(10),
            Constraint::Length(practice_width as u16 + 3),
        ])
        .areas(body);
        frame.render_widget(practice_view(v.side == Side::Practices), p);
        c
    } else if v.side == Side::Practices {
        frame.render_widget(practice_view(true), body);
        return;
    } else {
        body
    };
    let (l_lines, r_lines) = version_lines(a, app.size, v.hide_unchanged);
    let selected = Some(v.selected);
    let draw = |lines: &[CLine], area: Rect, title: String, focused: bool, frame: &mut Frame| {
        let shown: Vec<Line> = lines
            .iter()
            .skip(v.scroll)
            .take(height)
            .map(|l| to_line(&app.theme, l, selected))
            .collect();
        let block = Block::bordered()
            .border_style(app.theme.border(focused))
            .title(Span::styled(
                truncate(&title, usize::from(area.width).saturating_sub(2)),
                if focused {
                    app.theme.title()
                } else {
                    app.theme.dim()
                },
            ));
        frame.render_widget(Paragraph::new(shown).block(block), area);
    };
    let label =
        |p: &crate::model::Policy, side: &str| format!(" {side}: {} · {} ", p.id, p.date_label());
    if side_by_side {
        let [la, ra] = Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)])
            .areas(clauses_area);
        draw(
            &l_lines,
            la,
            label(left, "old"),
            v.side == Side::Left,
            frame,
        );
        draw(
            &r_lines,
            ra,
            label(right, "new"),
            v.side == Side::Right,
            frame,
        );
    } else {
        let side = if v.side == Side::Left { "old" } else { "new" };
        let title = format!(" cursor on the {side} clause · [-deleted-] {{+inserted+}} ");
        draw(&l_lines, clauses_area, title, true, frame);
    }
}

fn cell_style(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Disclosed => theme.warning().add_modifier(Modifier::BOLD),
        Tone::Kept => theme.base(),
        Tone::Negative => theme.negative(),
        Tone::Silent => theme.dim(),
    }
}

fn matrix(frame: &mut Frame, app: &App, m: &MatrixView, area: Rect) {
    let (label_width, cell_width, fit, height) = matrix_geometry(app.size, m.policies.len());
    let first_col = m.col.saturating_sub(fit.saturating_sub(1));
    let cols: Vec<usize> = (first_col..m.policies.len()).take(fit).collect();
    let hidden = m.policies.len() - cols.len();
    let title = format!(
        " Matrix · {} × policies{} ",
        if m.by == crate::compare::By::Data {
            "data categories"
        } else {
            "recipients"
        },
        if hidden > 0 {
            format!(" · {hidden} more →")
        } else {
            String::new()
        }
    );
    let block = Block::bordered()
        .border_style(app.theme.border(true))
        .title(Span::styled(title, app.theme.title()));
    let mut lines = Vec::new();
    let mut header = vec![Span::raw(format!(" {:<label_width$}", m.by.name()))];
    for &c in &cols {
        let id = &app.corpus.policies[m.policies[c]].policy.id;
        header.push(Span::styled(
            format!(" {:<cell_width$}", truncate(id, cell_width)),
            app.theme.label(),
        ));
    }
    lines.push(Line::from(header));
    for (r, row) in m.matrix.rows.iter().enumerate().skip(m.scroll).take(height) {
        let selected_row = r == m.row;
        let mut spans = vec![Span::styled(
            format!(
                "{}{:<label_width$}",
                if selected_row { ">" } else { " " },
                truncate(&row.label, label_width)
            ),
            if row.known {
                app.theme.base()
            } else {
                app.theme.dim()
            },
        )];
        for &c in &cols {
            let cell = &row.cells[c];
            let text = format!(
                " {:<cell_width$}",
                truncate(&cell.value.label(), cell_width)
            );
            let style = if selected_row && c == m.col {
                app.theme.selected()
            } else {
                cell_style(&app.theme, cell.value.tone())
            };
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    if m.matrix.rows.is_empty() {
        lines.push(Line::styled("no flows in these policies", app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Some(selected) = m.evidence {
        evidence(frame, app, m, selected, area);
    }
}

fn evidence(frame: &mut Frame, app: &App, m: &MatrixView, selected: usize, area: Rect) {
    let Some(row) = m.matrix.rows.get(m.row) else {
        return;
    };
    let cell = &row.cells[m.col];
    let policy = &app.corpus.policies[m.policies[m.col]].policy;
    let popup = centered(
        area,
        area.width.saturating_sub(6),
        area.height.saturating_sub(2),
    );
    let text_width = usize::from(popup.width).saturating_sub(4);
    let mut lines: Vec<CLine> = Vec::new();
    lines.extend(wrap_runs(
        &[(
            format!(
                "{}: {} ({})",
                cell.value.label(),
                cell.labels.join(", "),
                row.term
            ),
            Mark::Heading,
        )],
        text_width,
        None,
    ));
    let mut starts = Vec::new();
    for (k, id) in cell.evidence.iter().enumerate() {
        lines.push(CLine {
            runs: Vec::new(),
            item: None,
        });
        starts.push(lines.len());
        lines.push(CLine {
            runs: vec![(id.to_string(), Mark::Id)],
            item: Some(k),
        });
        let text = policy.clause(id).map(|c| &*c.text).unwrap_or("");
        for line in wrap(text, text_width) {
            lines.push(CLine {
                runs: vec![(line, Mark::Plain)],
                item: Some(k),
            });
        }
    }
    let height = usize::from(popup.height).saturating_sub(2);
    let start = starts.get(selected).copied().unwrap_or(0);
    // The cell's summary stays in view while the first clause is selected.
    let scroll = if selected == 0 {
        0
    } else {
        start
            .saturating_sub(1)
            .min(lines.len().saturating_sub(height))
    };
    let shown: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|l| to_line(&app.theme, l, Some(selected)))
        .collect();
    let block = Block::bordered()
        .border_style(app.theme.border(true))
        .title(Span::styled(
            truncate(
                &format!(" Evidence · {} · {} ", policy.id, row.label),
                usize::from(popup.width).saturating_sub(2),
            ),
            app.theme.title(),
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}

fn draw_picker(frame: &mut Frame, app: &App, picker: &Picker, area: Rect) {
    let longest = picker
        .items
        .iter()
        .map(|i| width(&i.label))
        .max()
        .unwrap_or(10)
        .max(width(&picker.title))
        + 8;
    let shown = picker.shown();
    // The popup keeps its size while the filter narrows the list.
    let popup = centered(
        area,
        (longest as u16).min(area.width.saturating_sub(4)),
        (picker.items.len() as u16 + 2).min(area.height.saturating_sub(2)),
    );
    let height = usize::from(popup.height).saturating_sub(2);
    let at = shown
        .iter()
        .position(|&i| i == picker.selected)
        .unwrap_or(0);
    let offset = (at + 1).saturating_sub(height);
    let room = usize::from(popup.width).saturating_sub(8);
    let mut lines: Vec<Line> = shown
        .iter()
        .skip(offset)
        .take(height)
        .map(|&k| {
            let item = &picker.items[k];
            let mark = if item.marked { "[x] " } else { "[ ] " };
            let selected = k == picker.selected;
            let cursor = if selected { ">" } else { " " };
            let mut spans = vec![Span::styled(cursor, app.theme.key()), Span::raw(mark)];
            spans.extend(picker.filter.spans(
                &truncate_lead(&item.label, room),
                Style::default(),
                app.theme.matched(),
            ));
            let line = Line::from(spans);
            if selected {
                line.style(app.theme.selected())
            } else {
                line
            }
        })
        .collect();
    if shown.is_empty() {
        lines.push(Line::styled("  nothing matches", app.theme.dim()));
    }
    let mut block = Block::bordered()
        .border_style(app.theme.border(true))
        .title(Span::styled(
            truncate(
                &format!(" {} ", picker.title),
                usize::from(popup.width).saturating_sub(2),
            ),
            app.theme.title(),
        ));
    if let Some(prompt) = picker.filter.prompt() {
        let count = format!(" {prompt} · {} of {} ", shown.len(), picker.items.len());
        block = block.title_bottom(Span::styled(count, app.theme.key()));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// Draws `title` on the first row of `area`; returns the rest.
fn title_row(frame: &mut Frame, app: &App, title: &str, area: Rect) -> Rect {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(title, usize::from(area.width)),
            app.theme.title(),
        )),
        head,
    );
    body
}
