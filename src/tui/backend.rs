//! A terminal backend that writes fewer bytes than ratatui's crossterm
//! backend, for slow SSH links. ratatui already sends only the cells that
//! changed; this backend sends them more cheaply:
//!
//! - colours as 16-colour SGR codes (`ESC[33m`, not `ESC[38;5;3;49m`), and
//!   all attribute and colour changes of a cell in one sequence;
//! - a short gap of unchanged cells on the same row is written out again
//!   (it is known from a shadow copy of the screen) instead of moving the
//!   cursor, and a longer one is skipped with a relative move;
//! - the pen is not reset after every frame, and the cursor is hidden only
//!   when it is not hidden already.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// Gaps of at most this many unchanged cells are rewritten rather than
/// skipped: a cursor move costs 3 to 8 bytes.
const MAX_GAP: u16 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Default for Pen {
    fn default() -> Pen {
        Pen {
            fg: Color::Reset,
            bg: Color::Reset,
            modifier: Modifier::empty(),
        }
    }
}

impl Pen {
    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }
}

pub struct LeanBackend<W: Write> {
    writer: W,
    /// What the screen shows, as far as this backend has drawn it.
    shadow: Vec<Cell>,
    width: u16,
    pen: Pen,
    /// Where the terminal's cursor is, when known.
    cursor: Option<(u16, u16)>,
    cursor_hidden: Option<bool>,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend {
            writer,
            shadow: Vec::new(),
            width: 0,
            pen: Pen::default(),
            cursor: None,
            cursor_hidden: None,
        }
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    fn shadow_at(&self, x: u16, y: u16) -> Option<&Cell> {
        if x >= self.width {
            return None;
        }
        self.shadow
            .get(usize::from(y) * usize::from(self.width) + usize::from(x))
    }

    fn move_to(&mut self, x: u16, y: u16) -> io::Result<()> {
        match self.cursor {
            Some((cx, cy)) if cy == y && cx == x => return Ok(()),
            Some((cx, cy)) if cy == y && cx < x => {
                if x - cx <= MAX_GAP && self.rewrite_gap(cx, x, y)? {
                    return Ok(());
                }
                let n = x - cx;
                if n == 1 {
                    self.writer.write_all(b"\x1b[C")?;
                } else {
                    write!(self.writer, "\x1b[{n}C")?;
                }
            }
            _ => write!(self.writer, "\x1b[{};{}H", y + 1, x + 1)?,
        }
        self.cursor = Some((x, y));
        Ok(())
    }

    /// Writes the unchanged cells `from..to` of row `y` again, if they can
    /// be written with the current pen; returns whether it did.
    fn rewrite_gap(&mut self, from: u16, to: u16, y: u16) -> io::Result<bool> {
        let mut text = String::new();
        for x in from..to {
            match self.shadow_at(x, y) {
                Some(cell) if Pen::of(cell) == self.pen && cell.symbol().width() == 1 => {
                    text.push_str(cell.symbol());
                }
                _ => return Ok(false),
            }
        }
        self.writer.write_all(text.as_bytes())?;
        self.cursor = Some((to, y));
        Ok(true)
    }

    fn set_pen(&mut self, pen: Pen) -> io::Result<()> {
        if pen == self.pen {
            return Ok(());
        }
        let mut params: Vec<String> = Vec::new();
        let removed = self.pen.modifier - pen.modifier;
        let (added, fg_changed, bg_changed) = if removed.is_empty() {
            (
                pen.modifier - self.pen.modifier,
                pen.fg != self.pen.fg,
                pen.bg != self.pen.bg,
            )
        } else {
            // Turning attributes off one by one is fiddly (bold and dim
            // share an off code); a reset and the new pen is short enough.
            params.push(String::from("0"));
            (pen.modifier, pen.fg != Color::Reset, pen.bg != Color::Reset)
        };
        for (flag, code) in [
            (Modifier::BOLD, "1"),
            (Modifier::DIM, "2"),
            (Modifier::ITALIC, "3"),
            (Modifier::UNDERLINED, "4"),
            (Modifier::SLOW_BLINK, "5"),
            (Modifier::RAPID_BLINK, "6"),
            (Modifier::REVERSED, "7"),
            (Modifier::HIDDEN, "8"),
            (Modifier::CROSSED_OUT, "9"),
        ] {
            if added.contains(flag) {
                params.push(String::from(code));
            }
        }
        if fg_changed {
            params.push(color_code(pen.fg, false));
        }
        if bg_changed {
            params.push(color_code(pen.bg, true));
        }
        write!(self.writer, "\x1b[{}m", params.join(";"))?;
        self.pen = pen;
        Ok(())
    }
}

/// A cell no drawn one equals (its symbol is wider than one column), so a
/// gap holding it is never rewritten.
fn unknown_cell() -> Cell {
    let mut cell = Cell::default();
    cell.set_symbol("？");
    cell
}

/// The SGR parameter for a colour: 30–37 and 90–97 for the 16 named ones
/// (40–47 and 100–107 for backgrounds).
fn color_code(color: Color, background: bool) -> String {
    let base = |code: u8| {
        if background {
            (code + 10).to_string()
        } else {
            code.to_string()
        }
    };
    let extended = if background { "48" } else { "38" };
    match color {
        Color::Reset => base(39),
        Color::Black => base(30),
        Color::Red => base(31),
        Color::Green => base(32),
        Color::Yellow => base(33),
        Color::Blue => base(34),
        Color::Magenta => base(35),
        Color::Cyan => base(36),
        Color::Gray => base(37),
        Color::DarkGray => base(90),
        Color::LightRed => base(91),
        Color::LightGreen => base(92),
        Color::LightYellow => base(93),
        Color::LightBlue => base(94),
        Color::LightMagenta => base(95),
        Color::LightCyan => base(96),
        Color::White => base(97),
        Color::Indexed(i) => format!("{extended};5;{i}"),
        Color::Rgb(r, g, b) => format!("{extended};2;{r};{g};{b}"),
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.size()?;
        let cells = usize::from(size.width) * usize::from(size.height);
        if self.width != size.width || self.shadow.len() != cells {
            self.width = size.width;
            self.shadow = vec![Cell::default(); cells];
        }
        for (x, y, cell) in content {
            self.move_to(x, y)?;
            self.set_pen(Pen::of(cell))?;
            self.writer.write_all(cell.symbol().as_bytes())?;
            let width = cell.symbol().width().max(1) as u16;
            let i = usize::from(y) * usize::from(self.width) + usize::from(x);
            if let Some(slot) = self.shadow.get_mut(i) {
                *slot = cell.clone();
            }
            // The cells a wide character covers are never rewritten from
            // the shadow: that would cut the character in half.
            for covered in 1..usize::from(width) {
                if let Some(slot) = self.shadow.get_mut(i + covered) {
                    *slot = unknown_cell();
                }
            }
            // At the right edge the terminal's cursor waits to wrap: its
            // position is not worth guessing.
            self.cursor = (x + width < self.width).then_some((x + width, y));
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(true) {
            self.writer.write_all(b"\x1b[?25l")?;
            self.cursor_hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden != Some(false) {
            self.writer.write_all(b"\x1b[?25h")?;
            self.cursor_hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        let (x, y) = crossterm::cursor::position()?;
        Ok(Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        write!(self.writer, "\x1b[{};{}H", y + 1, x + 1)?;
        self.cursor = Some((x, y));
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // The screen after a partial clear is not worth modelling: forget
        // it, so no gap is rewritten from a stale copy.
        let code = match clear_type {
            ClearType::All => "2J",
            ClearType::AfterCursor => "J",
            ClearType::BeforeCursor => "1J",
            ClearType::CurrentLine => "2K",
            ClearType::UntilNewLine => "K",
        };
        write!(self.writer, "\x1b[0m\x1b[{code}")?;
        self.pen = Pen::default();
        self.cursor = None;
        self.cursor_hidden = None;
        let blank = clear_type == ClearType::All;
        for cell in &mut self.shadow {
            *cell = if blank {
                Cell::default()
            } else {
                unknown_cell()
            };
        }
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let size = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: size.columns,
                height: size.rows,
            },
            pixels: Size {
                width: size.width,
                height: size.height,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_colours_use_short_codes() {
        assert_eq!(color_code(Color::Yellow, false), "33");
        assert_eq!(color_code(Color::DarkGray, true), "100");
        assert_eq!(color_code(Color::Reset, true), "49");
        assert_eq!(color_code(Color::Indexed(208), false), "38;5;208");
    }
}
