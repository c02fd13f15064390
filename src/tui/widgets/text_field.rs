//! A multi-line text field on a well-kept widget (ratatui-textarea):
//! readline keys (`Ctrl-a`/`e`/`w`/`u`/`k`, `Alt-b`/`f`), undo (`Ctrl-z`,
//! `Ctrl-_`) and redo (`Ctrl-r`), wrapping at word boundaries. Whatever
//! comes in (typed or pasted) loses control characters first, so nothing
//! typed can reach the terminal as an escape sequence when it is shown.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::keymap::Key;

#[derive(Debug, Clone)]
pub struct TextField {
    area: TextArea<'static>,
}

impl Default for TextField {
    fn default() -> TextField {
        TextField::new("")
    }
}

/// Pasted text keeps its line breaks but loses control characters; tabs
/// become spaces.
pub fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|&c| c == '\n' || !crate::model::sanitize::is_unsafe_char(c))
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect()
}

impl TextField {
    /// A field holding `text`, the cursor at its end.
    pub fn new(text: &str) -> TextField {
        let lines: Vec<String> = clean(text).split('\n').map(String::from).collect();
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        TextField { area }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn insert(&mut self, text: &str) {
        self.area.insert_str(clean(text));
    }

    pub fn newline(&mut self) {
        self.area.insert_newline();
    }

    pub fn delete_back(&mut self) {
        self.area.delete_char();
    }

    pub fn delete_forward(&mut self) {
        self.area.delete_next_char();
    }

    pub fn step(&mut self, to: CursorMove) {
        self.area.move_cursor(to);
    }

    /// A key no binding of the editor claims: readline editing, undo and
    /// redo. Returns whether the key meant something here.
    pub fn key(&mut self, key: Key) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            // Readline's Ctrl-u deletes to the line's start (the widget
            // would undo); undo is Ctrl-z or Ctrl-_ as in readline.
            KeyCode::Char('u') if ctrl => self.area.delete_line_by_head(),
            KeyCode::Char('z' | '_' | '7') if ctrl => self.area.undo(),
            KeyCode::Char('r') if ctrl => self.area.redo(),
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.area.insert_char(c);
                true
            }
            _ => {
                let event = KeyEvent::new(key.code, key.modifiers);
                let before = (self.area.cursor(), self.text());
                self.area.input(event);
                before != (self.area.cursor(), self.text())
            }
        };
        true
    }

    /// Draws the text; the cursor shows (reversed) only with focus.
    pub fn draw(&self, frame: &mut Frame, area: Rect, base: Style, cursor: Option<Style>) {
        let mut shown = self.area.clone();
        shown.set_style(base);
        shown.set_cursor_line_style(Style::default());
        shown.set_cursor_style(cursor.unwrap_or(base));
        frame.render_widget(&shown, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(field: &mut TextField, spec: &str) {
        field.key(Key::parse(spec).unwrap());
    }

    #[test]
    fn readline_keys_undo_and_clean_paste() {
        let mut f = TextField::new("héllo wörld");
        press(&mut f, "<C-w>");
        assert_eq!(f.text(), "héllo ");
        press(&mut f, "<C-z>");
        assert_eq!(f.text(), "héllo wörld");
        press(&mut f, "<C-a>");
        press(&mut f, "X");
        assert_eq!(f.text(), "Xhéllo wörld");
        // Alt-f goes to the next word's start, Ctrl-k cuts to the end.
        press(&mut f, "<A-f>");
        press(&mut f, "<C-k>");
        assert_eq!(f.text(), "Xhéllo ");
        press(&mut f, "<C-u>");
        assert_eq!(f.text(), "");
        f.insert("a\r\nb\x1b[31m\tc");
        assert_eq!(f.text(), "a\nb[31m c");
    }
}
