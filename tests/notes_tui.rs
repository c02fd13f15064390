//! Annotating in the workbench: the editor popup, span highlights, the
//! notes view, and that what is typed reaches the review file at once.

#[path = "support/workbench.rs"]
mod workbench;

use std::path::Path;

use workbench::{draw, open, press, select, type_text};

use qualm::review::{ReviewFile, Status};
use qualm::tui::app::App;
use qualm::tui::compare::CompareState;
use qualm::tui::notes::NotesView;
use qualm::tui::tree::NodeKind;
use ratatui::style::{Color, Modifier};

fn notes_view(app: &App) -> &NotesView {
    app.find::<NotesView>().expect("the notes view is open")
}

const REVIEW: &str = "schema: 1
policy: quali-2024
notes:
- id: span01
  target:
    clause: collect.portals
    quote: create an account
    before: 'When you '
    after: ' and make use of, or inte'
  kind: vague-language
  severity: high
  status: open
  author: alice
  created: 2026-11-20T09:00:00Z
  updated: 2026-11-20T09:00:00Z
  body: Which account? Portal, university and community are different services.
- id: ctx002
  target:
    context: portals
    flow: 1
  kind: unnamed-recipients
  severity: medium
  status: open
  author: bob
  created: 2026-11-21T10:30:00Z
  updated: 2026-11-21T10:30:00Z
  body: The recipients of account data are not named.
  replies:
  - author: alice
    created: 2026-11-22T08:00:00Z
    body: Salesforce, per the table in section 1.
- id: gone03
  target:
    clause: collect.portals
    quote: a sentence that was removed from the policy
  kind: contradiction
  severity: low
  status: resolved
  author: carol
  created: 2026-11-22T11:00:00Z
  updated: 2026-11-22T11:00:00Z
  body: Detached on purpose.
";

/// A copy of the shipped policies with a review file on quali-2024.
fn folder(review: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    if let Some(review) = review {
        std::fs::write(dir.path().join("quali-2024.review.yaml"), review).unwrap();
    }
    dir
}

fn select_clause(app: &mut App, id: &str) {
    select(
        app,
        "quali-2024",
        |p, k| matches!(k, NodeKind::Clause(si, ci) if p.sections[*si].clauses[*ci].id == id),
    );
}

fn select_context(app: &mut App, id: &str) {
    select(
        app,
        "quali-2024",
        |p, k| matches!(k, NodeKind::Context(path) if p.context_at(path).id == id),
    );
}

fn review_on_disk(dir: &Path) -> ReviewFile {
    let path = dir.join("quali-2024.review.yaml");
    ReviewFile::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}

#[test]
fn a_clause_shows_its_annotated_span_and_notes() {
    let dir = folder(Some(REVIEW));
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = open(dir.path(), true);
        select_clause(&mut app, "collect.portals");
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("annotated_clause_{w}x{h}"), terminal.backend());
        // The quoted words are underlined in the high severity's red; the
        // words around them are not.
        let buffer = terminal.backend().buffer();
        let underlined: String = buffer
            .content
            .iter()
            .filter(|c| c.modifier.contains(Modifier::UNDERLINED) && c.fg == Color::Red)
            .map(|c| c.symbol())
            .collect();
        assert_eq!(underlined, "create an account", "{w}x{h}");
    }
}

#[test]
fn without_colour_severity_marks_are_letters() {
    let dir = folder(Some(REVIEW));
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.portals");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("annotated_clause_no_color_80x24", terminal.backend());
    let text = format!("{:?}", terminal.backend());
    assert!(text.contains("H collect.portals"), "{text}");
}

#[test]
fn the_notes_view_lists_filters_and_shows_the_selected_note() {
    let dir = folder(Some(REVIEW));
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = open(dir.path(), true);
        press(&mut app, "A j");
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("notes_view_{w}x{h}"), terminal.backend());
    }
    let mut app = open(dir.path(), true);
    press(&mut app, "A f s");
    assert_eq!(
        notes_view(&app).listed_notes(&app.shared).len(),
        2,
        "status filter: open"
    );
    press(&mut app, "f s");
    let listed: Vec<&str> = notes_view(&app)
        .listed_notes(&app.shared)
        .iter()
        .map(|(_, n)| n.id.as_str())
        .collect();
    assert_eq!(listed, ["gone03"], "status filter: resolved");
    let terminal = draw(&mut app, 80, 24);
    assert!(format!("{:?}", terminal.backend()).contains("Detached: the quoted text is no longer"));
    press(&mut app, "f f o");
    let listed: Vec<&str> = notes_view(&app)
        .listed_notes(&app.shared)
        .iter()
        .map(|(_, n)| n.id.as_str())
        .collect();
    assert_eq!(listed, ["span01", "ctx002", "gone03"], "most severe first");
}

#[test]
fn the_annotate_popup_saves_to_disk_at_once() {
    let dir = folder(None);
    let mut app = open(dir.path(), true);
    select_context(&mut app, "portals");
    press(&mut app, "a");
    type_text(&mut app, "Which CRM?");
    press(
        &mut app,
        // Tab follows the screen: about (the flow), kind, severity.
        "<Tab> <Right> <Tab> <Right> <Right> <Tab> <Right>",
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("annotate_popup_{w}x{h}"), terminal.backend());
    }
    press(&mut app, "<C-s>");
    let file = review_on_disk(dir.path());
    assert_eq!(file.notes.len(), 1);
    let note = &file.notes[0];
    assert_eq!(note.body, "Which CRM?");
    assert_eq!(note.kind, "unnamed-recipients");
    assert_eq!(note.severity.as_str(), "high");
    assert_eq!(note.target.key(), "flow:portals#1");
    // Reopened, the context is marked in the tree.
    let mut again = open(dir.path(), true);
    select_context(&mut again, "portals");
    let node = again.selected_node().unwrap();
    assert!(again.shared.marks.nodes.contains_key(&node));
}

#[test]
fn selecting_words_annotates_a_span() {
    let dir = folder(None);
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    press(&mut app, "v w w v w w a");
    type_text(&mut app, "Vague");
    press(&mut app, "<C-s>");
    let note = &review_on_disk(dir.path()).notes[0];
    assert_eq!(note.target.quote.as_deref(), Some("create an account"));
    assert_eq!(note.target.before.as_deref(), Some("When you "));
}

#[test]
fn delete_is_undone_and_a_hangup_keeps_the_draft() {
    let dir = folder(Some(REVIEW));
    let mut app = open(dir.path(), true);
    press(&mut app, "A d");
    assert_eq!(review_on_disk(dir.path()).notes.len(), 2);
    press(&mut app, "u");
    let ids: Vec<String> = review_on_disk(dir.path())
        .notes
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(ids, ["span01", "ctx002", "gone03"], "back in its place");
    // A note half written when the connection drops.
    press(&mut app, "<Esc>");
    select_context(&mut app, "portals");
    press(&mut app, "a");
    type_text(&mut app, "half a thought");
    app.save_draft();
    let file = review_on_disk(dir.path());
    let draft = file.notes.last().unwrap();
    assert_eq!(draft.status, Status::Draft);
    assert_eq!(draft.body, "half a thought");
}

#[test]
fn an_unparsable_review_file_is_kept_and_the_note_goes_to_recovery() {
    let dir = folder(Some("notes: [\n"));
    let mut app = open(dir.path(), true);
    assert!(
        app.status
            .as_deref()
            .unwrap_or("")
            .contains("quali-2024.review.yaml:2:1"),
        "{:?}",
        app.status
    );
    select_context(&mut app, "portals");
    press(&mut app, "a");
    type_text(&mut app, "kept");
    press(&mut app, "<C-s>");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("quali-2024.review.yaml")).unwrap(),
        "notes: [\n"
    );
    let recovery =
        std::fs::read_to_string(dir.path().join("quali-2024.review.recovery.yaml")).unwrap();
    assert!(recovery.contains("body: kept"), "{recovery}");
    assert!(
        app.status.as_deref().unwrap_or("").contains("recovery"),
        "{:?}",
        app.status
    );
}

#[test]
fn annotating_from_a_compare_view_notes_the_clause_under_the_cursor() {
    let dir = folder(None);
    let mut app = open(dir.path(), true);
    draw(&mut app, 120, 40);
    press(&mut app, "C");
    let (policy, clause) = app
        .find::<CompareState>()
        .and_then(|c| c.clause_under_cursor())
        .expect("the topic compare has a clause under the cursor");
    press(&mut app, "a");
    type_text(&mut app, "Compare");
    press(&mut app, "<C-s>");
    let id = &app.shared.corpus.policies[policy].policy.id;
    let path = dir.path().join(format!("{id}.review.yaml"));
    let file = ReviewFile::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(
        file.notes[0].target.clause.as_deref(),
        Some(clause.as_str())
    );
    assert!(app.find::<CompareState>().is_some(), "still comparing");
}

#[test]
fn the_reader_underlines_annotated_spans_too() {
    let dir = folder(Some(REVIEW));
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    press(&mut app, "r");
    let terminal = draw(&mut app, 80, 24);
    let underlined: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .filter(|c| c.modifier.contains(Modifier::UNDERLINED) && c.fg == Color::Red)
        .map(|c| c.symbol())
        .collect();
    assert_eq!(underlined, "create an account");
}

#[test]
fn a_note_added_in_the_session_is_found_by_search() {
    let dir = folder(None);
    let mut app = open(dir.path(), true);
    draw(&mut app, 80, 24);
    app.collect_background();
    select_context(&mut app, "portals");
    press(&mut app, "a");
    type_text(&mut app, "zebracorn");
    press(&mut app, "<C-s>");
    app.collect_background();
    press(&mut app, "/");
    type_text(&mut app, "zebracorn");
    assert!(app.shared.search.wait(std::time::Duration::from_secs(20)));
    let hits = app.shared.search.hits();
    assert!(
        hits.iter().any(|h| h.kind == qualm::search::Kind::Note),
        "{hits:?}"
    );
}
