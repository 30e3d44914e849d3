//! Times `codex-mcp` against the local mock model: from `tools/call codex` to its result for a
//! one-turn answer (a new conversation each call), and the server's resident memory when idle;
//! over stdio, then over streamable HTTP (`--http`, one POST per call, the answer read from
//! its SSE stream).
//!
//! Run through `scripts/bench-mcp-server.sh` (release build). Arguments: `[CALLS]` (default 50).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read as _, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codex_test_support::responses::{ev_assistant_message, ev_completed};
use codex_test_support::{MockResponse, MockServer, TestHome};
use serde_json::{Value, json};

fn main() {
    let calls: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let dir = codex_test_support::workspace_bin_dir();
    let server_exe = dir.join("codex-mcp");
    assert!(
        server_exe.exists() && dir.join("codex-linux-sandbox").exists(),
        "build codex-mcp and codex-linux-sandbox (found beside it) first ({})",
        dir.display()
    );

    let server = MockServer::start();
    let home = TestHome::for_mock(&server);
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir(workspace.path().join(".git")).unwrap();
    std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let stdio = bench_stdio(&server_exe, &server, &home, workspace.path(), calls);
    stdio.print("stdio", calls);
    let http = bench_http(&server_exe, &server, &home, workspace.path(), calls);
    http.print("streamable HTTP", calls);
}

struct Figures {
    samples: Vec<Duration>,
    idle_rss: u64,
    after_rss: u64,
}

impl Figures {
    fn print(mut self, transport: &str, calls: usize) {
        self.samples.sort();
        let median = self.samples[self.samples.len() / 2];
        let p90 = self.samples[self.samples.len() * 9 / 10];
        println!(
            "{transport}: tools/call codex -> result, one-turn answer from the local mock ({calls} calls):"
        );
        println!("  median {:.2} ms, p90 {:.2} ms", ms(median), ms(p90));
        println!(
            "  codex-mcp RSS: idle after initialize {} KiB, after {calls} calls {} KiB",
            self.idle_rss, self.after_rss
        );
    }
}

fn push_answer(server: &MockServer) {
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "hi"),
        ev_completed("r"),
    ]));
}

fn bench_stdio(
    server_exe: &std::path::Path,
    server: &MockServer,
    home: &TestHome,
    workspace: &std::path::Path,
    calls: usize,
) -> Figures {
    let mut child = Command::new(server_exe)
        .env("CODEX_HOME", home.path())
        .env_remove("RUST_LOG")
        .current_dir(workspace)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: Value| {
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    };
    let mut wait_for = |id: u64| loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "codex-mcp closed stdout"
        );
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["id"] == id && message.get("method").is_none() {
            return message;
        }
    };

    send(
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"}}}),
    );
    wait_for(0);
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    std::thread::sleep(Duration::from_millis(200));
    let idle_rss = rss_kib(child.id());

    let mut samples = Vec::with_capacity(calls);
    for i in 0..=calls {
        push_answer(server);
        let id = i as u64 + 1;
        let start = Instant::now();
        send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "codex", "arguments": {"prompt": "say hi"}}}));
        let result = wait_for(id);
        let elapsed = start.elapsed();
        assert_eq!(result["result"]["content"][0]["text"], "hi", "{result}");
        if i > 0 {
            samples.push(elapsed); // the first call warms caches
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let after_rss = rss_kib(child.id());
    child.kill().ok();
    child.wait().ok();
    Figures {
        samples,
        idle_rss,
        after_rss,
    }
}

fn bench_http(
    server_exe: &std::path::Path,
    server: &MockServer,
    home: &TestHome,
    workspace: &std::path::Path,
    calls: usize,
) -> Figures {
    const TOKEN: &str = "bench-token";
    let mut child = Command::new(server_exe)
        .args(["--http", "127.0.0.1:0"])
        .env("CODEX_HOME", home.path())
        .env("CODEX_MCP_HTTP_TOKEN", TOKEN)
        .env_remove("RUST_LOG")
        .current_dir(workspace)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "codex-mcp --http exited"
        );
        if let Some(url) = line
            .trim()
            .strip_prefix("codex-mcp: serving MCP over streamable HTTP at ")
        {
            break url.to_owned();
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |session: Option<&str>, body: &Value| {
        let mut request = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", &format!("Bearer {TOKEN}"));
        if let Some(session) = session {
            request = request
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-06-18");
        }
        let mut response = request.send(body.to_string()).unwrap();
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
        (session, text)
    };
    let (session, _) = post(
        None,
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"}}}),
    );
    let session = session.expect("a session id");
    post(
        Some(&session),
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    );
    std::thread::sleep(Duration::from_millis(200));
    let idle_rss = rss_kib(child.id());

    let mut samples = Vec::with_capacity(calls);
    for i in 0..=calls {
        push_answer(server);
        let id = i as u64 + 1;
        let start = Instant::now();
        let (_, text) = post(
            Some(&session),
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": "codex", "arguments": {"prompt": "say hi"}}}),
        );
        let elapsed = start.elapsed();
        assert!(text.contains(r#""structuredContent""#), "{text}");
        if i > 0 {
            samples.push(elapsed);
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let after_rss = rss_kib(child.id());
    child.kill().ok();
    child.wait().ok();
    Figures {
        samples,
        idle_rss,
        after_rss,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
