//! The credential a conversation sends comes from the AuthManager handed to core: a ChatGPT
//! login's access token, refreshed through the issuer after the model server answers 401, and the
//! request sent again with the new token. Real HTTP on both sides.

use std::path::Path;

use chrono::Utc;
use codex_config::{Config, ConfigOverrides};
use codex_core::{
    AuthManager, ConversationManager, ConversationOptions, CoreError, ManagerOptions,
};
use codex_protocol::protocol::EventMsg;
use codex_protocol::rollout::SessionSource;
use codex_test_support::auth_file::{auth_path, read_auth};
use codex_test_support::fake_issuer::{
    CLIENT_ID, FakeIssuer, RefreshReply, access_token, id_token,
};
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use codex_test_support::{MockResponse, MockServer, TestHome};
use serde_json::json;

use super::harness::user_text;

/// A provider that needs an OpenAI login, served by the mock.
fn provider_config(server: &MockServer) -> String {
    format!(
        "model = \"mock-model\"\nmodel_provider = \"needs-login\"\nsandbox_mode = \"danger-full-access\"\n\n\
         [model_providers.needs-login]\nname = \"needs-login\"\nbase_url = \"{}\"\n\
         requires_openai_auth = true\nwire_api = \"responses\"\nrequest_max_retries = 0\nstream_max_retries = 0\n",
        server.base_url()
    )
}

fn write_chatgpt_login(home: &Path) -> String {
    let access = access_token("stale", 3600);
    let file = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": id_token("dev@example.com", "pro", "acc-123"),
            "access_token": access,
            "refresh_token": "rt-old",
            "account_id": "acc-123"
        },
        "last_refresh": Utc::now().to_rfc3339(),
    });
    std::fs::write(auth_path(home), file.to_string()).unwrap();
    access
}

fn manager(home: &Path, issuer: &FakeIssuer) -> ConversationManager {
    let auth = AuthManager::builder(home.to_owned())
        .refresh_token_url(Some(issuer.token_url()))
        .client_id(Some(CLIENT_ID.to_owned()))
        .build();
    ConversationManager::new(
        auth,
        ManagerOptions {
            source: SessionSource::Exec,
            originator: "codex_core_tests".to_owned(),
        },
    )
}

fn config(home: &TestHome, workspace: &Path) -> Config {
    Config::load(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        cwd: Some(workspace.to_owned()),
        ..ConfigOverrides::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_refreshes_the_login_and_the_request_is_sent_again_with_the_new_token() {
    let server = MockServer::start();
    let issuer = FakeIssuer::start();
    let home = TestHome::new();
    home.write_config(&provider_config(&server));
    let stale = write_chatgpt_login(home.path());
    let workspace = tempfile::tempdir().unwrap();
    server.push(MockResponse::status(401));
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "hello again"),
        ev_completed("r"),
    ]));

    let manager = manager(home.path(), &issuer);
    let new = manager
        .new_conversation(
            config(&home, workspace.path()),
            ConversationOptions::default(),
        )
        .unwrap();
    new.conversation.submit(user_text("hi")).await.unwrap();
    let answer = loop {
        match new.conversation.next_event().await.unwrap().msg {
            EventMsg::TaskComplete { last_agent_message } => break last_agent_message,
            EventMsg::Error { message, .. } => panic!("turn failed: {message}"),
            _ => {}
        }
    };
    assert_eq!(answer.as_deref(), Some("hello again"));

    let refreshed = match issuer.behavior().refresh {
        RefreshReply::Tokens { access_token, .. } => access_token,
        RefreshReply::Error { .. } => unreachable!("the default issuer refreshes"),
    };
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let bearer = |i: usize| requests[i].header("authorization").map(str::to_owned);
    assert_eq!(bearer(0), Some(format!("Bearer {stale}")));
    assert_eq!(bearer(1), Some(format!("Bearer {refreshed}")));
    assert_eq!(
        requests[1].header("chatgpt-account-id"),
        Some("acc-123"),
        "the account travels with the refreshed token"
    );
    assert_eq!(issuer.refresh_count(), 1);
    assert_eq!(
        issuer.grants("refresh_token")[0].fields()["refresh_token"],
        "rt-old"
    );
    // The new tokens are kept for the next run.
    assert_eq!(read_auth(home.path())["tokens"]["access_token"], refreshed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_is_reported_without_spending_the_refresh_token() {
    // Forbidden is not expired: a workspace or an organisation says no, and a refresh would
    // only rotate the user's tokens for nothing.
    let server = MockServer::start();
    let issuer = FakeIssuer::start();
    let home = TestHome::new();
    home.write_config(&provider_config(&server));
    write_chatgpt_login(home.path());
    let workspace = tempfile::tempdir().unwrap();
    server.push(MockResponse::status(403));

    let new = manager(home.path(), &issuer)
        .new_conversation(
            config(&home, workspace.path()),
            ConversationOptions::default(),
        )
        .unwrap();
    new.conversation.submit(user_text("hi")).await.unwrap();
    let message = loop {
        match new.conversation.next_event().await.unwrap().msg {
            EventMsg::Error { message, .. } => break message,
            EventMsg::TaskComplete { .. } => panic!("a 403 completed the turn"),
            _ => {}
        }
    };
    assert!(message.contains("403"), "{message}");
    assert_eq!(issuer.refresh_count(), 0);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(read_auth(home.path())["tokens"]["refresh_token"], "rt-old");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_needs_a_login_without_one_stops_before_any_request() {
    let server = MockServer::start();
    let issuer = FakeIssuer::start();
    let home = TestHome::new();
    home.write_config(&provider_config(&server));
    let workspace = tempfile::tempdir().unwrap();

    let err = manager(home.path(), &issuer)
        .new_conversation(
            config(&home, workspace.path()),
            ConversationOptions::default(),
        )
        .err()
        .expect("no login, no conversation");
    assert!(matches!(err, CoreError::NotLoggedIn { .. }), "{err}");
    assert!(err.to_string().contains("codex login"), "{err}");
    assert_eq!(server.request_count(), 0);
}
