//! Behaviour driven by environment variables, checked in a child process that has them set
//! (tests never change their own environment).

use std::collections::BTreeMap;

use codex_model_client::{ClientError, ModelClient, ModelClientConfig};
use codex_protocol::{ModelProviderInfo, WireApi, built_in_model_providers};
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};

use super::common::*;

#[tokio::test]
async fn env_key_base_url_originator_and_env_headers() {
    // The parent starts the server and hands its URL to the child.
    const URL_VAR: &str = "CODEX_TEST_MOCK_BASE_URL";
    if std::env::var_os(URL_VAR).is_none() {
        let server = MockServer::start();
        server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
        server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
        let base = server.base_url();
        let ran_here = in_child(
            "suite::env::env_key_base_url_originator_and_env_headers",
            &[
                (URL_VAR, base.as_str()),
                ("OPENAI_BASE_URL", base.as_str()),
                ("CODEX_TEST_PROVIDER_KEY", "sk-from-env"),
                ("CODEX_TEST_BLANK_KEY", "  "),
                ("CODEX_INTERNAL_ORIGINATOR_OVERRIDE", "codex_override"),
                ("OPENAI_ORGANIZATION", "org-7"),
            ],
        );
        assert!(!ran_here);
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        // Built-in openai provider, moved by OPENAI_BASE_URL.
        assert_eq!(requests[0].path, "/v1/responses");
        assert_eq!(requests[0].header("openai-organization"), Some("org-7"));
        assert_eq!(
            requests[0].header("version"),
            Some(env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(requests[0].header("originator"), Some("codex_override"));
        assert!(
            requests[0]
                .header("user-agent")
                .unwrap()
                .starts_with("codex_override/")
        );
        // A provider with env_key.
        assert_eq!(
            requests[1].header("authorization"),
            Some("Bearer sk-from-env")
        );
        return;
    }

    let openai = built_in_model_providers()["openai"].clone();
    let mut cfg = ModelClientConfig::new("openai", openai, "gpt-5");
    cfg.originator = Some("codex_exec".into());
    let client = ModelClient::new(cfg).unwrap();
    events(&client, &prompt("hi")).await;

    let with_key = ModelProviderInfo {
        name: "keyed".into(),
        base_url: Some(std::env::var(URL_VAR).unwrap()),
        env_key: Some("CODEX_TEST_PROVIDER_KEY".into()),
        wire_api: WireApi::Responses,
        http_headers: Some(BTreeMap::new()),
        ..ModelProviderInfo::default()
    };
    let client = ModelClient::new(config_for(with_key.clone())).unwrap();
    events(&client, &prompt("hi")).await;

    let blank = ModelProviderInfo {
        env_key: Some("CODEX_TEST_BLANK_KEY".into()),
        ..with_key
    };
    let e = ModelClient::new(config_for(blank)).unwrap_err();
    assert!(
        matches!(&e, ClientError::EnvVar { var, .. } if var == "CODEX_TEST_BLANK_KEY"),
        "{e:?}"
    );
}
