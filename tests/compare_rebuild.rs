//! Word changes can be trusted: over many generated pairs of clause texts
//! (reworded, negated, reordered, punctuation-only, white space, Unicode)
//! made from the real clauses of `policies/` and `tests/data/versions/`,
//! the runs rebuild the old and the new text character for character, and
//! a negation word the diff keeps is never folded into a change. The JSON
//! of `qualm compare` rebuilds both texts of every pair too.

use std::path::{Path, PathBuf};
use std::process::Command;

use qualm::compare::align::word_changes;
use qualm::compare::{Op, WordChange};
use qualm::model;
use serde_json::Value;
use similar::{capture_diff_slices, Algorithm, DiffTag};

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");

/// A small deterministic generator, so a failure is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Real clause texts: the shipped models and the evaluation pairs.
fn seeds() -> Vec<String> {
    let corpus = model::load(&[root().join("policies")]);
    let mut out: Vec<String> = corpus
        .policies
        .iter()
        .flat_map(|p| p.policy.clauses().map(|(_, c)| c.text.to_string()))
        .collect();
    let versions = root().join("tests/data/versions");
    for entry in std::fs::read_dir(&versions).unwrap() {
        let dir = entry.unwrap().path();
        for file in ["old.txt", "new.txt"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                out.extend(
                    text.lines()
                        .filter(|l| !l.starts_with("# ") && !l.trim().is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    assert!(out.len() > 300, "seed clauses: {}", out.len());
    out
}

const NEGATIONS: &[&str] = &["not", "never", "no", "nor", "cannot", "don't", "won't"];
const LITTLE: &[&str] = &["a", "to", "of", "we", "the", "or", "and", "it", "by", "our"];
const WORDS: &[&str] = &[
    "certainly",
    "rent",
    "share",
    "sell",
    "données",
    "Straße",
    "個人情報",
    "naïve",
    "café",
    "e\u{301}tude",
    "🔒",
    "שלום",
    "data,",
    "(optional)",
    "partners;",
    "—",
    "“quoted”",
    "x",
];

/// One edit of a word list, of the kinds real revisions make.
fn mutate(rng: &mut Rng, words: &mut Vec<String>) {
    let n = words.len();
    let at = rng.below(n + 1).min(n);
    match rng.below(9) {
        // Reword: replace a word or a few.
        0 => {
            for _ in 0..=rng.below(3) {
                if !words.is_empty() {
                    let k = rng.below(words.len());
                    words[k] = rng.pick(WORDS).to_string();
                }
            }
        }
        // Negate: add or remove a negation word.
        1 => words.insert(at, rng.pick(NEGATIONS).to_string()),
        2 => words.retain(|w| !NEGATIONS.contains(&w.as_str())),
        // Reorder: swap two words, or move a run elsewhere.
        3 if n >= 2 => {
            let (a, b) = (rng.below(n), rng.below(n));
            words.swap(a, b);
        }
        4 if n >= 4 => {
            let start = rng.below(n - 2);
            let len = 1 + rng.below((n - start).min(5));
            let run: Vec<String> = words.drain(start..start + len).collect();
            let to = rng.below(words.len() + 1);
            for (k, w) in run.into_iter().enumerate() {
                words.insert(to + k, w);
            }
        }
        // Punctuation only.
        5 if n > 0 => {
            let k = rng.below(n);
            let w = words[k].trim_end_matches([',', '.', ';', ':']).to_string();
            words[k] = format!("{w}{}", rng.pick(&["", ",", ".", ";", ":", "!"]));
        }
        // A little word between changes (what absorbing acts on).
        6 => {
            words.insert(at, rng.pick(LITTLE).to_string());
            if !words.is_empty() {
                let k = rng.below(words.len());
                words[k] = rng.pick(WORDS).to_string();
            }
        }
        // Delete a run.
        7 if n > 0 => {
            let start = rng.below(n);
            let end = (start + 1 + rng.below(4)).min(n);
            words.drain(start..end);
        }
        _ => words.insert(at, rng.pick(WORDS).to_string()),
    }
}

/// Joins words with the white space a pasted text might have.
fn with_odd_spaces(rng: &mut Rng, words: &[String]) -> String {
    let mut out = String::new();
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            out.push_str(rng.pick(&[" ", " ", " ", "  ", "\n", "\t", " \u{a0}"]));
        }
        out.push_str(w);
    }
    out
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn side(runs: &[WordChange], skip: Op) -> String {
    runs.iter()
        .filter(|r| r.op != skip)
        .map(|r| r.text.as_str())
        .collect()
}

/// Which words of the old text the runs keep (equal) rather than delete.
fn kept_old_words(runs: &[WordChange]) -> Vec<bool> {
    let mut kept = Vec::new();
    for r in runs.iter().filter(|r| r.op != Op::Insert) {
        let n = r.text.split_whitespace().count();
        kept.extend(std::iter::repeat_n(r.op == Op::Equal, n));
    }
    kept
}

fn is_negation(word: &str) -> bool {
    let bare: String = word
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect();
    NEGATIONS.contains(&bare.as_str()) || bare.ends_with("n't")
}

/// Checks one pair; returns what is wrong, if anything.
fn check(old: &str, new: &str) -> Option<String> {
    let runs = word_changes(old, new);
    if side(&runs, Op::Insert) != normalized(old) {
        return Some(format!("old text not rebuilt: {runs:?}"));
    }
    if side(&runs, Op::Delete) != normalized(new) {
        return Some(format!("new text not rebuilt: {runs:?}"));
    }
    // A negation word the plain word diff keeps stays kept.
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let kept = kept_old_words(&runs);
    for op in capture_diff_slices(Algorithm::Patience, &a, &b) {
        let (tag, range, _) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            continue;
        }
        for k in range {
            if is_negation(a[k]) && !kept[k] {
                return Some(format!("negation {:?} (word {k}) folded: {runs:?}", a[k]));
            }
        }
    }
    None
}

#[test]
fn word_changes_rebuild_both_texts_of_generated_pairs_and_keep_negations() {
    let seeds = seeds();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for round in 0..2500 {
        let seed = &seeds[rng.below(seeds.len())];
        let mut words: Vec<String> = seed.split_whitespace().map(str::to_string).collect();
        let original = words.clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut words);
        }
        let old = with_odd_spaces(&mut rng, &original);
        let new = with_odd_spaces(&mut rng, &words);
        // Both directions: an edit read backwards is an edit too.
        for (a, b) in [(&old, &new), (&new, &old)] {
            if let Some(problem) = check(a, b) {
                panic!("round {round}: {problem}\nold: {a:?}\nnew: {b:?}");
            }
            checked += 1;
        }
    }
    // Real pairs: every clause against every other of a few seeds.
    for a in seeds.iter().step_by(37) {
        for b in seeds.iter().step_by(41) {
            if let Some(problem) = check(a, b) {
                panic!("{problem}\nold: {a:?}\nnew: {b:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 5000);
}

#[test]
fn the_issue_example_keeps_its_not() {
    let runs = word_changes(
        "We will not sell your data.",
        "We will certainly not rent your data.",
    );
    let old: String = side(&runs, Op::Insert);
    assert_eq!(old, "We will not sell your data.");
    assert!(runs
        .iter()
        .any(|r| r.op == Op::Equal && r.text.contains("not")));
    assert!(check(
        "We do not sell or rent it",
        "We do not sell, rent or lend it"
    )
    .is_none());
}

/// Rebuilds both texts from the JSON `changes` and the old text alone.
fn rebuild_from_json(old: &str, changes: &[Value]) -> Result<(String, String), String> {
    let old: Vec<char> = normalized(old).chars().collect();
    let (mut at, mut left, mut right) = (0usize, String::new(), String::new());
    for c in changes {
        match c["op"].as_str() {
            Some("equal") => {
                let n = c["chars"].as_u64().ok_or("equal without chars")? as usize;
                let kept: String = old
                    .get(at..at + n)
                    .ok_or("equal past the end")?
                    .iter()
                    .collect();
                left.push_str(&kept);
                right.push_str(&kept);
                at += n;
            }
            Some("delete") => {
                let text = c["text"].as_str().ok_or("delete without text")?;
                let n = text.chars().count();
                let here: String = old
                    .get(at..at + n)
                    .ok_or("delete past the end")?
                    .iter()
                    .collect();
                if here != text {
                    return Err(format!("delete {text:?} where the old text has {here:?}"));
                }
                left.push_str(text);
                at += n;
            }
            Some("insert") => right.push_str(c["text"].as_str().ok_or("insert without text")?),
            other => return Err(format!("unknown op {other:?}")),
        }
    }
    if at != old.len() {
        return Err(format!(
            "{} characters of the old text left over",
            old.len() - at
        ));
    }
    Ok((left, right))
}

#[test]
fn compare_json_changes_rebuild_both_texts_of_every_pair() {
    let corpus = model::load(&[root().join("policies")]);
    let text = |policy: &str, id: &str| -> String {
        let p = corpus
            .policies
            .iter()
            .find(|p| p.policy.id == policy)
            .unwrap();
        let (_, c) = p.policy.clauses().find(|(_, c)| c.id == id).unwrap();
        c.text.to_string()
    };
    let ids: Vec<String> = corpus
        .policies
        .iter()
        .map(|p| p.policy.id.clone())
        .collect();
    let mut pairs_checked = 0;
    for (k, a) in ids.iter().enumerate() {
        for b in &ids[k + 1..] {
            let out = Command::new(QUALM)
                .args(["compare", a, b, "--format", "json", "--in"])
                .arg(Path::new(&root()).join("policies"))
                .output()
                .unwrap();
            assert!(out.status.success(), "compare {a} {b}");
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            for p in v["pairs"].as_array().unwrap() {
                let (Some(l), Some(r)) = (p["left"].as_str(), p["right"].as_str()) else {
                    continue;
                };
                if p["status"] != "reworded" {
                    continue;
                }
                let (old, new) = (text(a, l), text(b, r));
                let rebuilt = rebuild_from_json(&old, p["changes"].as_array().unwrap());
                assert_eq!(
                    rebuilt,
                    Ok((normalized(&old), normalized(&new))),
                    "{a}:{l} -> {b}:{r}"
                );
                pairs_checked += 1;
            }
        }
    }
    assert!(
        pairs_checked > 0,
        "no reworded pair among the shipped policies"
    );
}
