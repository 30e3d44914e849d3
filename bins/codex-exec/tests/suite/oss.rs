//! `--oss` against a local OpenAI-compatible server: Ollama (model checked, pulled with
//! progress when missing) and a server that is not Ollama (used as it is).

use codex_test_support::MockResponse;
use codex_test_support::chat::chat_text_response;
use serde_json::json;

use super::harness::Env;

fn oss_exec(env: &Env) -> assert_cmd::Command {
    let mut cmd = env.exec();
    cmd.env("CODEX_OSS_BASE_URL", env.server.base_url())
        .env_remove("CODEX_OSS_PORT");
    cmd
}

#[test]
fn a_server_that_is_not_ollama_is_used_as_it_is() {
    let env = Env::new();
    // llama.cpp's server and LM Studio have no /api/tags.
    env.server.push(MockResponse::status(404));
    env.server
        .push(MockResponse::sse_body(chat_text_response("local answer")));
    oss_exec(&env)
        .args(["--oss", "hi"])
        .assert()
        .success()
        .stdout("local answer\n");
    let requests = env.server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/api/tags", "/v1/chat/completions"]);
    assert_eq!(requests[1].body_json()["model"], "gpt-oss:20b");
}

#[test]
fn ollama_without_the_model_pulls_it_with_progress_first() {
    let env = Env::new();
    env.server.push(MockResponse::json(
        200,
        &json!({"models": [{"name": "llama3:latest"}]}),
    ));
    let pull = [
        json!({"status": "pulling manifest"}),
        json!({"status": "downloading", "completed": 50, "total": 100}),
        json!({"status": "downloading", "completed": 100, "total": 100}),
        json!({"status": "success"}),
    ]
    .iter()
    .fold(String::new(), |mut body, line| {
        body.push_str(&line.to_string());
        body.push('\n');
        body
    });
    env.server.push(MockResponse::sse_body(pull));
    env.server.push(MockResponse::sse_body(chat_text_response(
        "pulled and answered",
    )));
    let out = oss_exec(&env)
        .args(["--oss", "-m", "qwen3:8b", "hi"])
        .assert()
        .success()
        .stdout("pulled and answered\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("pulling the model: pulling manifest"),
        "{stderr}"
    );
    assert!(stderr.contains("downloading 50%"), "{stderr}");
    assert!(stderr.contains("model pulled"), "{stderr}");

    let requests = env.server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/api/tags", "/api/pull", "/v1/chat/completions"]);
    assert_eq!(requests[1].body_json()["model"], "qwen3:8b");
    assert_eq!(requests[2].body_json()["model"], "qwen3:8b");
}

#[test]
fn ollama_with_the_model_goes_straight_to_the_turn_and_a_failed_pull_is_named() {
    let env = Env::new();
    env.server.push(MockResponse::json(
        200,
        &json!({"models": [{"name": "gpt-oss:20b"}]}),
    ));
    env.server
        .push(MockResponse::sse_body(chat_text_response("ready")));
    oss_exec(&env).args(["--oss", "hi"]).assert().success();
    assert_eq!(env.server.request_count(), 2);

    let env = Env::new();
    env.server
        .push(MockResponse::json(200, &json!({"models": []})));
    env.server.push(MockResponse::sse_body(
        "{\"status\":\"pulling manifest\"}\n{\"error\":\"pull model manifest: file does not exist\"}\n",
    ));
    let out = oss_exec(&env)
        .args(["--oss", "-m", "nope:1b", "hi"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("could not pull `nope:1b`") && stderr.contains("file does not exist"),
        "{stderr}"
    );
    assert_eq!(env.server.request_count(), 2, "no turn after a failed pull");
}
