//! A mutation fuzzer that runs on stable (cargo-fuzz needs nightly): seed
//! files are mutated with byte flips, deletions, duplications, splices and
//! hostile tokens (anchors and aliases, deep brackets, tags, terminal
//! escapes, bidi overrides, BOMs), and fed to the loaders of models, review
//! files, the vocabulary and keymaps, and to the merge driver. Whatever
//! comes in: no panic, every message escaped, diagnostics capped per file,
//! a review file written is one that reads back, and a merge loses no edit.
//!
//! `cargo test --test fuzz` runs a short pass (a few hundred inputs). The
//! long run is on demand:
//! `QUALM_FUZZ_ITERS=20000 cargo test --release --test fuzz -- --ignored`;
//! `QUALM_FUZZ_SEED=N` replays a run (a failure prints its seed).

use std::fs;
use std::path::{Path, PathBuf};

use qualm::keymap::Keymap;
use qualm::model;
use qualm::review::merge::merge;
use qualm::review::{Note, ReviewFile, Severity, Status, Target};

/// xorshift64*: small, fast, reproducible from one number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "&b [*a, *a, *a, *a]",
    "[",
    "]",
    "{",
    "}",
    "[[[[[[[[[[[[[[[[",
    "!!binary ",
    "!tag ",
    "- ",
    ": ",
    "\n  ",
    "\n- ",
    "\"",
    "'",
    "#",
    "|\n",
    ">\n",
    "\t",
    "\u{FEFF}",
    "\u{1b}]52;c;aGk=\u{7}",
    "\u{1b}[2J",
    "\u{9b}2J",
    "\u{202E}",
    "\u{200B}",
    "\r",
    "\0",
    "2024-13-45",
    "supersedes: ",
    "source: /dev/zero",
    "source: ../../etc/passwd",
    "~",
    "null",
    "---\n",
    "...\n",
    "? ",
    "<<: *a\n",
    "%YAML 1.2\n",
    "\u{85}",
];

/// How many inputs per target: `QUALM_FUZZ_ITERS`, else `short`.
fn iterations(short: usize) -> usize {
    std::env::var("QUALM_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(short)
}

fn seed() -> u64 {
    std::env::var("QUALM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15)
}

/// One mutated input from the seeds, at most `max` bytes.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], max: usize) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(256)).min(data.len());
                let piece = data[at..end].to_vec();
                for _ in 0..1 + rng.below(4) {
                    data.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let end = (from + rng.below(512)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
            5 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let times = 1 + rng.below(200);
                let run: Vec<u8> = token
                    .iter()
                    .copied()
                    .cycle()
                    .take(token.len() * times)
                    .collect();
                data.splice(at..at, run);
            }
            _ => {
                // A random line moved elsewhere: indentation goes astray.
                let text = data.clone();
                let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
                let line = lines[rng.below(lines.len())];
                data.splice(at..at, line.iter().copied().chain([b'\n']));
            }
        }
    }
    data.truncate(max);
    data
}

fn assert_escaped(what: &str, message: &str) {
    assert!(
        !message.chars().any(qualm::escape::is_hazard),
        "{what}: unescaped control in {message:?} (QUALM_FUZZ_SEED={})",
        seed()
    );
}

fn check_diagnostics(what: &str, diagnostics: &[model::Diagnostic], files: usize) {
    // 100 errors and 100 warnings a file, their summaries, and a few
    // folder-level findings.
    assert!(
        diagnostics.len() <= files * 204 + 8,
        "{what}: {} diagnostics for {files} files",
        diagnostics.len()
    );
    for d in diagnostics {
        assert_escaped(what, &d.to_string());
    }
}

fn seeds_from(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

fn model_seeds() -> Vec<Vec<u8>> {
    let mut paths = vec![PathBuf::from("policies/qualys-2015.yaml")];
    paths.extend(model::load::model_files_in(Path::new("tests/invalid_models")).unwrap());
    seeds_from(&paths)
}

fn fuzz_models(iters: usize) {
    let seeds = model_seeds();
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        "policies/vocabulary.yaml",
        dir.path().join("vocabulary.yaml"),
    )
    .unwrap();
    let mut rng = Rng(seed());
    for i in 0..iters {
        let input = mutate(&mut rng, &seeds, 256 * 1024);
        let path = dir.path().join("fuzz.yaml");
        fs::write(&path, &input).unwrap();
        let corpus = model::load(&[path]);
        check_diagnostics(&format!("model #{i}"), &corpus.diagnostics, 1);
        for p in &corpus.policies {
            // What loads is sanitized: no view can send its bytes raw.
            assert_escaped("title", &qualm::escape::escape(&p.policy.title));
            for (_, clause) in p.policy.clauses() {
                assert!(
                    !clause.text.chars().any(|c| c.is_control() && c != '\n'),
                    "model #{i}: a control character survived loading"
                );
            }
        }
    }
}

fn fuzz_vocabulary(iters: usize) {
    let seeds = seeds_from(&[PathBuf::from("policies/vocabulary.yaml")]);
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        "policies/qualys-2015.yaml",
        dir.path().join("qualys-2015.yaml"),
    )
    .unwrap();
    let mut rng = Rng(seed() ^ 1);
    for i in 0..iters {
        let input = mutate(&mut rng, &seeds, 128 * 1024);
        fs::write(dir.path().join("vocabulary.yaml"), &input).unwrap();
        let corpus = model::load(&[dir.path().to_path_buf()]);
        check_diagnostics(&format!("vocabulary #{i}"), &corpus.diagnostics, 2);
    }
}

fn note(id: &str, body: &str, rng: &mut Rng) -> Note {
    Note {
        id: id.into(),
        target: Target::policy("qualys-2015"),
        kind: "other".into(),
        severity: Severity::ALL[rng.below(Severity::ALL.len())],
        status: Status::ALL[rng.below(Status::ALL.len())],
        author: "fuzz".into(),
        created: format!("2026-11-29T10:00:{:02}Z", rng.below(60)),
        updated: String::new(),
        digest: None,
        body: body.into(),
        replies: Vec::new(),
        conflict: None,
        rule: None,
        fingerprint: None,
    }
}

fn review_seed(rng: &mut Rng) -> ReviewFile {
    let mut file = ReviewFile::new("qualys-2015");
    for i in 0..1 + rng.below(6) {
        let body = TOKENS[rng.below(TOKENS.len())].repeat(1 + rng.below(3));
        file.notes.push(note(&format!("n{i:05}"), &body, rng));
    }
    file
}

fn fuzz_review_files(iters: usize) {
    let mut rng = Rng(seed() ^ 2);
    let seeds: Vec<Vec<u8>> = (0..8)
        .map(|_| review_seed(&mut rng).to_yaml().into_bytes())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let corpus = model::load(&[PathBuf::from("policies/qualys-2015.yaml")]);
    let policy = &corpus.policies[0].policy;
    let path = dir.path().join("qualys-2015.review.yaml");
    for i in 0..iters {
        let input = mutate(&mut rng, &seeds, 128 * 1024);
        fs::write(&path, &input).unwrap();
        let (file, diagnostics) =
            qualm::review::note::check_file(&path, Some(policy), &corpus.vocabulary);
        check_diagnostics(&format!("review #{i}"), &diagnostics, 1);
        if let Some(file) = file {
            // Whatever parses is written back so that it reads the same.
            let text = file.to_yaml();
            assert_eq!(
                model::guard::prescan(&text),
                None,
                "review #{i}: qualm would refuse what it writes"
            );
            let back = ReviewFile::parse(&text, &path)
                .unwrap_or_else(|d| panic!("review #{i}: written file does not parse: {d}"));
            let mut expected = file.clone();
            expected.canonicalize();
            assert_eq!(back, expected, "review #{i}: round trip");
        }
    }
}

fn fuzz_keymaps(iters: usize) {
    let seeds = seeds_from(&[PathBuf::from("keymap.toml")]);
    let mut rng = Rng(seed() ^ 3);
    let path = Path::new("fuzz-keymap.toml");
    for i in 0..iters {
        let input = mutate(&mut rng, &seeds, 64 * 1024);
        let text = String::from_utf8_lossy(&input);
        if let Err(diagnostics) = Keymap::defaults().with_overrides(&text, path) {
            check_diagnostics(&format!("keymap #{i}"), &diagnostics, 1);
        }
    }
}

fn fuzz_merge(iters: usize) {
    let mut rng = Rng(seed() ^ 4);
    for i in 0..iters {
        let base = review_seed(&mut rng);
        let mut sides = [base.clone(), base.clone()];
        for side in &mut sides {
            for _ in 0..rng.below(5) {
                match rng.below(4) {
                    0 if !side.notes.is_empty() => {
                        let at = rng.below(side.notes.len());
                        side.notes.remove(at);
                    }
                    1 if !side.notes.is_empty() => {
                        let at = rng.below(side.notes.len());
                        side.notes[at].body = TOKENS[rng.below(TOKENS.len())].into();
                    }
                    2 if !side.notes.is_empty() => {
                        let at = rng.below(side.notes.len());
                        side.notes[at].status = Status::ALL[rng.below(Status::ALL.len())];
                    }
                    _ => {
                        let id = format!("x{:05}", rng.below(100_000));
                        let n = note(&id, "added", &mut rng);
                        side.notes.push(n);
                    }
                }
            }
        }
        let [ours, theirs] = sides;
        let merged = merge(&base, &ours, &theirs);
        let ids: std::collections::HashSet<&str> =
            merged.file.notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids.len(), merged.file.notes.len(), "merge #{i}: ids unique");
        // No edit is lost: every note a side changed or added is there,
        // as it is, under its id or as a conflict copy.
        for side in [&ours, &theirs] {
            for n in &side.notes {
                if base.note(&n.id) == Some(n) {
                    continue;
                }
                let kept = merged.file.notes.iter().any(|m| {
                    m.id == n.id && m == n
                        || m.conflict.as_deref() == Some(n.id.as_str())
                            && Note {
                                id: n.id.clone(),
                                conflict: None,
                                ..m.clone()
                            } == *n
                });
                assert!(kept, "merge #{i}: the edit of {} was lost", n.id);
            }
        }
        let text = merged.file.to_yaml();
        let back = ReviewFile::parse(&text, Path::new("merged")).unwrap();
        assert_eq!(back.notes.len(), merged.file.notes.len());
    }
}

#[test]
fn fuzz_short() {
    fuzz_models(iterations(150));
    fuzz_vocabulary(iterations(20));
    fuzz_review_files(iterations(150));
    fuzz_keymaps(iterations(150));
    fuzz_merge(iterations(300));
}

#[test]
#[ignore = "long: QUALM_FUZZ_ITERS=20000 cargo test --release --test fuzz -- --ignored"]
fn fuzz_long() {
    let iters = iterations(20_000);
    fuzz_models(iters);
    fuzz_vocabulary(iters / 10);
    fuzz_review_files(iters);
    fuzz_keymaps(iters);
    fuzz_merge(iters);
}
