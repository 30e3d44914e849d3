//! OAuth against a local protected MCP server and its authorization server: discovery,
//! registration, PKCE and `resource`, the stored file, refresh on 401, and a stale session
//! after a new sign-in.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use codex_config::{McpOAuthConfig, McpServerConfig, McpServerTransportConfig};
use codex_mcp_client::oauth::{
    CredentialStore, LoginOptions, OAuthError, StoredTokens, start_login,
};
use codex_mcp_client::{LaunchContext, McpConnectionManager, McpStartupStatus};
use codex_test_support::oauth_mcp::{OAuthMcpServer, SCOPE, follow_authorization};
use pretty_assertions::assert_eq;

fn options(server: &OAuthMcpServer) -> LoginOptions {
    LoginOptions {
        server_name: "secure".into(),
        server_url: server.mcp_url(),
        ..LoginOptions::default()
    }
}

/// A sign-in with the test browser following the URL.
async fn login(options: LoginOptions, home: &Path) -> Result<StoredTokens, OAuthError> {
    let pending = start_login(options, CredentialStore::new(home)).await?;
    let url = pending.authorization_url().to_owned();
    let browser = tokio::task::spawn_blocking(move || follow_authorization(&url));
    let tokens = pending.finish(Duration::from_secs(30)).await?;
    let page = browser.await.unwrap().unwrap();
    assert!(page.contains("Signed in to MCP server 'secure'"), "{page}");
    Ok(tokens)
}

async fn manager(
    server: &OAuthMcpServer,
    home: &Path,
) -> (Arc<McpConnectionManager>, McpStartupStatus) {
    let config = McpServerConfig {
        transport: McpServerTransportConfig::StreamableHttp {
            url: server.mcp_url(),
            bearer_token: None,
            bearer_token_env_var: None,
            http_headers: BTreeMap::new(),
            env_http_headers: BTreeMap::new(),
        },
        startup_timeout_sec: Some(20.0),
        tool_timeout_sec: Some(20.0),
        enabled: true,
        required: false,
        enabled_tools: None,
        disabled_tools: Vec::new(),
        oauth: McpOAuthConfig::default(),
    };
    let ctx = LaunchContext {
        cwd: std::env::temp_dir(),
        codex_home: Some(home.to_path_buf()),
        ..LaunchContext::default()
    };
    let (manager, mut rx) =
        McpConnectionManager::start(&BTreeMap::from([("secure".to_owned(), config)]), ctx);
    loop {
        let update = rx.recv().await.unwrap();
        if update.status != McpStartupStatus::Starting {
            return (manager, update.status);
        }
    }
}

fn axum_status(code: u16) -> codex_test_support::oauth_mcp::StatusCode {
    codex_test_support::oauth_mcp::StatusCode::from_u16(code).unwrap()
}

/// Sessions the server opened (`initialize` answered 200; the login's probe got a 401).
fn sessions_opened(server: &OAuthMcpServer) -> usize {
    server
        .rpc("initialize")
        .iter()
        .filter(|r| r.status == 200)
        .count()
}

async fn whoami(manager: &McpConnectionManager) -> String {
    let result = manager
        .call_tool("secure", "whoami", None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    result["content"][0]["text"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn login_discovers_registers_and_signs_in_with_pkce_and_resource() {
    let server = OAuthMcpServer::start();
    let home = tempfile::tempdir().unwrap();
    let tokens = login(options(&server), home.path()).await.unwrap();

    // Discovery started from the 401's challenge, then RFC 8414 metadata of the issuer.
    let paths: Vec<String> = server.log().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/mcp",
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-authorization-server/as",
            "/as/register",
            "/as/authorize",
            "/as/token",
        ]
    );
    let registration = &server.requests("/as/register")[0].fields();
    assert_eq!(registration["client_name"], "Codex");
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    let authorize = server.requests("/as/authorize")[0].fields();
    assert_eq!(authorize["client_id"], tokens.client_id);
    assert_eq!(authorize["resource"], server.mcp_url());
    assert_eq!(authorize["code_challenge_method"], "S256");
    assert_eq!(authorize["scope"], SCOPE, "the challenge's scope");
    assert!(authorize["redirect_uri"].starts_with("http://127.0.0.1:"));
    assert!(registration["redirect_uris"].contains(&authorize["redirect_uri"]));
    let exchange = server.grants("authorization_code")[0].fields();
    assert_eq!(exchange["resource"], server.mcp_url());
    assert!(exchange["code_verifier"].len() >= 43);

    assert_eq!(tokens.client_id, "dcr-client-1");
    assert!(tokens.access_token.starts_with("at-"));
    assert!(tokens.refresh_token.as_deref().unwrap().starts_with("rt-"));
    assert_eq!(tokens.scopes, vec![SCOPE.to_owned()]);
    assert_eq!(tokens.token_endpoint, Some(server.token_endpoint()));
    let stored = CredentialStore::new(home.path())
        .load("secure", &server.mcp_url())
        .unwrap();
    assert_eq!(stored.as_ref(), Some(&tokens));
}

#[tokio::test(flavor = "multi_thread")]
async fn openid_configuration_fallback_and_a_preregistered_client() {
    let server = OAuthMcpServer::start();
    server.set(|b| {
        b.openid_configuration_only = true;
        b.registration = false;
        b.static_client_id = Some("static-1".into());
    });
    let home = tempfile::tempdir().unwrap();

    let err = login(options(&server), home.path()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("offers no dynamic client registration")
            && err
                .to_string()
                .contains("`oauth_client_id` in [mcp_servers.secure]"),
        "{err}"
    );

    let mut with_client = options(&server);
    with_client.client_id = Some("static-1".into());
    with_client.scopes = vec!["mcp.tools".into(), "extra".into()];
    let tokens = login(with_client, home.path()).await.unwrap();
    assert_eq!(tokens.client_id, "static-1");
    assert!(server.requests("/as/register").is_empty());
    assert!(
        !server
            .requests("/.well-known/openid-configuration/as")
            .is_empty()
    );
    let authorize = server.requests("/as/authorize")[0].fields();
    assert_eq!(
        authorize["scope"], "mcp.tools extra",
        "configured scopes win"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_2025_03_26_server_without_resource_metadata() {
    let server = OAuthMcpServer::start();
    server.set(|b| b.legacy_2025_03_26 = true);
    let home = tempfile::tempdir().unwrap();
    let tokens = login(options(&server), home.path()).await.unwrap();
    assert_eq!(
        tokens.resource,
        Some(server.mcp_url()),
        "the server URL is the resource"
    );
    let found = server
        .log()
        .iter()
        .any(|r| r.path == "/.well-known/oauth-authorization-server" && r.status == 200);
    assert!(found, "metadata at the origin's root");
    let authorize = server.requests("/as/authorize")[0].fields();
    assert!(
        !authorize.contains_key("scope"),
        "no scopes advertised, none asked"
    );
    let (manager, status) = manager(&server, home.path()).await;
    assert!(
        matches!(status, McpStartupStatus::Ready { .. }),
        "{status:?}"
    );
    assert_eq!(
        whoami(&manager).await,
        format!("signed in as {}", tokens.client_id)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_pointing_elsewhere_is_refused() {
    let server = OAuthMcpServer::start();
    let home = tempfile::tempdir().unwrap();
    server.set(|b| b.issuer_override = Some("http://evil.example/as".into()));
    let err = login(options(&server), home.path())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("refusing the OAuth metadata of")
            && err.contains("its issuer is http://evil.example/as"),
        "{err}"
    );
    server.set(|b| {
        b.issuer_override = None;
        b.resource_override = Some("https://victim.example/mcp".into());
    });
    let err = login(options(&server), home.path())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("names the resource https://victim.example/mcp, which is not on the origin"),
        "{err}"
    );
    assert!(
        server.requests("/as/authorize").is_empty(),
        "nobody was sent to sign in"
    );
    assert!(!home.path().join(".credentials.json").exists());
}

/// Also the regression test of openai/codex #46158 (a stale `Mcp-Session-Id` after
/// `codex mcp login` failed every call until restart).
#[tokio::test(flavor = "multi_thread")]
async fn the_agent_refreshes_on_401_and_recovers_a_stale_session_after_a_new_login() {
    let server = OAuthMcpServer::start();
    let home = tempfile::tempdir().unwrap();
    let first = login(options(&server), home.path()).await.unwrap();
    let (manager, status) = manager(&server, home.path()).await;
    assert!(
        matches!(status, McpStartupStatus::Ready { tools: 1, .. }),
        "{status:?}"
    );
    assert_eq!(whoami(&manager).await, "signed in as dcr-client-1");

    // The server forgets the access token early: 401, a refresh, one retry.
    server.expire_access_tokens();
    assert_eq!(whoami(&manager).await, "signed in as dcr-client-1");
    let refreshes = server.grants("refresh_token");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        refreshes[0].fields()["refresh_token"],
        first.refresh_token.clone().unwrap()
    );
    assert_eq!(refreshes[0].fields()["resource"], server.mcp_url());
    let stored = CredentialStore::new(home.path())
        .load("secure", &server.mcp_url())
        .unwrap()
        .unwrap();
    assert_ne!(
        stored.access_token, first.access_token,
        "the refresh is stored"
    );
    assert_eq!(sessions_opened(&server), 1, "the session survived");

    // A new sign-in elsewhere revokes the old tokens and the session bound to them.
    let second = login(options(&server), home.path()).await.unwrap();
    assert_eq!(
        whoami(&manager).await,
        format!("signed in as {}", second.client_id)
    );
    assert_eq!(
        sessions_opened(&server),
        2,
        "a new session replaced the stale one"
    );
    let requests = server.requests("/mcp");
    let stale = requests.iter().find(|r| r.status == 404).unwrap();
    assert_eq!(
        stale.authorization,
        Some(format!("Bearer {}", second.access_token)),
        "the new token was tried on the old session first"
    );
    assert_eq!(
        server.grants("refresh_token").len(),
        1,
        "no refresh was needed"
    );

    // The same when the server answers the stale session with 401 rather than 404.
    server.set(|b| b.stale_session_status = axum_status(401));
    let third = login(options(&server), home.path()).await.unwrap();
    assert_eq!(
        whoami(&manager).await,
        format!("signed in as {}", third.client_id)
    );
    assert_eq!(sessions_opened(&server), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_sign_in_the_server_fails_with_the_fix() {
    let server = OAuthMcpServer::start();
    let home = tempfile::tempdir().unwrap();
    let (_manager, status) = manager(&server, home.path()).await;
    assert_eq!(
        status,
        McpStartupStatus::Failed {
            error: "MCP client for `secure` failed to start: the server requires OAuth sign-in; run `codex mcp login secure`".into()
        }
    );

    // A revoked sign-in whose refresh fails too.
    let tokens = login(options(&server), home.path()).await.unwrap();
    let mut revoked = tokens.clone();
    revoked.access_token = "at-revoked".into();
    revoked.refresh_token = Some("rt-revoked".into());
    CredentialStore::new(home.path()).save(&revoked).unwrap();
    let (_manager, status) = manager(&server, home.path()).await;
    let McpStartupStatus::Failed { error } = status else {
        panic!("{status:?}")
    };
    assert!(
        error.contains("refused the stored OAuth sign-in")
            && error.contains("codex mcp login secure"),
        "{error}"
    );
}
