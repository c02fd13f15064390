//! The interactive workbench: a tree of policies, contexts, sections and
//! clauses beside the detail of the selection, a reader, help from the live
//! keymap. Input becomes actions (`app`), actions change state in one
//! place, views draw from state (`view`).

pub mod action;
pub mod app;
pub mod palette;
pub mod reader;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod tree;
pub mod view;

use std::io::{self, BufWriter};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::keymap::{Key, Keymap};
use crate::model::Corpus;
use app::App;
use theme::Theme;

/// How long the loop sleeps waiting for input before it looks at signals.
const TICK: Duration = Duration::from_millis(200);
/// How often it looks for background results (search, alignment) while
/// some are due: often enough that they appear within a frame.
const BUSY_TICK: Duration = Duration::from_millis(15);

/// Runs the workbench until the analyst quits or the terminal goes away.
pub fn run(corpus: Corpus, keymap: Keymap, theme: Theme) -> io::Result<()> {
    let stop = terminal::stop_flag()?;
    terminal::install_panic_hook();
    terminal::enter()?;
    let result = event_loop(App::new(corpus, keymap, theme), &stop);
    terminal::restore();
    result
}

fn event_loop(mut app: App, stop: &std::sync::atomic::AtomicBool) -> io::Result<()> {
    let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, io::stdout()));
    let mut term = Terminal::new(backend)?;
    let size = term.size()?;
    app.resize(size.width, size.height);
    let mut dirty = true;
    loop {
        if terminal::stopped(stop) || app.quit {
            return Ok(());
        }
        if dirty {
            if std::mem::take(&mut app.clear) {
                term.clear()?;
            }
            queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
            term.draw(|frame| view::render(frame, &app))?;
            execute!(term.backend_mut(), EndSynchronizedUpdate)?;
            dirty = false;
        }
        dirty |= app.collect_background();
        let tick = if app.busy() { BUSY_TICK } else { TICK };
        if !event::poll(tick)? {
            continue;
        }
        // Take every event already waiting before drawing again, so a burst
        // of keys over a slow link costs one frame.
        loop {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    dirty |= app.press(Key::from_event(&key));
                }
                Event::Resize(width, height) => {
                    app.resize(width, height);
                    dirty = true;
                }
                _ => {}
            }
            if app.quit || terminal::stopped(stop) || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
}
