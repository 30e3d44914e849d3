//! The request follows the model family: reasoning, `include` and verbosity only where the
//! family takes them, the freeform `apply_patch` for codex models, `view_image` for models
//! that read images. The same config.toml asks for everything each time.

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_apply_patch_custom_tool_call, ev_assistant_message, ev_completed, ev_function_call,
};
use serde_json::{Value, json};

use super::harness::Env;

/// Reasoning and verbosity settings, asked of every model.
const TUNING: &str = "model_reasoning_effort = \"high\"\nmodel_reasoning_summary = \"detailed\"\nmodel_verbosity = \"high\"\n";

fn env_with_tuning() -> Env {
    let env = Env::new();
    let ours = std::fs::read_to_string(env.home.config_path()).unwrap();
    env.home.write_config(&format!("{TUNING}{ours}"));
    env
}

fn answer(env: &Env) {
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "ok"),
        ev_completed("r"),
    ]));
}

/// The body of the one request a plain turn with `model` sends.
fn body_for(env: &Env, model: &str) -> Value {
    answer(env);
    let out = env.exec().args(["-m", model, "hi"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.server.requests().last().unwrap().body_json()
}

fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}:{}",
                t["type"].as_str().unwrap(),
                t["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn gpt_4_1_gets_no_reasoning_include_or_verbosity() {
    let env = env_with_tuning();
    let body = body_for(&env, "gpt-4.1");
    assert!(body.get("reasoning").is_none(), "{body}");
    assert_eq!(body["include"], json!([]), "{body}");
    assert!(body.get("text").is_none(), "{body}");
    assert_eq!(
        tool_names(&body),
        [
            "function:shell",
            "function:apply_patch",
            "function:update_plan",
            "function:view_image"
        ]
    );
}

#[test]
fn an_unknown_model_gets_the_conservative_request() {
    let env = env_with_tuning();
    let body = body_for(&env, "qwen3-coder-local");
    assert!(body.get("reasoning").is_none(), "{body}");
    assert_eq!(body["include"], json!([]), "{body}");
    assert!(body.get("text").is_none(), "{body}");
    assert_eq!(
        tool_names(&body),
        [
            "function:shell",
            "function:apply_patch",
            "function:update_plan"
        ]
    );
    // Codex's switch turns reasoning on for a model the table does not know.
    let body = {
        answer(&env);
        env.exec()
            .args([
                "-m",
                "qwen3-coder-local",
                "-c",
                "model_supports_reasoning_summaries=true",
                "hi",
            ])
            .assert()
            .success();
        env.server.requests().last().unwrap().body_json()
    };
    assert_eq!(body["reasoning"]["effort"], "high", "{body}");
    assert!(body.get("text").is_none(), "{body}");
}

#[test]
fn gpt_5_gets_effort_summary_include_and_verbosity() {
    let env = env_with_tuning();
    let body = body_for(&env, "gpt-5");
    assert_eq!(
        body["reasoning"],
        json!({"effort": "high", "summary": "detailed"})
    );
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(body["text"], json!({"verbosity": "high"}));

    // Without settings, the family's defaults: medium effort, automatic summaries.
    let env = Env::new();
    let body = body_for(&env, "gpt-5");
    assert_eq!(
        body["reasoning"],
        json!({"effort": "medium", "summary": "auto"})
    );
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert!(body.get("text").is_none(), "{body}");
}

#[test]
fn gpt_5_codex_gets_the_freeform_apply_patch_and_its_patch_is_applied() {
    let env = env_with_tuning();
    std::fs::write(env.ws().join("notes.txt"), "alpha\nbeta\n").unwrap();
    let patch = "*** Begin Patch\n*** Update File: notes.txt\n@@\n alpha\n-beta\n+BETA\n*** Add File: new.txt\n+fresh\n*** End Patch\n";
    env.server.push(MockResponse::sse(&[
        ev_apply_patch_custom_tool_call("p1", patch),
        ev_completed("r1"),
    ]));
    answer(&env);
    env.exec()
        .args(["-m", "gpt-5-codex", "-s", "workspace-write", "edit"])
        .assert()
        .success()
        .stdout("ok\n");

    let requests = env.server.requests();
    let first = requests[0].body_json();
    let tool = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "apply_patch")
        .unwrap()
        .clone();
    assert_eq!(tool["type"], "custom", "{tool}");
    assert_eq!(tool["format"]["type"], "grammar");
    assert_eq!(tool["format"]["syntax"], "lark");
    let grammar = tool["format"]["definition"].as_str().unwrap();
    assert!(
        grammar.starts_with("start: begin_patch hunk+ end_patch\n"),
        "{grammar}"
    );
    assert!(grammar.contains("%import common.LF"), "{grammar}");
    // A codex model takes effort and summary, not verbosity.
    assert_eq!(
        first["reasoning"],
        json!({"effort": "high", "summary": "detailed"})
    );
    assert!(first.get("text").is_none(), "{first}");

    assert_eq!(
        std::fs::read_to_string(env.ws().join("notes.txt")).unwrap(),
        "alpha\nBETA\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.ws().join("new.txt")).unwrap(),
        "fresh\n"
    );
    let output = requests[1].custom_tool_call_output("p1").unwrap();
    assert!(
        output["output"]
            .as_str()
            .unwrap()
            .starts_with("Success. Updated the following files:"),
        "{output}"
    );
    assert!(
        env.server.problems().is_empty(),
        "{:?}",
        env.server.problems()
    );
}

#[test]
fn features_override_the_familys_tools() {
    let env = Env::new();
    answer(&env);
    env.exec()
        .args([
            "-m",
            "gpt-5-codex",
            "--disable",
            "apply_patch_freeform",
            "--disable",
            "view_image_tool",
            "hi",
        ])
        .assert()
        .success();
    let body = env.server.single_request().body_json();
    assert_eq!(
        tool_names(&body),
        [
            "function:shell",
            "function:apply_patch",
            "function:update_plan"
        ]
    );
}

/// The smallest valid PNG header is enough: the tool checks the bytes are an image.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

#[test]
fn view_image_attaches_an_image_and_refuses_what_the_policy_hides() {
    let env = Env::new();
    std::fs::write(env.ws().join("shot.png"), PNG).unwrap();
    std::fs::create_dir(env.ws().join("private")).unwrap();
    std::fs::write(env.ws().join("private/face.png"), PNG).unwrap();
    std::fs::write(env.ws().join("notes.png"), "not an image").unwrap();
    let ours = std::fs::read_to_string(env.home.config_path()).unwrap();
    env.home.write_config(&format!(
        "{ours}\n[sandbox]\ndeny_read = [\"{}\"]\n",
        env.ws().join("private").display()
    ));
    env.server.push(MockResponse::sse(&[
        ev_function_call("v1", "view_image", &json!({"path": "shot.png"}).to_string()),
        ev_function_call(
            "v2",
            "view_image",
            &json!({"path": "private/face.png"}).to_string(),
        ),
        ev_function_call(
            "v3",
            "view_image",
            &json!({"path": "notes.png"}).to_string(),
        ),
        ev_completed("r1"),
    ]));
    answer(&env);
    env.exec().args(["-m", "gpt-5", "look"]).assert().success();

    let second = &env.server.requests()[1];
    assert_eq!(
        second.function_call_output_text("v1").unwrap(),
        "attached local image path"
    );
    let denied = second.function_call_output_text("v2").unwrap();
    assert!(denied.contains("deny_read"), "{denied}");
    let not_image = second.function_call_output_text("v3").unwrap();
    assert!(not_image.contains("not a png"), "{not_image}");
    let input = second.input();
    let last = input.last().unwrap();
    assert_eq!(last["role"], "user", "{last}");
    let url = last["content"][0]["image_url"].as_str().unwrap();
    assert!(url.starts_with("data:image/png;base64,"), "{url}");
    assert_eq!(
        input
            .iter()
            .filter(|i| i.to_string().contains("image_url"))
            .count(),
        1
    );
}
