//! A mock model, a CODEX_HOME for it, a git workspace, and `codex-mcp` as a child process
//! spoken to line by line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use codex_test_support::{MockServer, TestHome};
use serde_json::{Value, json};

/// How long any single expected message may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

pub(crate) struct Env {
    pub(crate) server: MockServer,
    pub(crate) home: TestHome,
    pub(crate) workspace: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        let server = MockServer::start();
        let home = TestHome::sandboxed_for_mock(&server);
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir(workspace.path().join(".git")).unwrap();
        std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        Self {
            server,
            home,
            workspace,
        }
    }

    pub(crate) fn ws(&self) -> &Path {
        self.workspace.path()
    }

    /// `codex-mcp` with CODEX_HOME and cwd set and no stray credentials.
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_codex-mcp"));
        cmd.env("CODEX_HOME", self.home.path())
            .env_remove("CODEX_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .env_remove("RUST_LOG")
            .current_dir(self.ws());
        cmd
    }

    /// Starts the server and speaks to it line by line.
    pub(crate) fn raw(&self) -> Raw {
        Raw::spawn(self.command())
    }
}

/// A JSON-RPC peer at the level of lines: what a minimal script or editor does.
pub(crate) struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Raw {
    pub(crate) fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("codex-mcp starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
        }
    }

    pub(crate) fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    pub(crate) fn send(&mut self, message: &Value) {
        self.send_line(&message.to_string());
    }

    /// `initialize` (with or without the elicitation capability) and `initialized`.
    pub(crate) fn initialize(&mut self, elicitation: bool) -> Value {
        let capabilities = if elicitation {
            json!({"elicitation": {}})
        } else {
            json!({})
        };
        self.send(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": capabilities,
            "clientInfo": {"name": "raw-test", "version": "1"}}}),
        );
        let reply = self.until(|m| m["id"] == 0 && m.get("method").is_none()).1;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        reply
    }

    /// The next line, parsed; panics after [`WAIT`].
    pub(crate) fn next(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no message from codex-mcp within {WAIT:?}: {e}"));
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    /// Reads until `want` matches; returns what came before, and the match.
    pub(crate) fn until(&mut self, want: impl Fn(&Value) -> bool) -> (Vec<Value>, Value) {
        let deadline = Instant::now() + WAIT;
        let mut before = Vec::new();
        while Instant::now() < deadline {
            let message = self.next();
            if want(&message) {
                return (before, message);
            }
            before.push(message);
        }
        panic!("no matching message; saw {before:#?}");
    }

    /// The response to request `id`, with everything that came before it.
    pub(crate) fn response(&mut self, id: &Value) -> (Vec<Value>, Value) {
        let id = id.clone();
        self.until(move |m| m["id"] == id && m.get("method").is_none())
    }

    /// Calls a tool and waits for its result.
    pub(crate) fn call(&mut self, id: u64, tool: &str, arguments: &Value) -> (Vec<Value>, Value) {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}));
        self.response(&json!(id))
    }

    /// Closes stdin (end of input for the server); replies can still be read.
    pub(crate) fn close_input(&mut self) {
        self.stdin.take();
    }

    /// Closes stdin and waits for the exit status.
    pub(crate) fn finish(mut self) -> std::process::ExitStatus {
        self.stdin.take();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "codex-mcp did not exit after stdin closed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `codex-mcp` in a clean environment whose only setting is `CODEX_HOME`.
pub(crate) fn mcp_command(home: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("codex-mcp"));
    command.env_clear().env("CODEX_HOME", home);
    command
}

/// Runs `codex-mcp ARGS` and returns "$ codex mcp ARGS\nexit N\n--- stdout\n...--- stderr\n...".
pub(crate) fn mcp_transcript(home: &Path, args: &[&str]) -> String {
    let output = mcp_command(home).args(args).output().unwrap();
    format!(
        "$ codex mcp {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The `codex/event` notifications among `messages`, as their `msg.type`.
pub(crate) fn event_types(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["method"] == "codex/event")
        .map(|m| {
            m["params"]["msg"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}
