//! Credentials across binaries: what `codex login` stores, `codex exec` sends, and nothing
//! prints it.

use assert_cmd::Command;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use codex_test_support::{MockResponse, MockServer};
use predicates::prelude::*;

const STORED_KEY: &str = "sk-stored-key-0123456789";

/// A CODEX_HOME using the built-in `openai` provider, pointed at the mock with
/// `OPENAI_BASE_URL`, and a git workspace.
struct Setup {
    server: MockServer,
    home: tempfile::TempDir,
    workspace: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let server = MockServer::start();
        let home = tempfile::tempdir().unwrap();
        let sandbox = assert_cmd::cargo::cargo_bin("codex-linux-sandbox");
        std::fs::write(
            home.path().join("config.toml"),
            format!(
                "model = \"mock-model\"\nsandbox_exe = \"{}\"\n",
                sandbox.display()
            ),
        )
        .unwrap();
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir(workspace.path().join(".git")).unwrap();
        std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        Self {
            server,
            home,
            workspace,
        }
    }

    fn cmd(&self, bin: &str) -> Command {
        let mut cmd = Command::cargo_bin(bin).unwrap();
        cmd.env("CODEX_HOME", self.home.path())
            .env("OPENAI_BASE_URL", self.server.base_url())
            .env_remove("CODEX_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .current_dir(self.workspace.path());
        cmd
    }

    fn answer(&self) {
        self.server.push(MockResponse::sse(&[
            ev_assistant_message("m", "hello"),
            ev_completed("r"),
        ]));
    }
}

#[test]
fn exec_sends_the_key_login_stored_and_never_prints_it() {
    let setup = Setup::new();
    setup
        .cmd("codex-login")
        .arg("--with-api-key")
        .write_stdin(format!("{STORED_KEY}\n"))
        .assert()
        .success();
    setup.answer();
    let out = setup.cmd("codex-exec").arg("hi").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"hello\n");
    let request = setup.server.single_request();
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {STORED_KEY}").as_str())
    );
    assert_eq!(request.header("originator"), Some("codex_exec"));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains(STORED_KEY), "{printed}");
    // The shim's `login status` masks it too.
    let status = Command::cargo_bin("codex-login")
        .unwrap()
        .env("CODEX_HOME", setup.home.path())
        .arg("status")
        .output()
        .unwrap();
    let status_text = format!(
        "{}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(status_text.contains("sk-store"), "{status_text}");
    assert!(!status_text.contains(STORED_KEY), "{status_text}");
}

#[test]
fn codex_api_key_wins_over_the_stored_login() {
    let setup = Setup::new();
    setup
        .cmd("codex-login")
        .arg("--with-api-key")
        .write_stdin(STORED_KEY)
        .assert()
        .success();
    setup.answer();
    setup
        .cmd("codex-exec")
        .env("CODEX_API_KEY", "sk-from-env")
        .arg("hi")
        .assert()
        .success();
    assert_eq!(
        setup.server.single_request().header("authorization"),
        Some("Bearer sk-from-env")
    );
}

#[test]
fn exec_without_credentials_says_how_to_log_in() {
    let setup = Setup::new();
    setup
        .cmd("codex-exec")
        .arg("hi")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("codex login"))
        .stderr(predicate::str::contains("CODEX_API_KEY"));
    assert_eq!(setup.server.request_count(), 0);
}

#[test]
fn a_missing_home_codex_dir_is_created_on_demand() {
    let setup = Setup::new();
    let home = tempfile::tempdir().unwrap();
    setup.answer();
    Command::cargo_bin("codex-exec")
        .unwrap()
        .env_remove("CODEX_HOME")
        .env("HOME", home.path())
        .env("CODEX_API_KEY", "sk-x")
        .env("OPENAI_BASE_URL", setup.server.base_url())
        .current_dir(setup.workspace.path())
        .args([
            "--dangerously-bypass-approvals-and-sandbox",
            "-m",
            "mock-model",
            "hi",
        ])
        .assert()
        .success();
    assert!(home.path().join(".codex").is_dir());
    assert!(
        home.path().join(".codex/sessions").is_dir(),
        "the session was recorded"
    );
}

#[test]
fn ctrl_c_interrupts_the_turn_and_exits_130() {
    let out = stop_a_hanging_turn(libc::SIGINT, &[]);
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted"),
        "{out:?}"
    );
}

/// A supervisor's SIGTERM (a CI timeout) or SIGHUP (a closed terminal) stops the turn like
/// Ctrl-C: the `--json` stream still ends with the turn's end, and the status names the signal.
#[test]
fn sigterm_and_sighup_end_the_json_stream_with_the_turn() {
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let out = stop_a_hanging_turn(signal, &["--json"]);
        assert_eq!(out.status.code(), Some(code), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
        assert_eq!(last["type"], "turn.failed", "{stdout}");
    }
}

/// Runs `codex-exec` on a model that starts answering and then goes quiet, and sends it
/// `signal` once the request is out.
fn stop_a_hanging_turn(signal: libc::c_int, args: &[&str]) -> std::process::Output {
    let setup = Setup::new();
    setup.server.push(MockResponse::sse_then_hang(&[
        serde_json::json!({"type": "response.created", "response": {"id": "r"}}),
    ]));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("codex-exec"))
        .env("CODEX_HOME", setup.home.path())
        .env("OPENAI_BASE_URL", setup.server.base_url())
        .env("CODEX_API_KEY", "sk-x")
        .current_dir(setup.workspace.path())
        .args(args)
        .arg("hang")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    setup
        .server
        .wait_for_requests(1, std::time::Duration::from_secs(10));
    std::thread::sleep(std::time::Duration::from_millis(200));
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(i32::try_from(child.id()).unwrap(), signal);
    }
    child.wait_with_output().unwrap()
}
