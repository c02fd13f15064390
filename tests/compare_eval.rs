//! The alignment measured on real version pairs of public privacy policies
//! (`tests/data/versions/<pair>/`, sources in the README there): for each
//! pair it prints pairing precision and recall against the hand-checked
//! true pairs (`truth.tsv`), how many reported pairs share real wording,
//! how many clear matches are paired, how often pairs are right at each
//! level of similarity (where the thresholds of `align.rs` come from), and
//! checks the targets of issue 18. Run with `--nocapture` to see figures.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use qualm::compare::align::{align, word_changes, Alignment, ClauseRef, Similarity};
use qualm::compare::Op;
use similar::{capture_diff_slices, get_diff_ratio, Algorithm};

const PAIRS: &[&str] = &[
    "1password-2017-03-to-2017-08",
    "1password-2017-08-to-2018-04",
    "fitbit-2011-12-to-2012-01",
];

fn data(pair: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/versions")
        .join(pair)
}

/// A clause-per-line file: `# heading` lines open a section; every other
/// line is a clause, its id `L<line number>`.
fn clauses(path: &Path) -> Vec<ClauseRef> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let (mut section, mut heading) = (0, String::new());
    for (n, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix("# ") {
            section += 1;
            heading = h.to_string();
        } else if !line.trim().is_empty() {
            out.push(ClauseRef {
                id: format!("L{}", n + 1),
                section: format!("s{section}"),
                heading: heading.clone(),
                text: line.into(),
            });
        }
    }
    out
}

/// The hand-checked pairs: `old<TAB>new`, `-` for a clause with no
/// counterpart, `A|B` when either is right (a clause split in two); `#`
/// starts a comment.
fn truth(path: &Path) -> Vec<(Option<String>, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let left = it.next().filter(|s| *s != "-").map(str::to_string);
            let right = it.next().filter(|s| *s != "-");
            let right = right.map(|r| r.split('|').map(str::to_string).collect());
            (left, right.unwrap_or_default())
        })
        .collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Word-level similarity: matched words over all words (difflib's ratio).
fn word_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let ops = capture_diff_slices(Algorithm::Myers, a, b);
    f64::from(get_diff_ratio(&ops, a.len(), b.len()))
}

fn share_four_word_run(a: &[String], b: &[String]) -> bool {
    let runs: HashSet<&[String]> = a.windows(4).collect();
    b.windows(4).any(|w| runs.contains(w))
}

/// The test of a reported pair: a common four-word run or a
/// word-level similarity of at least 0.25.
fn real_wording(a: &[String], b: &[String]) -> bool {
    share_four_word_run(a, b) || word_similarity(a, b) >= 0.25
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The runs' equal and deleted text is the old text, equal and inserted the
/// new one, character for character.
fn rebuilds(old: &str, new: &str) -> bool {
    let runs = word_changes(old, new);
    let side = |skip: Op| -> String {
        runs.iter()
            .filter(|r| r.op != skip)
            .map(|r| r.text.as_str())
            .collect()
    };
    side(Op::Insert) == normalized(old) && side(Op::Delete) == normalized(new)
}

struct Figures {
    precision: f64,
    recall: f64,
    real_wording: f64,
    clear_recall: f64,
    rebuild: f64,
    /// Split and merge labels right, of those the truth judges.
    labels: (usize, usize),
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

fn evaluate(pair: &str, buckets: &mut [(usize, usize)]) -> Figures {
    let dir = data(pair);
    let left = clauses(&dir.join("old.txt"));
    let right = clauses(&dir.join("new.txt"));
    let truth = truth(&dir.join("truth.tsv"));
    let lw: Vec<Vec<String>> = left.iter().map(|c| words(&c.text)).collect();
    let rw: Vec<Vec<String>> = right.iter().map(|c| words(&c.text)).collect();
    let a: Alignment = align(left.clone(), right.clone());

    let reported: Vec<(usize, usize)> = a
        .pairs
        .iter()
        .filter_map(|p| Some((p.left?, p.right?)))
        .collect();
    let ids: HashSet<(&str, &str)> = reported
        .iter()
        .map(|&(i, j)| (left[i].id.as_str(), right[j].id.as_str()))
        .collect();

    // Against the hand-checked pairs.
    let true_pairs: HashSet<(&str, &str)> = truth
        .iter()
        .filter_map(|(l, r)| Some((l.as_deref()?, r)))
        .flat_map(|(l, r)| r.iter().map(move |r| (l, r.as_str())))
        .collect();
    let judged_left: HashSet<&str> = truth.iter().filter_map(|(l, _)| l.as_deref()).collect();
    let judged_right: HashSet<&str> = truth
        .iter()
        .flat_map(|(_, r)| r)
        .map(String::as_str)
        .collect();
    let judged: Vec<&(&str, &str)> = ids
        .iter()
        .filter(|(l, r)| judged_left.contains(l) || judged_right.contains(r))
        .collect();
    let right_judged = judged.iter().filter(|p| true_pairs.contains(p)).count();
    for p in judged.iter().filter(|p| !true_pairs.contains(p)) {
        println!("  {pair}: false pair {} -> {}", p.0, p.1);
    }
    let expected: Vec<(&str, &[String])> = truth
        .iter()
        .filter_map(|(l, r)| Some((l.as_deref()?, r.as_slice())))
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let mut found = 0;
    for (l, alternatives) in &expected {
        if alternatives.iter().any(|r| ids.contains(&(*l, r.as_str()))) {
            found += 1;
        } else {
            println!("  {pair}: missed pair {l} -> {}", alternatives.join("|"));
        }
    }

    // Split and merge labels: right when the truth pairs the two clauses
    // (a split part is an alternative), wrong when it pairs either
    // elsewhere or says it has no counterpart.
    let (mut labels_right, mut labels_judged) = (0, 0);
    for p in &a.pairs {
        let (l, r) = match (&p.split_from, &p.merged_into) {
            (Some(from), _) => (from.as_str(), a.right_id(p).unwrap()),
            (_, Some(into)) => (a.left_id(p).unwrap(), into.as_str()),
            _ => continue,
        };
        if !(judged_left.contains(l) || judged_right.contains(r)) {
            continue;
        }
        labels_judged += 1;
        if true_pairs.contains(&(l, r)) {
            labels_right += 1;
        } else {
            println!("  {pair}: wrong split/merge label {l} -> {r}");
        }
    }

    // Real wording of every reported pair.
    let wording = reported
        .iter()
        .filter(|&&(i, j)| real_wording(&lw[i], &rw[j]))
        .count();
    for &(i, j) in reported
        .iter()
        .filter(|&&(i, j)| !real_wording(&lw[i], &rw[j]))
    {
        println!(
            "  {pair}: no shared wording {} -> {}: {:?} / {:?}",
            left[i].id, right[j].id, left[i].text, right[j].text
        );
    }

    // Clear matches: word similarity >= 0.6 and each other's best.
    let sims: Vec<Vec<f64>> = lw
        .iter()
        .map(|a| rw.iter().map(|b| word_similarity(a, b)).collect())
        .collect();
    let best_right: Vec<Option<usize>> = sims
        .iter()
        .map(|row| (0..row.len()).max_by(|&x, &y| row[x].total_cmp(&row[y]).then(y.cmp(&x))))
        .collect();
    let best_left =
        |j: usize| (0..lw.len()).max_by(|&x, &y| sims[x][j].total_cmp(&sims[y][j]).then(y.cmp(&x)));
    let clear: Vec<(usize, usize)> = best_right
        .iter()
        .enumerate()
        .filter_map(|(i, j)| Some((i, (*j)?)))
        .filter(|&(i, j)| sims[i][j] >= 0.6 && best_left(j) == Some(i))
        .collect();
    let pair_set: HashSet<(usize, usize)> = reported.iter().copied().collect();
    let clear_found = clear.iter().filter(|p| pair_set.contains(p)).count();
    for &(i, j) in clear.iter().filter(|p| !pair_set.contains(p)) {
        println!(
            "  {pair}: clear match not paired {} -> {} ({:.2})",
            left[i].id, right[j].id, sims[i][j]
        );
    }

    // Rebuild: every reported pair, and every clause against its best
    // counterpart (more, and more varied, real pairs of texts).
    let mut texts: Vec<(usize, usize)> = reported.clone();
    texts.extend(
        best_right
            .iter()
            .enumerate()
            .filter_map(|(i, j)| Some((i, (*j)?))),
    );
    let rebuilt = texts
        .iter()
        .filter(|&&(i, j)| rebuilds(&left[i].text, &right[j].text))
        .count();

    // Where cosine stops meaning "the same clause": every mutual-best pair
    // by cosine, bucketed, right when the truth or the wording says so.
    let sim = Similarity::new(&left, &right);
    let mut best_of_left: HashMap<usize, (usize, f64)> = HashMap::new();
    let mut best_of_right: HashMap<usize, (usize, f64)> = HashMap::new();
    for i in 0..left.len() {
        for j in 0..right.len() {
            let c = sim.cosine(i, j);
            if best_of_left.get(&i).is_none_or(|b| c > b.1) {
                best_of_left.insert(i, (j, c));
            }
            if best_of_right.get(&j).is_none_or(|b| c > b.1) {
                best_of_right.insert(j, (i, c));
            }
        }
    }
    for (&i, &(j, c)) in &best_of_left {
        if best_of_right.get(&j).map(|b| b.0) != Some(i) || c <= 0.0 {
            continue;
        }
        let key = (left[i].id.as_str(), right[j].id.as_str());
        let judged = judged_left.contains(key.0) || judged_right.contains(key.1);
        let right_pair = if judged {
            true_pairs.contains(&key)
        } else {
            real_wording(&lw[i], &rw[j])
        };
        let b = ((c * 10.0) as usize).min(9);
        buckets[b].0 += 1;
        buckets[b].1 += usize::from(right_pair);
    }

    Figures {
        precision: pct(right_judged, judged.len()),
        recall: pct(found, expected.len()),
        real_wording: pct(wording, reported.len()),
        clear_recall: pct(clear_found, clear.len()),
        labels: (labels_right, labels_judged),
        rebuild: pct(rebuilt, texts.len()),
    }
}

#[test]
fn real_version_pairs_meet_the_targets() {
    let mut buckets = vec![(0usize, 0usize); 10];
    let mut failures = Vec::new();
    println!("pair: precision recall | real wording, clear matches paired, rebuilt | labels");
    for pair in PAIRS {
        let f = evaluate(pair, &mut buckets);
        println!(
            "{pair}: precision {:.1}% recall {:.1}% | real wording {:.1}%, clear matches {:.1}%, rebuilt {:.1}% | split/merge labels {}/{} right",
            f.precision * 100.0,
            f.recall * 100.0,
            f.real_wording * 100.0,
            f.clear_recall * 100.0,
            f.rebuild * 100.0,
            f.labels.0,
            f.labels.1
        );
        if f.real_wording < 0.95 || f.clear_recall < 0.95 || f.rebuild < 1.0 {
            failures.push(pair);
        }
        if f.precision < 0.95 || f.recall < 0.9 || f.labels.0 < f.labels.1 {
            failures.push(pair);
        }
    }
    println!("mutual-best pairs by cosine: how many are right");
    for (b, &(n, ok)) in buckets.iter().enumerate() {
        if n > 0 {
            println!(
                "  {:.1}-{:.1}: {ok}/{n} right ({:.0}%)",
                b as f64 / 10.0,
                (b + 1) as f64 / 10.0,
                pct(ok, n) * 100.0
            );
        }
    }
    assert!(failures.is_empty(), "targets missed on {failures:?}");
}
