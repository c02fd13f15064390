//! The notes view (every note of the folder, filtered and sorted, with the
//! selected one in full below) and the note editor popup.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::centered;
use crate::keymap::View;
use crate::model::Category;
use crate::review::report::target_words;
use crate::review::{resolve, Anchor};
use crate::tui::action::Action;
use crate::tui::app::Shared as App;
use crate::tui::notes::{Editor, EditorField, EditorPurpose, NotesView};
use crate::tui::text::{
    shared_prefix, truncate, truncate_after_prefix, truncate_middle, width, wrap,
};

pub fn list(frame: &mut Frame, app: &App, view: &NotesView, area: Rect) {
    let notes = view.listed_notes(app);
    let total = app.reviews.all_notes().count();
    let mut filters: Vec<String> = Vec::new();
    let f = &view.filter.note;
    if let Some(kind) = &f.kind {
        filters.push(format!("kind={kind}"));
    }
    if let Some(severity) = f.severity {
        filters.push(format!("severity={severity}"));
    }
    if let Some(status) = f.status {
        filters.push(format!("status={status}"));
    }
    if let Some(author) = &f.author {
        filters.push(format!("author={author}"));
    }
    if let Some(pi) = view.filter.policy {
        filters.push(format!("policy={}", app.corpus.policies[pi].policy.id));
    }
    if let Some(prompt) = view.typed.prompt() {
        filters.push(prompt);
    }
    let filters = if filters.is_empty() {
        String::from("all")
    } else {
        filters.join(", ")
    };
    let title = format!(
        " Notes {} of {total} · {filters} · {} ",
        notes.len(),
        view.sort.label()
    );
    let detail_height = (area.height / 3).clamp(5, 12);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_height)]).areas(area);
    let block = Block::bordered()
        .title(Span::styled(
            truncate(&title, usize::from(area.width.saturating_sub(2))),
            app.theme.title(),
        ))
        .border_style(app.theme.border(true));
    let inner = block.inner(list_area);
    let height = usize::from(inner.height);
    let row_width = usize::from(inner.width);
    // Keep the selection in view: the window follows it by whole pages so a
    // step costs one changed row, not a repaint.
    let offset = (view.selected / height.max(1)) * height.max(1);
    let mut lines: Vec<Line> = Vec::new();
    if notes.is_empty() {
        let key = app
            .keymap
            .hint(View::Global, Action::Annotate)
            .unwrap_or_default();
        lines.push(Line::styled(
            if total == 0 {
                format!("No notes yet. Select a clause, context or policy and press {key}.")
            } else {
                String::from("No note matches the filters.")
            },
            app.theme.dim(),
        ));
    }
    // Policy ids that share a long prefix show what tells them apart.
    let prefix = shared_prefix(
        notes
            .iter()
            .map(|(pi, _)| app.corpus.policies[*pi].policy.id.as_str()),
    );
    for (row, (pi, note)) in notes.iter().enumerate().skip(offset).take(height) {
        let selected = row == view.selected;
        let policy = &app.corpus.policies[*pi].policy;
        let (symbol, mark_style) = app.theme.severity_mark(note.severity);
        let detached = app
            .anchor_of(*pi, &note.id)
            .is_some_and(Anchor::is_detached);
        let head = format!(
            " {:<8} {:<9} {:<12} ",
            note.severity.as_str(),
            note.status.as_str(),
            truncate_after_prefix(&policy.id, prefix, 12),
        );
        let room = row_width.saturating_sub(width(&head) + 3);
        let kind = format!(
            "{}{} ",
            if detached { "[detached] " } else { "" },
            note.kind
        );
        // The target is what tells two notes apart: when it does not fit
        // with room to spare, it is cut in its middle and the body left out.
        let target = note.target.key();
        let target_room = room.saturating_sub(width(&kind));
        let rest = if width(&target) + 4 < target_room {
            format!(
                "{kind}{target} · {}",
                note.body.lines().next().unwrap_or("")
            )
        } else {
            format!("{kind}{}", truncate_middle(&target, target_room))
        };
        let mut line = Line::from(vec![
            Span::raw(if selected { ">" } else { " " }),
            Span::styled(symbol, mark_style),
            Span::raw(head),
            Span::raw(truncate(&rest, room)),
        ]);
        if selected {
            line = line.style(app.theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines).block(block), list_area);

    let block = Block::bordered().border_style(app.theme.border(false));
    let inner = block.inner(detail_area);
    let room = usize::from(inner.width).max(10);
    let mut lines: Vec<Line> = Vec::new();
    if let Some((pi, note)) = notes.get(view.selected) {
        let policy = &app.corpus.policies[*pi].policy;
        // Anchors were derived when the notes last changed.
        let anchor = app
            .anchor_of(*pi, &note.id)
            .cloned()
            .unwrap_or_else(|| resolve(policy, &note.target));
        let about = format!(
            "{} · {} · {}",
            policy.id,
            target_words(policy, &anchor, &note.target.key()),
            note.id
        );
        // Two lines, broken between words, so a long id reads whole.
        let about = wrap(&about, room);
        for (i, line) in about.iter().take(2).enumerate() {
            let line = if i == 1 && about.len() > 2 {
                format!("{line} …")
            } else {
                line.clone()
            };
            lines.push(Line::styled(truncate(&line, room), app.theme.label()));
        }
        lines.push(Line::styled(
            truncate(
                &format!(
                    "{} · created {} · updated {}",
                    note.author, note.created, note.updated
                ),
                room,
            ),
            app.theme.dim(),
        ));
        if let Anchor::Detached { reason } = &anchor {
            lines.push(Line::styled(
                truncate(&format!("Detached: {reason}"), room),
                app.theme.unspecified(),
            ));
        }
        if let Some(quote) = &note.target.quote {
            for line in wrap(&format!("“{quote}”"), room) {
                lines.push(Line::styled(line, app.theme.dim()));
            }
        }
        for line in wrap(&note.body, room) {
            lines.push(Line::from(line));
        }
        for reply in &note.replies {
            for (i, line) in wrap(
                &format!("{}: {}", reply.author, reply.body),
                room.saturating_sub(2),
            )
            .into_iter()
            .enumerate()
            {
                let lead = if i == 0 { "↳ " } else { "  " };
                lines.push(Line::styled(format!("{lead}{line}"), app.theme.dim()));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), detail_area);
}

pub fn editor(frame: &mut Frame, app: &App, editor: &Editor, area: Rect) {
    let popup = centered(area, 76, 18);
    let block_title = match &editor.purpose {
        EditorPurpose::New { .. } => format!(
            " New note · {} ",
            app.corpus.policies[editor.policy].policy.id
        ),
        EditorPurpose::Edit { id } => format!(" Edit note {id} "),
        EditorPurpose::Reply { id } => format!(" Reply to note {id} "),
    };
    let block = Block::bordered()
        .title(Span::styled(block_title, app.theme.title()))
        .border_style(app.theme.border(true));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let room = usize::from(inner.width).max(10);
    let fields = editor.fields();
    let mut lines: Vec<Line> = Vec::new();
    let label = |field: EditorField, text: &str| -> Span<'static> {
        if editor.field == field {
            Span::styled(format!("> {text:<10}"), app.theme.selected())
        } else {
            Span::styled(format!("  {text:<10}"), app.theme.label())
        }
    };
    let policy = &app.corpus.policies[editor.policy].policy;
    match &editor.purpose {
        EditorPurpose::New { targets, target } => {
            let t = &targets[*target];
            let about = target_words(policy, &resolve(policy, t), &t.key());
            let about = if targets.len() > 1 {
                let count = format!(" ›  ({} of {})", target + 1, targets.len());
                let room = room.saturating_sub(14 + width(&count));
                format!("‹ {}{count}", truncate(&about, room))
            } else {
                about
            };
            lines.push(Line::from(vec![
                label(EditorField::Target, "About"),
                Span::raw(truncate(&about, room.saturating_sub(12))),
            ]));
            if let Some(quote) = &t.quote {
                lines.push(Line::styled(
                    truncate(&format!("  “{quote}”"), room),
                    app.theme.dim(),
                ));
            }
        }
        EditorPurpose::Edit { id } | EditorPurpose::Reply { id } => {
            let about = app.reviews.reviews[editor.policy]
                .file
                .note(id)
                .and_then(|n| {
                    Some(target_words(
                        policy,
                        app.anchor_of(editor.policy, id)?,
                        &n.target.key(),
                    ))
                })
                .unwrap_or_default();
            lines.push(Line::from(vec![
                label(EditorField::Target, "About"),
                Span::raw(truncate(&about, room.saturating_sub(12))),
            ]));
        }
    }
    if fields.contains(&EditorField::Kind) {
        let kinds = app.corpus.vocabulary.terms(Category::Concerns);
        let kind = kinds.get(editor.kind).map_or("other", |t| t.label.as_str());
        lines.push(Line::from(vec![
            label(EditorField::Kind, "Kind"),
            Span::raw(format!("‹ {kind} ›")),
        ]));
        lines.push(Line::from(vec![
            label(EditorField::Severity, "Severity"),
            Span::raw("‹ "),
            Span::styled(
                editor.severity.as_str(),
                app.theme.severity(editor.severity),
            ),
            Span::raw(" ›"),
        ]));
    }
    lines.push(Line::from(label(EditorField::Body, "Text")));
    let hints = hints(app);
    let head = lines.len();
    let body_height = usize::from(inner.height).saturating_sub(head + 1).max(1);
    while lines.len() < head + body_height {
        lines.push(Line::default());
    }
    lines.push(Line::styled(truncate(&hints, room), app.theme.key()));
    frame.render_widget(Paragraph::new(lines), inner);
    let body_area = Rect {
        x: inner.x + 2,
        y: inner.y + head as u16,
        width: inner.width.saturating_sub(2),
        height: body_height as u16,
    };
    let focused = editor.field == EditorField::Body;
    let cursor = focused.then(|| app.theme.selecting());
    if editor.body.text().is_empty() && !focused {
        frame.render_widget(Line::styled("(empty)", app.theme.dim()), body_area);
    } else {
        editor.body.draw(frame, body_area, app.theme.base(), cursor);
    }
}

fn hints(app: &App) -> String {
    [
        (Action::Submit, "save"),
        (Action::NextField, "next field"),
        (Action::ExternalEditor, "$EDITOR"),
        (Action::Cancel, "cancel"),
    ]
    .iter()
    .filter_map(|(action, what)| {
        app.keymap
            .hint(View::Editor, *action)
            .map(|k| format!("{k} {what}"))
    })
    .collect::<Vec<_>>()
    .join(" · ")
}
