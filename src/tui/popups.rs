//! Small views drawn over the others: help for the view below (from the
//! live keymap), the list of files that failed to load, and a question
//! with a few answers (before discarding a note or quitting with one open).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;

use super::action::Action;
use super::app::Shared;
use super::component::Component;
use super::effect::Effect;
use super::widgets::filter::Filter;

pub struct HelpView {
    /// The keymap section of the view help was opened from.
    pub view: View,
    pub scroll: usize,
    /// Typed with `/`: only the keys whose description matches.
    pub filter: Filter,
}

impl HelpView {
    pub fn new(view: View) -> HelpView {
        HelpView {
            view,
            scroll: 0,
            filter: Filter::default(),
        }
    }
}

impl Component for HelpView {
    fn keymap(&self) -> View {
        if self.filter.editing {
            View::Input
        } else {
            View::Help
        }
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        if !self.filter.editing {
            return None;
        }
        self.filter.type_text(text);
        self.scroll = 0;
        Some(Vec::new())
    }

    fn handle(&mut self, action: Action, _shared: &Shared) -> Vec<Effect> {
        if self.filter.editing {
            self.filter.handle(action);
            self.scroll = 0;
            return Vec::new();
        }
        match action {
            Action::Filter => self.filter.editing = true,
            Action::Back | Action::Cancel if self.filter.active() => {
                self.filter = Filter::default()
            }
            Action::Down => self.scroll += 1,
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Back | Action::Cancel => return vec![Effect::Pop],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::overlay::help(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[(Action::Back, "close")]
    }

    fn title(&self, _shared: &Shared) -> String {
        format!("help · {}", self.view.name())
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}

#[derive(Default)]
pub struct ErrorsView {
    pub selected: usize,
}

impl Component for ErrorsView {
    fn keymap(&self) -> View {
        View::Errors
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let count = shared.corpus.diagnostics.len();
        match action {
            Action::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Back | Action::Cancel => return vec![Effect::Pop],
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::overlay::errors(frame, shared, self.selected, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[(Action::Back, "close")]
    }

    fn title(&self, _shared: &Shared) -> String {
        String::from("load problems")
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}

/// A question answered by one key; each answer is a list of effects
/// (the first usually closes the question). `Esc` answers the last one.
pub struct Confirm {
    pub question: String,
    pub answers: Vec<(char, String, Vec<Effect>)>,
}

impl Confirm {
    pub fn new(question: &str, answers: Vec<(char, &str, Vec<Effect>)>) -> Confirm {
        Confirm {
            question: question.to_string(),
            answers: answers
                .into_iter()
                .map(|(key, label, effects)| (key, label.to_string(), effects))
                .collect(),
        }
    }

    fn answer(&mut self, at: usize) -> Vec<Effect> {
        if at >= self.answers.len() {
            return Vec::new();
        }
        std::mem::take(&mut self.answers[at].2)
    }
}

impl Component for Confirm {
    fn keymap(&self) -> View {
        View::Input
    }

    fn handle(&mut self, action: Action, _shared: &Shared) -> Vec<Effect> {
        match action {
            Action::Cancel | Action::Back => self.answer(self.answers.len().saturating_sub(1)),
            _ => Vec::new(),
        }
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        let c = text.chars().next()?.to_ascii_lowercase();
        let at = self.answers.iter().position(|(key, _, _)| *key == c)?;
        Some(self.answer(at))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        let theme = &shared.theme;
        let mut lines = vec![Line::styled(self.question.clone(), theme.heading())];
        lines.push(Line::default());
        for (key, label, _) in &self.answers {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key}  "), theme.key()),
                Span::raw(label.clone()),
            ]));
        }
        let width = lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
        let popup = super::view::centered(area, width.max(30), lines.len() as u16 + 2);
        let block = Block::bordered()
            .title(Span::styled(" Confirm ", theme.title()))
            .border_style(theme.border(true));
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(lines).block(block), popup);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[(Action::Cancel, "back")]
    }

    fn title(&self, _shared: &Shared) -> String {
        self.question.clone()
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}
