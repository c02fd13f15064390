//! What a terminal shows is what qualm drew: frames written by the lean
//! backend (short colour codes, rewritten gaps, scrolled regions) are fed
//! to a terminal emulator (vt100) and compared, row by row, with ratatui's
//! own buffer, over a walk through the tree, the reader and the notes.

use std::path::PathBuf;

use qualm::keymap::{Key, Keymap};
use qualm::model;
use qualm::tui::app::App;
use qualm::tui::backend::LeanBackend;
use qualm::tui::theme::Theme;
use qualm::tui::view;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

const W: u16 = 80;
const H: u16 = 24;

fn rows(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..buffer.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row.trim_end().to_string()
        })
        .collect()
}

#[test]
fn every_frame_reaches_the_terminal_exactly() {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
    app.resize(W, H);
    let mut terminal = Terminal::new(LeanBackend::with_size(Vec::new(), W, H)).unwrap();
    let mut screen = vt100::Parser::new(H, W, 0);
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
    let mut frames = 0;
    let mut scrolls = 0;
    for key in keys {
        app.press(Key::parse(key).unwrap());
        let frame = terminal.draw(|f| view::render(f, &app)).unwrap();
        let expected = rows(frame.buffer);
        let written = std::mem::take(terminal.backend_mut().writer_mut());
        scrolls += written.windows(3).filter(|w| w == b"\x1b[r").count();
        screen.process(&written);
        let shown: Vec<String> = screen
            .screen()
            .rows(0, W)
            .map(|r| r.trim_end().to_string())
            .collect();
        assert_eq!(shown, expected, "after `{key}` (frame {frames})");
        frames += 1;
    }
    assert!(frames > 100);
    assert!(
        scrolls > 3,
        "the walk scrolled the terminal only {scrolls} times"
    );
}
