//! The command line as scripts meet it: one way to name the policies
//! folder, global options before or after the subcommand, "did you mean",
//! the exit codes of the README's table, every `--format` value real,
//! reports that leave drafts out and CSV that keeps replies, flat export
//! tables, completions and the man page.

#[path = "support/workspace.rs"]
mod workspace;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn qualm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(args)
        .env("QUALM_AUTHOR", "tester")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_folder_is_named_one_way_before_or_after_the_subcommand() {
    let ws = workspace::copy_policies();
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = ws.path().join("policies");
    let folder = folder.to_str().unwrap();
    for args in [
        vec!["--policies", folder, "check"],
        vec!["check", "--policies", folder],
        vec!["-p", folder, "check"],
        vec!["--color", "never", "check", "-p", folder],
        // The old spellings still work.
        vec!["check", folder],
        vec!["check", "--in", folder],
    ] {
        let out = qualm(elsewhere.path(), &args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("checked 5 policies"), "{args:?}");
    }
    // The default is ./policies, for every command.
    for args in [
        vec!["check"],
        vec!["note", "list"],
        vec!["lint"],
        vec!["matrix"],
        vec!["report"],
        vec!["export"],
    ] {
        let out = qualm(ws.path(), &args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }
    // Every subcommand's help names the folder the same way.
    for sub in [
        "check", "export", "lint", "matrix", "note", "report", "search", "compare",
    ] {
        let help = stdout(&qualm(ws.path(), &[sub, "--help"]));
        assert!(help.contains("--policies <PATH>"), "{sub} --help:\n{help}");
    }
}

#[test]
fn exit_codes_follow_the_table() {
    let ws = workspace::copy_policies();
    // 0: ok.
    assert_eq!(code(&qualm(ws.path(), &["check"])), 0);
    // 1: errors in the data.
    fs::write(
        ws.path().join("policies/broken.yaml"),
        "schema: 1\npolicy: [",
    )
    .unwrap();
    assert_eq!(code(&qualm(ws.path(), &["check"])), 1);
    fs::remove_file(ws.path().join("policies/broken.yaml")).unwrap();
    // 2: usage and I/O: a missing folder, a bad value, a mistyped command.
    let missing = qualm(ws.path(), &["note", "list", "--policies", "/nonexistent"]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no such file or folder: /nonexistent"));
    assert_eq!(code(&qualm(ws.path(), &["check", "-p", "nowhere"])), 2);
    assert_eq!(code(&qualm(ws.path(), &["check", "--format", "yaml"])), 2);
    let typo = qualm(ws.path(), &["chek"]);
    assert_eq!(code(&typo), 2);
    assert!(
        stderr(&typo).contains("did you mean `check`?"),
        "{}",
        stderr(&typo)
    );
    let bogus = qualm(ws.path(), &["bogus"]);
    assert_eq!(code(&bogus), 2);
    assert!(stderr(&bogus).contains("not a subcommand or a folder"));
}

/// The values clap lists for `--format` in a subcommand's help.
fn listed_formats(dir: &Path, sub: &[&str]) -> Vec<String> {
    let mut args = sub.to_vec();
    args.push("--help");
    let help = stdout(&qualm(dir, &args));
    let Some(start) = help.find("--format <FORMAT>") else {
        return Vec::new();
    };
    // This option's block: up to the next option line.
    let block: Vec<&str> = help[start..]
        .lines()
        .enumerate()
        .take_while(|(i, l)| {
            *i == 0 || !l.trim_start().starts_with('-') || l.trim_start().starts_with("- ")
        })
        .map(|(_, l)| l)
        .collect();
    let block = block.join("\n");
    if let Some(i) = block.find("[possible values: ") {
        let list = &block[i + "[possible values: ".len()..];
        let list = &list[..list.find(']').unwrap()];
        return list.split(", ").map(str::to_string).collect();
    }
    // Values with their own help are listed one per line, as `- name: help`.
    block
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .map(|l| l.split(':').next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn every_listed_format_is_real() {
    let ws = workspace::copy_policies();
    let out = qualm(
        ws.path(),
        &[
            "note",
            "add",
            "quali-2024",
            "--target",
            "policy",
            "--kind",
            "other",
            "--body",
            "a note",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["check"], vec![]),
        (vec!["export"], vec![]),
        (vec!["search", "salesforce"], vec![]),
        (vec!["matrix"], vec![]),
        (vec!["lint"], vec![]),
        (vec!["report"], vec![]),
        (vec!["keys"], vec![]),
        (vec!["note", "list"], vec![]),
        (vec!["compare", "qualys-2020", "qualys-2015"], vec![]),
    ];
    for (sub, _) in cases {
        let formats = listed_formats(ws.path(), &sub);
        assert!(!formats.is_empty(), "{sub:?} lists no formats");
        for format in &formats {
            let mut args = sub.clone();
            args.extend(["--format", format.as_str()]);
            if sub == ["export"] && (format == "csv" || format == "jsonl") {
                args.extend(["--table", "flows"]);
            }
            let out = qualm(ws.path(), &args);
            assert!(
                code(&out) == 0,
                "{args:?} exits {}: {}",
                code(&out),
                stderr(&out)
            );
            let text = stdout(&out);
            assert!(!text.is_empty(), "{args:?} printed nothing");
            match format.as_str() {
                "json" | "sarif" => {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .unwrap_or_else(|e| panic!("{args:?} is not JSON: {e}"));
                }
                "jsonl" => {
                    for line in text.lines() {
                        serde_json::from_str::<serde_json::Value>(line).unwrap();
                    }
                }
                "text" | "md" | "csv" => {
                    assert!(!text.trim_start().starts_with('{'), "{args:?} printed JSON")
                }
                "html" => assert!(text.starts_with("<!DOCTYPE html>")),
                "yaml" => {
                    serde_yaml::from_str::<serde_yaml::Value>(&text).unwrap();
                    assert!(!text.trim_start().starts_with('{'));
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_report_leaves_drafts_and_dismissed_notes_out_and_filters() {
    let ws = workspace::copy_policies();
    let add = |policy: &str, severity: &str, status: &str, body: &str| {
        let out = qualm(
            ws.path(),
            &[
                "note",
                "add",
                policy,
                "--target",
                "policy",
                "--kind",
                "vague-language",
                "--severity",
                severity,
                "--status",
                status,
                "--body",
                body,
            ],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    let kept = add("quali-2024", "high", "open", "kept note");
    add("quali-2024", "low", "draft", "leftover draft");
    add("qualys-2015", "medium", "dismissed", "dismissed note");
    add("qualys-2015", "info", "open", "minor note");
    let out = qualm(
        ws.path(),
        &["note", "reply", "quali-2024", &kept, "--body", "a reply"],
    );
    assert_eq!(code(&out), 0);

    let md = stdout(&qualm(ws.path(), &["report", "--title", "Acme audit"]));
    assert!(md.starts_with("# Acme audit\n"));
    assert!(md.contains("kept note") && md.contains("a reply") && md.contains("minor note"));
    assert!(!md.contains("leftover draft") && !md.contains("dismissed note"));
    assert!(md.contains("| policy | critical | high | medium | low | info |"));

    let all = stdout(&qualm(
        ws.path(),
        &["report", "--status", "draft", "--status", "dismissed"],
    ));
    assert!(all.contains("leftover draft") && all.contains("dismissed note"));
    assert!(!all.contains("kept note"));

    let high = stdout(&qualm(ws.path(), &["report", "--min-severity", "medium"]));
    assert!(high.contains("kept note") && !high.contains("minor note"));
    let one = stdout(&qualm(ws.path(), &["report", "--policy", "qualys-2015"]));
    assert!(one.contains("minor note") && !one.contains("kept note"));
    assert_eq!(code(&qualm(ws.path(), &["report", "--policy", "nope"])), 2);

    let csv = stdout(&qualm(ws.path(), &["report", "--format", "csv"]));
    assert!(csv.lines().next().unwrap().ends_with(",replies"));
    assert!(
        csv.contains("tester (") && csv.contains("): a reply"),
        "{csv}"
    );
}

#[test]
fn export_tables_for_data_tools() {
    let ws = workspace::copy_policies();
    let csv = stdout(&qualm(
        ws.path(),
        &["export", "--table", "flows", "--format", "csv"],
    ));
    let header = csv.lines().next().unwrap();
    for column in [
        "policy",
        "context",
        "data",
        "purposes",
        "basis",
        "recipients",
        "retention",
        "action",
        "negative",
        "evidence",
    ] {
        assert!(header.split(',').any(|c| c == column), "flows has {column}");
    }
    let flows: usize = csv.lines().count() - 1;
    let export: serde_json::Value =
        serde_json::from_str(&stdout(&qualm(ws.path(), &["export"]))).unwrap();
    let mut expected = 0;
    fn count(contexts: &serde_json::Value) -> usize {
        contexts
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["flows"].as_array().unwrap().len() + count(&c["contexts"]))
            .sum()
    }
    for policy in export["policies"].as_array().unwrap() {
        expected += count(&policy["contexts"]);
    }
    assert_eq!(flows, expected, "one row per flow");
    let clauses = stdout(&qualm(
        ws.path(),
        &["export", "--table", "clauses", "--format", "jsonl"],
    ));
    let first: serde_json::Value = serde_json::from_str(clauses.lines().next().unwrap()).unwrap();
    assert!(first["text"].is_string() && first["clause"].is_string());
    assert_eq!(
        code(&qualm(ws.path(), &["export", "--format", "csv"])),
        2,
        "csv needs a table"
    );
    assert_eq!(
        code(&qualm(
            ws.path(),
            &["export", "--table", "flows", "--format", "json"]
        )),
        2
    );
    let findings = stdout(&qualm(ws.path(), &["export", "--table", "findings"]));
    assert!(findings.starts_with("policy,rule,kind,severity"));
}

#[test]
fn completions_and_the_man_page() {
    let ws = workspace::copy_policies();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = qualm(ws.path(), &["completions", shell]);
        assert_eq!(code(&out), 0);
        let text = stdout(&out);
        assert!(
            text.contains("lint") && text.contains("policies"),
            "{shell}"
        );
    }
    let man = stdout(&qualm(ws.path(), &["man"]));
    assert!(man.contains(".TH qualm 1"));
    assert!(man.contains("lint"));
}

/// The README's command table and clap agree: every subcommand has a row,
/// and every option a row names exists on that subcommand.
#[test]
fn the_readme_command_table_matches_clap() {
    use clap::CommandFactory;
    let readme = fs::read_to_string("README.md").unwrap();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("## Commands"))
        .take_while(|l| !l.starts_with("**Exit codes**"))
        .filter(|l| l.starts_with("| `qualm"))
        .collect();
    let root = qualm::cli::Cli::command();
    let mut commands: Vec<(String, clap::Command)> = Vec::new();
    // Every leaf subcommand, however deep (`model flow add`).
    fn leaves(prefix: &str, command: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
            let name = format!("{prefix}{}", sub.get_name());
            if sub.has_subcommands() {
                leaves(&format!("{name} "), sub, out);
            } else {
                out.push((name, sub.clone()));
            }
        }
    }
    leaves("", &root, &mut commands);
    let globals: Vec<String> = root
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    for (name, command) in &commands {
        let rows: Vec<&&str> = table
            .iter()
            .filter(|row| {
                row.starts_with(&format!("| `qualm {name} "))
                    || row.starts_with(&format!("| `qualm {name}`"))
            })
            .collect();
        assert!(!rows.is_empty(), "README has no row for `qualm {name}`");
        let longs: Vec<String> = command
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(str::to_string))
            .filter(|l| l != "help")
            .collect();
        for row in &rows {
            let cell = row.split(" | ").next().unwrap();
            for word in cell.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
                if let Some(option) = word.strip_prefix("--") {
                    assert!(
                        longs.iter().any(|l| l == option) || globals.iter().any(|g| g == option),
                        "README names --{option} for `qualm {name}`, which has no such option"
                    );
                }
            }
        }
        for long in &longs {
            assert!(
                rows.iter().any(|row| row.contains(&format!("--{long}"))),
                "README's row for `qualm {name}` does not name --{long}"
            );
        }
    }
}
