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
    /// A size to use instead of asking the terminal (for tests).
    fixed_size: Option<Size>,
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
            fixed_size: None,
        }
    }

    /// A backend of a fixed size that never asks a terminal: for tests
    /// that check what a terminal would show.
    pub fn with_size(writer: W, width: u16, height: u16) -> LeanBackend<W> {
        LeanBackend {
            fixed_size: Some(Size { width, height }),
            ..LeanBackend::new(writer)
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

/// Row `y` of a screen `width` cells wide.
fn row_of(cells: &[Cell], width: usize, y: usize) -> &[Cell] {
    &cells[y * width..(y + 1) * width]
}

/// A scroll of rows `top..=bottom` by `by` rows: up (content moves up)
/// when positive, down when negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scroll {
    top: u16,
    bottom: u16,
    by: i32,
}

impl<W: Write> LeanBackend<W> {
    /// Writes one cell and records it in the shadow.
    fn put(&mut self, x: u16, y: u16, cell: &Cell) -> io::Result<()> {
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
        Ok(())
    }

    /// When a list scrolls, most of the screen moves up or down by some
    /// rows: scrolling the terminal's rows (as curses does) and drawing
    /// only what then differs is far cheaper than redrawing the rows.
    /// Returns the new screen and the scroll, when one saves enough.
    fn scroll_plan(
        &self,
        changes: &[(u16, u16, Cell)],
        height: u16,
    ) -> Option<(Vec<Cell>, Scroll)> {
        if changes.len() < 200 {
            return None;
        }
        let width = usize::from(self.width);
        let rows = usize::from(height);
        let mut next = self.shadow.clone();
        for (x, y, cell) in changes {
            next[usize::from(*y) * width + usize::from(*x)] = cell.clone();
        }
        let blank = vec![Cell::default(); width];
        // cost[y][src]: bytes to turn row `src` of the old screen (or a
        // blank row, src == rows) into row `y` of the new one.
        let cost_between = |new: &[Cell], old: &[Cell]| -> usize {
            new.iter()
                .zip(old)
                .filter(|(n, o)| n != o)
                .map(|(n, _)| n.symbol().len())
                .sum()
        };
        let cost: Vec<Vec<usize>> = (0..rows)
            .map(|y| {
                (0..=rows)
                    .map(|src| {
                        let old = if src == rows {
                            &blank[..]
                        } else {
                            row_of(&self.shadow, width, src)
                        };
                        cost_between(row_of(&next, width, y), old)
                    })
                    .collect()
            })
            .collect();
        let still: Vec<usize> = (0..rows).map(|y| cost[y][y]).collect();
        let without: usize = still.iter().sum();
        let mut best: Option<(usize, Scroll)> = None;
        for top in 0..rows {
            for bottom in top + 4..rows {
                let outside: usize = still[..top].iter().chain(&still[bottom + 1..]).sum();
                for by in -(bottom as i32 - top as i32)..=(bottom as i32 - top as i32) {
                    if by == 0 {
                        continue;
                    }
                    let inside: usize = (top..=bottom)
                        .map(|y| {
                            let src = y as i32 + by;
                            if src >= top as i32 && src <= bottom as i32 {
                                cost[y][src as usize]
                            } else {
                                cost[y][rows]
                            }
                        })
                        .sum();
                    let total = outside + inside;
                    if best.as_ref().is_none_or(|(c, _)| total < *c) {
                        let scroll = Scroll {
                            top: top as u16,
                            bottom: bottom as u16,
                            by,
                        };
                        best = Some((total, scroll));
                    }
                }
            }
        }
        let (cost, scroll) = best?;
        // The scroll itself costs some 15 bytes, and what remains is drawn
        // in more pieces: keep it for clear wins.
        (cost + 100 < without).then_some((next, scroll))
    }

    fn scroll(&mut self, scroll: Scroll) -> io::Result<()> {
        // New rows are filled with the current background: make it the
        // default first.
        if self.pen != Pen::default() {
            self.writer.write_all(b"\x1b[0m")?;
            self.pen = Pen::default();
        }
        let Scroll { top, bottom, by } = scroll;
        let (n, code) = if by > 0 { (by, 'S') } else { (-by, 'T') };
        write!(
            self.writer,
            "\x1b[{};{}r\x1b[{n}{code}\x1b[r",
            top + 1,
            bottom + 1
        )?;
        // Setting the margins homes the cursor.
        self.cursor = None;
        // Move the shadow's rows the same way, and blank the rows let in.
        let width = usize::from(self.width);
        let region = &mut self.shadow[usize::from(top) * width..(usize::from(bottom) + 1) * width];
        let shift = n as usize * width;
        let fresh = if by > 0 {
            region.rotate_left(shift);
            region.len() - shift..region.len()
        } else {
            region.rotate_right(shift);
            0..shift
        };
        region[fresh].fill(Cell::default());
        Ok(())
    }
}

fn is_unknown(cell: &Cell) -> bool {
    cell.symbol() == "？"
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
        let changes: Vec<(u16, u16, Cell)> = content.map(|(x, y, c)| (x, y, c.clone())).collect();
        let Some((next, scroll)) = self.scroll_plan(&changes, size.height) else {
            for (x, y, cell) in &changes {
                self.put(*x, *y, cell)?;
            }
            return Ok(());
        };
        self.scroll(scroll)?;
        // Now draw what differs between the scrolled screen and the new one.
        let width = usize::from(self.width);
        for y in 0..size.height {
            let mut x = 0;
            while x < size.width {
                let i = usize::from(y) * width + usize::from(x);
                let cell = &next[i];
                let mut step = 1;
                if !is_unknown(cell) && *cell != self.shadow[i] {
                    self.put(x, y, cell)?;
                    step = cell.symbol().width().max(1) as u16;
                }
                x += step;
            }
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
        if let Some(size) = self.fixed_size {
            return Ok(size);
        }
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
