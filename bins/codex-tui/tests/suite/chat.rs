//! The conversation in a real terminal: answers on screen and in the scrollback, approvals,
//! interrupts, the exit summary, resizes.

use std::time::Duration;

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_assistant_message, ev_completed, ev_completed_with_usage, ev_function_call,
    ev_output_text_delta, ev_reasoning_item, ev_response_created, sse, sse_assistant_turn,
};
use serde_json::json;

use crate::suite::harness::{Env, WAIT, count};

/// A tool turn calling `shell` with `script`.
fn shell_turn(id: &str, call_id: &str, script: &str) -> MockResponse {
    let args = json!({"command": ["bash", "-lc", script]}).to_string();
    MockResponse::sse_body(sse(&[
        ev_response_created(id),
        ev_function_call(call_id, "shell", &args),
        ev_completed(id),
    ]))
}

#[test]
fn a_prompt_is_answered_on_screen_and_the_whole_answer_reaches_the_scrollback() {
    let env = Env::new();
    let answer: String = (1..=60)
        .map(|i| format!("answer line {i:02}\n\n"))
        .collect();
    env.server
        .push(MockResponse::sse_body(sse_assistant_turn("r1", &answer)));
    let term = env.start(&[], 80, 20);
    term.send_text("hello there");
    term.send_keys(&["Enter"]);
    let all = term.wait_for("answer line 60", WAIT);
    // The first lines scrolled off the screen into the terminal's scrollback, once each.
    assert!(!term.screen().contains("answer line 01"));
    for i in 1..=60 {
        assert_eq!(count(&all, &format!("answer line {i:02}")), 1, "{all}");
    }
    assert!(all.contains("› hello there"), "{all}");
    let request = env.server.single_request();
    assert!(request.body_json().to_string().contains("hello there"));
}

/// Regression: reasoning was shown after the response, which closed the streamed answer's
/// cell, and the answer was then drawn a second time below the reasoning.
#[test]
fn reasoning_shows_before_its_answer_and_the_answer_once() {
    let env = Env::new();
    env.server.push(MockResponse::sse_body(sse(&[
        ev_response_created("r1"),
        ev_reasoning_item("rs1", &["Weighing the options"], &[]),
        ev_output_text_delta("The answer "),
        ev_output_text_delta("is forty-two."),
        ev_assistant_message("m1", "The answer is forty-two."),
        ev_completed("r1"),
    ])));
    // A second turn: once its answer shows, the first turn's events have all been drawn.
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r2",
        "Second answer.",
    )));
    let term = env.start(&[], 80, 20);
    term.send_text("think first");
    term.send_keys(&["Enter"]);
    term.wait_for("The answer is forty-two.", WAIT);
    term.send_text("and then");
    term.send_keys(&["Enter"]);
    let all = term.wait_for("Second answer.", WAIT);
    assert_eq!(count(&all, "The answer is forty-two."), 1, "{all}");
    let reasoning = all
        .find("Weighing the options")
        .expect("the reasoning is shown");
    assert!(reasoning < all.find("The answer is").unwrap(), "{all}");
}

#[test]
fn an_approved_command_runs_only_after_the_yes() {
    let env = Env::new();
    env.server
        .push(shell_turn("r1", "c1", "touch approved.txt"));
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r2",
        "made the file",
    )));
    let term = env.start(&["-a", "untrusted", "-s", "workspace-write"], 100, 30);
    term.send_text("make a file");
    term.send_keys(&["Enter"]);
    term.wait_for("Allow the agent to run this command?", WAIT);
    // Past the moment the modal ignores keys, and time for a command to have run.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !env.ws().join("approved.txt").exists(),
        "ran before the answer"
    );
    term.send_keys(&["y"]);
    let all = term.wait_for("made the file", WAIT);
    assert!(env.ws().join("approved.txt").exists());
    assert!(all.contains("You approved the command this once"), "{all}");
    assert!(all.contains("Ran touch approved.txt"), "{all}");
}

#[test]
fn a_denied_command_never_runs_and_the_model_is_told() {
    let env = Env::new();
    env.server.push(shell_turn("r1", "c1", "touch denied.txt"));
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r2",
        "understood",
    )));
    let term = env.start(&["-a", "untrusted", "-s", "workspace-write"], 100, 30);
    term.send_text("make a file");
    term.send_keys(&["Enter"]);
    term.wait_for("Allow the agent to run this command?", WAIT);
    std::thread::sleep(Duration::from_millis(500));
    term.send_keys(&["n"]);
    term.wait_for("A note for the model", WAIT);
    term.send_text("use the tmp dir instead");
    term.send_keys(&["Enter"]);
    let all = term.wait_for("understood", WAIT);
    assert!(all.contains("You denied the command"), "{all}");
    assert!(!env.ws().join("denied.txt").exists());
    let requests = env.server.requests();
    let second = requests[1].body_json().to_string();
    assert!(second.contains("use the tmp dir instead"), "{second}");
}

#[test]
fn esc_interrupts_a_streaming_answer_and_the_model_is_told() {
    let env = Env::new();
    let mut events = vec![ev_response_created("r1")];
    for i in 1..=100 {
        events.push(ev_output_text_delta(&format!("chunk {i:03}\n")));
    }
    events.push(ev_completed("r1"));
    env.server
        .push(MockResponse::sse_slow(&events, Duration::from_millis(50)));
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r2",
        "ok, stopping",
    )));
    let term = env.start(&[], 100, 30);
    term.send_text("count slowly");
    term.send_keys(&["Enter"]);
    term.wait_for("chunk 003", WAIT);
    term.send_keys(&["Escape"]);
    let all = term.wait_for("Interrupted", WAIT);
    assert!(!all.contains("chunk 100"), "{all}");
    // The next message goes to a new turn whose history records the interruption.
    term.send_text("what happened?");
    term.send_keys(&["Enter"]);
    term.wait_for("ok, stopping", WAIT);
    let second = env.server.requests()[1].body_json().to_string();
    assert!(second.contains("<turn_aborted>"), "{second}");
}

#[test]
fn quitting_prints_the_token_usage_and_the_resume_hint_for_a_real_rollout() {
    let env = Env::new();
    env.server.push(MockResponse::sse_body(sse(&[
        ev_response_created("r1"),
        ev_assistant_message("m1", "hi"),
        ev_completed_with_usage("r1", 1200, 200, 34, 10),
    ])));
    let term = env.start(&[], 100, 30);
    term.send_text("hello");
    term.send_keys(&["Enter"]);
    term.wait_for("• hi", WAIT);
    term.send_keys(&["C-c"]);
    let all = term.wait_for("To continue this session, run codex resume ", WAIT);
    assert_eq!(term.wait_exit(WAIT), 0);
    assert!(
        all.contains(
            "Token usage: total=1,034 input=1,000 (+ 200 cached) output=34 (reasoning 10)"
        ),
        "{all}"
    );
    let id = all
        .split("codex resume ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    let rollouts: Vec<_> = walk(&env.home.path().join("sessions"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&id))
        .collect();
    assert_eq!(rollouts.len(), 1, "no rollout for {id}");
    let text = std::fs::read_to_string(&rollouts[0]).unwrap();
    assert!(text.contains("\"hello\""), "{text}");
}

#[test]
fn resizing_while_an_answer_streams_loses_no_line() {
    let env = Env::new();
    let mut events = vec![ev_response_created("r1")];
    for i in 1..=80 {
        events.push(ev_output_text_delta(&format!("streamed line {i:02}\n\n")));
    }
    events.push(ev_completed("r1"));
    env.server
        .push(MockResponse::sse_slow(&events, Duration::from_millis(25)));
    let term = env.start(&[], 100, 24);
    term.send_text("stream");
    term.send_keys(&["Enter"]);
    term.wait_for("streamed line 10", WAIT);
    term.resize(60, 16);
    term.wait_for("streamed line 30", WAIT);
    term.resize(120, 30);
    term.wait_for("streamed line 50", WAIT);
    term.resize(70, 20);
    let all = term.wait_for("streamed line 80", WAIT);
    for i in 1..=80 {
        assert_eq!(
            count(&all, &format!("streamed line {i:02}")),
            1,
            "line {i} lost or repeated:\n{all}"
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
