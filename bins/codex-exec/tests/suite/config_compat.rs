//! A Codex user's real config.toml works as it is: Codex's keys are accepted silently, the
//! `--json` stream starts with the answer, and only made-up keys are warned about, on stderr.

use std::time::{Duration, Instant};

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};

use super::harness::Env;

/// Keys of Codex releases from mid-2025 on, as a long-time user's file has them.
const CODEX_USERS_KEYS: &str = r#"
profile = "work"
check_for_update_on_startup = false
file_opener = "cursor"
forced_chatgpt_workspace_id = "00000000-0000-0000-0000-000000000000"
cli_auth_credentials_store = "file"
mcp_oauth_credentials_store = "auto"
preferred_auth_method = "apikey"
model_context_window = 400000
model_auto_compact_token_limit = 300000
model_supports_reasoning_summaries = true
model_reasoning_summary_format = "experimental"
tool_output_token_limit = 2560
show_raw_agent_reasoning = false
hide_agent_reasoning = false
instructions = "ignored by Codex too"
experimental_use_rmcp_client = true
experimental_use_exec_command_tool = false
include_apply_patch_tool = true
oss_provider = "ollama"
modle_typo = "gpt-5"

[features]
web_search_request = true
view_image_tool = true
apply_patch_freeform = true

[tui]
notifications = ["agent-turn-complete"]
animations = false

[projects."/home/me/repo"]
trust_level = "trusted"

[otel]
environment = "dev"
exporter = "none"
log_user_prompt = false

[tools]
web_search = true

[history]
persistence = "save-all"
max_bytes = 1048576

[ghost_snapshot]
ignore_large_untracked_dirs = 200

[model_providers.ollama]
name = "Ollama"
base_url = "http://localhost:11434/v1"

[profiles.work]
model_reasoning_effort = "low"
file_opener = "vscode"
"#;

#[test]
fn a_codex_users_config_gives_a_clean_json_stream_and_warns_only_about_made_up_keys() {
    let env = Env::new();
    // Top-level keys before any table, as TOML requires.
    let (top, tables) = CODEX_USERS_KEYS.split_at(CODEX_USERS_KEYS.find("[features]").unwrap());
    let ours = std::fs::read_to_string(env.home.config_path()).unwrap();
    env.home.write_config(&format!("{top}\n{ours}\n{tables}"));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "hello"),
        ev_completed("r"),
    ]));
    let out = env.exec().args(["--json", "hi"]).assert().success();
    let output = out.get_output();
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let items: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "item.completed")
        .map(|e| e["item"].clone())
        .collect();
    assert_eq!(items.len(), 1, "{stdout}");
    assert_eq!(items[0]["id"], "item_0");
    assert_eq!(items[0]["type"], "agent_message");
    assert!(!stdout.contains("\"error\""), "{stdout}");

    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("unknown key `modle_typo`"), "{stderr}");
    assert!(
        warnings[0].contains("config.toml"),
        "names the file: {stderr}"
    );
}

#[test]
fn notify_runs_the_users_program_with_codexs_payload_after_the_turn() {
    let env = Env::new();
    let out_file = env.ws().join("notified.json");
    env.home.write_config(&format!(
        "notify = [\"sh\", \"-c\", \"printf '%s' \\\"$1\\\" > {}\", \"notify\"]\n{}",
        out_file.display(),
        std::fs::read_to_string(env.home.config_path()).unwrap()
    ));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "renamed it"),
        ev_completed("r"),
    ]));
    let out = env
        .exec()
        .args(["--json", "rename foo to bar"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let thread: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();

    // The program is not waited for; give it a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    let payload = loop {
        if let Ok(text) = std::fs::read_to_string(&out_file)
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
        {
            break value;
        }
        assert!(
            Instant::now() < deadline,
            "notify never wrote {}",
            out_file.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(payload["type"], "agent-turn-complete");
    assert_eq!(payload["thread-id"], thread["thread_id"]);
    assert_eq!(
        payload["input-messages"],
        serde_json::json!(["rename foo to bar"])
    );
    assert_eq!(payload["last-assistant-message"], "renamed it");
    assert_eq!(
        payload["cwd"].as_str().map(std::path::PathBuf::from),
        Some(env.ws().canonicalize().unwrap())
    );
    assert!(payload["turn-id"].is_string());
}

#[test]
fn enable_and_disable_set_features_for_the_run() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "ok"),
        ev_completed("r"),
    ]));
    let out = env
        .exec()
        .args([
            "--enable",
            "web_search_request",
            "--disable",
            "view_image_tool",
            "hi",
        ])
        .assert()
        .success()
        .stdout("ok\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
}
