//! The compare views drawn on ratatui's TestBackend at 80x24 and 160x48:
//! topic columns (stacked when narrow), two versions aligned, the matrix
//! and a cell's evidence, and the picker. Also: the alignment runs in the
//! background and the view says "aligning…" until it is in.

#[path = "support/workbench.rs"]
mod workbench;

use std::path::Path;
use std::time::{Duration, Instant};

use qualm::tui::action::Action;
use qualm::tui::app::App;
use qualm::tui::browse::Browse;
use qualm::tui::compare::{CompareState, Mode, Side};
use qualm::tui::popups::HelpView;
use qualm::tui::tree::NodeKind;

use workbench::{draw, press};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn app() -> App {
    workbench::open(Path::new("policies"), true)
}

/// Waits for the background alignment, as the event loop would.
fn settle(app: &mut App) {
    let start = Instant::now();
    while app.busy() {
        app.collect_background();
        assert!(start.elapsed() < Duration::from_secs(10), "alignment hangs");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn select_policy(app: &mut App, id: &str) {
    workbench::select(app, id, |_, kind| *kind == NodeKind::Policy);
}

/// Opens the version view on two named policies, as marking both in the
/// picker would: the shipped Qualys texts do not supersede one another.
fn show_versions(app: &mut App, left: &str, right: &str) {
    let index = |id: &str| {
        app.shared
            .corpus
            .policies
            .iter()
            .position(|p| p.policy.id == id)
            .unwrap()
    };
    let (l, r) = (index(left), index(right));
    let view = CompareState::versions(&app.shared, l, r);
    app.run_effects(vec![qualm::tui::effect::Effect::Push(Box::new(view))]);
}

fn snapshot_all(name: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = app();
        app.resize(w, h);
        setup(&mut app);
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn topic_retention_across_policies() {
    snapshot_all("topic_retention", |app| press(app, "C"));
}

#[test]
fn topic_recipient_term_after_the_picker() {
    snapshot_all("topic_salesforce", |app| {
        press(app, "C t");
        let picker = &app.find::<CompareState>().unwrap().picker.as_ref().unwrap();
        let at = picker
            .items
            .iter()
            .position(|i| i.key == "recipient:salesforce")
            .unwrap();
        let from = picker.selected;
        for _ in from..at {
            press(app, "j");
        }
        press(app, "<Enter>");
    });
}

#[test]
fn topic_picker() {
    snapshot_all("topic_picker", |app| press(app, "C t"));
}

#[test]
fn versions_qualys() {
    snapshot_all("versions_qualys", |app| {
        select_policy(app, "qualys-2020");
        show_versions(app, "qualys-2015", "qualys-2020");
        settle(app);
        // Down to the contact pair.
        for _ in 0..200 {
            let Some(Mode::Versions(v)) = app.find::<CompareState>().map(|c| &c.mode) else {
                panic!()
            };
            let (a, _) = &**v.result.as_ref().unwrap();
            if a.left_id(&a.pairs[v.selected]) == Some("contact.1") {
                break;
            }
            press(app, "j");
        }
    });
}

#[test]
fn versions_practices() {
    snapshot_all("versions_practices", |app| {
        select_policy(app, "qualys-2015");
        show_versions(app, "qualys-2015", "qualys-2020");
        settle(app);
        press(app, "<Tab>");
    });
}

#[test]
fn matrix_recipients_and_evidence() {
    snapshot_all("matrix_recipients", |app| press(app, "M b"));
    snapshot_all("matrix_evidence", |app| {
        press(app, "M b");
        let Some(Mode::Matrix(m)) = app.find::<CompareState>().map(|c| &c.mode) else {
            panic!()
        };
        let row = m
            .matrix
            .rows
            .iter()
            .position(|r| r.term == "salesforce")
            .unwrap();
        for _ in 0..row {
            press(app, "j");
        }
        press(app, "l <Enter>");
    });
}

#[test]
fn alignment_does_not_block_input_and_says_so() {
    let mut app = app();
    app.resize(80, 24);
    select_policy(&mut app, "qualys-2020");
    show_versions(&mut app, "qualys-2015", "qualys-2020");
    // Straight after opening, before the result is collected.
    let terminal = draw(&mut app, 80, 24);
    let screen = format!("{:?}", terminal.backend());
    let aligned = app
        .find::<CompareState>()
        .is_some_and(|c| matches!(&c.mode, Mode::Versions(v) if v.result.is_some()));
    assert!(
        !aligned,
        "the result arrives only through collect_background"
    );
    assert!(screen.contains("aligning…"), "{screen}");
    // Keys still work while it runs.
    press(&mut app, "?");
    assert!(app.top_as::<HelpView>().is_some());
    app.apply(Action::Back);
    settle(&mut app);
    let Some(Mode::Versions(v)) = app.find::<CompareState>().map(|c| &c.mode) else {
        panic!()
    };
    assert!(v.result.is_some());
}

#[test]
fn the_clause_under_the_cursor_is_what_a_note_would_target() {
    let mut app = app();
    app.resize(80, 24);
    select_policy(&mut app, "qualys-2020");
    show_versions(&mut app, "qualys-2015", "qualys-2020");
    settle(&mut app);
    let state = app.find::<CompareState>().unwrap();
    let (policy, id) = state.clause_under_cursor().unwrap();
    assert_eq!(app.shared.corpus.policies[policy].policy.id, "qualys-2020");
    assert_eq!(id, "notice.1");
    let Some(Mode::Versions(v)) = &app.find::<CompareState>().map(|c| &c.mode) else {
        panic!()
    };
    assert_eq!(v.side, Side::Right);
    // Enter shows it in the tree, over the compare view; `q` comes back.
    press(&mut app, "<Enter>");
    assert!(app.top_as::<Browse>().is_some());
    let node = app.selected_node().unwrap();
    assert_eq!(app.shared.tree.nodes[node].policy, policy);
    press(&mut app, "q");
    assert!(
        app.top_as::<CompareState>().is_some(),
        "back to the compare"
    );
}

#[test]
fn help_lists_the_compare_keys() {
    let mut app = app();
    app.resize(80, 24);
    press(&mut app, "M ?");
    let terminal = draw(&mut app, 80, 40);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("compare keys"), "{screen}");
    assert!(screen.contains("matrix by data / recipients"), "{screen}");
}

/// A small edit of a long policy: quali-2024 against a copy with one
/// clause reworded and one removed.
fn small_edit() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sources")).unwrap();
    let model = std::fs::read_to_string("policies/quali-2024.yaml").unwrap();
    std::fs::write(dir.path().join("quali-2024.yaml"), &model).unwrap();
    let edited = model
        .replace(
            "id: quali-2024\n",
            "id: quali-2025\n  supersedes: quali-2024\n",
        )
        .replace(
            "text: When you schedule a demo\n",
            "text: When you book a demo with our sales team\n",
        );
    assert_ne!(edited, model);
    std::fs::write(dir.path().join("quali-2025.yaml"), edited).unwrap();
    let mut app = workbench::open(dir.path(), true);
    app.resize(160, 48);
    show_versions(&mut app, "quali-2024", "quali-2025");
    settle(&mut app);
    (dir, app)
}

fn versions_view(app: &App) -> &qualm::tui::compare::VersionView {
    match &app.find::<CompareState>().unwrap().mode {
        Mode::Versions(v) => v,
        _ => panic!("not the versions view"),
    }
}

#[test]
fn versions_step_through_changes_hide_unchanged_and_head_each_section() {
    let (_dir, mut app) = small_edit();
    let screen = format!("{:?}", draw(&mut app, 160, 48).backend());
    assert!(screen.contains("§ "), "section headings:\n{screen}");
    // ]c goes straight to the one change, [c back to nothing before it.
    press(&mut app, "]");
    press(&mut app, "c");
    let v = versions_view(&app);
    let (a, _) = &**v.result.as_ref().unwrap();
    assert_eq!(a.pairs[v.selected].status, qualm::compare::Status::Reworded);
    assert_eq!(a.right_id(&a.pairs[v.selected]), Some("collect.demo"));
    // Only changes: the unchanged clauses go, the section headings stay,
    // and each says what its section holds.
    press(&mut app, "o");
    assert!(versions_view(&app).hide_unchanged);
    for (w, h) in SIZES {
        app.resize(w, h);
        let terminal = draw(&mut app, w, h);
        let text = format!("{:?}", terminal.backend());
        assert!(text.contains("1 reworded"), "{text}");
        assert!(text.contains("unchanged (hidden)"), "{text}");
        insta::assert_snapshot!(format!("versions_only_changes_{w}x{h}"), terminal.backend());
    }
    // The pair header is drawn whole in each pane at 160 columns.
    app.resize(160, 48);
    let text = format!("{:?}", draw(&mut app, 160, 48).backend());
    assert_eq!(
        text.matches("~ collect.demo → collect.demo · reworded")
            .count(),
        2,
        "{text}"
    );
}
