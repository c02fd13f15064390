//! From a freshly imported draft to a confirmed context with three flows,
//! in the real binary in a pseudo-terminal: import a small saved page,
//! open the workbench on the folder, make a context, add two flows from
//! clauses and confirm a suggested one into it, quit, and read the result
//! back with `qualm export`. The keys are counted: the target is "under
//! two minutes of a person's keys", so the count must stay small.

#[path = "support/pty.rs"]
mod pty;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");
const WAIT: Duration = Duration::from_secs(15);
/// The most keys the run may take: at a relaxed two keys a second, well
/// under two minutes of a person's typing.
const KEY_BUDGET: usize = 120;

struct Driver {
    session: Session,
    keys: usize,
}

impl Driver {
    /// Sends one key (as the terminal encodes it) and waits for its frame.
    fn key(&mut self, bytes: &[u8]) {
        self.keys += 1;
        self.session.press(bytes);
    }

    fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.key(c.to_string().as_bytes());
        }
    }

    /// Types text: one key per character.
    fn type_text(&mut self, text: &str) {
        self.keys(text);
    }

    fn expect(&mut self, text: &str) {
        assert!(
            self.session.wait_for(text, WAIT),
            "waiting for {text:?}:\n{}",
            self.session.screen()
        );
    }
}

const ENTER: &[u8] = b"\r";
const TAB: &[u8] = b"\t";
const CTRL_S: &[u8] = b"\x13";

fn export(policies: &Path) -> serde_json::Value {
    let out = Command::new(QUALM)
        .args(["export", "--format", "json", "-p"])
        .arg(policies)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_freshly_imported_draft_becomes_a_confirmed_context_with_three_flows() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::copy("policies/vocabulary.yaml", policies.join("vocabulary.yaml")).unwrap();
    let import = Command::new(QUALM)
        .args([
            "import",
            "tests/data/modelling/northwind-2025.html",
            "--out",
        ])
        .arg(&policies)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let started = Instant::now();
    let folder = policies.to_str().unwrap();
    let session = Session::start(
        QUALM,
        &["-p", folder],
        &[("QUALM_AUTHOR", "tester")],
        100,
        30,
    );
    let mut d = Driver { session, keys: 0 };
    d.expect("northwind-2025");

    // A context at the top level of the policy (the policy row is selected).
    d.keys("mc");
    d.expect("New context");
    d.type_text("Account");
    d.key(ENTER);
    d.expect("added context account");

    // Into the sections: the second clause of section 1.
    d.keys("jjljjljj");
    d.expect("information-collect.2");
    d.keys("mf");
    d.expect("New flow");
    d.type_text("phone");
    d.key(ENTER);
    d.key(CTRL_S);
    d.expect("added a flow to account");

    // Section 2's clause: a flow with a recipient.
    d.keys("jlj");
    d.expect("share-information.1");
    d.keys("mf");
    d.expect("New flow");
    d.type_text("email");
    d.key(ENTER);
    d.key(TAB);
    d.key(TAB);
    d.key(TAB);
    d.type_text("Mailchimp");
    d.key(CTRL_S);
    d.expect("added a flow to account");

    // The draft's first suggested flow: confirmed, then moved into the
    // new context (the picker lists the other contexts; it is the third).
    d.keys("ggjlj");
    d.expect("Suggested from prose");
    d.key(TAB);
    d.keys("my");
    d.expect("confirmed flow");
    d.keys("mm");
    d.expect("Move flow");
    d.keys("jj");
    d.key(ENTER);
    d.expect("moved flow");
    d.keys("q");
    assert!(d.session.wait_exit(WAIT).is_some(), "quits");
    let elapsed = started.elapsed();
    println!(
        "draft to a confirmed context with three flows: {} keys, {:.1} s in the pty",
        d.keys,
        elapsed.as_secs_f64()
    );
    assert!(
        d.keys <= KEY_BUDGET,
        "{} keys is more than a person types in two minutes at ease",
        d.keys
    );

    let json = export(&policies);
    let policy = json
        .as_array()
        .or_else(|| json["policies"].as_array())
        .unwrap()
        .iter()
        .find(|p| p["id"] == "northwind-2025")
        .expect("the imported policy");
    let account = policy["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "account")
        .expect("the new context");
    assert_eq!(account["name"], "Account");
    let flows = account["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 3, "{account:#}");
    let evidence: Vec<&str> = flows
        .iter()
        .map(|f| f["evidence"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        evidence,
        [
            "information-collect.2",
            "share-information.1",
            "information-collect.1"
        ]
    );
    assert!(
        flows.iter().all(|f| f["suggested"] != true),
        "all confirmed: {account:#}"
    );
    assert_eq!(flows[0]["data"][0], "phone");
    assert_eq!(flows[1]["recipients"][0], "Mailchimp");
    assert!(flows.iter().all(|f| f["id"].is_string()));
}
