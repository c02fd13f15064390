//! `qualm search QUERY [PATH...]`: the palette's twin. Every hit in rank
//! order (best first; equal scores in folder order), one per line, or
//! `{"hits":[{"kind","policy","id","score","text"}]}` with `--format json`.
//! Exit 0 when something matched, 1 when nothing did (like grep).

use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::TextOrJson;
use crate::search::{highlight, Index, Items};

/// The JSON contract: `{"hits":[{"kind","policy","id","score","text"}]}`.
#[derive(Serialize)]
struct JsonHits<'a> {
    hits: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    kind: &'static str,
    policy: &'a str,
    id: &'a str,
    score: i64,
    text: &'a str,
}

pub fn run(query: &str, paths: &[PathBuf], format: TextOrJson, limit: Option<usize>) -> i32 {
    let corpus = super::output::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let reviews = crate::review::ReviewSet::load(&corpus);
    let index = Index::build(Items::from_corpus_with_notes(&corpus, &reviews));
    let mut hits = index.search(query);
    if let Some(limit) = limit {
        hits.truncate(limit);
    }
    let mut out = String::new();
    match format {
        TextOrJson::Json => {
            let hits: Vec<_> = hits
                .iter()
                .map(|&h| {
                    let item = index.item(h);
                    JsonHit {
                        kind: item.kind.name(),
                        policy: item.policy,
                        id: item.id,
                        score: i64::from(h.score),
                        text: item.text,
                    }
                })
                .collect();
            let doc = JsonHits { hits };
            out = if format == TextOrJson::Json {
                serde_json::to_string_pretty(&doc).expect("json") + "\n"
            } else {
                serde_yaml::to_string(&doc).expect("yaml")
            };
            out = crate::escape::escape(&out).into_owned();
        }
        TextOrJson::Text => {
            let emphasis = std::io::IsTerminal::is_terminal(&std::io::stdout());
            for &h in &hits {
                let item = index.item(h);
                let text = one_line(item.text);
                // Escaped here, not after: the emphasis is qualm's own.
                let text = if emphasis {
                    emphasise(&text, &highlight(&text, query))
                } else {
                    crate::escape::escape(&text).into_owned()
                };
                out.push_str(&format!(
                    "{:<9} {} {} {}\n",
                    item.kind.name(),
                    crate::escape::escape(item.policy),
                    crate::escape::escape(item.id),
                    text
                ));
            }
        }
    }
    // A closed pipe (`qualm search x | head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    i32::from(hits.is_empty())
}

/// Line breaks as spaces, char for char, so highlight positions still fit.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

/// Bold and underlined matched characters (no colour, so NO_COLOR holds);
/// the text itself escaped character by character.
fn emphasise(text: &str, marked: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + marked.len() * 12);
    let mut on = false;
    for (i, c) in text.chars().enumerate() {
        let want = marked.binary_search(&i).is_ok();
        if want != on {
            out.push_str(if want { "\x1b[1;4m" } else { "\x1b[0m" });
            on = want;
        }
        out.push_str(&crate::escape::escape(c.encode_utf8(&mut [0; 4])));
    }
    if on {
        out.push_str("\x1b[0m");
    }
    out
}
