//! The device-code sign-in against the fake issuer.

use super::harness::{LoginProcess, assert_private, auth_path, read_auth};
use codex_test_support::fake_issuer::{FakeIssuer, USER_CODE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_sign_in_polls_until_the_code_is_entered() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.device_pending_polls = 3);
    let home = tempfile::tempdir().unwrap();
    let login = LoginProcess::spawn(home.path(), &issuer.url, &["--device-auth"]);
    let (status, stderr) = login.finish().await;
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{}/codex/device", issuer.url)),
        "{stderr}"
    );
    assert!(stderr.contains(USER_CODE), "{stderr}");
    assert!(stderr.contains("Successfully logged in"), "{stderr}");
    assert_eq!(
        issuer.poll_count(),
        4,
        "three pending answers, then the grant"
    );

    let usercode = &issuer.requests("/api/accounts/deviceauth/usercode")[0];
    assert_eq!(usercode.fields()["client_id"], "test-client");
    assert_private(home.path());
    let auth = read_auth(home.path());
    assert_eq!(auth["auth_mode"], "chatgpt");
    assert_eq!(auth["tokens"]["refresh_token"], "rt-login");
    assert_eq!(auth["tokens"]["account_id"], "acc-123");
    assert_eq!(auth["OPENAI_API_KEY"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_sign_in_times_out() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.device_pending_polls = usize::MAX);
    let home = tempfile::tempdir().unwrap();
    let login = LoginProcess::spawn(
        home.path(),
        &issuer.url,
        &["--device-auth", "--device-auth-timeout", "0.3"],
    );
    let (status, stderr) = login.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Error logging in: device-code sign-in timed out after 300 ms"),
        "{stderr}"
    );
    assert!(issuer.poll_count() >= 2, "it polled while waiting");
    assert!(!auth_path(home.path()).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_code_not_offered_by_the_issuer() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.device_enabled = false);
    let home = tempfile::tempdir().unwrap();
    let login = LoginProcess::spawn(home.path(), &issuer.url, &["--device-auth"]);
    let (status, stderr) = login.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "device-code sign-in is not enabled on {}",
            issuer.url
        )),
        "{stderr}"
    );
}
