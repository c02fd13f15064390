//! The view stack's remaining frictions, driven through keys on a
//! TestBackend: the palette finds ids and opens a term's card, the card has
//! its own keys and help, undo takes back a reply, names that share a
//! prefix show their end at 80 columns, and reopening a folder brings back
//! whatever view was on top.

#[path = "support/workbench.rs"]
mod workbench;

use qualm::model::Category;
use qualm::review::{ReviewFile, Severity, Status};
use qualm::tui::app::App;
use qualm::tui::card::TermCard;
use qualm::tui::component::Component;
use qualm::tui::popups::HelpView;
use qualm::tui::tree::NodeKind;
use workbench::{draw, open, press, type_text};

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
";

fn folder() -> tempfile::TempDir {
    workbench::policies_with_review(REVIEW)
}

fn review(dir: &std::path::Path) -> ReviewFile {
    workbench::review_of_quali(dir)
}

/// Types into the palette and waits for both workers' answers.
fn search(app: &mut App, text: &str) {
    type_text(app, text);
    assert!(
        app.shared.search.wait(std::time::Duration::from_secs(30)),
        "search answered"
    );
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    format!("{:?}", draw(app, w, h).backend())
}

fn selected_clause(app: &App) -> String {
    let node = app.selected_node().unwrap();
    let n = &app.shared.tree.nodes[node];
    let policy = &app.shared.corpus.policies[n.policy].policy;
    let NodeKind::Clause(si, ci) = n.kind else {
        panic!("a clause is selected, not {:?}", n.kind)
    };
    format!("{} {}", policy.id, policy.sections[si].clauses[ci].id)
}

#[test]
fn the_palette_finds_ids_and_jumps_to_them() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "/");
    search(&mut app, "collect.demo");
    let palette = app
        .top_as::<qualm::tui::palette::PaletteView>()
        .expect("the palette");
    assert_eq!(
        palette.id_hits(&app.shared).first().map(String::as_str),
        Some("clause quali-2024 collect.demo")
    );
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("ids ("), "{shown}");
    assert!(shown.contains("clause quali-2024 collect.demo"), "{shown}");
    press(&mut app, "<Enter>");
    assert_eq!(selected_clause(&app), "quali-2024 collect.demo");

    // A note by its id, and a flow by its id (its context, the flow named).
    press(&mut app, "/");
    press(&mut app, "<C-u>");
    search(&mut app, "ctx001");
    press(&mut app, "<Enter>");
    let node = app.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Context(_)
    ));
    press(&mut app, "/");
    press(&mut app, "<C-u>");
    search(&mut app, "flow quali-2024 contact.1");
    press(&mut app, "<Enter>");
    let node = app.selected_node().unwrap();
    assert!(matches!(
        app.shared.tree.nodes[node].kind,
        NodeKind::Context(_)
    ));
    assert_eq!(app.status.as_deref(), Some("flow 1 of the context"));
}

#[test]
fn the_palette_and_colon_open_a_card_for_any_vocabulary_term() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    // The palette: the recipient's id comes first and opens its card.
    press(&mut app, "/");
    search(&mut app, "salesforce");
    press(&mut app, "<Enter>");
    let card = app.top_as::<TermCard>().expect("the card opens from /");
    assert_eq!(
        (card.category, card.term.as_str()),
        (Category::Recipients, "salesforce")
    );
    press(&mut app, "q");
    // `:` on a data category: its card lists the flows naming it.
    press(&mut app, ":");
    search(&mut app, "data email");
    press(&mut app, "<Enter>");
    let card = app.top_as::<TermCard>().expect("the card opens from :");
    assert_eq!(
        (card.category, card.term.as_str()),
        (Category::Data, "email")
    );
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("Flows naming"), "{shown}");
    assert!(shown.contains("Evidence"), "{shown}");
    // And the matrix, by recipients: `c` on a row.
    press(&mut app, "q M b c");
    assert_eq!(
        app.top_as::<TermCard>()
            .expect("the card opens from M")
            .category,
        Category::Recipients
    );
}

#[test]
fn the_card_has_its_own_keys_and_help() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, ":");
    search(&mut app, "recipient salesforce");
    press(&mut app, "<Enter>");
    assert_eq!(app.view(), qualm::keymap::View::Card);
    // Ctrl-d steps to the next policy's evidence.
    let first = app.top_as::<TermCard>().unwrap().here(&app.shared);
    press(&mut app, "<C-d>");
    let next = app.top_as::<TermCard>().unwrap().here(&app.shared);
    assert_ne!(
        first.map(|h| h.policy),
        next.map(|h| h.policy),
        "Ctrl-d goes to the next policy"
    );
    press(&mut app, "<C-u>");
    assert_eq!(
        app.top_as::<TermCard>().unwrap().here(&app.shared),
        first,
        "Ctrl-u comes back"
    );
    // Help lists the card's section, not the compare view's.
    press(&mut app, "?");
    assert!(app.top_as::<HelpView>().is_some());
    let shown = screen(&mut app, 120, 40);
    assert!(
        shown.contains("open the evidence clause over the card"),
        "{shown}"
    );
    assert!(!shown.contains("choose topic"), "{shown}");
}

#[test]
fn undo_takes_back_a_reply_and_status_and_severity_step_both_ways() {
    let dir = folder();
    let mut app = open(dir.path(), true);
    press(&mut app, "A R");
    type_text(&mut app, "The customer portal, says legal.");
    press(&mut app, "<C-s>");
    assert_eq!(review(dir.path()).notes[0].replies.len(), 1);
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].replies.len(), 0);
    assert!(
        app.status.as_deref().unwrap().contains("replied to"),
        "{:?}",
        app.status
    );
    // Both ways, each undone.
    press(&mut app, "s");
    assert_eq!(review(dir.path()).notes[0].status, Status::Resolved);
    press(&mut app, "S");
    assert_eq!(review(dir.path()).notes[0].status, Status::Open);
    press(&mut app, "-");
    assert_eq!(review(dir.path()).notes[0].severity, Severity::Low);
    press(&mut app, "+ +");
    assert_eq!(review(dir.path()).notes[0].severity, Severity::High);
    press(&mut app, "u u u");
    assert_eq!(review(dir.path()).notes[0].severity, Severity::Medium);
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].status, Status::Resolved);
    press(&mut app, "u");
    assert_eq!(review(dir.path()).notes[0].status, Status::Open);
}

/// Opens the versions of Qualys (2015 and 2020), chosen in the picker
/// (where the first policy starts marked).
fn versions(app: &mut App) {
    press(app, "V <Space> /");
    type_text(app, "qualys");
    press(app, "<Enter> <Space> j <Space> <Enter>");
    // The alignment runs in the background; keys wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.busy() && std::time::Instant::now() < deadline {
        app.collect_background();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Saves where `app` is, and opens the folder again from that state.
fn reopened(app: &App, dir: &std::path::Path, file: &std::path::Path) -> App {
    qualm::tui::state::save_to(app, file).unwrap();
    let mut again = open(dir, true);
    assert!(qualm::tui::state::restore_from(&mut again, file));
    again
}

#[test]
fn reopening_the_folder_brings_back_the_view_on_top_where_it_was() {
    use qualm::compare::By;
    use qualm::tui::compare::{CompareState, Mode};
    use qualm::tui::findings::FindingsView;
    let dir = folder();
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("qualm/state.json");

    // The matrix by recipients, third row, second policy.
    let mut app = open(dir.path(), true);
    press(&mut app, "M b j j l");
    let again = reopened(&app, dir.path(), &file);
    let Some(Mode::Matrix(m)) = again.top_as::<CompareState>().map(|c| &c.mode) else {
        panic!("the matrix reopens")
    };
    assert_eq!((m.by, m.row, m.col), (By::Recipients, 2, 1));

    // A topic compare, its column and clause; help over it is not kept.
    let mut app = open(dir.path(), true);
    press(&mut app, "C l j");
    let Some(Mode::Topic(before)) = app.top_as::<CompareState>().map(|c| &c.mode) else {
        panic!("a topic compare")
    };
    let (subject, column, selected) = (before.subject.key(), before.column, before.selected);
    press(&mut app, "?");
    let again = reopened(&app, dir.path(), &file);
    let Some(Mode::Topic(t)) = again.top_as::<CompareState>().map(|c| &c.mode) else {
        panic!("the topic compare reopens")
    };
    assert_eq!(
        (t.subject.key(), t.column, t.selected),
        (subject, column, selected)
    );

    // Two versions, only the changes shown.
    let mut app = open(dir.path(), true);
    versions(&mut app);
    press(&mut app, "o");
    let mut again = reopened(&app, dir.path(), &file);
    let Some(Mode::Versions(v)) = again.top_as::<CompareState>().map(|c| &c.mode) else {
        panic!("the versions reopen")
    };
    let ids = |pi: usize| again.shared.corpus.policies[pi].policy.id.clone();
    assert_eq!(
        (ids(v.left), ids(v.right), v.hide_unchanged),
        ("qualys-2015".to_string(), "qualys-2020".to_string(), true)
    );
    press(&mut again, "q");
    assert_eq!(again.stack.len(), 1, "over the restored tree");

    // Findings with the severity filter and the row.
    let mut app = open(dir.path(), true);
    press(&mut app, "F f v j");
    let again = reopened(&app, dir.path(), &file);
    let findings = again.top_as::<FindingsView>().expect("the findings reopen");
    assert_eq!(
        (findings.min_severity, findings.selected),
        (Severity::Low, 1)
    );

    // A card, on its second evidence clause.
    let mut app = open(dir.path(), true);
    press(&mut app, ":");
    search(&mut app, "recipient salesforce");
    press(&mut app, "<Enter> j");
    let again = reopened(&app, dir.path(), &file);
    let card = again.top_as::<TermCard>().expect("the card reopens");
    assert_eq!((card.term.as_str(), card.selected), ("salesforce", 1));

    // A policy gone since: the versions view falls back quietly to the
    // tree, and the rest still restores.
    let mut app = open(dir.path(), true);
    workbench::select(&mut app, "qualys-2020", |_, k| {
        matches!(k, NodeKind::Policy)
    });
    let node = app.selected_node();
    versions(&mut app);
    qualm::tui::state::save_to(&app, &file).unwrap();
    std::fs::remove_file(dir.path().join("qualys-2015.yaml")).unwrap();
    let mut again = open(dir.path(), true);
    assert!(qualm::tui::state::restore_from(&mut again, &file));
    assert_eq!(again.stack.len(), 1);
    assert_eq!(
        again
            .selected_node()
            .map(|n| again.shared.tree.nodes[n].policy),
        node.map(|n| app.shared.tree.nodes[n].policy - 1),
        "qualys-2020 is still selected (one policy fewer before it)"
    );
}

const LONG_EU: &str = "qualisystems-privacy-policy-europe-2024";
const LONG_US: &str = "qualisystems-privacy-policy-americas-2024";

/// Two policies whose ids, and many clause ids, share long prefixes.
fn long_ids_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sources")).unwrap();
    std::fs::copy(
        "policies/sources/quali-2024.txt",
        dir.path().join("sources/quali-2024.txt"),
    )
    .unwrap();
    std::fs::copy(
        "policies/vocabulary.yaml",
        dir.path().join("vocabulary.yaml"),
    )
    .unwrap();
    let model = std::fs::read_to_string("policies/quali-2024.yaml").unwrap();
    for id in [LONG_EU, LONG_US] {
        let text = model
            .replacen("  id: quali-2024\n", &format!("  id: {id}\n"), 1)
            .replace("collect.cards", "collect.cards-and-payment-details");
        std::fs::write(dir.path().join(format!("{id}.yaml")), text).unwrap();
    }
    let review = format!(
        "schema: 1\npolicy: {LONG_EU}\nnotes:\n{}",
        ["data", "purposes", "basis-1"]
            .iter()
            .enumerate()
            .map(|(i, end)| format!(
                "- id: n{i}\n  target:\n    clause: collect.cards-and-payment-details-{end}\n  kind: vague-language\n  severity: low\n  status: open\n  author: alice\n  created: 2026-11-20T09:00:00Z\n  updated: 2026-11-20T09:00:00Z\n  body: Which cards exactly, and kept for how long?\n"
            ))
            .collect::<String>()
    );
    std::fs::write(dir.path().join(format!("{LONG_EU}.review.yaml")), &review).unwrap();
    let review = review
        .replace(LONG_EU, LONG_US)
        .replace("severity: low", "severity: high");
    std::fs::write(dir.path().join(format!("{LONG_US}.review.yaml")), review).unwrap();
    dir
}

#[test]
fn at_80_columns_shared_prefixes_show_their_distinguishing_end() {
    let dir = long_ids_folder();
    let mut app = open(dir.path(), false);
    assert_eq!(
        app.shared.corpus.policies.len(),
        2,
        "{:?}",
        app.shared.corpus.failed
    );
    // Both policies read apart in the tree.
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains("-europe-2024") && shown.contains("-americas-2024"),
        "{shown}"
    );
    workbench::select(&mut app, LONG_US, |p, k| {
        matches!(k, NodeKind::Clause(si, ci)
            if p.sections[*si].clauses[*ci].id == "collect.cards-and-payment-details-purposes")
    });
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("long_ids_tree_80x24", terminal.backend());
    let shown = format!("{:?}", terminal.backend());
    // Clause ids keep their ends, in the tree, the clause's card and the
    // breadcrumb (which keeps both ends of the policy id too).
    assert!(shown.contains("…ails-purposes││"), "{shown}");
    assert!(shown.contains("…t-details-purposes │"), "{shown}");
    assert!(
        shown.contains("icas-2024 › collect.ca…-purposes"),
        "{shown}"
    );

    // The notes list: the targets keep their ends.
    press(&mut app, "A");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("long_ids_notes_80x24", terminal.backend());
    let shown = format!("{:?}", terminal.backend());
    for end in [
        "-data",
        "-purposes",
        "-basis-1",
        "…europe-2024",
        "…ameri…-2024",
    ] {
        assert!(shown.contains(end), "{end} shown:\n{shown}");
    }

    // The picker of policies.
    press(&mut app, "q C p");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("long_ids_picker_80x24", terminal.backend());
    let shown = format!("{:?}", terminal.backend());
    assert!(
        shown.contains("europe-2024") && shown.contains("americas-2024"),
        "{shown}"
    );
}

/// The id rows are listed between keystrokes once the folder is in, so
/// the first `/` or `:` at thousands of policies does not stall on them;
/// a note changed since is listed again the same way.
#[test]
fn ids_are_listed_in_idle_ticks_before_the_first_slash() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    for _ in 0..50 {
        if app.shared.search.ids_started() {
            break;
        }
        app.collect_background();
    }
    assert!(app.shared.search.ids_started());
    app.shared.search.reindex();
    assert!(app.shared.search.ids_stale());
    for _ in 0..50 {
        if !app.shared.search.ids_stale() {
            break;
        }
        app.collect_background();
    }
    assert!(
        !app.shared.search.ids_stale(),
        "listed again in the background"
    );
    // And `:` still finds an id.
    press(&mut app, ":");
    type_text(&mut app, "quali-2024 demo");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        app.collect_background();
        if draw(&mut app, 100, 30)
            .backend()
            .to_string()
            .contains("context quali-2024 demo")
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{}", draw(&mut app, 100, 30).backend());
}
