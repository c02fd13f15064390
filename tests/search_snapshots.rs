//! The search palette at 80x24: grouped hits with matched characters
//! emphasised (also under NO_COLOR), typing that never fires global keys,
//! Enter jumping to the hit, and `n`/`N` stepping through the hits after.

#[path = "support/workbench.rs"]
mod workbench;

use std::path::Path;
use std::time::Duration;

use qualm::keymap::View;
use qualm::tui::app::App;
use qualm::tui::tree::NodeKind;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use ratatui::Terminal;

use workbench::{draw, press};

fn app(color: bool) -> App {
    let mut app = workbench::open(Path::new("policies"), color);
    app.resize(80, 24);
    app
}

/// Types text into the palette, one key per character, then waits for the
/// worker's answer.
fn type_text(app: &mut App, text: &str) {
    workbench::type_text(app, text);
    assert!(
        app.shared.search.wait(Duration::from_secs(30)),
        "search answered"
    );
}

/// The text of cells drawn with bold underline, in reading order.
fn emphasised(terminal: &Terminal<TestBackend>) -> String {
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| c.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED))
        .map(|c| c.symbol())
        .collect()
}

#[test]
fn palette_groups_hits_and_marks_the_matched_characters() {
    let mut app = app(true);
    press(&mut app, "/");
    assert_eq!(app.view(), View::Palette);
    type_text(&mut app, "salesforce");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("palette_salesforce_80x24", terminal.backend());
    let marked = emphasised(&terminal).to_lowercase();
    assert!(marked.contains("salesforcesalesforce"), "{marked}");
}

#[test]
fn palette_without_colour_still_marks_matches_and_selection() {
    let mut app = app(false);
    press(&mut app, "/");
    type_text(&mut app, "goteborg");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("palette_no_color_80x24", terminal.backend());
    assert!(emphasised(&terminal).contains("Göteborg"));
    let buffer = terminal.backend().buffer();
    let colored = buffer
        .content()
        .iter()
        .any(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
    assert!(!colored, "NO_COLOR draws no colour at all");
    assert!(buffer
        .content()
        .iter()
        .any(|c| c.modifier.contains(Modifier::REVERSED) && c.symbol() == ">"));
}

#[test]
fn typing_never_fires_global_keys() {
    let mut app = app(true);
    press(&mut app, "/");
    type_text(&mut app, "q?rE");
    assert!(!app.quit);
    assert_eq!(
        app.top_as::<qualm::tui::palette::PaletteView>()
            .unwrap()
            .query,
        "q?rE"
    );
    press(&mut app, "<BS> <BS>");
    assert_eq!(
        app.top_as::<qualm::tui::palette::PaletteView>()
            .unwrap()
            .query,
        "q?"
    );
    press(&mut app, "<C-u>");
    assert_eq!(
        app.top_as::<qualm::tui::palette::PaletteView>()
            .unwrap()
            .query,
        ""
    );
    press(&mut app, "<Esc>");
    assert_eq!(app.view(), View::Tree);
}

#[test]
fn enter_jumps_to_the_hit_and_n_steps_through_the_rest() {
    let mut app = app(true);
    press(&mut app, "/");
    type_text(&mut app, "salesforce zoom");
    let first = app.shared.search.hits()[0].clone();
    press(&mut app, "<Enter>");
    assert_eq!(app.view(), View::Tree);
    let node = &app.shared.tree.nodes[app.selected_node().unwrap()];
    let policy = &app.shared.corpus.policies[node.policy].policy;
    assert_eq!(policy.id, first.policy);
    match &node.kind {
        NodeKind::Clause(si, ci) => assert_eq!(policy.sections[*si].clauses[*ci].id, first.id),
        other => panic!("expected the clause {}, got {other:?}", first.id),
    }

    // A recipient label jumps to the context whose flows use it.
    let mut app = self::app(true);
    press(&mut app, "/");
    type_text(&mut app, "salesforce");
    let hits = app.shared.search.hits();
    let recipient = hits
        .iter()
        .position(|h| h.kind == qualm::search::Kind::Recipient && h.policy == "quali-2024")
        .expect("the Quali recipient label is a hit");
    // The ids the query matches (the recipient's card) are listed first.
    let ids = app
        .top_as::<qualm::tui::palette::PaletteView>()
        .unwrap()
        .id_hits(&app.shared)
        .len();
    assert_eq!(ids, 1);
    for _ in 0..ids + recipient {
        press(&mut app, "<Down>");
    }
    press(&mut app, "<Enter>");
    let node = &app.shared.tree.nodes[app.selected_node().unwrap()];
    assert!(matches!(&node.kind, NodeKind::Context(path)
        if app.shared.corpus.policies[node.policy].policy.context_at(path).id == "demo"));

    // n and N walk the same hits, wrapping.
    press(&mut app, "n");
    assert!(app.status.as_deref().unwrap().starts_with(&format!(
        "hit {} of {}",
        recipient + 2,
        hits.len()
    )));
    press(&mut app, "N N");
    assert!(app
        .status
        .as_deref()
        .unwrap()
        .starts_with(&format!("hit {} of", recipient)));
}
