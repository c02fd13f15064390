//! How many bytes qualm writes to the terminal per step: the cost of using
//! it over a slow SSH link. Drives the release binary in an 80x24
//! pseudo-terminal and prints bytes per cursor step in the tree and per
//! page in the reader. Run: `cargo bench --bench tui_bytes`.

#[path = "../tests/support/pty.rs"]
mod pty;

use std::time::Duration;

const QUIET: Duration = Duration::from_millis(120);

fn measure(session: &mut pty::Session, key: &[u8], steps: usize) -> (usize, usize) {
    let mut total = 0;
    let mut worst = 0;
    for _ in 0..steps {
        session.send(key);
        let n = session.settle(QUIET);
        total += n;
        worst = worst.max(n);
    }
    (total / steps, worst)
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_qualm");
    let mut s = pty::Session::start(binary, &["policies"], &[], 80, 24);
    assert!(
        s.wait_for("quali-2024", Duration::from_secs(10)),
        "qualm did not start"
    );
    s.settle(QUIET);
    let first_frame = s.raw.len();
    // Open everything so the cursor walks contexts, sections and clauses.
    s.send(b"zR");
    s.settle(QUIET);
    let (tree_avg, tree_worst) = measure(&mut s, b"j", 60);
    s.send(b"r");
    s.settle(QUIET);
    let (page_avg, page_worst) = measure(&mut s, b"\x04", 20);
    s.send(b"q");
    s.send(b"q");
    s.wait_exit(Duration::from_secs(5));
    println!("terminal 80x24, start-up and first frame: {first_frame} bytes");
    println!("tree cursor step: {tree_avg} bytes on average, {tree_worst} at most (60 steps)");
    println!(
        "reader half page (Ctrl-d): {page_avg} bytes on average, {page_worst} at most (20 pages)"
    );
}
