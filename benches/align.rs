//! How long aligning two 60,000-word policies takes (a real length for the
//! largest policies). Builds the left policy from the seed clauses of
//! `policies/*.yaml`, each copy made distinct, and the right one from it
//! with some clauses reworded, moved, dropped and added; prints the time,
//! what the alignment found, and how many of its pairs are the ones the
//! generator made (the left clause each right clause came from). Run:
//! `cargo bench --bench align`.

use std::path::PathBuf;
use std::time::Instant;

use qualm::compare::align::{align, ClauseRef};
use qualm::compare::Status;
use qualm::model;

const WORDS: usize = 60_000;

/// A small deterministic generator, so every run measures the same input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn clause(n: usize, text: String) -> ClauseRef {
    ClauseRef {
        id: format!("s{}.{n}", n / 12),
        section: format!("s{}", n / 12),
        heading: format!("Section {}", n / 12),
        text: text.into(),
    }
}

/// Time this thread has run on a CPU, in nanoseconds (Linux only): on a
/// shared machine the wall-clock time also counts waiting for a core.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let seeds: Vec<String> = corpus
        .policies
        .iter()
        .flat_map(|p| p.policy.clauses().map(|(_, c)| c.text.to_string()))
        .filter(|t| t.split_whitespace().count() >= 8)
        .collect();
    assert!(!seeds.is_empty(), "run from the repository root");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Left: seed clauses in random order, each copy given a few words of
    // its own so repeated seeds are still different clauses.
    let mut left = Vec::new();
    let mut words = 0;
    while words < WORDS {
        let seed = &seeds[rng.below(seeds.len())];
        let n = left.len();
        let text = format!("{seed} (item {n}, ref {:x})", rng.next() % 100_000);
        words += text.split_whitespace().count();
        left.push(clause(n, text));
    }
    // Right: 10% reworded, 3% moved, 5% dropped, 5% new.
    let mut right: Vec<ClauseRef> = Vec::new();
    // For each right clause, the left clause it was made from.
    let mut origin: Vec<Option<usize>> = Vec::new();
    let mut moved = Vec::new();
    for (i, c) in left.iter().enumerate() {
        if rng.chance(5) {
            continue;
        }
        let mut c = c.clone();
        if rng.chance(10) {
            let mut w: Vec<String> = c.text.split_whitespace().map(str::to_string).collect();
            for _ in 0..(w.len() / 8).max(1) {
                let at = rng.below(w.len());
                w[at] = format!("changed{}", rng.below(1000));
            }
            c.text = w.join(" ").into();
        }
        if rng.chance(5) {
            let n = left.len() + right.len();
            right.push(clause(
                n,
                format!("{} (new {n})", seeds[rng.below(seeds.len())]),
            ));
            origin.push(None);
        }
        if rng.chance(3) {
            moved.push((c, i));
        } else {
            right.push(c);
            origin.push(Some(i));
        }
    }
    for (c, i) in moved {
        let at = rng.below(right.len());
        right.insert(at, c);
        origin.insert(at, Some(i));
    }
    let right_words: usize = right
        .iter()
        .map(|c| c.text.split_whitespace().count())
        .sum();
    let (lc, rc) = (left.len(), right.len());
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    let a = align(left, right);
    let elapsed = start.elapsed();
    let cpu = thread_cpu_ns()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    println!(
        "aligned {words} words ({lc} clauses) with {right_words} words ({rc} clauses) in {:.1} ms{}",
        elapsed.as_secs_f64() * 1000.0,
        cpu.map(|ns| format!(" ({:.1} ms on the CPU; a busy machine inflates the first figure)", ns as f64 / 1e6))
            .unwrap_or_default()
    );
    println!(
        "{} unchanged, {} reworded, {} moved, {} added, {} removed",
        a.count(Status::Unchanged),
        a.count(Status::Reworded),
        a.moved(),
        a.count(Status::Added),
        a.count(Status::Removed)
    );
    let reported: Vec<(usize, usize)> = a
        .pairs
        .iter()
        .filter_map(|p| Some((p.left?, p.right?)))
        .collect();
    let right_pairs = reported
        .iter()
        .filter(|&&(i, j)| origin[j] == Some(i))
        .count();
    let made = origin.iter().filter(|o| o.is_some()).count();
    println!(
        "pairs as generated: {right_pairs} of {} reported are right; {right_pairs} of {made} made are found",
        reported.len()
    );
}
