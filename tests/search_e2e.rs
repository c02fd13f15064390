//! The palette in the real binary at 80x24: every typed key shows at once
//! (the query line follows the keys), results stream in, Enter jumps.

#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");
const WAIT: Duration = Duration::from_secs(10);

#[test]
fn type_a_vendor_into_the_palette_and_jump_to_its_context() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    assert!(s.wait_for("Policies (5)", WAIT), "{}", s.screen());
    s.send(b"/");
    assert!(s.wait_for("Search", WAIT), "palette opens:\n{}", s.screen());
    // Letter by letter, as a person types: each key reaches the screen.
    let mut typed = String::from("/ ");
    for c in "salesforce".chars() {
        s.send(c.to_string().as_bytes());
        typed.push(c);
        assert!(s.wait_for(&typed, WAIT), "{typed} shown:\n{}", s.screen());
    }
    assert!(
        s.wait_for("Recipients (2)", WAIT),
        "hits grouped by kind:\n{}",
        s.screen()
    );
    // The ids come first: the recipient's own id (its card).
    assert!(s.wait_for("recipient salesforce", WAIT), "{}", s.screen());
    // Below it, the second recipient hit is Quali's; Enter opens its
    // context card.
    s.send(b"\x1b[B");
    s.send(b"\x1b[B");
    s.send(b"\r");
    assert!(
        s.wait_for("quali-2024 › website › demo", WAIT),
        "jumped to the context:\n{}",
        s.screen()
    );
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "quits");
}
