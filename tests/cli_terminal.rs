//! The command line at a terminal: long output goes through the pager,
//! colour follows `--color` and NO_COLOR; piped, neither happens.

#[path = "support/pty.rs"]
mod pty;

use std::process::Command;
use std::time::Duration;

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");

#[test]
fn long_output_at_a_terminal_goes_through_the_pager() {
    let dir = tempfile::tempdir().unwrap();
    let paged = dir.path().join("paged.txt");
    let pager = format!("cat > {}; echo PAGER-RAN", paged.display());
    let mut s = Session::start(QUALM, &["export"], &[("PAGER", &pager)], 80, 24);
    assert!(
        s.wait_for("PAGER-RAN", Duration::from_secs(20)),
        "{}",
        s.screen()
    );
    s.wait_exit(Duration::from_secs(10));
    let text = std::fs::read_to_string(&paged).unwrap();
    assert!(
        text.starts_with("{\n  \"policies\""),
        "the pager got the export"
    );
}

#[test]
fn short_output_and_pipes_never_page() {
    let mut s = Session::start(
        QUALM,
        &["check", "--format", "text"],
        &[("PAGER", "echo PAGER-RAN")],
        200,
        60,
    );
    assert!(s.wait_for("checked 5 policies", Duration::from_secs(20)));
    s.wait_exit(Duration::from_secs(10));
    assert!(!s.screen().contains("PAGER-RAN"));
    let out = Command::new(QUALM)
        .args(["export"])
        .env("PAGER", "echo PAGER-RAN")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with('{') && !text.contains("PAGER-RAN"));
}

#[test]
fn colour_at_a_terminal_unless_no_color() {
    let mut s = Session::start(
        QUALM,
        &["lint", "--rule", "outdated-mechanism"],
        &[("PAGER", "cat")],
        120,
        40,
    );
    assert!(s.wait_for("critical", Duration::from_secs(30)));
    s.wait_exit(Duration::from_secs(10));
    let coloured = String::from_utf8_lossy(&s.raw).contains("\x1b[35mcritical");
    assert!(coloured, "severity in colour at a terminal");
    let mut s = Session::start(
        QUALM,
        &["lint", "--rule", "outdated-mechanism"],
        &[("PAGER", "cat"), ("NO_COLOR", "1")],
        120,
        40,
    );
    assert!(s.wait_for("critical", Duration::from_secs(30)));
    s.wait_exit(Duration::from_secs(10));
    assert!(!String::from_utf8_lossy(&s.raw).contains("\x1b[35m"));
    let piped = Command::new(QUALM)
        .args(["--color", "auto", "lint", "--rule", "outdated-mechanism"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains('\x1b'));
}
