//! What a terminal shows is what qualm drew: frames written by the lean
//! backend (short colour codes, rewritten gaps, erased runs, scrolled
//! regions) are fed to a terminal emulator (vt100) and compared, cell by
//! cell, text and the attributes that show, with ratatui's own buffer:
//! over a walk through the tree, the reader and the notes, and over a walk
//! through every node of the fully expanded tree. (Erasing a row to its end
//! is checked in the backend's own tests: every row of these views ends in
//! a border or a hint, so the walks never do it.)

use std::path::PathBuf;

use qualm::keymap::{Key, Keymap};
use qualm::model;
use qualm::tui::app::App;
use qualm::tui::backend::LeanBackend;
use qualm::tui::theme::Theme;
use qualm::tui::view;
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

const W: u16 = 80;
const H: u16 = 24;

/// What a person sees in one cell. A blank cell on the default background,
/// neither reversed nor underlined, looks the same whatever its other
/// attributes, so those are not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Look {
    Blank,
    Ink {
        text: String,
        fg: vt100::Color,
        bg: vt100::Color,
        bold: bool,
        dim: bool,
        italic: bool,
        underline: bool,
        inverse: bool,
    },
}

fn vt_color(color: Color) -> vt100::Color {
    let named = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match color {
        Color::Reset => vt100::Color::Default,
        Color::Indexed(i) => vt100::Color::Idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        named_color => {
            vt100::Color::Idx(named.iter().position(|&c| c == named_color).unwrap() as u8)
        }
    }
}

fn expected_look(cell: &Cell) -> Look {
    let m = cell.modifier;
    let text = cell.symbol().trim_end().to_string();
    let shows_blank = !m.intersects(Modifier::REVERSED | Modifier::UNDERLINED);
    if text.is_empty() && cell.bg == Color::Reset && shows_blank {
        return Look::Blank;
    }
    Look::Ink {
        text,
        fg: vt_color(cell.fg),
        bg: vt_color(cell.bg),
        // A terminal keeps one intensity; the theme never asks for both.
        bold: m.contains(Modifier::BOLD),
        dim: m.contains(Modifier::DIM),
        italic: m.contains(Modifier::ITALIC),
        underline: m.contains(Modifier::UNDERLINED),
        inverse: m.contains(Modifier::REVERSED),
    }
}

fn shown_look(cell: &vt100::Cell) -> Look {
    let text = cell.contents().trim_end().to_string();
    if text.is_empty()
        && cell.bgcolor() == vt100::Color::Default
        && !cell.inverse()
        && !cell.underline()
    {
        return Look::Blank;
    }
    Look::Ink {
        text,
        fg: cell.fgcolor(),
        bg: cell.bgcolor(),
        bold: cell.bold(),
        dim: cell.dim(),
        italic: cell.italic(),
        underline: cell.underline(),
        inverse: cell.inverse(),
    }
}

/// The cells of `buffer` and of the terminal that differ, as
/// "row,col: expected vs shown" lines.
fn differences(buffer: &Buffer, screen: &vt100::Screen) -> Vec<String> {
    let mut out = Vec::new();
    for y in 0..buffer.area.height {
        let mut x = 0;
        while x < buffer.area.width {
            let cell = &buffer[(x, y)];
            let expected = expected_look(cell);
            let shown = screen.cell(y, x).map(shown_look);
            if shown.as_ref() != Some(&expected) {
                out.push(format!("{y},{x}: {expected:?} vs {shown:?}"));
            }
            x += cell.symbol().width().max(1) as u16;
        }
    }
    out
}

/// A workbench drawn through the lean backend into a vt100 terminal.
struct Replay {
    app: App,
    terminal: Terminal<LeanBackend<Vec<u8>>>,
    screen: vt100::Parser,
    frames: usize,
    scrolls: usize,
    /// Runs of blanks erased (ECH).
    erased_runs: usize,
}

impl Replay {
    fn start() -> Replay {
        let corpus = model::load(&[PathBuf::from("policies")]);
        let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
        app.resize(W, H);
        let terminal = Terminal::new(LeanBackend::with_size(Vec::new(), W, H)).unwrap();
        let mut replay = Replay {
            app,
            terminal,
            screen: vt100::Parser::new(H, W, 0),
            frames: 0,
            scrolls: 0,
            erased_runs: 0,
        };
        replay.draw("the first frame");
        replay
    }

    fn press(&mut self, key: &str) {
        self.app.press(Key::parse(key).unwrap());
        self.draw(key);
    }

    /// Draws a frame and checks the terminal shows exactly that frame.
    fn draw(&mut self, after: &str) {
        let app = &self.app;
        let frame = self.terminal.draw(|f| view::render(f, app)).unwrap();
        let buffer = frame.buffer.clone();
        let written = std::mem::take(self.terminal.backend_mut().writer_mut());
        self.scrolls += written.windows(3).filter(|w| w == b"\x1b[r").count();
        let text = String::from_utf8_lossy(&written);
        for sequence in text.split('\x1b').skip(1) {
            let Some(rest) = sequence.strip_prefix('[') else {
                continue;
            };
            let code = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            if code.starts_with('X') {
                self.erased_runs += 1;
            }
        }
        self.screen.process(&written);
        let wrong = differences(&buffer, self.screen.screen());
        assert!(
            wrong.is_empty(),
            "after `{after}` (frame {}), {} cells differ:\n{}",
            self.frames,
            wrong.len(),
            wrong[..wrong.len().min(20)].join("\n")
        );
        self.frames += 1;
    }
}

#[test]
fn every_frame_reaches_the_terminal_exactly() {
    let mut replay = Replay::start();
    let mut keys: Vec<&str> = vec!["j", "z", "R"];
    keys.extend(std::iter::repeat_n("j", 70));
    keys.extend(["r"]);
    keys.extend(std::iter::repeat_n("<C-d>", 12));
    keys.extend(std::iter::repeat_n("<C-u>", 5));
    keys.extend(["<Esc>", "G"]);
    keys.extend(std::iter::repeat_n("k", 30));
    keys.extend([
        "A", "<Esc>", "<Tab>", "j", "j", "<Enter>", "M", "j", "j", "<Esc>",
    ]);
    for key in keys {
        replay.press(key);
    }
    assert!(replay.frames > 100);
    assert!(
        replay.scrolls > 3,
        "the walk scrolled the terminal only {} times",
        replay.scrolls
    );
    assert!(replay.erased_runs > 100, "the walk erased runs of blanks");
}

#[test]
fn a_walk_through_the_whole_tree_reaches_the_terminal_exactly() {
    let mut replay = Replay::start();
    replay.press("z");
    replay.press("R");
    let nodes = replay.app.browse().visible.len();
    for _ in 1..nodes {
        replay.press("j");
    }
    assert_eq!(
        replay.app.browse().selected,
        nodes - 1,
        "the walk reached the end"
    );
    for _ in 1..nodes {
        replay.press("k");
    }
    assert_eq!(
        replay.app.browse().selected,
        0,
        "the walk came back to the top"
    );
    assert!(replay.erased_runs > 1000, "the walk erased runs of blanks");
    assert!(replay.scrolls > 1000, "the tree scrolled a row at a time");
}
