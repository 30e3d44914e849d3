//! Prompt recall across runs: what was sent in one run comes back with Up in the next, from
//! `CODEX_HOME/history.jsonl` (kept at mode 0600).

use std::os::unix::fs::PermissionsExt;

use codex_test_support::MockResponse;
use codex_test_support::responses::sse_assistant_turn;

use crate::suite::harness::{Env, WAIT};

#[test]
fn up_recalls_a_prompt_from_the_previous_run() {
    let env = Env::new();
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r1",
        "first answer",
    )));
    let first = env.start(&[], 100, 30);
    first.send_text("remember this prompt");
    first.send_keys(&["Enter"]);
    first.wait_for("first answer", WAIT);
    // Core appended the prompt when it was submitted; the first run may end any way.
    drop(first);

    let history = env.home.path().join("history.jsonl");
    let text = std::fs::read_to_string(&history).unwrap();
    assert!(text.contains("\"text\":\"remember this prompt\""), "{text}");
    let mode = std::fs::metadata(&history).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let second = env.start(&[], 100, 30);
    second.send_keys(&["Up"]);
    let screen = second.wait_until(WAIT, "the recalled prompt in the composer", |_| {
        second.screen().contains("› remember this prompt")
    });
    assert!(!screen.contains("first answer"), "a new terminal: {screen}");
    second.send_keys(&["Down"]);
    second.wait_until(WAIT, "the composer to be empty again", |_| {
        second.screen().contains("Ask for a change")
    });
}
