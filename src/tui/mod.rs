//! The interactive workbench: a tree of policies, contexts, sections and
//! clauses beside the detail of the selection, a reader, help from the live
//! keymap. Input becomes actions; the view on top of the stack turns an
//! action into changes of its own state and effects, which the app
//! carries out in one place (`app`); views draw from state (`view`).

pub mod action;
pub mod app;
pub mod backend;
pub mod browse;
pub mod card;
pub mod clipboard;
pub mod compare;
pub mod component;
pub mod effect;
pub mod findings;
pub mod goto;
pub mod modelling;
pub mod notes;
pub mod palette;
pub mod popups;
pub mod reader;
pub mod state;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod tree;
pub mod view;
pub mod widgets;

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
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

/// How long the first frame waits for a folder to finish loading: a small
/// folder then opens whole, a large one opens at once and fills in.
const FIRST_FRAME_WAIT: Duration = Duration::from_millis(30);

/// Runs the workbench until the analyst quits or the terminal goes away.
pub fn run(corpus: Corpus, keymap: Keymap, theme: Theme) -> io::Result<()> {
    run_loading(corpus, None, keymap, theme)
}

/// [`run`] on a folder still loading: the workbench opens at once, and the
/// policies join the tree as the `loader` hands them over.
pub fn run_loading(
    corpus: Corpus,
    loader: Option<crate::model::load::Loader>,
    keymap: Keymap,
    theme: Theme,
) -> io::Result<()> {
    let stop = terminal::stop_flag()?;
    terminal::install_panic_hook();
    terminal::enter()?;
    let mut app = App::new(corpus, keymap, theme);
    let state_file = match &loader {
        Some(loader) => state::path_for_files(loader.files()),
        None => state::path_for(&app.shared),
    };
    match loader {
        Some(loader) => {
            let saved = state_file.as_deref().and_then(state::read);
            if let Some(saved) = &saved {
                state::apply_at_start(&mut app, saved);
            }
            app.loading = Some(app::Loading::new(loader, saved));
            app.wait_for_loading(FIRST_FRAME_WAIT);
        }
        None => {
            if let Some(path) = &state_file {
                state::restore_from(&mut app, path);
            }
        }
    }
    let draft: SharedDraft = Arc::new(Mutex::new(None));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = terminal::watchdog(Arc::clone(&stop), Arc::clone(&done), Arc::clone(&draft));
    let result = event_loop(&mut app, &stop, &draft);
    // A hang-up or kill while a note is being written keeps it as a draft;
    // taking it from the shared slot means the watchdog cannot save it too.
    let pending = draft.lock().map(|mut d| d.take()).unwrap_or(None);
    if let Some(pending) = pending {
        // To the lock-free draft file first: the watchdog may end the
        // process while a held lock is awaited.
        pending.save();
    }
    done.store(true, Ordering::SeqCst);
    watchdog.thread().unpark();
    let _ = watchdog.join();
    terminal::restore();
    // A form open when the session ended other than by the analyst
    // quitting (a signal, the terminal gone) is kept: a flow as a
    // suggested flow to confirm, a context as named.
    if !app.quit {
        app.keep_open_form();
    }
    // Model edits already asked for are saved before the process ends:
    // an edit the status line called saved-soon must not vanish on quit.
    // (Said with `writeln!`, not `eprintln!`, which panics when the
    // terminal is gone, as it is after a dropped connection.)
    if app.modelling.busy() {
        let _ = writeln!(
            io::stderr(),
            "qualm: saving the model edits still under way…"
        );
        if !app.wait_model(Duration::from_secs(30)) {
            let _ = writeln!(
                io::stderr(),
                "qualm: a model edit could not be saved within 30 s (another qualm holds the model lock); it is NOT saved"
            );
        }
    }
    // Where the analyst was, for the next time this folder opens; a state
    // directory that cannot be written only loses that convenience.
    if let Some(path) = &state_file {
        let _ = match app.loading.as_ref() {
            // Quit before the folder was in: keep what was saved for the
            // policies this session never saw.
            Some(loading) => match &loading.restore {
                Some(earlier) => {
                    state::save_partial(&app, path, earlier, !loading.touched && !loading.restored)
                }
                None => state::save_to(&app, path),
            },
            None => state::save_to(&app, path),
        };
    }
    result
}

/// The draft the watchdog would save if the event loop cannot.
pub type SharedDraft = Arc<Mutex<Option<notes::Draft>>>;

fn event_loop(app: &mut App, stop: &AtomicBool, draft: &SharedDraft) -> io::Result<()> {
    let backend = backend::LeanBackend::new(BufWriter::with_capacity(1 << 16, io::stdout()));
    let mut term = Terminal::new(backend)?;
    let mut input = terminal::Input::new()?;
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
            queue!(term.backend_mut().writer_mut(), BeginSynchronizedUpdate)?;
            term.draw(|frame| view::render(frame, app))?;
            execute!(term.backend_mut().writer_mut(), EndSynchronizedUpdate)?;
            dirty = false;
        }
        if let Some(text) = app.clipboard.take() {
            // OSC 52: the terminal (even at the far end of SSH) sets its
            // clipboard; terminals that do not know it ignore it.
            let writer = term.backend_mut().writer_mut();
            write!(
                writer,
                "\x1b]52;c;{}\x07",
                clipboard::base64(text.as_bytes())
            )?;
            writer.flush()?;
        }
        if std::mem::take(&mut app.suspend) {
            terminal::restore();
            // Stops here until the shell's `fg`; SIGTSTP's default action.
            let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
            terminal::enter()?;
            term.clear()?;
            dirty = true;
            continue;
        }
        if app.external_edit {
            let text = external_editor(&app.editor_text());
            app.finish_external_edit(text);
            term.clear()?;
            dirty = true;
        }
        if app.context_edit.is_some() {
            terminal::restore();
            app.run_context_edit(&mut crate::model::context_edit::run_editor);
            let _ = terminal::enter();
            term.clear()?;
            dirty = true;
        }
        dirty |= app.collect_background();
        let tick = if app.busy() { BUSY_TICK } else { TICK };
        match input.wait(tick)? {
            // A dropped connection: leave as on SIGHUP (the draft is kept
            // by `run`), before crossterm spins on the dead terminal.
            terminal::Wait::Gone => return Ok(()),
            // The loop's top sees the stop flag.
            terminal::Wait::Signal | terminal::Wait::Timeout => continue,
            terminal::Wait::Ready => {}
        }
        if !event::poll(Duration::ZERO)? {
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
                Event::Paste(text) => dirty |= app.type_text(&text),
                _ => {}
            }
            if app.quit || terminal::stopped(stop) || !event::poll(Duration::ZERO)? {
                break;
            }
        }
        if let Ok(mut slot) = draft.lock() {
            *slot = app.draft();
        }
    }
}

/// Runs `$VISUAL`, `$EDITOR` or `vi` on the text in a temp file, with the
/// terminal handed over meanwhile; returns the new text, or None if the
/// editor failed (the text in the popup is then kept as it was).
fn external_editor(text: &str) -> Option<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| String::from("vi"));
    let path = crate::review::author::private_temp_file("qualm-note-", ".md", text).ok()?;
    terminal::restore();
    // The editor command may carry arguments (`code -w`), so a shell runs it.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let _ = terminal::enter();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).ok(),
        _ => None,
    };
    let _ = std::fs::remove_file(&path);
    result
}
