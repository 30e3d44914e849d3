//! The browser sign-in, driven end to end: the test plays the browser with an HTTP client.

use super::harness::{LoginProcess, assert_private, auth_path, browser, query, read_auth};
use codex_test_support::fake_issuer::{CLIENT_ID, FakeIssuer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_checks_state_exchanges_the_code_and_writes_auth_json() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    // A corrupt file from before: the sign-in replaces it.
    std::fs::write(auth_path(home.path()), "{ not json").unwrap();

    let mut login = LoginProcess::spawn(home.path(), &issuer.url, &["--port", "0"]);
    let auth_url = login.auth_url().await;
    let params = query(&auth_url);
    assert!(
        auth_url
            .as_str()
            .starts_with(&format!("{}/oauth/authorize?", issuer.url))
    );
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], "openid profile email offline_access");
    let redirect = url::Url::parse(&params["redirect_uri"]).unwrap();
    assert_eq!(redirect.host_str(), Some("localhost"));
    assert_eq!(redirect.path(), "/auth/callback");
    let port = redirect.port().unwrap();

    // A callback with the wrong state is refused, and the sign-in keeps waiting.
    let forged = browser()
        .get(format!(
            "http://127.0.0.1:{port}/auth/callback?code=stolen&state=wrong"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert_eq!(forged.text().await.unwrap(), "State mismatch");
    assert!(issuer.grants("authorization_code").is_empty());

    // The real round trip: issuer -> callback -> code exchange -> /success.
    let page = browser().get(auth_url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.url().path(), "/success");
    let html = page.text().await.unwrap();
    assert!(html.contains("Signed in to Codex"), "{html}");
    assert!(html.contains("plan: pro"), "{html}");

    let (status, stderr) = login.finish().await;
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("Successfully logged in"), "{stderr}");
    assert!(
        !stderr.contains("rt-login"),
        "tokens never printed: {stderr}"
    );

    let exchange = &issuer.grants("authorization_code")[0].fields();
    assert_eq!(exchange["code"], "good-code");
    assert_eq!(exchange["redirect_uri"], params["redirect_uri"]);

    assert_private(home.path());
    let auth = read_auth(home.path());
    let expected = issuer.behavior();
    assert_eq!(auth["auth_mode"], "chatgpt");
    assert_eq!(auth["OPENAI_API_KEY"], "sk-minted-0123456789");
    assert_eq!(auth["tokens"]["id_token"], expected.id_token);
    assert_eq!(auth["tokens"]["access_token"], expected.access_token);
    assert_eq!(auth["tokens"]["refresh_token"], "rt-login");
    assert_eq!(auth["tokens"]["account_id"], "acc-123");
    assert!(auth["last_refresh"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_exchange_is_optional() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.api_key = None);
    let home = tempfile::tempdir().unwrap();
    let mut login = LoginProcess::spawn(home.path(), &issuer.url, &["--port", "0"]);
    let auth_url = login.auth_url().await;
    let page = browser().get(auth_url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (status, stderr) = login.finish().await;
    assert!(status.success(), "{stderr}");
    let auth = read_auth(home.path());
    assert_eq!(auth["OPENAI_API_KEY"], serde_json::Value::Null);
    assert_eq!(auth["tokens"]["refresh_token"], "rt-login");
    assert_eq!(
        issuer
            .grants("urn:ietf:params:oauth:grant-type:token-exchange")
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_from_the_issuer_is_shown_in_the_page_and_the_terminal() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| {
        b.authorize_error = Some(("access_denied".into(), "The user said <no>".into()));
    });
    let home = tempfile::tempdir().unwrap();
    let mut login = LoginProcess::spawn(home.path(), &issuer.url, &["--port", "0"]);
    let auth_url = login.auth_url().await;
    let page = browser().get(auth_url.as_str()).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("access_denied"), "{html}");
    assert!(html.contains("The user said &lt;no&gt;"), "{html}");

    let (status, stderr) = login.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "Error logging in: the sign-in server reported `access_denied`: The user said <no>"
        ),
        "{stderr}"
    );
    assert!(!auth_path(home.path()).exists());
    assert!(issuer.grants("authorization_code").is_empty());
}

/// An issuer's error text reaches the terminal with its escape sequences shown, not obeyed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_in_an_issuer_error_are_shown_not_obeyed() {
    let issuer = FakeIssuer::start();
    issuer.set(|b| {
        b.authorize_error = Some(("access_denied".into(), "no\x1b]0;pwned\x07\x1b[2J".into()));
    });
    let home = tempfile::tempdir().unwrap();
    let mut login = LoginProcess::spawn(home.path(), &issuer.url, &["--port", "0"]);
    let auth_url = login.auth_url().await;
    let _ = browser().get(auth_url.as_str()).send().await.unwrap();
    let (status, stderr) = login.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\x07'),
        "{stderr:?}"
    );
    assert!(stderr.contains(r"no\x1b]0;pwned\x07\x1b[2J"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_sign_in_cancels_a_stale_one_holding_the_port() {
    let issuer = FakeIssuer::start();
    let home = tempfile::tempdir().unwrap();
    let port = free_port().to_string();

    let mut stale = LoginProcess::spawn(home.path(), &issuer.url, &["--port", &port]);
    stale.auth_url().await;
    let mut fresh = LoginProcess::spawn(home.path(), &issuer.url, &["--port", &port]);
    let fresh_url = fresh.auth_url().await;
    assert!(query(&fresh_url)["redirect_uri"].contains(&format!(":{port}/")));

    let (status, stderr) = stale.finish().await;
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");

    // The new one owns the port and completes.
    let page = browser().get(fresh_url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (status, stderr) = fresh.finish().await;
    assert!(status.success(), "{stderr}");
    assert_private(home.path());
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
