//! The HTML report a client receives, rendered in headless Chromium (which
//! `.ci/run` installs from the distribution's packages when missing): the
//! page Chromium builds has the summary, the heatmaps with their cells and
//! the notes; printed to PDF it is A4, a few pages, under 1 MB. Without a
//! Chromium the test fails, naming what to install; QUALM_SKIP_BROWSER=1
//! skips it on purpose.

#[path = "support/workspace.rs"]
mod workspace;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

fn headless(browser: &Path, profile: &Path, args: &[&str], page: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

fn qualm(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(args)
        .env("QUALM_AUTHOR", "auditor")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_html_report_renders_in_chromium_and_prints_to_a4() {
    if std::env::var_os("QUALM_SKIP_BROWSER").is_some() {
        eprintln!("QUALM_SKIP_BROWSER is set: the HTML report was not rendered");
        return;
    }
    let browser = chromium().expect(
        "no Chromium: `apt-get install chromium` (as .ci/run does), or QUALM_SKIP_BROWSER=1",
    );
    let dir = workspace::copy_policies();
    // Twenty notes over the five policies, one with markup in it.
    let ids = [
        "quali-2024",
        "qualys-2015",
        "qualys-2020",
        "qualisys",
        "qualer-2020",
    ];
    let kinds = [
        "vague-language",
        "retention-unspecified",
        "unnamed-recipients",
        "legal-basis",
    ];
    let severities = ["info", "low", "medium", "high", "critical"];
    for i in 0..20 {
        let body = if i == 0 {
            "<script>alert(1)</script> is shown as text".to_string()
        } else {
            format!("Concern number {i}: what does this mean for the data subject?")
        };
        qualm(
            dir.path(),
            &[
                "note",
                "add",
                ids[i % 5],
                "--target",
                "policy",
                "--kind",
                kinds[i % 4],
                "--severity",
                severities[i % 5],
                "--body",
                &body,
            ],
        );
    }
    let html = qualm(
        dir.path(),
        &["report", "--format", "html", "--title", "Vendor review"],
    );
    assert!(
        html.len() < 1024 * 1024,
        "the report is {} bytes",
        html.len()
    );
    assert!(!html.contains("<script"), "nothing in the page runs");
    let page = dir.path().join("report.html");
    fs::write(&page, &html).unwrap();

    let profile = tempfile::tempdir().unwrap();
    let out = headless(&browser, profile.path(), &["--dump-dom"], &page);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<h1>Vendor review</h1>"));
    assert!(dom.contains("<table class=\"summary\">"));
    for table in ["heatmap matrix", "heatmap concerns", "heatmap checklist"] {
        assert!(
            dom.contains(&format!("<table class=\"{table}\">")),
            "{table}"
        );
    }
    assert!(
        dom.matches("<table class=\"heatmap matrix\">").count() == 2,
        "data and recipients"
    );
    let cells = |class: &str| dom.matches(&format!("<td class=\"{class}\"")).count();
    assert!(
        cells("cell-shared") > 10 && cells("cell-collected") > 5,
        "matrix cells"
    );
    assert!(
        cells("cell-present") > 10 && cells("cell-missing") > 0,
        "checklist cells"
    );
    assert!(
        cells("heat-1") + cells("heat-2") + cells("heat-3") + cells("heat-4") >= 5,
        "concern cells"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt; is shown as text"));
    assert_eq!(dom.matches("<div class=\"note\">").count(), 20);
    assert!(dom.contains("<svg"), "inline SVG bars");

    let pdf = dir.path().join("report.pdf");
    let out = headless(
        &browser,
        profile.path(),
        &[&format!("--print-to-pdf={}", pdf.display())],
        &page,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    // The page tree's count: `/Type /Pages /Count N`.
    let pages: usize = text
        .split("/Type /Pages")
        .nth(1)
        .and_then(|s| s.split("/Count ").nth(1))
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .expect("a page tree");
    assert!(
        pages >= 6,
        "a page per policy and the heatmaps: {pages} pages"
    );
    // A4 is 595 x 842 points.
    let media = text
        .split("/MediaBox [")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("a media box");
    let numbers: Vec<f64> = media
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        (numbers[2] - 595.0).abs() < 2.0 && (numbers[3] - 842.0).abs() < 2.0,
        "{media}"
    );
}
