//! HTML pages of several eras (tests/data/import/, see its README) import
//! without an error, with no markup or script in any clause and at least
//! 95% of the page's readable sentences in clauses. Set QUALM_REAL_PAGES to
//! a folder of saved pages to measure those too; the figures are printed
//! (`cargo test --test import_html -- --nocapture`).

use std::path::{Path, PathBuf};

use qualm::import::{self, Imported, Options, SourceFormat};
use qualm::model::Vocabulary;
use scraper::{Html, Node};

fn pages() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("tests/data/import")];
    if let Some(extra) = std::env::var_os("QUALM_REAL_PAGES") {
        dirs.push(PathBuf::from(extra));
    }
    let mut pages: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"))
        .collect();
    pages.sort();
    pages
}

fn import_page(path: &Path) -> Imported {
    let bytes = std::fs::read(path).unwrap();
    let text = import::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = Options {
        name_hint: path.file_stem().unwrap().to_string_lossy().into_owned(),
        ..Options::default()
    };
    import::import(&text, SourceFormat::Html, &options, &Vocabulary::builtin())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sentences a reader of the page sees as the policy: the text of the
/// body (or its `<main>`/`<article>`), without scripts, styles, graphics,
/// navigation, page header and footer, or hidden elements; sentences of
/// more than 30 characters and four words.
fn readable_sentences(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut text = String::new();
    fn walk(node: ego_tree::NodeRef<Node>, text: &mut String) {
        match node.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(e) => {
                let skip = matches!(
                    e.name(),
                    "script"
                        | "style"
                        | "svg"
                        | "noscript"
                        | "template"
                        | "head"
                        | "nav"
                        | "header"
                        | "footer"
                        | "button"
                ) || e
                    .attr("style")
                    .is_some_and(|s| s.replace(' ', "").contains("display:none"))
                    || e.attr("aria-hidden") == Some("true")
                    || ["nav", "footer"]
                        .iter()
                        .any(|c| e.attr("id") == Some(c) || e.attr("class") == Some(c));
                if skip {
                    return;
                }
                let block = matches!(
                    e.name(),
                    "p" | "div"
                        | "li"
                        | "td"
                        | "th"
                        | "tr"
                        | "br"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "section"
                        | "table"
                        | "summary"
                );
                if block {
                    text.push('\n');
                }
                for child in node.children() {
                    walk(child, text);
                }
                if block {
                    text.push('\n');
                }
            }
            _ => {
                for child in node.children() {
                    walk(child, text);
                }
            }
        }
    }
    walk(document.tree.root(), &mut text);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut start = 0;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let next_space = chars.get(k + 1).is_none_or(|&(_, n)| n == ' ');
            if matches!(c, '.' | '!' | '?') && next_space {
                out.push(line[start..=i].trim().to_string());
                start = i + 1;
            }
        }
        out.push(line[start..].trim().to_string());
    }
    // A bullet typed before an item is decoration, not words.
    for s in &mut out {
        *s = s
            .trim_start_matches(['•', '·', '-', '*'])
            .trim()
            .to_string();
    }
    out.retain(|s| s.chars().count() > 30 && s.split_whitespace().count() >= 4);
    out
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Markup or script left in a clause: a tag, an entity, code punctuation.
fn markup_in(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/' || *n == b'!')
        {
            return Some("a tag");
        }
    }
    for needle in [
        "&amp;",
        "&nbsp;",
        "&bull;",
        "function(",
        "function ",
        "});",
        "=>",
        "{\"@context",
        "\\*",
        "\\|",
        "**",
    ] {
        if text.contains(needle) {
            return Some("script, an entity or Markdown");
        }
    }
    None
}

#[test]
fn pages_of_several_eras_import_cleanly() {
    let pages = pages();
    assert!(pages.len() >= 4, "the fixtures are missing");
    let mut failures = Vec::new();
    println!("page                              clauses  readable sentences in clauses");
    for path in &pages {
        let imported = import_page(path);
        let html = import::decode(&std::fs::read(path).unwrap()).unwrap();
        let mut modelled = String::new();
        for section in &imported.policy.sections {
            modelled.push_str(&squash(&section.heading));
            if let Some(what) = markup_in(&section.heading) {
                failures.push(format!(
                    "{}: {what} in heading {:?}",
                    path.display(),
                    section.heading
                ));
            }
            for clause in &section.clauses {
                modelled.push_str(&squash(&clause.text));
                if let Some(what) = markup_in(&clause.text) {
                    failures.push(format!(
                        "{}: {what} in {}: {:?}",
                        path.display(),
                        clause.id,
                        clause.text
                    ));
                }
            }
        }
        let sentences = readable_sentences(&html);
        let missing: Vec<&String> = sentences
            .iter()
            .filter(|s| !modelled.contains(&squash(s)))
            .collect();
        let share =
            100.0 * (sentences.len() - missing.len()) as f64 / sentences.len().max(1) as f64;
        println!(
            "{:<34} {:>7}  {share:.1}% ({}/{})",
            path.file_name().unwrap().to_string_lossy(),
            imported.policy.clauses().count(),
            sentences.len() - missing.len(),
            sentences.len()
        );
        if share < 95.0 {
            failures.push(format!(
                "{}: {share:.1}% of sentences, missing {missing:#?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn each_era_keeps_its_structure() {
    let acorn = import_page(Path::new("tests/data/import/2001-table-layout.html"));
    let headings: Vec<&str> = acorn
        .policy
        .sections
        .iter()
        .map(|s| s.heading.as_str())
        .collect();
    assert!(headings.contains(&"INFORMATION WE COLLECT"), "{headings:?}");
    assert_eq!(acorn.policy.effective.as_deref(), Some("2001-03-04"));
    assert!(
        acorn.source.contains("(“Acorn”, “we” or “us”)"),
        "windows-1252 quotes decoded"
    );
    assert!(!acorn.source.contains("trackingPixel"));

    let harbor = import_page(Path::new("tests/data/import/2009-xhtml-divs.html"));
    assert!(harbor
        .policy
        .sections
        .iter()
        .any(|s| s.heading == "Do we use cookies?"));
    assert!(
        !harbor.source.contains("hidden text"),
        "display:none is dropped"
    );
    assert!(
        !harbor.source.contains("Find a tutor"),
        "navigation is dropped"
    );
    assert!(harbor
        .policy
        .clauses()
        .any(|(_, c)| &*c.text == "To send periodic emails regarding your sessions."));

    let lumen = import_page(Path::new("tests/data/import/2016-bootstrap-table.html"));
    let flows: Vec<_> = lumen
        .policy
        .contexts_flat()
        .into_iter()
        .filter(|(_, c)| !import::is_suggested(c))
        .flat_map(|(_, c)| c.flows.clone())
        .collect();
    assert_eq!(flows.len(), 3, "one flow per table row");
    assert_eq!(
        flows[0].data.iter().map(|d| &**d).collect::<Vec<_>>(),
        ["Name", "Email address", "Company"]
    );
    assert_eq!(
        flows[0].recipients.iter().map(|d| &**d).collect::<Vec<_>>(),
        ["Stripe (payments)", "Intercom (support)"]
    );
    assert_eq!(
        flows[1].data.iter().map(|d| &**d).collect::<Vec<_>>(),
        ["IP address", "Browser type"]
    );
    assert_eq!(flows[1].purposes.len(), 2, "';' separates labels");
    assert_eq!(flows[1].retention.as_deref(), Some("30 days"));
    assert!(!lumen.source.contains("Pricing") && !lumen.source.contains("Accept"));

    let orbit = import_page(Path::new("tests/data/import/2023-ccpa-svg.html"));
    let biometric = orbit
        .policy
        .contexts_flat()
        .into_iter()
        .find(|(_, c)| c.name == "Biometric information")
        .expect("a context per CCPA category");
    assert!(!biometric.1.flows[0].does, "\"NO\" is a negative flow");
    assert!(!orbit.source.contains("badge") && !orbit.source.contains("Orbit logo"));
    assert_eq!(orbit.policy.jurisdictions, ["CCPA"]);
}
