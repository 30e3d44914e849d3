//! Slash commands and the `@` file search in a real terminal: the popup filters as you type,
//! Enter runs the command, and what it shows lands in the history.

use std::process::Command;

use codex_test_support::MockResponse;
use codex_test_support::responses::sse_assistant_turn;

use crate::suite::harness::{Env, WAIT};

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn status_runs_from_the_popup_and_names_the_session() {
    let env = Env::new();
    let term = env.start(&[], 100, 40);
    term.send_text("/sta");
    term.wait_for("show the session's settings", WAIT);
    term.send_keys(&["Enter"]);
    let all = term.wait_for("Token usage:", WAIT);
    assert!(all.contains("mock-model"), "{all}");
    assert!(all.contains("Approval:"), "{all}");
    let session = all
        .lines()
        .find_map(|l| l.split("Session:").nth(1))
        .map(|rest| rest.trim().trim_end_matches('│').trim().to_owned())
        .unwrap();
    // The id shown is the session's: its rollout file (written from the start) carries it.
    let sessions = walk(&env.home.path().join("sessions"));
    assert!(
        sessions
            .iter()
            .any(|p| p.to_string_lossy().contains(&session)),
        "{session} not among {sessions:?}"
    );
    assert_eq!(
        env.server.request_count(),
        0,
        "/status never calls the model"
    );
}

#[test]
fn diff_shows_changed_and_untracked_files() {
    let env = Env::new();
    std::fs::remove_dir_all(env.ws().join(".git")).unwrap();
    git(env.ws(), &["init", "-q"]);
    std::fs::write(env.ws().join("notes.md"), "# brand new notes\n").unwrap();
    let term = env.start(&[], 100, 40);
    term.send_text("/diff");
    term.send_keys(&["Enter"]);
    let all = term.wait_for("+# brand new notes", WAIT);
    assert!(all.contains("+++ b/notes.md"), "{all}");
}

#[test]
fn model_choice_applies_to_the_next_turn() {
    let env = Env::new();
    env.server
        .push(MockResponse::sse_body(sse_assistant_turn("r1", "answered")));
    // A reasoning model: unknown ones (the mock's own name) are sent no reasoning settings.
    let term = env.start(&["-m", "gpt-5"], 100, 40);
    term.send_text("/model");
    term.send_keys(&["Enter"]);
    term.wait_for("Choose a model", WAIT);
    // The current model first, then its efforts: the third is `high`.
    term.send_keys(&["Enter"]);
    term.wait_for("Reasoning effort for gpt-5", WAIT);
    term.send_keys(&["3"]);
    term.wait_for("Model changed to gpt-5 with high reasoning effort", WAIT);
    term.send_text("go on");
    term.send_keys(&["Enter"]);
    term.wait_for("answered", WAIT);
    let body = env.server.single_request().body_json();
    assert_eq!(body["reasoning"]["effort"], "high", "{body}");
}

#[test]
fn at_search_inserts_a_workspace_path() {
    let env = Env::new();
    std::fs::create_dir_all(env.ws().join("docs/guide")).unwrap();
    std::fs::write(env.ws().join("docs/guide/installing.md"), "").unwrap();
    env.server
        .push(MockResponse::sse_body(sse_assistant_turn("r1", "read it")));
    let term = env.start(&[], 100, 30);
    term.send_text("read @instal");
    term.wait_for("docs/guide/installing.md", WAIT);
    term.send_keys(&["Tab"]);
    term.send_keys(&["Enter"]);
    term.wait_for("read it", WAIT);
    let request = env.server.single_request();
    let said = request.message_input_texts("user");
    assert!(
        said.iter()
            .any(|t| t.trim_end() == "read docs/guide/installing.md"),
        "{said:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn compact_shows_the_summary_and_later_turns_carry_it() {
    let env = Env::new();
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r1",
        "a long first answer",
    )));
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r2",
        "SUMMARY: one question was answered",
    )));
    env.server.push(MockResponse::sse_body(sse_assistant_turn(
        "r3",
        "carried on",
    )));
    let term = env.start(&[], 100, 40);
    term.send_text("first question");
    term.send_keys(&["Enter"]);
    term.wait_for("a long first answer", WAIT);
    term.send_text("/compact");
    term.send_keys(&["Enter"]);
    term.wait_for("Compacted the conversation", WAIT);
    term.send_text("next");
    term.send_keys(&["Enter"]);
    term.wait_for("carried on", WAIT);
    let requests = env.server.requests();
    let later = requests[2].message_input_texts("user");
    assert!(
        later.iter().any(|t| t.contains("SUMMARY: one question")),
        "{later:?}"
    );
    assert!(
        !requests[2]
            .message_input_texts("assistant")
            .iter()
            .any(|t| t.contains("a long first answer")),
        "the transcript was replaced"
    );
}

#[test]
fn init_sends_the_agents_md_prompt_and_new_starts_another_session() {
    let env = Env::new();
    env.server
        .push(MockResponse::sse_body(sse_assistant_turn("r1", "wrote it")));
    let term = env.start(&[], 100, 40);
    term.send_text("/init");
    term.send_keys(&["Enter"]);
    term.wait_for("wrote it", WAIT);
    let said = env.server.single_request().message_input_texts("user");
    assert!(
        said.last().is_some_and(|t| t.contains("AGENTS.md")),
        "{said:?}"
    );
    term.send_text("/new");
    term.send_keys(&["Enter"]);
    // A second header card for the new conversation, below the old history.
    term.wait_until(WAIT, "a second session header", |all| {
        all.matches("directory:").count() == 2
    });
    // Each conversation has its own session file.
    let files = walk(&env.home.path().join("sessions"));
    assert_eq!(files.len(), 2, "{files:?}");
    term.send_text("/quit");
    term.send_keys(&["Enter"]);
    term.wait_until(WAIT, "the chat to end", |_| {
        !term.screen().contains("Ask for a change")
    });
}
