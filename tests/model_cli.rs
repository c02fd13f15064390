//! `qualm model ...` as scripts meet it, driving the real binary: edits
//! land by id and keep ids, invalid edits and unparsable models leave the
//! file alone, and two processes adding flows to one context at once keep
//! every flow.

#[path = "support/workspace.rs"]
mod workspace;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const POLICY: &str = "quali-2024";
const CLAUSE: &str = "intro.updated";

fn qualm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(args)
        .env("QUALM_AUTHOR", "tester")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = qualm(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn model(dir: &Path) -> String {
    fs::read_to_string(dir.join("policies").join(format!("{POLICY}.yaml"))).unwrap()
}

/// The flows of one context as `qualm export` gives them (ids and data).
fn flows_of(dir: &Path, context: &str) -> Vec<(String, Vec<String>)> {
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir, &["export", "--format", "json"])).unwrap();
    fn find<'a>(list: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
        list.as_array()?.iter().find_map(|c| {
            if c["id"] == id {
                Some(c)
            } else {
                find(&c["contexts"], id)
            }
        })
    }
    let policies = json
        .as_array()
        .or_else(|| json["policies"].as_array())
        .unwrap();
    let policy = policies
        .iter()
        .find(|p| p["id"] == POLICY || p["policy"]["id"] == POLICY)
        .unwrap();
    let context = find(&policy["contexts"], context).expect("the context is exported");
    context["flows"]
        .as_array()
        .map(|flows| {
            flows
                .iter()
                .map(|f| {
                    let data = f["data"]
                        .as_array()
                        .map(|d| d.iter().map(|l| l.as_str().unwrap().to_string()).collect())
                        .unwrap_or_default();
                    (f["id"].as_str().unwrap().to_string(), data)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn contexts_and_flows_are_made_changed_confirmed_and_removed_by_id() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    ok(
        dir,
        &[
            "model",
            "context",
            "add",
            POLICY,
            "--id",
            "news",
            "--name",
            "Newsletter",
        ],
    );
    ok(
        dir,
        &[
            "model",
            "context",
            "add",
            POLICY,
            "--id",
            "news-eu",
            "--name",
            "In the EU",
            "--parent",
            "news",
        ],
    );
    let add = |data: &str| {
        ok(
            dir,
            &[
                "model",
                "flow",
                "add",
                POLICY,
                "--context",
                "news",
                "--evidence",
                CLAUSE,
                "--data",
                data,
            ],
        )
    };
    assert_eq!(add("email"), "news.1");
    assert_eq!(add("name"), "news.2");
    ok(dir, &["model", "flow", "rm", POLICY, "news.1"]);
    // The new flow never takes the id of the one still there.
    assert_eq!(add("phone"), "news.3");
    ok(
        dir,
        &[
            "model",
            "flow",
            "set",
            POLICY,
            "news.2",
            "--data",
            "full name",
            "--recipient",
            "Salesforce",
        ],
    );
    assert_eq!(
        flows_of(dir, "news"),
        vec![
            ("news.2".to_string(), vec!["full name".to_string()]),
            ("news.3".to_string(), vec!["phone".to_string()]),
        ]
    );
    // Every flow of the policy now keeps its id in the file.
    assert!(model(dir).contains("id: website-browse.1"));
    ok(dir, &["model", "context", "rm", POLICY, "news-eu"]);
    assert!(!model(dir).contains("news-eu"));
    // The written model is in the canonical layout and checks clean.
    ok(dir, &["fmt", "--check"]);
    ok(dir, &["check"]);
}

#[test]
fn a_suggested_flow_is_confirmed() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let path = dir.join("policies").join(format!("{POLICY}.yaml"));
    let text = model(dir).replacen(
        "      - data: [Cookies",
        "      - suggested: true\n        data: [Cookies",
        1,
    );
    assert!(text.contains("suggested: true"));
    fs::write(&path, text).unwrap();
    ok(
        dir,
        &["model", "flow", "confirm", POLICY, "website-browse.1"],
    );
    assert!(!model(dir).contains("suggested"));
}

#[test]
fn an_edit_that_would_break_the_model_writes_nothing() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let before = model(dir);
    let out = qualm(
        dir,
        &[
            "model",
            "flow",
            "add",
            POLICY,
            "--context",
            "website-browse",
            "--evidence",
            "no.such-clause",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no.such-clause"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    for args in [
        vec!["model", "flow", "rm", POLICY, "no-such-flow"],
        vec![
            "model",
            "context",
            "add",
            POLICY,
            "--id",
            "website-browse",
            "--name",
            "x",
        ],
        vec!["model", "context", "rm", POLICY, "nowhere"],
    ] {
        let out = qualm(dir, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    assert_eq!(model(dir), before);
}

#[test]
fn a_model_that_does_not_parse_is_never_overwritten() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let path = dir.join("policies").join(format!("{POLICY}.yaml"));
    let broken = format!("{}\n  bad: [unclosed\n", model(dir));
    fs::write(&path, &broken).unwrap();
    let out = qualm(
        dir,
        &[
            "model", "context", "add", POLICY, "--id", "x", "--name", "X",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("left untouched"));
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn two_processes_adding_fifty_flows_each_leave_a_hundred() {
    let ws = workspace::copy_policies();
    let dir = ws.path().to_path_buf();
    ok(
        &dir,
        &[
            "model", "context", "add", POLICY, "--id", "busy", "--name", "Busy",
        ],
    );
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                (0..50)
                    .map(|i| {
                        let label = format!("{who}{i}");
                        ok(
                            &dir,
                            &[
                                "model",
                                "flow",
                                "add",
                                POLICY,
                                "--context",
                                "busy",
                                "--evidence",
                                CLAUSE,
                                "--data",
                                &label,
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let flows = flows_of(&dir, "busy");
    assert_eq!(flows.len(), 100);
    let mut labels: Vec<String> = flows.iter().flat_map(|(_, d)| d.clone()).collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 100, "every flow kept its own data");
    let mut on_disk: Vec<String> = flows.into_iter().map(|(id, _)| id).collect();
    on_disk.sort();
    ids.sort();
    assert_eq!(ids, on_disk, "every printed id names a flow on disk");
}

/// The notes of the policy as `note list --format json` gives them:
/// (body, target, detached).
fn notes(dir: &Path) -> Vec<(String, String, bool)> {
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir, &["note", "list", POLICY, "--format", "json"])).unwrap();
    json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["body"].as_str().unwrap().to_string(),
                n["target"].as_str().unwrap().to_string(),
                n["detached"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_note_on_a_flow_stays_on_it_when_an_earlier_flow_is_removed() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let second = flows_of(dir, "website-browse")[1].clone();
    assert_eq!(second.0, "website-browse.2");
    // The old form, by place, as review files written before flow ids hold.
    let note = |target: &str, body: &str| {
        ok(
            dir,
            &[
                "note",
                "add",
                POLICY,
                "--target",
                target,
                "--kind",
                "vague-language",
                "--body",
                body,
            ],
        )
    };
    note("flow:website-browse#2", "by place");
    note("flow:website-browse.2", "by id");
    ok(dir, &["model", "flow", "rm", POLICY, "website-browse.1"]);
    // Both notes name the flow by id now, and it is the same flow.
    assert_eq!(
        notes(dir),
        vec![
            ("by place".into(), "flow:website-browse.2".into(), false),
            ("by id".into(), "flow:website-browse.2".into(), false),
        ]
    );
    assert_eq!(flows_of(dir, "website-browse")[0], second);
    let review =
        fs::read_to_string(dir.join("policies").join(format!("{POLICY}.review.yaml"))).unwrap();
    assert!(
        !review.contains("flow: "),
        "migrated once, on disk: {review}"
    );
}

#[test]
fn sigkill_during_flow_saves_leaves_a_model_that_parses_with_every_returned_flow() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let path = dir.join("policies").join(format!("{POLICY}.yaml"));
    let add = |round: usize| {
        Command::new(env!("CARGO_BIN_EXE_qualm"))
            .current_dir(dir)
            .args(["model", "flow", "add", POLICY, "--context", "demo"])
            .args(["--evidence", CLAUSE, "--data"])
            .arg(format!("killed-{round}-label"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Kill within about twice the time an add takes on this machine now,
    // so both outcomes happen however loaded it is.
    let started = std::time::Instant::now();
    assert!(add(0).wait().unwrap().success());
    let window_us = (started.elapsed().as_micros() as u64 * 2).max(1_000);
    let mut returned = vec![0];
    let (mut seed, mut killed, mut round) = (0x2545_F491_4F6C_DD1D_u64, 0, 0);
    while round < 80 && (round < 20 || killed < 5 || returned.len() < 5) {
        round += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = add(round);
        std::thread::sleep(std::time::Duration::from_micros(seed % window_us));
        let _ = child.kill(); // SIGKILL
        if child.wait_with_output().unwrap().status.success() {
            returned.push(round);
        } else {
            killed += 1;
        }
        let text = fs::read_to_string(&path).unwrap();
        serde_yaml::from_str::<serde_yaml::Value>(&text)
            .unwrap_or_else(|e| panic!("round {round}: the model does not parse: {e}"));
        for r in &returned {
            let label = format!("killed-{r}-label");
            assert!(
                text.contains(&label),
                "round {round}: flow {label} was lost"
            );
        }
    }
    println!(
        "{killed} of {round} writers killed, {} returned",
        returned.len()
    );
    assert!(killed > 0, "the kills landed too late to test anything");
    assert!(
        returned.len() > 1,
        "the kills landed too early to test anything"
    );
    ok(dir, &["check"]);
}

#[test]
fn positive_undoes_negative_and_an_empty_value_clears_a_list() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let flow = "website-browse.1";
    let set = |extra: &[&str]| {
        let mut args = vec!["model", "flow", "set", POLICY, flow];
        args.extend_from_slice(extra);
        ok(dir, &args)
    };
    let first_flow = |dir: &Path| {
        let text = model(dir);
        let start = text.find(&format!("id: {flow}\n")).unwrap();
        let end = text[start..]
            .find("\n      - ")
            .map_or(text.len(), |e| start + e);
        text[start..end].to_string()
    };
    set(&["--negative"]);
    assert!(
        first_flow(dir).contains("does: false"),
        "{}",
        first_flow(dir)
    );
    set(&["--positive"]);
    assert!(!first_flow(dir).contains("does: false"));
    assert!(!first_flow(dir).contains("scope:"));
    // Both at once is a usage error.
    let out = qualm(
        dir,
        &[
            "model",
            "flow",
            "set",
            POLICY,
            flow,
            "--negative",
            "--positive",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(first_flow(dir).contains("recipients:"));
    set(&["--recipient", ""]);
    assert!(
        !first_flow(dir).contains("recipients:"),
        "{}",
        first_flow(dir)
    );
    ok(dir, &["check"]);
}

#[test]
fn a_removed_flows_id_is_never_given_again_so_its_notes_detach() {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    ok(
        dir,
        &[
            "model", "context", "add", POLICY, "--id", "news", "--name", "News",
        ],
    );
    let add = |data: &str| {
        ok(
            dir,
            &[
                "model",
                "flow",
                "add",
                POLICY,
                "--context",
                "news",
                "--evidence",
                CLAUSE,
                "--data",
                data,
            ],
        )
    };
    assert_eq!(add("email"), "news.1");
    assert_eq!(add("name"), "news.2");
    ok(
        dir,
        &[
            "note",
            "add",
            POLICY,
            "--target",
            "flow:news.2",
            "--kind",
            "vague-language",
            "--body",
            "on the name flow",
        ],
    );
    // The last flow goes; counting the flows left would give its id out.
    ok(dir, &["model", "flow", "rm", POLICY, "news.2"]);
    assert_eq!(add("phone"), "news.3");
    // Nor does a context of the same id made again give it out.
    ok(dir, &["model", "context", "rm", POLICY, "news"]);
    ok(
        dir,
        &[
            "model", "context", "add", POLICY, "--id", "news", "--name", "News",
        ],
    );
    assert_eq!(add("fax"), "news.4");
    assert_eq!(
        notes(dir),
        vec![("on the name flow".into(), "flow:news.2".into(), true)],
        "the note is detached, not moved onto another flow"
    );
    assert!(model(dir).contains("retired_flow_ids: [news.1, news.2, news.3]"));
    ok(dir, &["check"]);
}
