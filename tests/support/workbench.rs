//! Shared by the TUI tests: open the workbench on a folder, select a node,
//! press keys as keymap.toml names them, type text, and draw a frame on a
//! TestBackend.
#![allow(dead_code)]

use std::path::Path;

use qualm::keymap::{Key, Keymap};
use qualm::model;
use qualm::tui::app::App;
use qualm::tui::theme::Theme;
use qualm::tui::tree::NodeKind;
use qualm::tui::view;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// The workbench on a folder, with or without colour.
pub fn open(folder: &Path, color: bool) -> App {
    let corpus = model::load(&[folder.to_path_buf()]);
    App::new(corpus, Keymap::defaults(), Theme::new(color))
}

/// Selects the first node of policy `policy` (an id) whose kind `kind`
/// accepts, as the cursor would.
pub fn select(app: &mut App, policy: &str, kind: impl Fn(&model::Policy, &NodeKind) -> bool) {
    let pi = app
        .shared
        .corpus
        .policies
        .iter()
        .position(|p| p.policy.id == policy)
        .unwrap_or_else(|| panic!("no policy {policy}"));
    let node = (0..app.shared.tree.nodes.len())
        .find(|&n| {
            app.shared.tree.nodes[n].policy == pi
                && kind(
                    &app.shared.corpus.policies[pi].policy,
                    &app.shared.tree.nodes[n].kind,
                )
        })
        .unwrap_or_else(|| panic!("no such node in {policy}"));
    app.select_node(node);
}

/// One frame at `width` x `height` (the app is told the size first, as a
/// terminal resize would).
pub fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::render(f, app)).unwrap();
    terminal
}

/// Presses keys written as in keymap.toml, separated by spaces: `g g <C-d>`.
pub fn press(app: &mut App, keys: &str) {
    for spec in keys.split_whitespace() {
        app.press(Key::parse(spec).unwrap());
    }
}

/// Types text one key per character.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let spec = if c == ' ' {
            "<Space>".to_string()
        } else {
            c.to_string()
        };
        press(app, &spec);
    }
}

/// A scratch copy of the shipped policies with `review` as quali-2024's
/// review file.
pub fn policies_with_review(review: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dir.path().join("quali-2024.review.yaml"), review).unwrap();
    dir
}

/// quali-2024's review file in `dir`, as it is on disk now.
pub fn review_of_quali(dir: &Path) -> qualm::review::ReviewFile {
    let path = dir.join("quali-2024.review.yaml");
    qualm::review::ReviewFile::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}
