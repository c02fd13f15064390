//! The kitty keyboard protocol in the real binary: where the terminal has
//! it, qualm turns it on, so `Ctrl-i` (distinct from `Tab`) walks forward
//! after `Ctrl-o`, and turns it off again on the way out; where the
//! terminal does not, nothing is sent.

#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");
const WAIT: Duration = Duration::from_secs(10);
const PUSH: &[u8] = b"\x1b[>1u";
const POP: &[u8] = b"\x1b[<1u";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn in_a_kitty_terminal_ctrl_i_walks_forward_and_the_protocol_is_undone_on_quit() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    s.kitty = true;
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    assert!(contains(&s.raw, PUSH), "the protocol is turned on");
    // The reader over the tree; Ctrl-o back, Ctrl-i forward again.
    s.send(b"r");
    assert!(s.wait_for("Reader", WAIT), "{}", s.screen());
    s.send(b"\x1b[111;5u");
    assert!(s.wait_for("Policies", WAIT), "{}", s.screen());
    s.settle(Duration::from_millis(100));
    assert!(!s.screen().contains("Reader"), "{}", s.screen());
    s.send(b"\x1b[105;5u");
    assert!(
        s.wait_for("Reader", WAIT),
        "Ctrl-i forward:\n{}",
        s.screen()
    );
    s.send(b"q");
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "quits");
    s.settle(Duration::from_millis(100));
    assert!(contains(&s.raw, POP), "the protocol is turned off");
}

#[test]
fn elsewhere_the_classic_encoding_stays() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "quits");
    assert!(!contains(&s.raw, PUSH) && !contains(&s.raw, POP));
}
