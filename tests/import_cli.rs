//! `qualm import` and `qualm fmt` as an analyst runs them: files written,
//! refusals that write nothing, bad input named by file, and an imported
//! policy that `qualm check` and `qualm compare` accept.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");

fn qualm(args: &[&str]) -> Output {
    Command::new(QUALM).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A policies folder with the shipped vocabulary.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "policies/vocabulary.yaml",
        dir.path().join("vocabulary.yaml"),
    )
    .unwrap();
    dir
}

/// Every file under `dir` but the vocabulary.
fn written(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in walk(dir) {
        let name = entry.strip_prefix(dir).unwrap().display().to_string();
        if name != "vocabulary.yaml" {
            files.push(name);
        }
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_saved_page_becomes_a_model_that_check_accepts() {
    let dir = folder();
    let out_dir = dir.path().to_str().unwrap();
    let out = qualm(&[
        "import",
        "tests/data/import/2016-bootstrap-table.html",
        "--out",
        out_dir,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.starts_with("lumen-2016: "), "{report}");
    assert!(report.contains("suggested from prose"), "{report}");
    assert!(report.contains("100.0% covered"), "{report}");
    assert_eq!(
        written(dir.path()),
        [
            "lumen-2016.yaml",
            "sources/lumen-2016.html",
            "sources/lumen-2016.txt"
        ]
    );
    let check = qualm(&["check", out_dir]);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(
        stdout(&check).contains("(5 suggested)"),
        "{}",
        stdout(&check)
    );
    // The model is in the canonical layout already.
    assert!(qualm(&["fmt", "--check", out_dir]).status.success());

    // A second import refuses and changes nothing; --force replaces.
    let before = std::fs::read(dir.path().join("lumen-2016.yaml")).unwrap();
    let again = qualm(&[
        "import",
        "tests/data/import/2016-bootstrap-table.html",
        "--out",
        out_dir,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("lumen-2016.yaml: error: already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(dir.path().join("lumen-2016.yaml")).unwrap(),
        before
    );
    let forced = qualm(&[
        "import",
        "tests/data/import/2016-bootstrap-table.html",
        "--out",
        out_dir,
        "--force",
        "--organization",
        "Lumen",
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let model = std::fs::read_to_string(dir.path().join("lumen-2016.yaml")).unwrap();
    assert!(model.contains("organization: Lumen\n"), "{model}");
}

#[test]
fn a_later_version_imported_the_same_way_compares_with_the_earlier() {
    let dir = folder();
    let out_dir = dir.path().to_str().unwrap();
    let v1 = "# Privacy Policy\n\nLast updated: 2 May 2020\n\nWe collect your email address to send you receipts.\n\n## Sharing\n\nWe share your email address with Stripe to take payments.\n";
    let v2 = "# Privacy Policy\n\nLast updated: 9 June 2024\n\nWe collect your email address and phone number to send you receipts.\n\n## Sharing\n\nWe share your email address with Stripe to take payments.\n\n## Retention\n\nWe keep receipts for 7 years.\n";
    for (id, text, extra) in [
        ("shop-2020", v1, None),
        ("shop-2024", v2, Some("shop-2020")),
    ] {
        let mut args = vec![
            "import",
            "-",
            "--from",
            "markdown",
            "--id",
            id,
            "--out",
            out_dir,
            "--organization",
            "Shop",
        ];
        if let Some(old) = extra {
            args.extend(["--supersedes", old]);
        }
        let mut child = Command::new(QUALM)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let check = qualm(&["check", out_dir]);
    assert!(check.status.success(), "{}", stdout(&check));
    let compare = qualm(&["compare", "shop-2024", "--in", out_dir]);
    assert!(compare.status.success(), "{}", stderr(&compare));
    let text = stdout(&compare);
    assert!(text.contains("phone number"), "{text}");
    assert!(text.contains("7 years"), "{text}");
}

#[test]
fn bad_input_is_an_error_naming_the_file_and_writes_nothing() {
    let inputs = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty.html", b"  \n\n", "is empty"),
        ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary"),
        ("latin.txt", b"Privacy policy\n\nWe collect your na\xefve data.\n", "is not UTF-8 text (invalid byte at line 3, column 19)"),
        ("blank.html", b"<html><head><script>var x = 'We collect everything.';</script></head><body><nav>Home</nav></body></html>", "has no readable text"),
        ("dir.md", b"", "is a folder"),
    ];
    for (name, bytes, message) in cases {
        let path = inputs.path().join(name);
        if name == "dir.md" {
            std::fs::create_dir(&path).unwrap();
        } else {
            std::fs::write(&path, bytes).unwrap();
        }
        let dir = folder();
        let out = qualm(&[
            "import",
            path.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!("{}: error: ", path.display())),
            "{name}: {err}"
        );
        assert!(err.contains(message), "{name}: {err}");
        assert!(
            written(dir.path()).is_empty(),
            "{name}: wrote {:?}",
            written(dir.path())
        );
    }
}

#[test]
fn oversized_input_and_bad_options_are_refused() {
    let inputs = tempfile::tempdir().unwrap();
    let big = inputs.path().join("big.txt");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(9 * 1024 * 1024).unwrap();
    let dir = folder();
    let out_dir = dir.path().to_str().unwrap();
    let out = qualm(&["import", big.to_str().unwrap(), "--out", out_dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("more than the 8 MiB an import reads"),
        "{}",
        stderr(&out)
    );

    let stdin = qualm(&["import", "-", "--out", out_dir]);
    assert!(
        stderr(&stdin).contains("needs --from"),
        "{}",
        stderr(&stdin)
    );
    let page = "tests/data/import/2023-ccpa-svg.html";
    for (args, message) in [
        (vec!["--supersedes", "nope-2019"], "no model nope-2019.yaml"),
        (
            vec!["--effective", "June 2023"],
            "expected a date as YYYY-MM-DD",
        ),
        (vec!["--id", "../evil"], "use lower-case letters"),
    ] {
        let mut all = vec!["import", page, "--out", out_dir];
        all.extend(args);
        let out = qualm(&all);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
    assert!(written(dir.path()).is_empty());
}

#[test]
fn fmt_rewrites_a_model_in_the_canonical_layout_and_check_mode_lists_it() {
    let dir = folder();
    let model = dir.path().join("tiny.yaml");
    std::fs::write(
        &model,
        "schema: 1\npolicy: {id: tiny, organization: T, title: Tiny}\nsections:\n- id: a\n  clauses:\n  - {id: a.1, text: 'Hello.', topics: [other]}\n",
    )
    .unwrap();
    let path = model.to_str().unwrap();
    let check = qualm(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("not in the canonical layout"));
    assert!(qualm(&["fmt", path]).status.success());
    assert_eq!(
        std::fs::read_to_string(&model).unwrap(),
        "schema: 1\npolicy:\n  id: tiny\n  organization: T\n  title: Tiny\nsections:\n  - id: a\n    heading: \"\"\n    clauses:\n      - id: a.1\n        topics: [other]\n        text: Hello.\n"
    );
    assert!(qualm(&["fmt", "--check", path]).status.success());
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "schema: 1\npolicy: [\n").unwrap();
    let out = qualm(&["fmt", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.yaml:"), "{}", stderr(&out));
}
