//! The workbench's views drawn on ratatui's TestBackend at 80x24 and
//! 120x40, compared with insta snapshots; and the NO_COLOR promise that the
//! selection stays visible without colour.

#[path = "support/workbench.rs"]
mod workbench;

use std::path::{Path, PathBuf};

use workbench::{draw, press, select};

use qualm::keymap::Keymap;
use qualm::model;
use qualm::tui::action::Action;
use qualm::tui::app::App;
use qualm::tui::theme::Theme;
use qualm::tui::tree::NodeKind;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn app(color: bool) -> App {
    workbench::open(Path::new("policies"), color)
}

/// Selects the first context of `policy` whose name contains `name`.
fn select_context(app: &mut App, policy: &str, name: &str) {
    select(
        app,
        policy,
        |p, k| matches!(k, NodeKind::Context(path) if p.context_at(path).name.contains(name)),
    );
}

fn snapshot_all(name: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = app(true);
        setup(&mut app);
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn policy_list() {
    snapshot_all("policy_list", |_| {});
}

#[test]
fn policy_overview() {
    snapshot_all("policy_overview", |app| press(app, "j j j <Enter>"));
}

#[test]
fn context_card_with_salesforce() {
    snapshot_all("context_card", |app| {
        select_context(app, "quali-2024", "schedule a demo");
        app.apply(Action::NextPane);
    });
}

#[test]
fn clause_after_following_evidence() {
    snapshot_all("clause", |app| {
        select_context(app, "quali-2024", "schedule a demo");
        app.apply(Action::NextPane);
        press(app, "j <Enter>");
    });
}

/// A section lists its clauses by id (the tree shows their first words)
/// and says how many of them some context cites.
#[test]
fn section_card() {
    snapshot_all("section", |app| {
        select(
            app,
            "qualer-2020",
            |p, k| matches!(k, NodeKind::Section(si) if p.sections[*si].id == "use"),
        );
    });
}

#[test]
fn reader() {
    snapshot_all("reader", |app| {
        select_context(app, "quali-2024", "schedule a demo");
        app.apply(Action::ToggleReader);
    });
}

#[test]
fn help() {
    snapshot_all("help", |app| press(app, "?"));
}

#[test]
fn errors_panel() {
    for (w, h) in SIZES {
        let corpus = model::load(&[
            PathBuf::from("policies"),
            PathBuf::from("tests/invalid_models/dangling-evidence.yaml"),
            PathBuf::from("tests/invalid_models/wrong-id.yaml"),
        ]);
        let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
        let before = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("errors_status_{w}x{h}"), before.backend());
        app.apply(Action::ShowErrors);
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("errors_panel_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn too_small() {
    let mut app = app(true);
    let terminal = draw(&mut app, 40, 10);
    insta::assert_snapshot!("too_small", terminal.backend());
}

#[test]
fn no_color_keeps_the_selection_visible() {
    for (w, h) in SIZES {
        let mut app = app(false);
        press(&mut app, "j");
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("no_color_{w}x{h}"), terminal.backend());
        let buffer = terminal.backend().buffer();
        // Row 2 (inside the border) is the second policy: selected.
        let cell = &buffer[(2, 2)];
        assert!(
            cell.modifier.contains(Modifier::REVERSED),
            "selection is reversed"
        );
        assert_eq!(
            buffer[(1, 2)].symbol(),
            ">",
            "selection is marked with a symbol"
        );
        let colored = buffer
            .content()
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
        assert!(!colored, "NO_COLOR draws no colour at all");
    }
}

/// The detail pane's text, its rows trimmed and joined by spaces so a
/// wrapped sentence reads whole.
fn detail_text(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    let buffer = terminal.backend().buffer();
    (1..height - 2)
        .filter_map(|y| {
            let row: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
            let (_, detail) = row.split_once("││")?;
            Some(detail.trim_end_matches('│').trim().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A flow the policy says does not happen says so in full (which action it
/// denies, how far), also on the narrow card of an 80-column terminal,
/// where it once was cut off.
#[test]
fn a_negative_flow_is_announced_in_full() {
    for (w, h) in SIZES {
        let mut app = app(true);
        select_context(&mut app, "qualys-2020", "No sale of personal information");
        let text = detail_text(&mut app, w, h);
        // What is denied (a sale, not a disclosure) and how far.
        assert!(
            text.contains("Flow 1 of 2 · sell ✗ NOT SOLD · policy-wide")
                || text.contains("Flow 1 of 2 · sell  ✗ NOT SOLD · policy-wide"),
            "at {w}x{h}: {text}"
        );
    }
}

/// The tree pane's rows at 80x24 as drawn, without the border and the
/// cursor column; and the row the cursor marks.
fn tree_pane(app: &mut App) -> (Vec<String>, usize) {
    let terminal = draw(app, 80, 24);
    let buffer = terminal.backend().buffer();
    let rows: Vec<String> = (1..22)
        .map(|y| (2..39).map(|x| buffer[(x, y)].symbol()).collect())
        .collect();
    let cursor = (1..22)
        .position(|y| buffer[(1, y)].symbol() == ">")
        .expect("a row is marked");
    (rows, cursor)
}

#[test]
fn a_step_past_the_bottom_scrolls_the_tree_by_that_row() {
    let mut app = app(true);
    press(&mut app, "z R");
    press(&mut app, &"j ".repeat(20));
    let (mut before, cursor) = tree_pane(&mut app);
    assert_eq!(cursor, 20, "the cursor walked to the bottom row");
    for _ in 0..3 {
        press(&mut app, "j");
        let (after, cursor) = tree_pane(&mut app);
        assert_eq!(cursor, 20, "the cursor stays on the bottom row");
        assert_eq!(after[..20], before[1..], "the rows moved up by one");
        before = after;
    }
}

#[test]
fn a_page_or_a_jump_past_the_edge_puts_the_selection_mid_pane() {
    let mut app = app(true);
    press(&mut app, "z R");
    press(&mut app, &"j ".repeat(20));
    press(&mut app, "<C-d>");
    let (_, cursor) = tree_pane(&mut app);
    assert_eq!(cursor, 10, "after a page the selection is mid-pane");
    let target = app.browse().visible[200];
    app.jump_to_node(target);
    let (_, cursor) = tree_pane(&mut app);
    assert_eq!(cursor, 10, "after a jump the selection is mid-pane");
}
