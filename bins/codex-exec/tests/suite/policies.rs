//! codex-exec's approval policy is always `never`; these are its cells of the approval x
//! sandbox table, observed from outside: what really got written, what the model was told.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::json;

use super::harness::{Env, shell_output};

fn run_shell(env: &Env, sandbox: &[&str], command: &serde_json::Value) -> String {
    env.server.push(MockResponse::sse(&[
        ev_function_call("c1", "shell", &command.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "done"),
        ev_completed("r2"),
    ]));
    let before = env.server.request_count();
    env.exec().args(sandbox).arg("go").assert().success();
    let requests = env.server.requests();
    requests[before + 1]
        .function_call_output_text("c1")
        .unwrap()
}

/// A directory outside every writable root: not under /tmp, not under the workspace.
fn outside_dir() -> tempfile::TempDir {
    let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tempfile::tempdir_in(base).unwrap()
}

const NO_TMP: [&str; 4] = [
    "-c",
    "sandbox_workspace_write.exclude_slash_tmp=true",
    "-c",
    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
];

#[test]
fn read_only_blocks_writes_and_tells_the_model() {
    let env = Env::new();
    let text = run_shell(
        &env,
        &["-s", "read-only"],
        &json!({"command": ["bash", "-lc", "echo x > in-workspace.txt"]}),
    );
    assert!(!env.ws().join("in-workspace.txt").exists());
    let output = shell_output(&text);
    assert_ne!(output["metadata"]["exit_code"], 0, "{text}");
}

#[test]
fn workspace_write_allows_the_workspace_and_blocks_elsewhere() {
    let env = Env::new();
    let outside = outside_dir();
    let target = outside.path().join("escape.txt");
    let mut args = vec!["-s", "workspace-write"];
    args.extend(NO_TMP);
    let script = format!("echo ok > inside.txt; echo x > {}", target.display());
    let text = run_shell(&env, &args, &json!({"command": ["bash", "-lc", script]}));
    assert!(env.ws().join("inside.txt").exists(), "{text}");
    assert!(!target.exists(), "wrote outside the workspace: {text}");
    assert_ne!(shell_output(&text)["metadata"]["exit_code"], 0);
}

#[test]
fn workspace_write_has_no_network_unless_enabled() {
    let env = Env::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let probe = format!(
        "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2); print('CONNECTED')"
    );
    let text = run_shell(
        &env,
        &["-s", "workspace-write"],
        &json!({"command": ["python3", "-c", probe]}),
    );
    assert!(!text.contains("CONNECTED"), "{text}");
    let text = run_shell(
        &env,
        &[
            "-s",
            "workspace-write",
            "-c",
            "sandbox_workspace_write.network_access=true",
        ],
        &json!({"command": ["python3", "-c", probe]}),
    );
    assert!(text.contains("CONNECTED"), "{text}");
}

#[test]
fn danger_full_access_runs_unconfined() {
    let env = Env::new();
    let outside = outside_dir();
    let target = outside.path().join("allowed.txt");
    let text = run_shell(
        &env,
        &["--dangerously-bypass-approvals-and-sandbox"],
        &json!({"command": ["bash", "-lc", format!("echo x > {}", target.display())]}),
    );
    assert!(target.exists(), "{text}");
}

#[test]
fn dangerous_commands_are_declined_because_nobody_can_approve() {
    let env = Env::new();
    std::fs::create_dir(env.ws().join("precious")).unwrap();
    let text = run_shell(
        &env,
        &["-s", "workspace-write"],
        &json!({"command": ["rm", "-rf", "precious"]}),
    );
    assert!(env.ws().join("precious").exists());
    assert!(text.contains("rejected by user"), "{text}");
}

#[test]
fn escalation_requests_are_refused_under_never() {
    let env = Env::new();
    let text = run_shell(
        &env,
        &["-s", "workspace-write"],
        &json!({"command": ["touch", "x"], "with_escalated_permissions": true, "justification": "need it"}),
    );
    assert!(text.contains("approval policy is Never"), "{text}");
    assert!(!env.ws().join("x").exists());
}

#[test]
fn add_dir_makes_another_directory_writable() {
    let env = Env::new();
    let extra = outside_dir();
    let target = extra.path().join("allowed.txt");
    let extra_dir = extra.path().display().to_string();
    let text = run_shell(
        &env,
        &["-s", "workspace-write", "--add-dir", &extra_dir],
        &json!({"command": ["bash", "-lc", format!("echo x > {}", target.display())]}),
    );
    assert!(target.exists(), "{text}");
}
