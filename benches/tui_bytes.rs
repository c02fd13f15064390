//! How many bytes qualm writes to the terminal per step: the cost of using
//! it over a slow SSH link. Drives the release binary in an 80x24
//! pseudo-terminal and prints bytes per cursor step in the tree (the first
//! 60 steps, and a walk down every node of the fully expanded tree and
//! back up) and per page in the reader. Run: `cargo bench --bench tui_bytes`.

#[path = "../tests/support/pty.rs"]
mod pty;

use std::path::PathBuf;
use std::time::Duration;

use qualm::keymap::{Key, Keymap};
use qualm::model;
use qualm::tui::app::App;
use qualm::tui::theme::Theme;
use qualm::tui::tree::NodeKind;

/// A frame is complete when nothing more arrives for this long.
const QUIET: Duration = Duration::from_millis(60);
/// The budget per step over a slow link.
const BUDGET: usize = 1024;

/// Sends a key and returns the bytes of the frame it caused: waits for the
/// first byte, then for the output to go quiet.
fn step(session: &mut pty::Session, key: &[u8]) -> usize {
    session.send(key);
    let first = session.pump_until_output(Duration::from_secs(2));
    first + session.settle(QUIET)
}

struct Steps {
    bytes: Vec<usize>,
}

impl Steps {
    fn average(&self) -> usize {
        self.bytes.iter().sum::<usize>() / self.bytes.len().max(1)
    }

    fn worst(&self) -> usize {
        self.bytes.iter().copied().max().unwrap_or(0)
    }

    fn over_budget(&self) -> usize {
        self.bytes.iter().filter(|&&n| n > BUDGET).count()
    }

    fn summary(&self) -> String {
        format!(
            "{} bytes on average, {} at most, {} of {} steps over {BUDGET}",
            self.average(),
            self.worst(),
            self.over_budget(),
            self.bytes.len()
        )
    }
}

/// The same workbench in this process, pressed in step with the binary,
/// to name the node each step lands on.
fn mirror() -> App {
    let corpus = model::load(&[PathBuf::from("policies")]);
    let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
    app.resize(80, 24);
    for key in ["z", "R"] {
        app.press(Key::parse(key).unwrap());
    }
    app
}

fn node_name(app: &App) -> String {
    let Some(node) = app.selected_node() else {
        return String::from("nothing");
    };
    let node = &app.shared.tree.nodes[node];
    let policy = &app.shared.corpus.policies[node.policy].policy;
    match &node.kind {
        NodeKind::Policy => format!("policy {}", policy.id),
        NodeKind::ContextGroup => format!("{} contexts", policy.id),
        NodeKind::SectionGroup => format!("{} sections", policy.id),
        NodeKind::Context(path) => format!("context {}", policy.context_at(path).id),
        NodeKind::Section(si) => format!("section {}", policy.sections[*si].id),
        NodeKind::Clause(si, ci) => format!("clause {}", policy.sections[*si].clauses[*ci].id),
    }
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
    let mut app = mirror();
    let nodes = app.browse().visible.len();
    let mut walk = Steps { bytes: Vec::new() };
    let mut heavy: Vec<(usize, String)> = Vec::new();
    for key in std::iter::repeat_n("j", nodes - 1).chain(std::iter::repeat_n("k", nodes - 1)) {
        let from = node_name(&app);
        app.press(Key::parse(key).unwrap());
        let n = step(&mut s, key.as_bytes());
        heavy.push((n, format!("{key}: {from} -> {}", node_name(&app))));
        walk.bytes.push(n);
    }
    let sample = Steps {
        bytes: walk.bytes[..60].to_vec(),
    };
    // The reader opens where the sample walk ended, as it always has.
    s.send(b"gg");
    s.settle(QUIET);
    s.send(&[b'j'; 60]);
    s.settle(QUIET);
    s.send(b"r");
    s.settle(QUIET);
    let pages = Steps {
        bytes: (0..20).map(|_| step(&mut s, b"\x04")).collect(),
    };
    s.send(b"q");
    s.send(b"q");
    s.wait_exit(Duration::from_secs(5));
    println!("terminal 80x24, start-up and first frame: {first_frame} bytes");
    println!("tree cursor step, first 60 steps: {}", sample.summary());
    println!(
        "tree cursor step, every node of the expanded tree down and up: {}",
        walk.summary()
    );
    heavy.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    println!("  the heaviest steps:");
    for (n, what) in heavy.iter().take(5) {
        println!("  {n} bytes  {what}");
    }
    println!("reader half page (Ctrl-d): {}", pages.summary());
}
