//! Modelling in the workbench: the flow and context forms, every edit
//! saved to the model file at once and the policy shown as it is now,
//! undo and redo through the same saves, and models changed on disk read
//! again without losing the view's place.

#[path = "support/workbench.rs"]
mod workbench;

use std::fs;
use std::path::Path;
use std::time::Duration;

use workbench::{draw, open, press, select, type_text};

use qualm::tui::app::App;
use qualm::tui::browse::Browse;
use qualm::tui::modelling::{ContextForm, FlowForm};
use qualm::tui::tree::NodeKind;

const MODEL: &str = "schema: 1
policy:
  id: demo
  organization: Demo Ltd.
  title: Demo privacy policy
  effective: 2024-01-01
sections:
- id: collect
  heading: What we collect
  clauses:
  - id: collect.1
    text: When you sign up we collect your email address and your name.
  - id: collect.2
    text: We share your email with Salesforce for marketing.
  - id: collect.3
    text: We keep your data for two years.
contexts:
- id: web
  name: Using the website
  flows:
  - id: web.1
    data: [cookies]
    evidence: [collect.1]
  - id: web.2
    data: [IP address]
    suggested: true
    evidence: [collect.1]
  - id: web.3
    data: [device id]
    suggested: true
    evidence: [collect.3]
";

const WAIT: Duration = Duration::from_secs(10);

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("demo.yaml"), MODEL).unwrap();
    dir
}

fn model(dir: &Path) -> String {
    fs::read_to_string(dir.join("demo.yaml")).unwrap()
}

fn policy(app: &App) -> &qualm::model::Policy {
    &app.shared.corpus.policies[0].policy
}

fn select_clause(app: &mut App, id: &str) {
    let id = id.to_string();
    select(app, "demo", move |p, k| match k {
        NodeKind::Clause(si, ci) => p.sections[*si].clauses[*ci].id == id,
        _ => false,
    });
}

fn select_context(app: &mut App, id: &str) {
    let id = id.to_string();
    select(app, "demo", move |p, k| match k {
        NodeKind::Context(path) => p.context_at(path).id == id,
        _ => false,
    });
}

fn selected_kind(app: &App) -> NodeKind {
    let node = app.selected_node().unwrap();
    app.shared.tree.nodes[node].kind.clone()
}

fn saved(app: &mut App) {
    assert!(app.wait_model(WAIT), "the edit was saved");
}

fn status(app: &App) -> String {
    app.status.clone().unwrap_or_default()
}

/// The detail pane of a context, its cursor on the evidence line of flow
/// `flow` (0-based) as the card lists them.
fn select_flow_line(app: &mut App, context: &str, line: usize) {
    select_context(app, context);
    press(app, "<Tab>");
    for _ in 0..line {
        press(app, "j");
    }
}

#[test]
fn a_new_context_and_a_flow_from_a_clause_reach_the_file_at_once() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "m c");
    assert!(
        app.top_as::<ContextForm>().is_some(),
        "the context form opens"
    );
    type_text(&mut app, "Signing up");
    press(&mut app, "<Enter>");
    saved(&mut app);
    assert!(
        app.top_as::<ContextForm>().is_none(),
        "the form closes once saved"
    );
    let text = model(dir.path());
    assert!(text.contains("id: signing-up"), "{text}");
    assert!(text.contains("name: Signing up"), "{text}");
    assert!(
        status(&app).contains("added context signing-up"),
        "{}",
        status(&app)
    );
    // The view keeps its place: the same clause is selected.
    let (si, ci) = policy(&app).clause_position("collect.2").unwrap();
    assert_eq!(selected_kind(&app), NodeKind::Clause(si, ci));

    // A flow from the clause: evidence prefilled, the new context chosen.
    press(&mut app, "m f");
    let form = app.top_as::<FlowForm>().expect("the flow form opens");
    assert_eq!(form.lists[4].labels, ["collect.2"]);
    type_text(&mut app, "email");
    press(&mut app, "<Enter>");
    press(&mut app, "<Tab>");
    press(&mut app, "<Tab>");
    press(&mut app, "<Tab>");
    type_text(&mut app, "Salesforce");
    press(&mut app, "<C-s>");
    saved(&mut app);
    assert!(app.top_as::<FlowForm>().is_none(), "{}", status(&app));
    let context = &policy(&app).contexts[1];
    assert_eq!(context.id, "signing-up");
    assert_eq!(
        context.flows.len(),
        1,
        "{}\n{}",
        status(&app),
        model(dir.path())
    );
    let flow = &context.flows[0];
    assert_eq!(flow.data.len(), 1);
    assert_eq!(flow.recipients.len(), 1, "{}", model(dir.path()));
    assert_eq!(&*flow.recipients[0], "Salesforce");
    assert_eq!(&*flow.evidence[0], "collect.2");
    assert!(!flow.suggested);
    let text = model(dir.path());
    assert!(text.contains("recipients: [Salesforce]"), "{text}");
}

#[test]
fn span_words_are_offered_as_the_first_data_label() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    // Select "your email" (words 3 and 4).
    press(&mut app, "v w w v w m f");
    let form = app.top_as::<FlowForm>().expect("the flow form opens");
    assert_eq!(form.lists[0].input.text(), "your email");
    assert_eq!(form.lists[4].labels, ["collect.2"]);
    press(&mut app, "<C-s>");
    saved(&mut app);
    let flows = &policy(&app).contexts[0].flows;
    assert_eq!(&*flows[3].data[0], "your email");
    assert_eq!(flows[3].id.as_deref(), Some("web.4"));
}

#[test]
fn undo_and_redo_go_through_the_file_by_id() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.3");
    press(&mut app, "m f");
    type_text(&mut app, "profile");
    press(&mut app, "<C-s>");
    saved(&mut app);
    assert!(model(dir.path()).contains("id: web.4"));
    press(&mut app, "u");
    saved(&mut app);
    assert!(!model(dir.path()).contains("id: web.4"), "undo removed it");
    assert!(status(&app).starts_with("undid"), "{}", status(&app));
    press(&mut app, "<C-r>");
    saved(&mut app);
    let text = model(dir.path());
    assert!(
        text.contains("id: web.4") && text.contains("profile"),
        "{text}"
    );

    // Deleting a flow and undoing puts it back with its id, in its place.
    select_flow_line(&mut app, "web", 0);
    press(&mut app, "m d");
    saved(&mut app);
    assert!(!model(dir.path()).contains("id: web.1"));
    assert_eq!(policy(&app).contexts[0].flows.len(), 3);
    press(&mut app, "u");
    saved(&mut app);
    let flows = &policy(&app).contexts[0].flows;
    assert_eq!(flows[0].id.as_deref(), Some("web.1"));
    assert_eq!(&*flows[0].data[0], "cookies");
    // The file says what it said: no inferred fields written out.
    assert!(
        !model(dir.path()).contains("action:"),
        "{}",
        model(dir.path())
    );
}

#[test]
fn editing_a_flow_sets_every_field_and_undo_sets_them_back() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_flow_line(&mut app, "web", 0);
    press(&mut app, "m e");
    let form = app.top_as::<FlowForm>().expect("the edit form opens");
    assert_eq!(form.lists[0].labels, ["cookies"]);
    // Data: add a label; purposes; basis; recipients; retention; if
    // withheld; action; negative (then scope and qualifier appear).
    type_text(&mut app, "email");
    press(&mut app, "<Tab>");
    type_text(&mut app, "marketing");
    press(&mut app, "<Tab>");
    type_text(&mut app, "consent");
    press(&mut app, "<Tab> <Tab>");
    type_text(&mut app, "two years");
    press(&mut app, "<Tab>");
    type_text(&mut app, "no account");
    // Action: collect -> use; negative: yes; scope: the whole policy.
    press(&mut app, "<Tab> <Right> <Tab> <Right> <Tab> <Right> <Tab>");
    type_text(&mut app, "knowingly");
    press(&mut app, "<C-s>");
    saved(&mut app);
    let flow = &policy(&app).contexts[0].flows[0];
    assert_eq!(flow.id.as_deref(), Some("web.1"));
    assert_eq!(flow.data.len(), 2);
    assert_eq!(&*flow.purposes[0], "marketing");
    assert_eq!(&*flow.basis[0], "consent");
    assert_eq!(flow.retention.as_deref(), Some("two years"));
    assert_eq!(flow.if_withheld.as_deref(), Some("no account"));
    assert_eq!(flow.action, Some(qualm::model::Action::Use));
    assert!(!flow.does);
    assert_eq!(flow.scope, Some(qualm::model::Scope::Policy));
    assert_eq!(flow.qualifier.as_deref(), Some("knowingly"));
    let text = model(dir.path());
    assert!(
        text.contains("scope: policy") && text.contains("qualifier: knowingly"),
        "{text}"
    );

    press(&mut app, "u");
    saved(&mut app);
    let flow = &policy(&app).contexts[0].flows[0];
    assert_eq!(flow.data.len(), 1);
    assert!(flow.does && flow.qualifier.is_none() && flow.retention.is_none());
    assert!(
        !model(dir.path()).contains("qualifier"),
        "{}",
        model(dir.path())
    );
}

#[test]
fn suggested_flows_are_confirmed_or_rejected_one_by_one_or_all_at_once() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    // On the context with the tree focused: its first suggested flow.
    select_context(&mut app, "web");
    press(&mut app, "m y");
    saved(&mut app);
    let flows = &policy(&app).contexts[0].flows;
    assert!(!flows[1].suggested && flows[2].suggested);
    press(&mut app, "m n");
    saved(&mut app);
    assert_eq!(policy(&app).contexts[0].flows.len(), 2);
    // Gone from the flows, and its id retired so no new flow takes it.
    assert!(!model(dir.path()).contains("- id: web.3"));
    assert!(policy(&app).retired_flow_ids.iter().any(|id| id == "web.3"));
    press(&mut app, "u u");
    saved(&mut app);
    press(&mut app, "u");
    saved(&mut app);
    let flows = &policy(&app).contexts[0].flows;
    assert_eq!(flows.len(), 3);
    assert!(flows[1].suggested && flows[2].suggested, "both undone");
    press(&mut app, "m Y");
    saved(&mut app);
    assert!(policy(&app).contexts[0].flows.iter().all(|f| !f.suggested));
    assert!(!model(dir.path()).contains("suggested"));
    assert!(status(&app).contains("confirmed 2"), "{}", status(&app));
}

#[test]
fn a_flow_moves_to_another_context_and_a_clause_joins_a_flows_evidence() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_context(&mut app, "web");
    press(&mut app, "m c");
    type_text(&mut app, "Newsletter");
    press(&mut app, "<Enter>");
    saved(&mut app);
    // The new context is under the selected one.
    assert_eq!(policy(&app).contexts[0].contexts[0].id, "newsletter");
    select_flow_line(&mut app, "web", 0);
    press(&mut app, "m m");
    press(&mut app, "<Enter>");
    saved(&mut app);
    let web = &policy(&app).contexts[0];
    assert_eq!(web.flows.len(), 2);
    assert_eq!(web.contexts[0].flows[0].id.as_deref(), Some("web.1"));
    // Clause collect.3 into flow web.1's evidence (the picker's first).
    select_clause(&mut app, "collect.3");
    press(&mut app, "m a");
    press(&mut app, "<Enter>");
    saved(&mut app);
    let moved = &policy(&app).contexts[0].contexts[0].flows[0];
    assert_eq!(moved.evidence.len(), 2, "{}", status(&app));
    // Deleting a context, and undo.
    select_context(&mut app, "newsletter");
    press(&mut app, "m D");
    saved(&mut app);
    assert!(policy(&app).contexts[0].contexts.is_empty());
    press(&mut app, "u");
    saved(&mut app);
    assert_eq!(policy(&app).contexts[0].contexts[0].flows.len(), 1);
}

#[test]
fn esc_on_a_changed_form_asks_first() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.1");
    press(&mut app, "m f");
    press(&mut app, "<Esc>");
    assert!(app.top_as::<FlowForm>().is_none(), "nothing typed: closes");
    press(&mut app, "m f");
    type_text(&mut app, "email");
    press(&mut app, "<Esc>");
    assert!(app.top_as::<qualm::tui::popups::Confirm>().is_some());
    press(&mut app, "e");
    assert!(app.top_as::<FlowForm>().is_some(), "keeps editing");
    press(&mut app, "<Esc> x");
    assert!(app.top_as::<FlowForm>().is_none());
    assert!(app.top_as::<Browse>().is_some());
    assert_eq!(model(dir.path()), MODEL, "nothing written");
}

#[test]
fn labels_complete_from_the_vocabulary_and_say_what_they_map_to() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "m f");
    type_text(&mut app, "emal adr");
    let form = app.top_as::<FlowForm>().unwrap();
    let shown: Vec<String> = form.lists[0]
        .completions()
        .iter()
        .map(|c| c.value.clone())
        .collect();
    assert!(
        shown.iter().any(|c| c.to_lowercase().contains("email")),
        "{shown:?}"
    );
    press(&mut app, "<Down> <Enter>");
    let label = app.top_as::<FlowForm>().unwrap().lists[0].labels[0].clone();
    assert_eq!(label, shown[0]);
    let screen = format!("{:?}", draw(&mut app, 80, 24).backend().buffer());
    assert!(screen.contains("(exact)"), "{screen}");
    type_text(&mut app, "frobnicated widgets");
    let screen = format!("{:?}", draw(&mut app, 80, 24).backend().buffer());
    assert!(screen.contains("new wording"), "{screen}");
}

#[test]
fn a_model_changed_on_disk_is_read_again_keeping_the_place() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_context(&mut app, "web");
    app.collect_background();
    // Another analyst adds a context before "web".
    let changed = MODEL.replace(
        "contexts:\n- id: web",
        "contexts:\n- id: app\n  name: In the app\n  flows: []\n- id: web",
    );
    fs::write(dir.path().join("demo.yaml"), &changed).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while policy(&app).contexts.len() < 2 && std::time::Instant::now() < deadline {
        app.collect_background();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(policy(&app).contexts.len(), 2, "read again within a second");
    assert!(status(&app).contains("changed on disk"), "{}", status(&app));
    // Still on "web", now the second context.
    assert_eq!(selected_kind(&app), NodeKind::Context(vec![1]));
    // A model that no longer parses: the one in memory stays.
    fs::write(dir.path().join("demo.yaml"), "schema: 1\npolicy: [").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while !status(&app).contains("does not load") && std::time::Instant::now() < deadline {
        app.collect_background();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(status(&app).contains("does not load"), "{}", status(&app));
    assert_eq!(policy(&app).contexts.len(), 2);
    assert_eq!(selected_kind(&app), NodeKind::Context(vec![1]));
}

#[test]
fn the_flow_form_at_80x24() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_flow_line(&mut app, "web", 0);
    press(&mut app, "m e");
    type_text(&mut app, "ema");
    insta::assert_snapshot!("flow_form_80x24", draw(&mut app, 80, 24).backend());
    press(&mut app, "<Esc> x");
    select_context(&mut app, "web");
    press(&mut app, "m c");
    type_text(&mut app, "Signing up");
    insta::assert_snapshot!("context_form_80x24", draw(&mut app, 80, 24).backend());
}

#[test]
fn an_edit_waits_for_another_writers_lock_and_says_so() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    let lock = fs::File::create(dir.path().join("demo.yaml.lock")).unwrap();
    lock.lock().unwrap();
    select_context(&mut app, "web");
    press(&mut app, "m y");
    let deadline = std::time::Instant::now() + WAIT;
    while !status(&app).contains("waiting for the model lock")
        && std::time::Instant::now() < deadline
    {
        app.collect_model();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        status(&app).contains("waiting for the model lock"),
        "{}",
        status(&app)
    );
    assert_eq!(model(dir.path()), MODEL, "nothing written while it waits");
    // Keys still work meanwhile.
    press(&mut app, "j");
    drop(lock);
    saved(&mut app);
    assert!(!policy(&app).contexts[0].flows[1].suggested);
    assert!(
        status(&app).contains("confirmed flow web.2"),
        "{}",
        status(&app)
    );
}

#[test]
fn a_new_negative_flow_keeps_its_scope_and_qualifier() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "m f");
    type_text(&mut app, "email");
    // Data -> ... -> Negative (7 fields on), yes; scope: policy; qualifier.
    press(
        &mut app,
        "<Tab> <Tab> <Tab> <Tab> <Tab> <Tab> <Tab> <Space>",
    );
    press(&mut app, "<Tab> <Right> <Tab>");
    type_text(&mut app, "knowingly");
    press(&mut app, "<C-s>");
    saved(&mut app);
    let flow = &policy(&app).contexts[0].flows[3];
    assert!(!flow.does, "{}", status(&app));
    assert_eq!(flow.scope, Some(qualm::model::Scope::Policy));
    assert_eq!(flow.qualifier.as_deref(), Some("knowingly"));
    // One undo takes the whole new flow away.
    press(&mut app, "u");
    saved(&mut app);
    assert_eq!(policy(&app).contexts[0].flows.len(), 3);
}

#[test]
fn an_edit_keeps_what_another_writer_changed_in_another_flow() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    // Another analyst (or `qualm model`) changes flow web.3 on disk; this
    // session has not read it again yet when it edits flow web.1.
    let other = qualm::model::edit::Edit::SetFlow {
        flow: "web.3".into(),
        fields: qualm::model::edit::FlowFields {
            recipients: Some(vec!["Acme Analytics".into()]),
            ..Default::default()
        },
    };
    qualm::model::edit::apply(&dir.path().join("demo.yaml"), &other, &|_| {}).unwrap();
    select_flow_line(&mut app, "web", 0);
    press(&mut app, "m e <Tab>");
    type_text(&mut app, "analytics");
    press(&mut app, "<C-s>");
    saved(&mut app);
    let flows = &policy(&app).contexts[0].flows;
    assert_eq!(&*flows[0].purposes[0], "analytics");
    assert_eq!(
        &*flows[2].recipients[0], "Acme Analytics",
        "both edits kept"
    );
}

#[test]
fn a_flow_is_made_from_the_reader_and_a_clause_added_to_a_flows_evidence_there() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "r");
    assert!(app.top_as::<qualm::tui::reader::Reader>().is_some());
    press(&mut app, "m f");
    let form = app
        .top_as::<FlowForm>()
        .expect("the flow form opens from the reader");
    assert_eq!(form.lists[4].labels, ["collect.2"]);
    type_text(&mut app, "email");
    press(&mut app, "<C-s>");
    saved(&mut app);
    assert!(
        app.top_as::<qualm::tui::reader::Reader>().is_some(),
        "back in the reader"
    );
    // The flow just made is the one preselected for more evidence.
    press(&mut app, "} m a <Enter>");
    saved(&mut app);
    let flow = &policy(&app).contexts[0].flows[3];
    let evidence: Vec<&str> = flow.evidence.iter().map(|e| &**e).collect();
    assert_eq!(evidence, ["collect.2", "collect.3"], "{}", status(&app));
}

#[test]
fn ctrl_c_on_a_form_with_changes_asks_before_quitting() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_context(&mut app, "web");
    press(&mut app, "m c");
    type_text(&mut app, "Signing up");
    press(&mut app, "<C-c>");
    assert!(!app.quit, "a form with changes is not thrown away at once");
    press(&mut app, "n");
    assert!(app.top_as::<ContextForm>().is_some(), "n goes back to it");
    press(&mut app, "<C-c> x");
    assert!(app.quit, "x discards and quits");

    // An empty form is nothing to lose.
    let mut app = open(dir.path(), false);
    select_context(&mut app, "web");
    press(&mut app, "m c");
    press(&mut app, "<C-c>");
    assert!(app.quit);
}

/// A dropped connection ends the session with the form open: what it holds
/// is saved as a suggested flow (to confirm or reject), never lost and
/// never passed off as confirmed.
#[test]
fn a_flow_form_open_at_hang_up_is_kept_as_a_suggested_flow() {
    let dir = folder();
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "m f");
    type_text(&mut app, "email");
    press(&mut app, "<Enter>");
    let before = policy(&app)
        .contexts
        .iter()
        .map(|c| c.flows.len())
        .sum::<usize>();
    assert!(app.keep_open_form());
    saved(&mut app);
    let text = model(dir.path());
    let flows: Vec<_> = policy(&app)
        .contexts
        .iter()
        .flat_map(|c| &c.flows)
        .collect();
    assert_eq!(flows.len(), before + 1, "{text}");
    let kept = flows
        .iter()
        .find(|f| {
            f.evidence.iter().any(|e| &**e == "collect.2") && f.data.iter().any(|d| &**d == "email")
        })
        .unwrap_or_else(|| panic!("{text}"));
    assert!(kept.suggested, "{text}");

    // An untouched form leaves nothing behind.
    let mut app = open(dir.path(), false);
    select_clause(&mut app, "collect.2");
    press(&mut app, "m f");
    assert!(!app.keep_open_form());

    // A context form with a name is kept as named.
    let mut app = open(dir.path(), false);
    select_context(&mut app, "web");
    press(&mut app, "m c");
    assert!(!app.keep_open_form(), "nothing typed yet");
    type_text(&mut app, "Signing up");
    assert!(app.keep_open_form());
    saved(&mut app);
    assert!(model(dir.path()).contains("name: Signing up"));
}
