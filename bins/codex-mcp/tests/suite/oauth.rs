//! `codex mcp login|logout` and the `Auth` column of `list`, against a local OAuth-protected
//! MCP server, with a test client playing the browser.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::Stdio;

use codex_test_support::oauth_mcp::{OAuthMcpServer, SCOPE, follow_authorization};
use pretty_assertions::assert_eq;
use serde_json::Value;

use super::harness::{mcp_command, mcp_transcript};

/// `codex mcp login NAME --no-browser`, the test client following the printed URL.
fn login(home: &Path, name: &str) -> String {
    let mut child = mcp_command(home)
        .args(["login", name, "--no-browser", "--timeout-sec", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no URL printed: {printed}"
        );
        printed.push_str(&line);
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    follow_authorization(&url).unwrap();
    stdout.read_to_string(&mut printed).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{printed}\n{stderr}");
    printed
}

#[test]
fn login_stores_tokens_list_shows_them_and_logout_removes_them() {
    let server = OAuthMcpServer::start();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[mcp_servers.secure]\nurl = \"{}\"\n\n[mcp_servers.plain]\nurl = \"{}/plain\"\n\n[mcp_servers.local]\ncommand = \"true\"\n",
            server.mcp_url(),
            server.url
        ),
    )
    .unwrap();
    let mut transcript = mcp_transcript(home.path(), &["list"]);

    let printed = login(home.path(), "secure");
    transcript.push_str("\n$ codex mcp login secure --no-browser\n");
    transcript.push_str(&printed);
    let authorize = server.requests("/as/authorize")[0].fields();
    assert_eq!(authorize["resource"], server.mcp_url());
    assert_eq!(authorize["code_challenge_method"], "S256");

    // The tokens file: Codex's shape and key, 0600.
    let file = home.path().join(".credentials.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entries = stored.as_object().unwrap();
    assert_eq!(entries.len(), 1);
    let (key, entry) = entries.iter().next().unwrap();
    let hash = key.strip_prefix("secure|").unwrap();
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(entry["server_name"], "secure");
    assert_eq!(entry["server_url"], server.mcp_url());
    assert_eq!(entry["client_id"], "dcr-client-1");
    assert_eq!(entry["scopes"], serde_json::json!([SCOPE]));
    assert!(entry["access_token"].as_str().unwrap().starts_with("at-"));
    assert!(entry["refresh_token"].as_str().unwrap().starts_with("rt-"));
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let expires_at = entry["expires_at"].as_u64().unwrap();
    assert!(
        expires_at > now_ms + 3_500_000 && expires_at <= now_ms + 3_600_000,
        "{expires_at} vs {now_ms}"
    );

    for args in [
        &["list"][..],
        &["list", "--json"],
        &["logout", "secure"],
        &["logout", "secure"],
        &["list"],
        &["login", "local"],
        &["logout", "local"],
        &["login", "nope"],
        &["login", "plain"],
    ] {
        transcript.push('\n');
        transcript.push_str(&mcp_transcript(home.path(), args));
    }
    assert!(
        !file.exists(),
        "logging out of the only server removes the file"
    );
    insta::with_settings!({filters => vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"127\.0\.0\.1%3A\d+", "127.0.0.1%3APORT"),
        (r"code_challenge=[A-Za-z0-9_-]+", "code_challenge=CHALLENGE"),
        (r"state=[A-Za-z0-9_-]+", "state=STATE"),
    ]}, {
        insta::assert_snapshot!(transcript);
    });
}

#[test]
fn login_refuses_a_server_with_a_bearer_token() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "[mcp_servers.web]\nurl = \"http://127.0.0.1:9/mcp\"\nbearer_token_env_var = \"WEB_TOKEN\"\n",
    )
    .unwrap();
    let output = mcp_command(home.path())
        .args(["login", "web", "--no-browser"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Error: OAuth login is not supported when a bearer token is configured. Remove bearer_token/bearer_token_env_var from [mcp_servers.web] first.\n"
    );
}
