//! Plain answers, prompts from stdin, errors and exit codes.

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_assistant_message, ev_completed, ev_completed_with_usage, ev_failed, sse,
};
use predicates::prelude::*;

use super::harness::Env;

fn answer(text: &str) -> MockResponse {
    MockResponse::sse(&[ev_assistant_message("m1", text), ev_completed("r1")])
}

#[test]
fn plain_answer_goes_to_stdout_and_progress_to_stderr() {
    let env = Env::new();
    env.server.push(answer("hi there"));
    env.exec()
        .arg("say hi")
        .assert()
        .success()
        .stdout("hi there\n")
        .stderr(predicate::str::contains("say hi"))
        .stderr(predicate::str::contains("mock-model"));
    let request = env.server.single_request();
    assert_eq!(request.path, "/v1/responses");
    assert_eq!(request.header("originator"), Some("codex_exec"));
    let body = request.body_json();
    assert_eq!(body["model"], "mock-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["store"], false);
    assert!(
        body["instructions"]
            .as_str()
            .unwrap()
            .contains("coding agent")
    );
    let texts = request.message_input_texts("user");
    assert_eq!(texts.last().map(String::as_str), Some("say hi"));
    assert!(
        texts.iter().any(|t| t.starts_with("<environment_context>")),
        "{texts:?}"
    );
    let tools: Vec<&str> = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["shell", "apply_patch", "update_plan"]);
}

#[test]
fn prompt_is_read_from_stdin() {
    let env = Env::new();
    env.server.push(answer("ok"));
    env.exec()
        .write_stdin("from a pipe\n")
        .assert()
        .success()
        .stdout("ok\n");
    let texts = env.server.single_request().message_input_texts("user");
    assert_eq!(texts.last().map(String::as_str), Some("from a pipe\n"));
}

#[test]
fn piped_stdin_is_appended_to_an_argument_prompt() {
    let env = Env::new();
    env.server.push(answer("ok"));
    env.exec()
        .arg("summarise this")
        .write_stdin("line one\nline two")
        .assert()
        .success();
    let texts = env.server.single_request().message_input_texts("user");
    assert_eq!(
        texts.last().map(String::as_str),
        Some("summarise this\n\n<stdin>\nline one\nline two\n</stdin>")
    );
}

#[test]
fn empty_stdin_is_an_error() {
    let env = Env::new();
    env.exec()
        .write_stdin("  \n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stdin was empty"));
    assert_eq!(env.server.request_count(), 0);
}

#[test]
fn refuses_to_run_outside_a_git_repository_unless_told() {
    let env = Env::new();
    std::fs::remove_dir_all(env.ws().join(".git")).unwrap();
    env.exec()
        .arg("hi")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--skip-git-repo-check"));
    env.server.push(answer("fine"));
    env.exec()
        .args(["--skip-git-repo-check", "hi"])
        .assert()
        .success()
        .stdout("fine\n");
}

#[test]
fn failed_turn_exits_1_with_the_servers_reason() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[ev_failed(
        "r1",
        "context_length_exceeded",
        "too long",
    )]));
    env.exec()
        .arg("hi")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("context window"));
}

#[test]
fn bad_config_is_reported_with_file_and_line() {
    let env = Env::new();
    env.home
        .append_config("[mcp_servers.docs]\ncommand = \"x\"\nurl = \"http://h\"\n");
    env.exec()
        .arg("hi")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("config.toml:"))
        .stderr(predicate::str::contains("mcp_servers.docs"))
        .stderr(predicate::str::contains("url is not supported for stdio"));
}

#[test]
fn dash_c_overrides_and_profiles_reach_the_request() {
    let env = Env::new();
    env.home
        .append_config("[profiles.fast]\nmodel = \"profile-model\"\n");
    env.server.push(answer("a"));
    env.server.push(answer("b"));
    env.exec().args(["-p", "fast", "hi"]).assert().success();
    env.exec()
        .args(["-p", "fast", "-c", "model=dash-c-model", "hi"])
        .assert()
        .success();
    let requests = env.server.requests();
    assert_eq!(requests[0].body_json()["model"], "profile-model");
    assert_eq!(requests[1].body_json()["model"], "dash-c-model");
}

#[test]
fn output_schema_is_sent_and_last_message_written() {
    let env = Env::new();
    let schema = r#"{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}"#;
    std::fs::write(env.ws().join("schema.json"), schema).unwrap();
    env.server.push(answer(r#"{"ok":true}"#));
    env.exec()
        .args(["--output-schema", "schema.json", "-o", "last.txt", "answer"])
        .assert()
        .success()
        .stdout("{\"ok\":true}\n");
    let body = env.server.single_request().body_json();
    assert_eq!(body["text"]["format"]["type"], "json_schema");
    assert_eq!(body["text"]["format"]["strict"], true);
    assert_eq!(body["text"]["format"]["schema"]["required"][0], "ok");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("last.txt")).unwrap(),
        r#"{"ok":true}"#
    );
}

#[test]
fn unreadable_output_schema_is_reported() {
    let env = Env::new();
    std::fs::write(env.ws().join("bad.json"), "{nope").unwrap();
    env.exec()
        .args(["--output-schema", "bad.json", "hi"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.json is not valid JSON"));
}

/// A bad `-o` or `-i` is refused before the model is asked (and paid): the answer would
/// otherwise be lost, or the image silently left out.
#[test]
fn a_bad_output_file_or_image_is_refused_before_the_turn() {
    let env = Env::new();
    for (args, message) in [
        (
            ["-o", "missing-dir/last.txt", "hi"],
            "cannot write the last message to missing-dir/last.txt: the directory missing-dir does not exist",
        ),
        (
            ["-i", "missing.png", "describe"],
            "cannot attach the image missing.png: not found, or not a file",
        ),
    ] {
        env.exec()
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }
    assert!(env.server.requests().is_empty());
}

/// `-o` that cannot be written when the turn ends (the directory went away) still lets the
/// answer reach stdout and the `--json` stream end, and the run fails.
#[test]
fn a_last_message_file_that_cannot_be_written_loses_nothing_else() {
    let env = Env::new();
    std::fs::create_dir(env.ws().join("out")).unwrap();
    env.server.push(MockResponse::sse_generated({
        let dir = env.ws().join("out");
        move || {
            // The directory disappears while the model answers.
            let _ = std::fs::remove_dir(&dir);
            Box::new(std::iter::once(bytes::Bytes::from(sse(&[
                ev_assistant_message("m", "the answer"),
                ev_completed("r"),
            ]))))
        }
    }));
    let out = env
        .exec()
        .args(["--json", "-o", "out/last.txt", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"turn.completed\""), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("could not write the last message"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usage_is_reported_and_the_key_is_sent_but_never_printed() {
    let env = Env::new();
    env.home.append_config("[model_providers.keyed]\nname = \"keyed\"\nwire_api = \"responses\"\nenv_key = \"MOCK_KEY\"\nrequest_max_retries = 0\nstream_max_retries = 0\n");
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed_with_usage("r", 10, 2, 5, 0),
    ]));
    let base = env.server.base_url();
    let out = env
        .exec()
        .env("MOCK_KEY", "sk-test-secret-123")
        .args([
            "-c",
            "model_provider=keyed",
            "-c",
            &format!("model_providers.keyed.base_url=\"{base}\""),
            "hi",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        env.server.single_request().header("authorization"),
        Some("Bearer sk-test-secret-123")
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("sk-test-secret-123"));
    assert!(all.contains("tokens used"), "{all}");
    let _ = sse(&[]);
}

#[test]
fn chat_completions_providers_work_end_to_end() {
    use codex_test_support::chat::{chat_text_response, chat_tool_call_response};
    let env = Env::new();
    env.home.append_config("[model_providers.chatty]\nname = \"chatty\"\nwire_api = \"chat\"\nrequest_max_retries = 0\nstream_max_retries = 0\n");
    let args = serde_json::json!({"command": ["echo", "from-chat"]}).to_string();
    env.server
        .push(MockResponse::sse_body(chat_tool_call_response(
            "call_1", "shell", &args,
        )));
    env.server
        .push(MockResponse::sse_body(chat_text_response("chat says done")));
    let base = env.server.base_url();
    env.exec()
        .args([
            "-c",
            "model_provider=chatty",
            "-c",
            &format!("model_providers.chatty.base_url=\"{base}\""),
            "hi",
        ])
        .assert()
        .success()
        .stdout("chat says done\n");
    let requests = env.server.requests();
    assert_eq!(requests[0].path, "/v1/chat/completions");
    let tool_message = requests[1]
        .tool_message("call_1")
        .expect("the tool output went back as a tool message");
    assert!(
        tool_message["content"]
            .as_str()
            .unwrap()
            .contains("from-chat"),
        "{tool_message}"
    );
}

#[test]
fn images_are_attached_to_the_prompt() {
    let env = Env::new();
    // A 1x1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(env.ws().join("dot.png"), png).unwrap();
    env.server.push(answer("a dot"));
    env.exec()
        .args(["-i", "dot.png", "what is this"])
        .assert()
        .success();
    let input = env.server.single_request().input();
    let last = input.last().unwrap();
    let image = last["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "input_image")
        .expect("an image part");
    assert!(
        image["image_url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
}

#[test]
fn a_missing_cd_directory_is_named_once() {
    let env = Env::new();
    let out = env
        .exec()
        .args(["-C", "no/such/dir", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("-C no/such/dir"), "{stderr}");
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}
