//! Styles, from the 16 named ANSI colours only (they follow the user's
//! terminal palette), or none at all under NO_COLOR / `--color never`, where
//! selection and emphasis stay visible through reverse, bold, underline and
//! symbols.

use ratatui::style::{Color, Modifier, Style};

use crate::review::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn base(self) -> Style {
        Style::new()
    }

    /// The selected row of the focused pane.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// The selected row of a pane without focus.
    pub fn selected_unfocused(self) -> Style {
        self.fg(Color::Cyan)
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn heading(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn label(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Silence in a policy: an unspecified basis, retention, recipient.
    pub fn unspecified(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::ITALIC)
    }

    /// A negative statement ("we do not sell").
    pub fn negative(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    /// Characters a search matched: bold underline, so they show without
    /// colour too.
    pub fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// The clause the reader highlights.
    pub fn highlight(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A severity's colour: info dim, low blue, medium yellow, high red,
    /// critical red and bold.
    pub fn severity(self, severity: Severity) -> Style {
        match severity {
            Severity::Info => self.dim(),
            Severity::Low => self.fg(Color::Blue),
            Severity::Medium => self.fg(Color::Yellow),
            Severity::High => self.fg(Color::Red),
            Severity::Critical => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// The mark beside an annotated item: a coloured dot, or without
    /// colour the severity's initial, so it still says how bad.
    pub fn severity_mark(self, severity: Severity) -> (&'static str, Style) {
        if self.color {
            return ("●", self.severity(severity));
        }
        let letter = match severity {
            Severity::Info => "i",
            Severity::Low => "l",
            Severity::Medium => "m",
            Severity::High => "H",
            Severity::Critical => "C",
        };
        (letter, Style::new().add_modifier(Modifier::BOLD))
    }

    /// An annotated span of clause text: underlined in its severity's
    /// colour (underline alone without colour; bold too when high).
    pub fn span(self, severity: Severity) -> Style {
        let style = self.severity(severity).add_modifier(Modifier::UNDERLINED);
        if severity >= Severity::High {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// Words being selected for a new note.
    pub fn selecting(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}
