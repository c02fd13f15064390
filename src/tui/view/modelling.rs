//! Drawing the modelling popups: the flow form (label fields with their
//! completions and the term each label maps to), the context form, and
//! the list pickers.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::centered;
use crate::keymap::View;
use crate::model::{Category, Scope};
use crate::tui::action::Action;
use crate::tui::app::Shared as App;
use crate::tui::modelling::{
    ContextField, ContextForm, FlowField, FlowForm, FlowPurpose, LabelList, ListPicker,
};
use crate::tui::text::{truncate, width};
use crate::tui::widgets::text_field::TextField;

/// Width of a field's label column, with its focus marker.
const LABEL: usize = 14;

fn popup_block<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered()
        .title(Span::styled(title, app.theme.title()))
        .border_style(app.theme.border(true))
}

fn label(app: &App, focused: bool, text: &str) -> Span<'static> {
    if focused {
        Span::styled(format!("> {text:<12}"), app.theme.selected())
    } else {
        Span::styled(format!("  {text:<12}"), app.theme.label())
    }
}

fn choice(text: &str) -> Span<'static> {
    Span::raw(format!("‹ {text} ›"))
}

/// The term a label maps to, or that it is new wording.
fn mapping(app: &App, field: FlowField, label: &str) -> String {
    let vocabulary = &app.corpus.vocabulary;
    let Some(category) = field.category() else {
        return String::new();
    };
    let found = vocabulary.map(category, label).or_else(|| {
        (category == Category::Bases)
            .then(|| vocabulary.map(Category::Mechanisms, label))
            .flatten()
    });
    let text = match found {
        Some(m) => format!("{label} → {} ({})", m.term.label, m.rule.as_str()),
        None => format!("{label} → new wording (no term)"),
    };
    crate::escape::escape(&text).into_owned()
}

/// The line under a focused label field: what the typed words (else the
/// labels) map to, or for evidence the clause's words.
fn info(app: &App, form: &FlowForm, field: FlowField, list: &LabelList) -> String {
    let typed = list.input.text();
    let typed = typed.trim();
    let policy = &app.corpus.policies[form.policy].policy;
    if field == FlowField::Evidence {
        let id = if typed.is_empty() {
            list.labels.last().map(String::as_str)
        } else {
            Some(typed)
        };
        return match id.map(|id| (id, policy.clause(id))) {
            Some((id, Some(clause))) => format!("{id}: “{}”", clause.text),
            Some((id, None)) if !typed.is_empty() => format!("{id}: no such clause yet"),
            _ => String::new(),
        };
    }
    if !typed.is_empty() {
        return mapping(app, field, typed);
    }
    list.labels
        .iter()
        .map(|l| mapping(app, field, l))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn hints(app: &App, wanted: &[(Action, &str)]) -> String {
    wanted
        .iter()
        .filter_map(|(action, what)| {
            app.keymap
                .hint(View::Editor, *action)
                .map(|k| format!("{k} {what}"))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A text field to draw after its label on row `row` of `inner`.
struct FieldAt<'a> {
    field: &'a TextField,
    row: usize,
    column: usize,
    focused: bool,
}

pub fn flow_form(frame: &mut Frame, app: &App, form: &FlowForm, area: Rect) {
    let policy = &app.corpus.policies[form.policy].policy;
    let title = match &form.purpose {
        FlowPurpose::New { .. } => format!(" New flow · {} ", policy.id),
        FlowPurpose::Edit { flow } => format!(" Flow {flow} · {} ", policy.id),
    };
    let title = if form.saving {
        format!("{title}· saving… ")
    } else {
        title
    };
    let width_wanted = 76.min(area.width);
    let room = usize::from(width_wanted.saturating_sub(2)).max(20);
    let value_room = room.saturating_sub(LABEL);
    let mut lines: Vec<Line> = Vec::new();
    let mut inputs: Vec<FieldAt> = Vec::new();
    for field in form.fields() {
        let focused = form.field == field;
        let head = label(app, focused, field.label());
        match field {
            FlowField::Context => {
                if let FlowPurpose::New { contexts, context } = &form.purpose {
                    let shown = contexts
                        .get(*context)
                        .map_or("", |(_, s)| s.as_str())
                        .trim_start();
                    lines.push(Line::from(vec![
                        head,
                        choice(&truncate(shown, value_room.saturating_sub(4))),
                    ]));
                }
            }
            FlowField::Retention | FlowField::IfWithheld | FlowField::Qualifier => {
                let text = match field {
                    FlowField::Retention => &form.retention,
                    FlowField::IfWithheld => &form.if_withheld,
                    _ => &form.qualifier,
                };
                if text.text().is_empty() && !focused {
                    let silence = match field {
                        FlowField::Retention => "unspecified",
                        FlowField::IfWithheld => "not stated",
                        _ => "none",
                    };
                    lines.push(Line::from(vec![
                        head,
                        Span::styled(silence, app.theme.dim()),
                    ]));
                } else {
                    inputs.push(FieldAt {
                        field: text,
                        row: lines.len(),
                        column: LABEL,
                        focused,
                    });
                    lines.push(Line::from(head));
                }
            }
            FlowField::Action => {
                let (action, explicit) = form.shown_action();
                let text = if explicit {
                    action.as_str().to_string()
                } else {
                    format!("{} (inferred)", action.as_str())
                };
                lines.push(Line::from(vec![head, choice(&text)]));
            }
            FlowField::Negative => {
                let text = if form.negative {
                    "yes: it says this is NOT done"
                } else {
                    "no"
                };
                let style = if form.negative {
                    app.theme.negative()
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![head, choice(text).style(style)]));
            }
            FlowField::Scope => {
                let text = match form.scope {
                    Scope::Context => "this context and those under it",
                    Scope::Policy => "the whole policy",
                };
                lines.push(Line::from(vec![head, choice(text)]));
            }
            FlowField::Data
            | FlowField::Purposes
            | FlowField::Basis
            | FlowField::Recipients
            | FlowField::Evidence => {
                let list = form.list(field).expect("a label field");
                let mut taken = crate::escape::escape(&list.labels.join(", ")).into_owned();
                let typing = focused || !list.input.text().is_empty();
                if typing && !taken.is_empty() {
                    taken.push_str(", ");
                }
                // Room for a few typed letters after the labels.
                let shown = if typing {
                    truncate_left(&taken, value_room.saturating_sub(12))
                } else {
                    truncate(&taken, value_room)
                };
                if taken.is_empty() && !typing {
                    lines.push(Line::from(vec![
                        head,
                        Span::styled("none", app.theme.dim()),
                    ]));
                } else {
                    if typing {
                        inputs.push(FieldAt {
                            field: &list.input,
                            row: lines.len(),
                            column: LABEL + width(&shown),
                            focused,
                        });
                    }
                    lines.push(Line::from(vec![head, Span::raw(shown)]));
                }
                if focused {
                    let about = info(app, form, field, list);
                    if !about.is_empty() {
                        lines.push(Line::styled(
                            truncate(&format!("{:LABEL$}{about}", ""), room),
                            app.theme.dim(),
                        ));
                    }
                    for (i, candidate) in list.completions().into_iter().enumerate() {
                        let picked = list.pick == Some(i);
                        let style = if picked {
                            app.theme.selected()
                        } else {
                            app.theme.key()
                        };
                        let mark = if picked { "▸ " } else { "  " };
                        lines.push(Line::styled(
                            truncate(&format!("{:LABEL$}{mark}{}", "", candidate.shown), room),
                            style,
                        ));
                    }
                }
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        truncate(
            &hints(
                app,
                &[
                    (Action::Submit, "save"),
                    (Action::NextField, "next field"),
                    (Action::Newline, "add / save"),
                    (Action::Down, "completions"),
                    (Action::Cancel, "cancel"),
                ],
            ),
            room,
        ),
        app.theme.key(),
    ));
    let popup = centered(area, width_wanted, (lines.len() + 2) as u16);
    let block = popup_block(app, title);
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines), inner);
    for at in inputs {
        if at.row >= usize::from(inner.height) || at.column >= usize::from(inner.width) {
            continue;
        }
        let rect = Rect {
            x: inner.x + at.column as u16,
            y: inner.y + at.row as u16,
            width: inner.width - at.column as u16,
            height: 1,
        };
        let cursor = at.focused.then(|| app.theme.selecting());
        at.field.draw(frame, rect, app.theme.base(), cursor);
    }
}

/// The end of `text` in at most `max` columns, "…" in front when cut.
fn truncate_left(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out.into_iter().rev().collect()
}

pub fn context_form(frame: &mut Frame, app: &App, form: &ContextForm, area: Rect) {
    let policy = &app.corpus.policies[form.policy].policy;
    let mut title = format!(" New context · {} ", policy.id);
    if form.saving {
        title.push_str("· saving… ");
    }
    let width_wanted = 64.min(area.width);
    let room = usize::from(width_wanted.saturating_sub(2)).max(20);
    let parent = match form.parent.checked_sub(1) {
        None => String::from("none (top level)"),
        Some(i) => form.parents[i].1.trim_start().to_string(),
    };
    let id_shown = if form.id_typed {
        String::new()
    } else {
        form.id_value()
    };
    let mut lines = vec![
        Line::from(label(app, form.field == ContextField::Name, "Name")),
        Line::from(vec![
            label(app, form.field == ContextField::Id, "Id"),
            Span::styled(id_shown, app.theme.dim()),
        ]),
        Line::from(vec![
            label(app, form.field == ContextField::Parent, "Under"),
            choice(&truncate(&parent, room.saturating_sub(LABEL + 4))),
        ]),
        Line::default(),
        Line::styled(
            truncate(
                &hints(
                    app,
                    &[
                        (Action::Submit, "save"),
                        (Action::Newline, "save"),
                        (Action::NextField, "next field"),
                        (Action::Cancel, "cancel"),
                    ],
                ),
                room,
            ),
            app.theme.key(),
        ),
    ];
    if form.field == ContextField::Parent {
        lines.insert(
            3,
            Line::styled(
                format!("{:LABEL$}{} other choices", "", form.parents.len()),
                app.theme.dim(),
            ),
        );
    }
    let popup = centered(area, width_wanted, (lines.len() + 2) as u16);
    let block = popup_block(app, title);
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines), inner);
    let field_rect = |row: u16| Rect {
        x: inner.x + LABEL as u16,
        y: inner.y + row,
        width: inner.width.saturating_sub(LABEL as u16),
        height: 1,
    };
    let cursor = |field| (form.field == field).then(|| app.theme.selecting());
    form.name.draw(
        frame,
        field_rect(0),
        app.theme.base(),
        cursor(ContextField::Name),
    );
    if form.id_typed {
        form.id.draw(
            frame,
            field_rect(1),
            app.theme.base(),
            cursor(ContextField::Id),
        );
    }
}

pub fn picker(frame: &mut Frame, app: &App, picker: &ListPicker, area: Rect) {
    let height = (picker.items.len() + 2)
        .min(usize::from(area.height))
        .max(3) as u16;
    let popup = centered(area, 70.min(area.width), height);
    let block = popup_block(app, format!(" {} ", picker.title));
    let inner = block.inner(popup);
    let rows = usize::from(inner.height).max(1);
    let offset = picker.selected.saturating_sub(rows - 1);
    let room = usize::from(inner.width);
    let lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, (_, shown))| {
            let style = if i == picker.selected {
                app.theme.selected()
            } else {
                app.theme.base()
            };
            Line::styled(truncate(&format!(" {shown}"), room), style)
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines), inner);
}
