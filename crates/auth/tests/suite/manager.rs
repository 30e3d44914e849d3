//! `AuthManager` (library) against the fake issuer: refresh before expiry and after a 401,
//! single-flight refresh, refresh-token errors, shared logout.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use codex_auth::{AuthError, AuthManager, AuthMode, CodexAuth, RefreshError};
use serde_json::{Value, json};

use codex_test_support::auth_file::{assert_private, auth_path, read_auth};
use codex_test_support::fake_issuer::{
    CLIENT_ID, FakeIssuer, RefreshReply, access_token, id_token,
};

/// Writes a ChatGPT auth.json whose access token expires in `expires_in` seconds.
fn write_chatgpt(home: &Path, expires_in: i64, last_refresh: chrono::DateTime<Utc>) -> String {
    let access = access_token("old", expires_in);
    let file = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": id_token("dev@example.com", "pro", "acc-123"),
            "access_token": access,
            "refresh_token": "rt-old",
            "account_id": "acc-123"
        },
        "last_refresh": last_refresh.to_rfc3339(),
        "written_by_a_newer_version": {"keep": true}
    });
    std::fs::write(
        auth_path(home),
        serde_json::to_string_pretty(&file).unwrap(),
    )
    .unwrap();
    access
}

fn manager(home: &Path, issuer: &FakeIssuer) -> AuthManager {
    AuthManager::builder(home.to_owned())
        .refresh_token_url(Some(issuer.token_url()))
        .client_id(Some(CLIENT_ID.to_owned()))
        .build()
}

fn refreshed_token(issuer: &FakeIssuer) -> String {
    match issuer.behavior().refresh {
        RefreshReply::Tokens { access_token, .. } => access_token,
        RefreshReply::Error { .. } => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_tokens_are_used_as_they_are() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    let access = write_chatgpt(home.path(), 3600, Utc::now());
    let auth = manager(home.path(), &issuer)
        .request_auth()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.bearer_token, access);
    assert_eq!(auth.mode, AuthMode::ChatGpt);
    assert_eq!(auth.account_id.as_deref(), Some("acc-123"));
    assert_eq!(
        auth.default_base_url(),
        "https://chatgpt.com/backend-api/codex"
    );
    assert!(
        auth.headers()
            .contains(&("chatgpt-account-id", "acc-123".to_owned()))
    );
    assert_eq!(issuer.refresh_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_near_expiry_are_refreshed_and_saved() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 120, Utc::now());
    let before = Utc::now();
    let manager = manager(home.path(), &issuer);
    let auth = manager.request_auth().await.unwrap().unwrap();
    assert_eq!(auth.bearer_token, refreshed_token(&issuer));
    assert_eq!(issuer.refresh_count(), 1);

    let request = issuer.grants("refresh_token")[0].fields();
    assert_eq!(request["refresh_token"], "rt-old");
    assert_eq!(request["client_id"], CLIENT_ID);

    assert_private(home.path());
    let file = read_auth(home.path());
    assert_eq!(file["tokens"]["access_token"], refreshed_token(&issuer));
    assert_eq!(file["tokens"]["refresh_token"], "rt-refreshed");
    assert_eq!(file["tokens"]["account_id"], "acc-123");
    assert_eq!(file["written_by_a_newer_version"], json!({"keep": true}));
    let last: chrono::DateTime<Utc> = file["last_refresh"].as_str().unwrap().parse().unwrap();
    assert!(last >= before - chrono::Duration::seconds(1));

    // Now fresh: no second refresh.
    manager.request_auth().await.unwrap();
    assert_eq!(issuer.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_older_than_eight_days_are_refreshed() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 3600, Utc::now() - chrono::Duration::days(9));
    let auth = manager(home.path(), &issuer)
        .request_auth()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.bearer_token, refreshed_token(&issuer));
    assert_eq!(issuer.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_wait_on_one_refresh() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.refresh_delay = Duration::from_millis(300));
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 60, Utc::now());
    let manager = manager(home.path(), &issuer);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let m = manager.clone();
            tokio::spawn(async move { m.request_auth().await.unwrap().unwrap().bearer_token })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), refreshed_token(&issuer));
    }
    assert_eq!(issuer.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_refreshes_once_then_gives_a_clear_error() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 3600, Utc::now());
    let manager = manager(home.path(), &issuer);
    let rejected = manager.request_auth().await.unwrap().unwrap();
    let retry = manager.refresh_after_unauthorized(&rejected).await.unwrap();
    assert_eq!(retry.bearer_token, refreshed_token(&issuer));
    assert_eq!(issuer.refresh_count(), 1);
    assert_private(home.path());

    // A second 401 for the stale token (a request that was in flight) adopts the new one.
    let again = manager.refresh_after_unauthorized(&rejected).await.unwrap();
    assert_eq!(again.bearer_token, retry.bearer_token);

    // The refreshed token is refused too: refreshing again would not help.
    let err = manager
        .refresh_after_unauthorized(&retry)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::StillUnauthorized), "{err:?}");
    assert!(err.to_string().contains("codex login"), "{err}");
    assert_eq!(issuer.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_401_is_not_refreshed() {
    let manager = AuthManager::from_auth(CodexAuth::from_api_key("sk-abc"));
    let auth = manager.request_auth().await.unwrap().unwrap();
    assert_eq!(auth.default_base_url(), "https://api.openai.com/v1");
    let err = manager.refresh_after_unauthorized(&auth).await.unwrap_err();
    assert!(matches!(err, AuthError::ApiKeyRejected), "{err:?}");
    assert!(err.to_string().contains("--with-api-key"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_errors_say_to_log_in_again() {
    let cases = [
        ("refresh_token_expired", "has expired"),
        ("refresh_token_reused", "was already used"),
        ("refresh_token_invalidated", "was revoked"),
        ("something_else", "refused the refresh token"),
    ];
    for (code, wording) in cases {
        let issuer = FakeIssuer::start();
        issuer.set(|b| {
            b.refresh = RefreshReply::Error {
                status: 401,
                body: json!({"error": {"code": code, "message": "nope"}}).to_string(),
            };
        });
        let home = tempfile::tempdir().unwrap();
        write_chatgpt(home.path(), 3600, Utc::now());
        let manager = manager(home.path(), &issuer);
        let rejected = manager.request_auth().await.unwrap().unwrap();
        let err = manager
            .refresh_after_unauthorized(&rejected)
            .await
            .unwrap_err();
        let AuthError::Refresh(refresh) = &err else {
            panic!("{code}: {err:?}");
        };
        assert!(refresh.is_permanent(), "{code}");
        let message = err.to_string();
        assert!(message.contains(wording), "{code}: {message}");
        assert!(
            message.contains("Log in again with `codex login`"),
            "{code}: {message}"
        );

        // Permanent: the same refresh token is not sent again.
        manager
            .refresh_after_unauthorized(&rejected)
            .await
            .unwrap_err();
        assert_eq!(issuer.refresh_count(), 1, "{code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_of_an_expired_token_is_an_error_but_a_valid_one_is_kept() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| {
        b.refresh = RefreshReply::Error {
            status: 500,
            body: "{\"error\":\"server_error\"}".into(),
        };
    });
    // Old but still valid: the current token is used.
    let home = tempfile::tempdir().unwrap();
    let access = write_chatgpt(home.path(), 3600, Utc::now() - chrono::Duration::days(10));
    let auth = manager(home.path(), &issuer)
        .request_auth()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(auth.bearer_token, access);

    // Expired: nothing usable, so the failure is reported.
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), -10, Utc::now());
    let err = manager(home.path(), &issuer)
        .request_auth()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::Refresh(RefreshError::Http(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTP 500"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_refreshed_by_another_process_are_adopted_without_a_request() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 60, Utc::now());
    let manager = manager(home.path(), &issuer);
    // Another process refreshes and rewrites auth.json.
    let mut file = read_auth(home.path());
    let theirs = access_token("theirs", 3600);
    file["tokens"]["access_token"] = Value::String(theirs.clone());
    std::fs::write(auth_path(home.path()), file.to_string()).unwrap();

    let auth = manager.request_auth().await.unwrap().unwrap();
    assert_eq!(auth.bearer_token, theirs);
    assert_eq!(issuer.refresh_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_logout() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    write_chatgpt(home.path(), 3600, Utc::now());
    let first = manager(home.path(), &issuer);
    let second = first.clone();
    let separate = manager(home.path(), &issuer);
    assert!(second.request_auth().await.unwrap().is_some());

    assert!(first.logout().unwrap());
    assert!(!auth_path(home.path()).exists());
    assert_eq!(second.auth(), None);
    assert_eq!(second.request_auth().await.unwrap(), None);
    assert!(!second.logout().unwrap(), "nothing left to delete");

    // A manager of its own (another process, say) sees it on reload.
    assert!(separate.auth().is_some());
    assert_eq!(separate.reload().unwrap(), None);

    // Logging in through one clone is seen by the other.
    first.login_with_api_key("sk-new-key").unwrap();
    assert_private(home.path());
    assert_eq!(second.auth().unwrap().api_key(), Some("sk-new-key"));
}
