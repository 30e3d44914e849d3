//! `forced_login_method`: an organisation's rule about which credentials may be used holds in
//! `codex-exec` too, before anything is sent.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};

use super::harness::Env;

/// The mock provider, made to need an OpenAI login.
const NEEDS_LOGIN: &str = "model_providers.mock.requires_openai_auth=true";

fn store_api_key(env: &Env) {
    std::fs::write(
        env.home.path().join("auth.json"),
        r#"{"OPENAI_API_KEY": "sk-stored-key", "tokens": null, "last_refresh": null}"#,
    )
    .unwrap();
}

#[test]
fn an_api_key_is_refused_when_only_chatgpt_is_allowed() {
    let env = Env::new();
    store_api_key(&env);
    let out = env
        .exec()
        .args(["-c", NEEDS_LOGIN, "-c", "forced_login_method=chatgpt", "hi"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("forced_login_method = \"chatgpt\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("codex login"),
        "says how to fix it: {stderr}"
    );
    assert!(!stderr.contains("sk-stored-key"), "{stderr}");
    assert_eq!(env.server.request_count(), 0);
}

#[test]
fn the_allowed_kind_is_used() {
    let env = Env::new();
    store_api_key(&env);
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "ok"),
        ev_completed("r"),
    ]));
    env.exec()
        .args(["-c", NEEDS_LOGIN, "-c", "forced_login_method=api", "hi"])
        .assert()
        .success()
        .stdout("ok\n");
    assert_eq!(
        env.server.single_request().header("authorization"),
        Some("Bearer sk-stored-key")
    );
}
