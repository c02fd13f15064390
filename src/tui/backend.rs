//! A terminal backend that writes fewer bytes than ratatui's crossterm
//! backend, for slow SSH links. ratatui already sends only the cells that
//! changed; this backend keeps a copy of what the terminal shows and sends
//! the difference more cheaply:
//!
//! - colours as 16-colour SGR codes (`ESC[33m`, not `ESC[38;5;3;49m`), all
//!   of a cell's changes in one sequence, by the shorter of a reset and the
//!   new pen or attributes turned off one by one;
//! - cells that look alike are not sent again: a blank is a blank whatever
//!   its foreground colour;
//! - runs of blanks are erased (`ESC[nX`, `ESC[K`) instead of written out;
//! - the cursor takes the shortest way: a few unchanged cells written again,
//!   a relative move, a line feed, or an absolute move;
//! - when rows moved up or down (a list scrolled), the terminal scrolls
//!   them and only what then differs is drawn (as curses does), if that,
//!   encoded both ways, is shorter;
//! - the pen is not reset after every frame, and the cursor is hidden only
//!   when it is not hidden already.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// The colours and attributes the terminal draws characters with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Attributes that show on a blank cell.
const SHOWS_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT);

impl Pen {
    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }

    /// Whether a space written, or a cell erased, with this pen looks like
    /// the terminal's own blank. (Terminals differ in what an erased cell
    /// keeps of the pen; none of them differ in how such a cell looks.)
    fn draws_plain_blanks(self) -> bool {
        self.bg == Color::Reset && !self.modifier.intersects(SHOWS_ON_BLANK)
    }
}

/// Whether a cell shows nothing: a space on the default background,
/// neither reversed, underlined nor struck through.
fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " " && Pen::of(cell).draws_plain_blanks()
}

/// Whether the terminal would show two cells alike.
fn looks_same(a: &Cell, b: &Cell) -> bool {
    a == b || (is_blank(a) && is_blank(b))
}

fn cell_width(cell: &Cell) -> u16 {
    cell.symbol().width().max(1) as u16
}

/// Where the terminal's cursor is. After a character in the last column it
/// waits to wrap, and terminals disagree about where a relative move from
/// there lands, so only absolute moves and carriage returns follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    x: u16,
    y: u16,
    wrap_pending: bool,
}

/// A scroll of rows `top..=bottom` by `by` rows: up (content moves up)
/// when positive, down when negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scroll {
    top: u16,
    bottom: u16,
    by: i32,
}

/// What the terminal shows, with its pen and cursor: enough to work out
/// the shortest bytes that turn it into the next frame.
#[derive(Debug, Clone)]
struct Screen {
    /// Row by row; None where the terminal's content is not known.
    cells: Vec<Option<Cell>>,
    width: u16,
    pen: Pen,
    /// None when not known.
    cursor: Option<Cursor>,
}

impl Screen {
    fn blank(width: u16, height: u16) -> Screen {
        Screen {
            cells: vec![Some(Cell::default()); usize::from(width) * usize::from(height)],
            width,
            pen: Pen::default(),
            cursor: None,
        }
    }

    fn height(&self) -> u16 {
        (self.cells.len() / usize::from(self.width.max(1))) as u16
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.width) + usize::from(x)
    }

    fn at(&self, x: u16, y: u16) -> Option<&Cell> {
        self.cells.get(self.index(x, y)).and_then(Option::as_ref)
    }

    /// Draws every cell of `next` that the terminal does not already show
    /// alike, row by row.
    fn paint(&mut self, next: &[Option<Cell>], out: &mut Vec<u8>) {
        let width = usize::from(self.width);
        for y in 0..self.height() {
            let row = &next[usize::from(y) * width..(usize::from(y) + 1) * width];
            self.paint_row(y, row, out);
        }
    }

    /// Whether cell `x` of row `y` must be drawn to show `wanted`.
    fn differs(&self, x: u16, y: u16, wanted: &Option<Cell>) -> bool {
        match (wanted, self.at(x, y)) {
            (Some(wanted), Some(shown)) => !looks_same(wanted, shown),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    fn paint_row(&mut self, y: u16, row: &[Option<Cell>], out: &mut Vec<u8>) {
        let width = self.width;
        let blank_at = |x: u16| row[usize::from(x)].as_ref().is_some_and(is_blank);
        let mut x = 0;
        while x < width {
            let Some(cell) = &row[usize::from(x)] else {
                x += 1;
                continue;
            };
            if !self.differs(x, y, &row[usize::from(x)]) {
                x += cell_width(cell);
                continue;
            }
            if is_blank(cell) {
                // The run of blanks starting here, and the last cell in it
                // that needs clearing.
                let end = (x..width).find(|&e| !blank_at(e)).unwrap_or(width);
                let last = (x..end)
                    .rev()
                    .find(|&e| self.differs(e, y, &row[usize::from(e)]))
                    .unwrap_or(x);
                let next_change = (end..width).find(|&e| self.differs(e, y, &row[usize::from(e)]));
                if self.erase_pays(x, last, y, end == width, next_change) {
                    self.erase(x, last, y, end == width, out);
                    x = last + 1;
                    continue;
                }
            }
            self.put(x, y, cell, out);
            x += cell_width(cell);
        }
    }

    /// Whether erasing cells `from..=to` of row `y` (to the end of the row
    /// when `to_end`) is shorter than writing spaces over them, counting
    /// the move an erase leaves to the next change on the row, if any.
    fn erase_pays(&self, from: u16, to: u16, y: u16, to_end: bool, next: Option<u16>) -> bool {
        let count = to - from + 1;
        let erase = if to_end && next.is_none() {
            3
        } else {
            csi_len(count)
        };
        let at = |x| Cursor {
            x,
            y,
            wrap_pending: false,
        };
        let leave = match next {
            Some(next) => self
                .move_bytes(Some(at(from)), next, y)
                .len()
                .saturating_sub(self.move_bytes(Some(at(to + 1)), next, y).len()),
            None => 0,
        };
        erase + leave < usize::from(count)
    }

    /// Erases cells `from..=to` of row `y`, or the rest of the row.
    fn erase(&mut self, from: u16, to: u16, y: u16, to_end: bool, out: &mut Vec<u8>) {
        self.move_to(from, y, out);
        if !self.pen.draws_plain_blanks() {
            self.set_pen(Pen::default(), out);
        }
        let count = to - from + 1;
        let to = if to_end {
            out.extend_from_slice(b"\x1b[K");
            self.width - 1
        } else {
            push_csi(out, count, b'X');
            to
        };
        for x in from..=to {
            let i = self.index(x, y);
            self.cells[i] = Some(Cell::default());
        }
    }

    /// Writes one cell and records it.
    fn put(&mut self, x: u16, y: u16, cell: &Cell, out: &mut Vec<u8>) {
        self.move_to(x, y, out);
        // A blank looks the same drawn with any plain pen.
        if !(is_blank(cell) && self.pen.draws_plain_blanks()) {
            self.set_pen(Pen::of(cell), out);
        }
        out.extend_from_slice(cell.symbol().as_bytes());
        let width = cell_width(cell);
        let i = self.index(x, y);
        self.cells[i] = Some(cell.clone());
        // The cells a wide character covers are never rewritten from
        // here: that would cut the character in half.
        for covered in 1..usize::from(width) {
            if let Some(slot) = self.cells.get_mut(i + covered) {
                *slot = None;
            }
        }
        self.cursor = Some(if x + width < self.width {
            Cursor {
                x: x + width,
                y,
                wrap_pending: false,
            }
        } else {
            Cursor {
                x: self.width - 1,
                y,
                wrap_pending: true,
            }
        });
    }

    fn move_to(&mut self, x: u16, y: u16, out: &mut Vec<u8>) {
        let bytes = self.move_bytes(self.cursor, x, y);
        out.extend_from_slice(&bytes);
        self.cursor = Some(Cursor {
            x,
            y,
            wrap_pending: false,
        });
    }

    /// The shortest bytes that take the cursor from `from` to column `x` of
    /// row `y`.
    fn move_bytes(&self, from: Option<Cursor>, x: u16, y: u16) -> Vec<u8> {
        let mut absolute = Vec::new();
        if x == 0 {
            push_csi(&mut absolute, y + 1, b'H');
        } else {
            write!(absolute, "\x1b[{};{}H", y + 1, x + 1).unwrap();
        }
        let Some(from) = from else {
            return absolute;
        };
        if from.y == y && from.x == x && !from.wrap_pending {
            return Vec::new();
        }
        let mut best = absolute;
        let mut consider = |candidate: Vec<u8>| {
            if candidate.len() < best.len() {
                best = candidate;
            }
        };
        // Down by line feeds (in raw mode a line feed keeps the column; the
        // frame never feeds a line from the bottom row, so nothing scrolls),
        // or by a relative or absolute vertical move.
        let mut verticals: Vec<Vec<u8>> = Vec::new();
        if y == from.y {
            verticals.push(Vec::new());
        } else if y > from.y {
            let rows = y - from.y;
            if rows <= 3 {
                verticals.push(vec![b'\n'; usize::from(rows)]);
            }
            let mut down = Vec::new();
            push_csi(&mut down, rows, b'B');
            verticals.push(down);
        } else {
            let mut up = Vec::new();
            push_csi(&mut up, from.y - y, b'A');
            verticals.push(up);
        }
        for vertical in verticals {
            // Then along the row, from where the cursor stands...
            if !from.wrap_pending {
                let mut path = vertical.clone();
                self.push_along(&mut path, from.x, x, y);
                consider(path);
            }
            // ...or from the first column...
            let mut path = vec![b'\r'];
            path.extend_from_slice(&vertical);
            if x > 0 {
                self.push_along(&mut path, 0, x, y);
            }
            consider(path);
            // ...or straight to the column.
            let mut path = vertical;
            if x == 0 {
                path.extend_from_slice(b"\x1b[G");
            } else {
                push_csi(&mut path, x + 1, b'G');
            }
            consider(path);
        }
        best
    }

    /// Appends the shortest move along row `y` from column `from` to `to`:
    /// the cells between written again (when the pen draws them as they
    /// are), a relative move, or backspaces.
    fn push_along(&self, out: &mut Vec<u8>, from: u16, to: u16, y: u16) {
        if to == from {
            return;
        }
        if to < from {
            let back = from - to;
            if back <= 2 {
                out.extend(std::iter::repeat_n(b'\x08', usize::from(back)));
            } else {
                push_csi(out, back, b'D');
            }
            return;
        }
        let mut relative = Vec::new();
        push_csi(&mut relative, to - from, b'C');
        if usize::from(to - from) < relative.len() {
            if let Some(again) = self.rewrite(from, to, y) {
                if again.len() <= relative.len() {
                    out.extend_from_slice(&again);
                    return;
                }
            }
        }
        out.extend_from_slice(&relative);
    }

    /// The bytes of cells `from..to` of row `y` as the terminal shows them,
    /// if the current pen draws them so.
    fn rewrite(&self, from: u16, to: u16, y: u16) -> Option<Vec<u8>> {
        let mut text = Vec::new();
        for x in from..to {
            let cell = self.at(x, y)?;
            let same_pen =
                Pen::of(cell) == self.pen || (is_blank(cell) && self.pen.draws_plain_blanks());
            if !same_pen || cell.symbol().width() != 1 {
                return None;
            }
            text.extend_from_slice(cell.symbol().as_bytes());
        }
        Some(text)
    }

    /// Changes the pen by the shorter of two SGR sequences: a reset and
    /// the new pen, or the attributes turned off and on one by one.
    fn set_pen(&mut self, pen: Pen, out: &mut Vec<u8>) {
        if pen == self.pen {
            return;
        }
        let mut reset = vec![String::from("0")];
        reset.extend(pen_params(Pen::default(), pen));
        let mut step = Vec::new();
        let removed = self.pen.modifier - pen.modifier;
        let mut kept = self.pen.modifier & pen.modifier;
        for (flags, code) in [
            // Bold and dim go off together.
            (Modifier::BOLD | Modifier::DIM, "22"),
            (Modifier::ITALIC, "23"),
            (Modifier::UNDERLINED, "24"),
            (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
            (Modifier::REVERSED, "27"),
            (Modifier::HIDDEN, "28"),
            (Modifier::CROSSED_OUT, "29"),
        ] {
            if removed.intersects(flags) {
                step.push(String::from(code));
                kept -= flags;
            }
        }
        step.extend(pen_params(
            Pen {
                modifier: kept,
                ..self.pen
            },
            pen,
        ));
        let params = if reset.join(";").len() <= step.join(";").len() {
            reset
        } else {
            step
        };
        // A lone 0 may be left out: ESC[m resets.
        let params = if params == ["0"] {
            String::new()
        } else {
            params.join(";")
        };
        write!(out, "\x1b[{params}m").unwrap();
        self.pen = pen;
    }

    /// Scrolls the terminal's rows and this copy alike.
    fn scroll(&mut self, scroll: Scroll, out: &mut Vec<u8>) {
        // The rows let in take the current background: make it plain.
        if !self.pen.draws_plain_blanks() {
            self.set_pen(Pen::default(), out);
        }
        let Scroll { top, bottom, by } = scroll;
        let (n, code) = if by > 0 { (by, 'S') } else { (-by, 'T') };
        write!(out, "\x1b[{};{}r\x1b[{n}{code}\x1b[r", top + 1, bottom + 1).unwrap();
        // Resetting the margins homes the cursor.
        self.cursor = Some(Cursor {
            x: 0,
            y: 0,
            wrap_pending: false,
        });
        let width = usize::from(self.width);
        let region = &mut self.cells[usize::from(top) * width..(usize::from(bottom) + 1) * width];
        let shift = n as usize * width;
        let fresh = if by > 0 {
            region.rotate_left(shift);
            region.len() - shift..region.len()
        } else {
            region.rotate_right(shift);
            0..shift
        };
        region[fresh].fill(Some(Cell::default()));
    }

    /// The scrolls worth trying on the way to `next`: when a list scrolls,
    /// most of the screen moves up or down by some rows. Rates every
    /// region and distance by a quick estimate of what would still have to
    /// be drawn, and returns the best few, to be tried for real.
    fn scroll_candidates(&self, next: &[Option<Cell>]) -> Vec<Scroll> {
        let width = usize::from(self.width);
        let rows = usize::from(self.height());
        // Cells compared by a number, so that rating thousands of scrolls
        // stays quick on a large terminal; a rare clash only misjudges a
        // rating, never what is drawn.
        let old_looks: Vec<Option<u64>> = self.cells.iter().map(|c| c.as_ref().map(look)).collect();
        let new_looks: Vec<Option<u64>> = next.iter().map(|c| c.as_ref().map(look)).collect();
        let new_bytes: Vec<usize> = next
            .iter()
            .map(|c| {
                c.as_ref()
                    .filter(|c| !is_blank(c))
                    .map_or(0, |c| c.symbol().len())
            })
            .collect();
        let blank_row = vec![Some(look(&Cell::default())); width];
        // cost[y][src]: about the bytes it takes to turn row `src` of the
        // terminal (or a blank row, src == rows) into row `y` of `next`:
        // the text to write, and some bytes of moves and colours for each
        // stretch of changes; blanks are erased nearly for free.
        let cost_between = |y: usize, old: &[Option<u64>]| -> usize {
            let mut bytes = 0;
            let mut in_stretch = false;
            for (x, old) in old.iter().enumerate() {
                let i = y * width + x;
                let differs = new_looks[i].is_some() && new_looks[i] != *old;
                if differs {
                    bytes += new_bytes[i] + if in_stretch { 0 } else { 6 };
                }
                in_stretch = differs;
            }
            bytes
        };
        let cost: Vec<Vec<usize>> = (0..rows)
            .map(|y| {
                (0..=rows)
                    .map(|src| {
                        let old = if src == rows {
                            &blank_row[..]
                        } else {
                            &old_looks[src * width..(src + 1) * width]
                        };
                        cost_between(y, old)
                    })
                    .collect()
            })
            .collect();
        // Running sums, so a region's cost is a difference: rows left in
        // place, rows filled from blank, and rows moved by each distance.
        let running = |cost_of: &dyn Fn(usize) -> usize| -> Vec<usize> {
            let mut sums = vec![0; rows + 1];
            for y in 0..rows {
                sums[y + 1] = sums[y] + cost_of(y);
            }
            sums
        };
        let still = running(&|y| cost[y][y]);
        let fresh = running(&|y| cost[y][rows]);
        let moved: Vec<Vec<usize>> = (0..2 * rows)
            .map(|shift| {
                let by = shift as i64 - rows as i64;
                running(&|y| {
                    let src = y as i64 + by;
                    if (0..rows as i64).contains(&src) {
                        cost[y][src as usize]
                    } else {
                        0
                    }
                })
            })
            .collect();
        let sum = |sums: &[usize], from: usize, to: usize| sums[to] - sums[from];
        let without = still[rows];
        // The best few, cheapest first.
        let mut best: Vec<(usize, Scroll)> = Vec::new();
        for top in 0..rows {
            for bottom in top + 4..rows {
                let outside = without - sum(&still, top, bottom + 1);
                let span = bottom - top;
                for n in 1..=span {
                    for by in [n as i32, -(n as i32)] {
                        let moved_rows = &moved[(by as i64 + rows as i64) as usize];
                        // Scrolling up by n moves rows top+n.. to top.., and
                        // lets blank rows in at the bottom; down, the reverse.
                        let inside = if by > 0 {
                            sum(moved_rows, top, bottom + 1 - n)
                                + sum(&fresh, bottom + 1 - n, bottom + 1)
                        } else {
                            sum(&fresh, top, top + n) + sum(moved_rows, top + n, bottom + 1)
                        };
                        let rating = outside + inside;
                        if rating < without
                            && (best.len() < SCROLLS_TRIED || rating < best[best.len() - 1].0)
                        {
                            let at = best.partition_point(|(r, _)| *r <= rating);
                            let scroll = Scroll {
                                top: top as u16,
                                bottom: bottom as u16,
                                by,
                            };
                            best.insert(at, (rating, scroll));
                            best.truncate(SCROLLS_TRIED);
                        }
                    }
                }
            }
        }
        best.into_iter().map(|(_, scroll)| scroll).collect()
    }
}

/// How many of the best-rated scrolls are tried for real: trying forty
/// saved another 0.3% on the tree walk.
const SCROLLS_TRIED: usize = 8;

/// A number that cells which look alike share.
fn look(cell: &Cell) -> u64 {
    use std::hash::{Hash, Hasher};
    if is_blank(cell) {
        return 0;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    cell.symbol().hash(&mut hasher);
    Pen::of(cell).hash(&mut hasher);
    hasher.finish() | 1
}

/// The SGR parameters that turn pen `from` into `to`, given that `from`
/// has no attribute that `to` lacks.
fn pen_params(from: Pen, to: Pen) -> Vec<String> {
    let mut params = Vec::new();
    let added = to.modifier - from.modifier;
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
    if to.fg != from.fg {
        params.push(color_code(to.fg, false));
    }
    if to.bg != from.bg {
        params.push(color_code(to.bg, true));
    }
    params
}

/// `ESC[{n}{code}`, leaving out a count of 1 (the default).
fn push_csi(out: &mut Vec<u8>, n: u16, code: u8) {
    if n == 1 {
        out.extend_from_slice(&[0x1b, b'[', code]);
    } else {
        write!(out, "\x1b[{n}").unwrap();
        out.push(code);
    }
}

/// The length of [`push_csi`]'s sequence.
fn csi_len(n: u16) -> usize {
    if n == 1 {
        3
    } else {
        3 + n.to_string().len()
    }
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

/// The backend: ratatui's changed cells in, the fewest bytes found out.
pub struct LeanBackend<W: Write> {
    writer: W,
    screen: Screen,
    cursor_hidden: Option<bool>,
    /// A size to use instead of asking the terminal (for tests).
    fixed_size: Option<Size>,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend {
            writer,
            screen: Screen::blank(0, 0),
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
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.size()?;
        if self.screen.width != size.width || self.screen.height() != size.height {
            // ratatui clears the screen on a resize before drawing it all.
            self.screen = Screen {
                pen: self.screen.pen,
                ..Screen::blank(size.width, size.height)
            };
        }
        let mut next = self.screen.cells.clone();
        let mut changes = 0;
        for (x, y, cell) in content {
            let i = self.screen.index(x, y);
            if let Some(slot) = next.get_mut(i) {
                *slot = Some(cell.clone());
                changes += 1;
            }
        }
        let mut plain = self.screen.clone();
        let mut out = Vec::new();
        plain.paint(&next, &mut out);
        let mut best = (plain, out);
        // A scroll pays only where many cells changed.
        if changes >= 200 {
            for scroll in self.screen.scroll_candidates(&next) {
                let mut scrolled = self.screen.clone();
                let mut out = Vec::new();
                scrolled.scroll(scroll, &mut out);
                scrolled.paint(&next, &mut out);
                if out.len() < best.1.len() {
                    best = (scrolled, out);
                }
            }
        }
        let (screen, out) = best;
        self.screen = screen;
        self.writer.write_all(&out)
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
        let mut out = Vec::new();
        self.screen.move_to(x, y, &mut out);
        self.writer.write_all(&out)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // The screen after a partial clear is not worth modelling: forget
        // it, so nothing is rewritten from a stale copy.
        let code = match clear_type {
            ClearType::All => "2J",
            ClearType::AfterCursor => "J",
            ClearType::BeforeCursor => "1J",
            ClearType::CurrentLine => "2K",
            ClearType::UntilNewLine => "K",
        };
        write!(self.writer, "\x1b[0m\x1b[{code}")?;
        self.screen.pen = Pen::default();
        self.screen.cursor = None;
        self.cursor_hidden = None;
        let blank = clear_type == ClearType::All;
        for cell in &mut self.screen.cells {
            *cell = blank.then(Cell::default);
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
    use ratatui::style::Style;
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    use ratatui::Terminal;

    #[test]
    fn named_colours_use_short_codes() {
        assert_eq!(color_code(Color::Yellow, false), "33");
        assert_eq!(color_code(Color::DarkGray, true), "100");
        assert_eq!(color_code(Color::Reset, true), "49");
        assert_eq!(color_code(Color::Indexed(208), false), "38;5;208");
    }

    /// Draws each frame's lines in turn through the backend into a vt100
    /// terminal of `width` x `height`; returns the terminal and what the
    /// last frame wrote.
    fn replay(width: u16, height: u16, frames: &[Vec<Line<'static>>]) -> (vt100::Parser, Vec<u8>) {
        let mut terminal =
            Terminal::new(LeanBackend::with_size(Vec::new(), width, height)).unwrap();
        let mut screen = vt100::Parser::new(height, width, 0);
        let mut last = Vec::new();
        for lines in frames {
            terminal
                .draw(|f| f.render_widget(Paragraph::new(lines.clone()), f.area()))
                .unwrap();
            last = std::mem::take(terminal.backend_mut().writer_mut());
            screen.process(&last);
        }
        (screen, last)
    }

    fn rows(screen: &vt100::Parser, width: u16) -> Vec<String> {
        screen
            .screen()
            .rows(0, width)
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    #[test]
    fn wide_characters_and_what_replaces_them_show_as_drawn() {
        let frames = vec![
            vec![Line::from("ab世界cd"), Line::from("x")],
            vec![Line::from("ab世xycd"), Line::from("x")],
            vec![Line::from("a界 zz"), Line::from("世")],
        ];
        let (screen, _) = replay(12, 2, &frames);
        assert_eq!(rows(&screen, 12), ["a界 zz", "世"]);
    }

    #[test]
    fn a_row_blank_to_its_end_is_erased_to_its_end() {
        let frames = vec![
            vec![Line::from("a long line of text"), Line::from("below")],
            vec![Line::from("a"), Line::from("below")],
        ];
        let (screen, written) = replay(24, 2, &frames);
        assert_eq!(rows(&screen, 24), ["a", "below"]);
        assert!(
            written.ends_with(b"\x1b[K"),
            "erased with EL: {:?}",
            String::from_utf8_lossy(&written)
        );
    }

    #[test]
    fn text_cleared_under_a_reversed_pen_leaves_plain_blanks() {
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        let frames = vec![
            vec![Line::from(Span::styled("selected row      ", reversed))],
            vec![Line::from(vec![
                Span::styled("sel", reversed),
                Span::raw("                 done"),
            ])],
        ];
        let (screen, written) = replay(30, 1, &frames);
        assert_eq!(rows(&screen, 30), ["sel                 done"]);
        for col in 3..20 {
            assert!(
                !screen.screen().cell(0, col).unwrap().inverse(),
                "column {col}"
            );
        }
        let written = String::from_utf8_lossy(&written);
        assert!(
            !written.contains("     "),
            "the old text is erased, not overwritten with spaces: {written:?}"
        );
    }
}
