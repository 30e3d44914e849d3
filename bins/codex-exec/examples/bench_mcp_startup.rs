//! First-request delay of `codex-exec` with MCP servers configured: how long after the
//! process starts the first model request arrives, with no servers and with three servers
//! (two ready in about a second, one that takes 5 s to start). Servers start in the
//! background, so the three-server figure should stay close to the no-server one; Codex
//! 0.58 waits for every server first, which here would mean at least 5 s.
//!
//! Run through `scripts/bench-mcp.sh`. Arguments: `[RUNS]` (default 5). Needs python3 with
//! the `mcp` package (scripts/install-test-deps.sh).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codex_test_support::mcp::write_mcp_test_server;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let dir = codex_test_support::workspace_bin_dir();
    let exec = dir.join("codex-exec");
    let sandbox = dir.join("codex-linux-sandbox");
    assert!(
        exec.exists() && sandbox.exists(),
        "build codex-exec and codex-linux-sandbox first ({})",
        dir.display()
    );
    let scripts = tempfile::tempdir().unwrap();
    let script = write_mcp_test_server(scripts.path());
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir(workspace.path().join(".git")).unwrap();
    std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();

    let server = MockServer::start();
    let base = format!(
        "sandbox_exe = \"{}\"\n{}",
        sandbox.display(),
        mock_provider_config(&server, MockWire::Responses)
    );
    let none = TestHome::new();
    none.write_config(&base);
    let three = TestHome::new();
    let stdio = |name: &str, delay: &str| {
        format!(
            "\n[mcp_servers.{name}]\ncommand = \"python3\"\nargs = [\"{}\", \"--startup-delay\", \"{delay}\"]\nstartup_timeout_sec = 30\n",
            script.display()
        )
    };
    three.write_config(&format!(
        "{base}{}{}{}",
        stdio("one", "0"),
        stdio("two", "0"),
        stdio("sleepy", "5")
    ));

    for (name, home) in [
        ("no MCP servers", &none),
        ("3 servers, one 5 s to start", &three),
    ] {
        let mut first = Vec::new();
        let mut total = Vec::new();
        for _ in 0..=runs {
            let (f, t) = run_once(&exec, &server, home.path(), workspace.path());
            first.push(f);
            total.push(t);
        }
        first.remove(0); // warm-up
        total.remove(0);
        println!(
            "{name:<30} first request after median {:>7.1} ms (max {:>7.1} ms); run ends after {:>7.1} ms   ({runs} runs)",
            ms(median(first.clone())),
            ms(*first.iter().max().unwrap()),
            ms(median(total)),
        );
    }
}

fn run_once(exec: &Path, server: &MockServer, home: &Path, cwd: &Path) -> (Duration, Duration) {
    let before = server.request_count();
    server.push(MockResponse::sse(&[
        ev_assistant_message("m", "hi"),
        ev_completed("r"),
    ]));
    let start = Instant::now();
    let mut child = Command::new(exec)
        .arg("say hi")
        .current_dir(cwd)
        .env("CODEX_HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while server.request_count() == before {
        assert!(start.elapsed() < Duration::from_mins(1), "no request");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("codex-exec exited before its first request: {status}");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let first = start.elapsed();
    assert!(child.wait().unwrap().success(), "codex-exec failed");
    (first, start.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}
