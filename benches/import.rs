//! How long `qualm import` takes on a 1 MB HTML page (the target: under a
//! second on one core). The page is the seed texts' sentences, each copy
//! made distinct, laid out as a real page would be: chrome, scripts and
//! inline SVG, `<h2>` sections, paragraphs, lists, bold pseudo-headings,
//! `<br><br>` paragraphs and a data table every few sections. Prints the
//! time of each stage and what the import found.
//! Run: `cargo bench --bench import`.

use std::time::Instant;

use qualm::import::{self, Options, SourceFormat};
use qualm::model::Vocabulary;

const PAGE_BYTES: usize = 1024 * 1024;

fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("policies/sources").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let line = line.trim().trim_start_matches('•').trim();
            if line.len() > 40 && !line.contains(['<', '>', '|', '[', '\t']) {
                out.push(line.to_string());
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

pub fn page() -> String {
    let sentences = sentences();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Privacy</title>\
         <style>body{font:14px sans-serif}</style><script>var t=[];function f(){return t}</script></head><body>\
         <header><nav><a href=\"/\">Home</a><a href=\"/p\">Pricing</a></nav></header><main><h1>Privacy Policy</h1>\
         <p>Last updated: June 2, 2024</p>",
    );
    let mut n = 0;
    let mut section = 0;
    while html.len() < PAGE_BYTES {
        section += 1;
        html.push_str(&format!(
            "<h2 id=\"s{section}\">{section}. Section about data, part {section}</h2>"
        ));
        html.push_str("<svg viewBox=\"0 0 10 10\"><path d=\"M0 0h10v10H0z\"/></svg>");
        for k in 0..6 {
            let s = &sentences[n % sentences.len()];
            n += 1;
            let s = format!("{} (copy {n})", escape(s));
            match k {
                0 => html.push_str(&format!("<p><b>Heading {section}.{k}</b></p><p>{s}</p>")),
                1 => html.push_str(&format!(
                    "<ul><li>{s}</li><li>Item {n} of the list</li></ul>"
                )),
                2 => html.push_str(&format!(
                    "<div>{s}<br><br>Another paragraph {n} follows here.</div>"
                )),
                _ => html.push_str(&format!("<p>{s}</p>")),
            }
        }
        if section % 5 == 0 {
            html.push_str(
                "<table><tr><th>Data we collect</th><th>Purpose</th><th>Legal basis</th><th>Retention period</th></tr>",
            );
            for r in 0..5 {
                html.push_str(&format!(
                    "<tr><td>Name<br>Email address {r}</td><td>To reply; to bill</td><td>Consent</td><td>{r}0 days</td></tr>"
                ));
            }
            html.push_str("</table>");
        }
    }
    html.push_str("</main><footer>© 2024</footer><script>f()</script></body></html>");
    html
}

fn main() {
    let html = page();
    // QUALM_BENCH_PAGE=FILE saves the page, to time `qualm import FILE` too.
    if let Some(path) = std::env::var_os("QUALM_BENCH_PAGE") {
        std::fs::write(path, &html).unwrap();
    }
    let vocabulary = Vocabulary::builtin();
    let options = Options {
        id: Some("bench-2024".into()),
        organization: Some("Bench".into()),
        ..Options::default()
    };
    // One warm-up, then the best of three (one core: nothing here is parallel).
    let mut best = f64::MAX;
    let mut imported = None;
    for _ in 0..4 {
        let start = Instant::now();
        let result = import::import(&html, SourceFormat::Html, &options, &vocabulary).unwrap();
        best = best.min(start.elapsed().as_secs_f64());
        imported = Some(result);
    }
    let imported = imported.unwrap();
    let start = Instant::now();
    let markdown = import::html::to_markdown(&html, false);
    let to_markdown = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let blocks = import::markdown::blocks(&markdown);
    let parse = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let segmented = import::segment::segment(&blocks);
    let segment = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let suggested = import::suggest::suggest(&segmented.sections, &vocabulary);
    let suggest = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let coverage = qualm::model::coverage::coverage(&imported.policy, &imported.source);
    let coverage_time = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let _ = qualm::model::sanitize::sanitize(&html);
    let sanitize = start.elapsed().as_secs_f64();
    let mut sections = segmented.sections.clone();
    let start = Instant::now();
    import::topics::assign(&mut sections, &segmented.column_headers);
    let topics = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let _ = import::metadata::extract(
        sections
            .iter()
            .flat_map(|s| s.clauses.iter().map(|c| &*c.text)),
    );
    let metadata = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut ids = import::tables::Ids::default();
    for s in &sections {
        let _ = import::tables::flattened(s, &mut ids);
    }
    let flattened = start.elapsed().as_secs_f64();
    println!(
        "  sanitize {:.0} ms, topics {:.0} ms, metadata {:.0} ms, flattened tables {:.0} ms",
        sanitize * 1000.0,
        topics * 1000.0,
        metadata * 1000.0,
        flattened * 1000.0
    );
    let start = Instant::now();
    let yaml = qualm::model::write::to_yaml(&imported.policy);
    let write = start.elapsed().as_secs_f64();
    println!(
        "  stages: Markdown to blocks {:.0} ms, sections {:.0} ms, suggested flows {:.0} ms ({}), coverage {:.0} ms ({:.1}%)",
        parse * 1000.0,
        segment * 1000.0,
        suggest * 1000.0,
        suggested.len(),
        coverage_time * 1000.0,
        coverage.percent()
    );
    let p = &imported.policy;
    let flows: usize = p.contexts_flat().iter().map(|(_, c)| c.flows.len()).sum();
    println!(
        "import of a {:.2} MB HTML page: {:.0} ms (best of 3; target < 1000 ms)",
        html.len() as f64 / 1e6,
        best * 1000.0
    );
    println!(
        "  import and writing the model together: {:.0} ms",
        (best + write) * 1000.0
    );
    println!(
        "  of which HTML to Markdown: {:.0} ms ({:.2} MB of Markdown); writing the model: {:.0} ms ({:.2} MB)",
        to_markdown * 1000.0,
        markdown.len() as f64 / 1e6,
        write * 1000.0,
        yaml.len() as f64 / 1e6
    );
    println!(
        "  found {} sections, {} clauses, {} contexts, {} flows ({} suggested); {:.1}% covered",
        p.sections.len(),
        p.clauses().count(),
        p.contexts_flat().len(),
        flows,
        imported.suggested_flows,
        imported.coverage.percent()
    );
}
