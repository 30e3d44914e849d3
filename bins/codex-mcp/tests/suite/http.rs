//! `codex-mcp --http`: the same server over streamable HTTP, spoken to with plain HTTP
//! requests: the token, the Origin check, sessions, and the core flow.

use std::io::{BufRead, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use serde_json::{Value, json};

use super::harness::{Env, WAIT};

/// A running `codex-mcp --http 127.0.0.1:0`.
pub(crate) struct HttpServer {
    child: Child,
    pub(crate) url: String,
    pub(crate) token: String,
    pub(crate) token_file: Option<PathBuf>,
}

impl HttpServer {
    pub(crate) fn start(env: &Env, token_env: Option<&str>) -> Self {
        let mut cmd = env.command();
        cmd.args(["--http", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match token_env {
            Some(token) => cmd.env("CODEX_MCP_HTTP_TOKEN", token),
            None => cmd.env_remove("CODEX_MCP_HTTP_TOKEN"),
        };
        let mut child = cmd.spawn().expect("codex-mcp starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                eprintln!("[codex-mcp] {line}");
                let _ = tx.send(line);
            }
        });
        let mut token_file = None;
        let url = loop {
            let line = rx
                .recv_timeout(WAIT)
                .expect("codex-mcp prints where it serves");
            if let Some(path) = line.strip_prefix("codex-mcp: bearer token written to ") {
                token_file = Some(PathBuf::from(path));
            }
            if let Some(url) = line.strip_prefix("codex-mcp: serving MCP over streamable HTTP at ")
            {
                break url.to_owned();
            }
        };
        let token = match (&token_file, token_env) {
            (Some(path), _) => std::fs::read_to_string(path).unwrap(),
            (None, Some(token)) => token.to_owned(),
            (None, None) => panic!("no token file and no token given"),
        };
        Self {
            child,
            url,
            token,
            token_file,
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one POST got back.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) session: Option<String>,
    /// The JSON-RPC messages of the body (JSON, or the `data:` lines of an SSE stream).
    pub(crate) messages: Vec<Value>,
    pub(crate) text: String,
}

impl Reply {
    /// The answer to request `id`.
    pub(crate) fn answer(&self, id: u64) -> &Value {
        self.messages
            .iter()
            .find(|m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no answer to {id} in {}: {}", self.status, self.text))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(WAIT))
        .build()
        .into()
}

/// POSTs `body` (raw text) with the given token, session and extra headers.
pub(crate) fn post(
    url: &str,
    token: Option<&str>,
    session: Option<&str>,
    extra: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(session) = session {
        request = request
            .header("Mcp-Session-Id", session)
            .header("MCP-Protocol-Version", "2025-06-18");
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let mut response = request.send(body).expect("the HTTP request goes through");
    let status = response.status().as_u16();
    let session = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .unwrap();
    let messages = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).into_iter().collect()
    } else {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    };
    Reply {
        status,
        session,
        messages,
        text,
    }
}

fn initialize(server: &HttpServer) -> String {
    let reply = post(
        &server.url,
        Some(&server.token),
        None,
        &[],
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "http-test", "version": "1"}}})
        .to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.answer(0)["result"]["serverInfo"]["name"],
        "codex-mcp-server"
    );
    let session = reply.session.expect("a session id");
    let ack = post(
        &server.url,
        Some(&server.token),
        Some(&session),
        &[],
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    );
    assert_eq!(ack.status, 202, "{}", ack.text);
    session
}

fn call(server: &HttpServer, session: &str, id: u64, tool: &str, arguments: &Value) -> Reply {
    post(
        &server.url,
        Some(&server.token),
        Some(session),
        &[],
        &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}})
        .to_string(),
    )
}

#[test]
fn the_core_flow_over_http_needs_the_token() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "over http"),
        ev_completed("r1"),
    ]));
    let server = HttpServer::start(&env, None);
    let file = server
        .token_file
        .clone()
        .expect("a generated token is written to a file");
    let mode = std::fs::metadata(&file).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    assert!(file.starts_with(env.home.path()), "{}", file.display());
    assert_eq!(server.token.len(), 64);

    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "http-test", "version": "1"}}})
    .to_string();
    let without = post(&server.url, None, None, &[], &init);
    assert_eq!(without.status, 401, "{}", without.text);
    let wrong = post(&server.url, Some("not-the-token"), None, &[], &init);
    assert_eq!(wrong.status, 401, "{}", wrong.text);

    let session = initialize(&server);
    let reply = call(
        &server,
        &session,
        1,
        "codex",
        &json!({"prompt": "hi over http"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let answer = reply.answer(1);
    assert_eq!(
        answer["result"]["structuredContent"]["content"],
        "over http"
    );
    let thread = answer["result"]["structuredContent"]["threadId"]
        .as_str()
        .unwrap()
        .to_owned();
    let user_texts = env.server.single_request().message_input_texts("user");
    assert!(
        user_texts.iter().any(|t| t == "hi over http"),
        "{user_texts:?}"
    );

    // The token is needed on every request, not only the first.
    let again = post(
        &server.url,
        None,
        Some(&session),
        &[],
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string(),
    );
    assert_eq!(again.status, 401);

    // An editor method over HTTP, and malformed input answered with JSON-RPC codes.
    let listed = post(
        &server.url,
        Some(&server.token),
        Some(&session),
        &[],
        &json!({"jsonrpc": "2.0", "id": 3, "method": "listConversations", "params": {}})
            .to_string(),
    );
    let items = listed.answer(3)["result"]["items"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        items.iter().any(|i| i["conversationId"] == thread.as_str()),
        "{}",
        listed.text
    );
    let garbage = post(
        &server.url,
        Some(&server.token),
        Some(&session),
        &[],
        "{not json",
    );
    assert_eq!(garbage.status, 400);
    assert_eq!(
        garbage.messages[0]["error"]["code"], -32700,
        "{}",
        garbage.text
    );
    let unknown = post(
        &server.url,
        Some(&server.token),
        Some(&session),
        &[],
        &json!({"jsonrpc": "2.0", "id": 4, "method": "no/such/method"}).to_string(),
    );
    assert_eq!(
        unknown.answer(4)["error"]["code"],
        -32601,
        "{}",
        unknown.text
    );
}

#[test]
fn a_browser_origin_is_refused_even_with_the_token() {
    let env = Env::new();
    let server = HttpServer::start(&env, Some("given-token"));
    assert!(server.token_file.is_none(), "a given token is not written");
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "http-test", "version": "1"}}})
    .to_string();
    for origin in ["http://evil.example", "http://127.0.0.1:1234", "null"] {
        let reply = post(
            &server.url,
            Some("given-token"),
            None,
            &[("Origin", origin)],
            &init,
        );
        assert_eq!(reply.status, 403, "{origin}: {}", reply.text);
    }
    // The same request without Origin, with the token from the environment, is served.
    let reply = post(&server.url, Some("given-token"), None, &[], &init);
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn two_sessions_are_independent() {
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", "answer one"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "answer two"),
        ev_completed("r2"),
    ]));
    let server = HttpServer::start(&env, None);
    let a = initialize(&server);
    let b = initialize(&server);
    assert_ne!(a, b);

    // Each session has its own handshake: a second initialize fails in A only.
    let init = json!({"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "http-test", "version": "1"}}})
    .to_string();
    let twice = post(&server.url, Some(&server.token), Some(&a), &[], &init);
    assert_eq!(twice.answer(9)["error"]["code"], -32600, "{}", twice.text);

    // Both run a call at the same time; each answer comes on its own session's stream.
    let (url, token, b2) = (server.url.clone(), server.token.clone(), b.clone());
    let in_b = std::thread::spawn(move || {
        post(
            &url,
            Some(&token),
            Some(&b2),
            &[],
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "codex", "arguments": {"prompt": "from b"}}})
            .to_string(),
        )
    });
    let in_a = call(&server, &a, 1, "codex", &json!({"prompt": "from a"}));
    let in_b = in_b.join().unwrap();
    let mut answers: Vec<String> = [&in_a, &in_b]
        .iter()
        .map(|r| {
            r.answer(1)["result"]["structuredContent"]["content"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    answers.sort();
    assert_eq!(answers, ["answer one", "answer two"]);
    let thread_a = in_a.answer(1)["result"]["structuredContent"]["threadId"].clone();
    let thread_b = in_b.answer(1)["result"]["structuredContent"]["threadId"].clone();
    assert_ne!(thread_a, thread_b);

    // Ending A leaves B working; A's id is then unknown.
    let closed = agent()
        .delete(&server.url)
        .header("Authorization", &format!("Bearer {}", server.token))
        .header("Mcp-Session-Id", &a)
        .header("MCP-Protocol-Version", "2025-06-18")
        .call()
        .unwrap();
    assert!(closed.status().is_success(), "{}", closed.status());
    let ping = json!({"jsonrpc": "2.0", "id": 5, "method": "ping"}).to_string();
    let gone = post(&server.url, Some(&server.token), Some(&a), &[], &ping);
    assert_eq!(gone.status, 404, "{}", gone.text);
    let alive = post(&server.url, Some(&server.token), Some(&b), &[], &ping);
    assert_eq!(alive.answer(5)["result"], json!({}), "{}", alive.text);
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn only_loopback_is_served_unless_asked() {
    let env = Env::new();
    let output = env
        .command()
        .args(["--http", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a loopback address") && stderr.contains("--allow-non-loopback"),
        "{stderr}"
    );
    let bad = env
        .command()
        .args(["serve", "--http", "nowhere"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--http nowhere: not an address"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
