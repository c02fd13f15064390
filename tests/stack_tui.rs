//! The views on a stack, driven through keys on a TestBackend: `q` closes
//! views one by one, following a note pushes its target and `Ctrl-o` comes
//! back to the same row, the editor never loses text (`Esc` asks, a failed
//! save keeps it open), undo covers status and severity, `y` copies.

#[path = "support/workbench.rs"]
mod workbench;

use qualm::review::{ReviewFile, Severity, Status};
use qualm::tui::app::App;
use qualm::tui::browse::Browse;
use qualm::tui::notes::{Editor, NotesView};
use qualm::tui::popups::{Confirm, HelpView};
use qualm::tui::reader::Reader;
use qualm::tui::tree::NodeKind;
use workbench::{draw, open, press, select, type_text};

const REVIEW: &str = "schema: 1
policy: quali-2024
notes:
- id: ctx001
  target:
    context: portals
  kind: vague-language
  severity: medium
  status: open
  author: alice
  created: 2026-11-20T09:00:00Z
  updated: 2026-11-20T09:00:00Z
  body: Which portals?
- id: cls002
  target:
    clause: collect.demo
  kind: unnamed-recipients
  severity: low
  status: open
  author: bob
  created: 2026-11-21T10:30:00Z
  updated: 2026-11-21T10:30:00Z
  body: Who gets the demo data?
";

fn folder() -> tempfile::TempDir {
    workbench::policies_with_review(REVIEW)
}

fn review(dir: &std::path::Path) -> ReviewFile {
    workbench::review_of_quali(dir)
}

fn select_clause(app: &mut App, id: &str) {
    select(
        app,
        "quali-2024",
        |p, k| matches!(k, NodeKind::Clause(si, ci) if p.sections[*si].clauses[*ci].id == id),
    );
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    format!("{:?}", draw(app, w, h).backend())
}

#[test]
fn following_a_note_and_ctrl_o_come_back_to_the_same_row() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    draw(&mut app, 80, 24);
    press(&mut app, "A j");
    assert_eq!(app.find::<NotesView>().unwrap().selected, 1);
    press(&mut app, "<Enter>");
    let browse = app
        .top_as::<Browse>()
        .expect("the note's clause opens over the notes");
    let node = browse.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Clause(..)
    ));
    assert!(screen(&mut app, 80, 24).contains("collect.demo"));
    press(&mut app, "<C-o>");
    let notes = app.top_as::<NotesView>().expect("back on the notes view");
    assert_eq!(notes.selected, 1, "on the same row");
    // Forward again, to the clause.
    press(&mut app, "L");
    assert_eq!(app.top_as::<Browse>().unwrap().selected_node(), Some(node));
}

#[test]
fn q_closes_views_one_by_one_and_quits_on_the_last() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    draw(&mut app, 80, 24);
    press(&mut app, "A <Enter> r ?");
    assert!(app.top_as::<HelpView>().is_some());
    assert_eq!(app.stack.len(), 5);
    press(&mut app, "q");
    assert!(app.top_as::<Reader>().is_some(), "help closed");
    press(&mut app, "q");
    assert!(app.top_as::<Browse>().is_some(), "reader closed");
    press(&mut app, "q");
    assert!(
        app.top_as::<NotesView>().is_some(),
        "the followed clause closed"
    );
    press(&mut app, "q");
    assert_eq!(app.stack.len(), 1);
    assert!(!app.quit);
    press(&mut app, "q");
    assert!(app.quit, "q on the last view quits");
}

#[test]
fn esc_in_the_editor_with_text_asks_and_keeps_it_as_asked() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    press(&mut app, "a");
    type_text(&mut app, "Too vague");
    press(&mut app, "<Esc>");
    assert!(app.top_as::<Confirm>().is_some(), "Esc with text asks");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("editor_esc_asks_{w}x{h}"), terminal.backend());
    }
    // Keep editing: the text is still there.
    press(&mut app, "e");
    let editor = app.top_as::<Editor>().expect("still editing");
    assert_eq!(editor.text(), "Too vague");
    // Keep it as a draft.
    press(&mut app, "<Esc> d");
    assert!(app.top_as::<Browse>().is_some(), "the editor closed");
    let file = review(dir.path());
    let draft = file.notes.last().unwrap();
    assert_eq!(draft.status, Status::Draft);
    assert_eq!(draft.body, "Too vague");
    // Discard: nothing more on disk.
    press(&mut app, "a");
    type_text(&mut app, "Never mind");
    press(&mut app, "<Esc> x");
    assert!(app.top_as::<Browse>().is_some());
    assert_eq!(review(dir.path()).notes.len(), file.notes.len());
    // An empty editor closes at once.
    press(&mut app, "a <Esc>");
    assert!(app.top_as::<Browse>().is_some());
}

#[test]
fn a_failed_save_keeps_the_editor_open_with_its_text() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    // The lock file cannot be created: every save fails.
    std::fs::create_dir(dir.path().join("quali-2024.review.lock")).unwrap();
    press(&mut app, "a");
    type_text(&mut app, "Keep me");
    press(&mut app, "<C-s>");
    let editor = app.top_as::<Editor>().expect("the editor stays open");
    assert_eq!(editor.text(), "Keep me");
    assert!(
        app.status.as_deref().unwrap_or("").contains("NOT SAVED"),
        "{:?}",
        app.status
    );
    // Once the folder is writable again, the same popup saves.
    std::fs::remove_dir(dir.path().join("quali-2024.review.lock")).unwrap();
    press(&mut app, "<C-s>");
    assert!(app.top_as::<Browse>().is_some());
    assert_eq!(review(dir.path()).notes.last().unwrap().body, "Keep me");
}

#[test]
fn undo_covers_status_severity_and_edits() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "A");
    press(&mut app, "s");
    assert_eq!(review(dir.path()).notes[0].status, Status::Resolved);
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].status, Status::Open);
    // Status steps back too.
    press(&mut app, "S");
    assert_eq!(review(dir.path()).notes[0].status, Status::Dismissed);
    press(&mut app, "u");
    press(&mut app, "+");
    assert_eq!(review(dir.path()).notes[0].severity, Severity::High);
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].severity, Severity::Medium);
    // An edit of the text.
    press(&mut app, "e <End>");
    type_text(&mut app, " And which data?");
    press(&mut app, "<C-s>");
    assert_eq!(
        review(dir.path()).notes[0].body,
        "Which portals? And which data?"
    );
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].body, "Which portals?");
    press(&mut app, "u");
    assert_eq!(app.status.as_deref(), Some("nothing to undo"));
}

#[test]
fn ctrl_c_asks_while_a_note_is_written_and_quits_otherwise() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    press(&mut app, "a");
    type_text(&mut app, "Half a thought");
    press(&mut app, "<C-c>");
    assert!(app.top_as::<Confirm>().is_some());
    assert!(!app.quit);
    press(&mut app, "n");
    assert_eq!(app.top_as::<Editor>().unwrap().text(), "Half a thought");
    press(&mut app, "<C-c> d");
    assert!(app.quit);
    assert_eq!(
        review(dir.path()).notes.last().unwrap().status,
        Status::Draft
    );

    let mut app = open(dir.path(), true);
    press(&mut app, "A <C-c>");
    assert!(app.quit, "nothing to lose: Ctrl-c quits from any view");
}

#[test]
fn y_copies_the_clause_text_and_y_its_id() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.demo");
    press(&mut app, "y");
    let text = app.clipboard.take().expect("something to copy");
    assert!(text.starts_with("When you schedule a demo"), "{text}");
    assert_eq!(
        app.status.as_deref(),
        Some("copied the text of quali-2024 collect.demo")
    );
    press(&mut app, "Y");
    assert_eq!(app.clipboard.as_deref(), Some("quali-2024 collect.demo"));
}

#[test]
fn the_note_text_takes_readline_keys_and_undo() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.portals");
    press(&mut app, "a");
    type_text(&mut app, "which account then");
    press(&mut app, "<C-w>");
    assert_eq!(app.top_as::<Editor>().unwrap().text(), "which account ");
    press(&mut app, "<C-a>");
    type_text(&mut app, "W");
    press(&mut app, "<Del> <C-e>");
    type_text(&mut app, "?");
    assert_eq!(app.top_as::<Editor>().unwrap().text(), "Which account ?");
    press(&mut app, "<C-z>");
    assert_eq!(app.top_as::<Editor>().unwrap().text(), "Which account ");
    // Ctrl-e moved to the end of the line: $EDITOR is on Ctrl-x Ctrl-e.
    assert!(!app.external_edit);
    press(&mut app, "<C-x> <C-e>");
    assert!(app.external_edit);
}

#[test]
fn the_topic_picker_filters_as_you_type() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    draw(&mut app, 80, 24);
    press(&mut app, "C t /");
    type_text(&mut app, "slsfrc");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("picker_filtered_{w}x{h}"), terminal.backend());
    }
    press(&mut app, "<Enter> <Space> <Enter>");
    let screen = screen(&mut app, 120, 40);
    assert!(screen.contains("Salesforce"), "{screen}");
    let state = app
        .top_as::<qualm::tui::compare::CompareState>()
        .expect("comparing");
    let qualm::tui::compare::Mode::Topic(t) = &state.mode else {
        panic!("a topic compare")
    };
    assert_eq!(t.subject.key(), "recipient:salesforce");
}

#[test]
fn notes_and_help_filter_with_slash() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "A /");
    type_text(&mut app, "demo");
    press(&mut app, "<Enter>");
    let notes = app.find::<NotesView>().unwrap();
    let listed: Vec<&str> = notes
        .listed_notes(&app.shared)
        .iter()
        .map(|(_, n)| n.id.as_str())
        .collect();
    assert_eq!(listed, ["cls002"]);
    // Esc drops the filter first, then closes.
    press(&mut app, "<Esc>");
    assert_eq!(
        app.find::<NotesView>()
            .unwrap()
            .listed_notes(&app.shared)
            .len(),
        2
    );
    press(&mut app, "<Esc> ? /");
    type_text(&mut app, "jump");
    let screen = screen(&mut app, 80, 24);
    assert!(screen.contains("jump back"), "{screen}");
    assert!(!screen.contains("half page down"), "{screen}");
}

#[test]
fn colon_goes_to_an_id_with_completion() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, ":");
    type_text(&mut app, "collect.demo");
    // `:` matches on the id worker: wait for its answer.
    assert!(app.shared.search.wait(std::time::Duration::from_secs(30)));
    press(&mut app, "<Tab>");
    // `:` matches on the id worker: wait for its answer.
    assert!(app.shared.search.wait(std::time::Duration::from_secs(30)));
    let goto = app.top_as::<qualm::tui::goto::GotoView>().unwrap();
    assert_eq!(goto.filter.query, "clause quali-2024 collect.demo");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("goto_id_{w}x{h}"), terminal.backend());
    }
    press(&mut app, "<Enter>");
    assert_eq!(app.stack.len(), 1, "shown in the browse view, in place");
    let node = app.selected_node().unwrap();
    let n = &app.shared.tree.nodes[node];
    let policy = &app.shared.corpus.policies[n.policy].policy;
    let NodeKind::Clause(si, ci) = n.kind else {
        panic!("a clause")
    };
    assert_eq!(policy.sections[si].clauses[ci].id, "collect.demo");
    // A note too, by its id.
    press(&mut app, ":");
    type_text(&mut app, "ctx001");
    // `:` matches on the id worker: wait for its answer.
    assert!(app.shared.search.wait(std::time::Duration::from_secs(30)));
    press(&mut app, "<Enter>");
    assert!(app.status.is_none() || !app.status.as_deref().unwrap().contains("no id"));
    let node = app.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Context(_)
    ));
}

#[test]
fn after_a_chord_prefix_a_popup_lists_what_completes_it() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "z");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("which_key_{w}x{h}"), terminal.backend());
    }
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("expand all") && shown.contains("collapse all"),
        "{shown}"
    );
    press(&mut app, "<Esc> A f");
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("filter: severity") && shown.contains("filter: none"),
        "{shown}"
    );
    press(&mut app, "v");
    assert!(!screen_has_popup(&mut app), "the chord is done");
}

fn screen_has_popup(app: &mut App) -> bool {
    screen(app, 80, 24).contains(" f … ")
}

#[test]
fn the_tree_filters_to_matching_nodes_with_their_ancestors() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    let all = app.browse().visible.len();
    press(&mut app, "f");
    type_text(&mut app, "webinar");
    press(&mut app, "<Enter>");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("tree_filtered_{w}x{h}"), terminal.backend());
    }
    let shown = app.browse().visible.clone();
    assert!(
        shown.len() > 3 && shown.len() < 60,
        "{} of {all}",
        shown.len()
    );
    let node = app.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Context(_) | NodeKind::Clause(..)
    ));
    // Esc drops the filter and keeps the selection.
    press(&mut app, "<Esc>");
    assert_eq!(app.selected_node(), Some(node));
    // Every policy row is back, matching or not.
    let policies = app
        .browse()
        .visible
        .iter()
        .filter(|&&n| matches!(app.shared.tree.nodes[n].kind, NodeKind::Policy))
        .count();
    assert_eq!(policies, app.shared.corpus.policies.len());
    assert!(app.browse().visible.iter().any(|n| !shown.contains(n)));
}

#[test]
fn reopening_the_folder_restores_the_selection_filters_and_notes_view() {
    let dir = folder();
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("qualm/state.json");
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.demo");
    let node = app.selected_node().unwrap();
    press(&mut app, "A /");
    type_text(&mut app, "demo");
    press(&mut app, "<Enter>");
    qualm::tui::state::save_to(&app, &file).unwrap();

    let mut again = open(dir.path(), true);
    assert!(qualm::tui::state::restore_from(&mut again, &file));
    assert_eq!(again.selected_node(), Some(node));
    let notes = again.top_as::<NotesView>().expect("the notes view reopens");
    assert_eq!(notes.typed.query, "demo");
    assert_eq!(notes.listed_notes(&again.shared).len(), 1);
    // q closes the notes view onto the restored tree.
    press(&mut again, "q");
    assert_eq!(again.selected_node(), Some(node));

    // A broken file restores nothing and does not stop qualm.
    std::fs::write(&file, "{ not json").unwrap();
    let mut fresh = open(dir.path(), true);
    assert!(!qualm::tui::state::restore_from(&mut fresh, &file));
    assert_eq!(fresh.stack.len(), 1);
}

#[test]
fn at_80_columns_a_status_message_wins_over_key_hints() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    std::fs::create_dir(dir.path().join("quali-2024.review.lock")).unwrap();
    press(&mut app, "A s");
    let message = app.status.clone().unwrap();
    assert!(message.starts_with("NOT SAVED"), "{message}");
    let terminal = draw(&mut app, 80, 24);
    let last: String = (0..80)
        .map(|x| terminal.backend().buffer()[(x, 23)].symbol().to_string())
        .collect();
    let shown = last.trim_end();
    assert!(
        message.starts_with(shown.trim_end_matches('…')) && shown.len() > 40,
        "{shown}"
    );
    assert!(!shown.contains("? help"), "{shown}");
}

#[test]
fn the_recipient_card_says_what_salesforce_gets() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, ":");
    type_text(&mut app, "recipient salesforce");
    // `:` matches on the id worker: wait for its answer.
    assert!(app.shared.search.wait(std::time::Duration::from_secs(30)));
    press(&mut app, "<Enter>");
    let card = app
        .top_as::<qualm::tui::card::TermCard>()
        .expect("the card opens from :");
    assert_eq!(card.term, "salesforce");
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("recipient_card_{w}x{h}"), terminal.backend());
    }
    let shown = screen(&mut app, 120, 40);
    assert!(
        shown.contains("quali-2024") && shown.contains("Retention"),
        "{shown}"
    );
    // Evidence opens over the card; q comes back.
    press(&mut app, "<Enter>");
    let node = app
        .top_as::<Browse>()
        .expect("evidence")
        .selected_node()
        .unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Clause(..)
    ));
    press(&mut app, "q");
    assert!(app.top_as::<qualm::tui::card::TermCard>().is_some());
    // From the matrix by recipients, c opens the row's card.
    press(&mut app, "q M b c");
    assert!(app.top_as::<qualm::tui::card::TermCard>().is_some());
}

#[test]
fn the_findings_view_records_and_dismisses_and_opens_evidence() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "F");
    assert!(app.find::<qualm::tui::findings::FindingsView>().is_some());
    // High and above: the medium "older than 12 months" finding names
    // today's date, which a snapshot must not.
    for _ in 0..3 {
        press(&mut app, "f");
        press(&mut app, "v");
    }
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("findings_{w}x{h}"), terminal.backend());
    }
    // Down to Safe Harbor (qualys-2015's critical finding is listed first:
    // most severe first), record it, then dismiss the next one.
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("outdated-mechanism"), "{shown}");
    press(&mut app, "a");
    let qualys = dir.path().join("qualys-2015.review.yaml");
    let text = std::fs::read_to_string(&qualys).unwrap();
    assert!(text.contains("rule: outdated-mechanism"), "{text}");
    assert!(text.contains("fingerprint: qualm/v1:"));
    press(&mut app, "a");
    assert_eq!(
        std::fs::read_to_string(&qualys).unwrap(),
        text,
        "recording twice adds nothing"
    );
    press(&mut app, "d");
    let text = std::fs::read_to_string(&qualys).unwrap();
    assert!(text.contains("status: dismissed"), "{text}");
    assert!(screen(&mut app, 120, 40).contains("[dismissed]"));
    // Enter opens the clause the finding rests on, over the view.
    press(&mut app, "<Enter>");
    let node = app.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Clause(..)
    ));
    press(&mut app, "<C-o>");
    assert!(app.find::<qualm::tui::findings::FindingsView>().is_some());
}

#[test]
fn a_note_written_elsewhere_shows_within_a_second_keeping_the_place() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    select_clause(&mut app, "collect.demo");
    let node = app.selected_node();
    press(&mut app, "A");
    let before = app.shared.reviews.all_notes().count();
    // Another analyst (here: the store, as `qualm note add` uses it) adds
    // a note to the same review file.
    let path = dir.path().join("quali-2024.review.yaml");
    let mut note = review(dir.path()).notes[0].clone();
    note.id = String::new();
    note.body = String::from("written in another session");
    qualm::review::store::apply(&path, "quali-2024", &qualm::review::Op::Add(note), None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(app.collect_background(), "the change is noticed");
    assert_eq!(app.shared.reviews.all_notes().count(), before + 1);
    assert!(
        app.find::<NotesView>().is_some(),
        "the notes view stays open"
    );
    assert!(screen(&mut app, 120, 40).contains("written in another session"));
    press(&mut app, "<Esc>");
    assert_eq!(app.selected_node(), node, "the tree keeps its place");
}
