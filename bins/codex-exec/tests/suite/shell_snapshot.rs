//! `bash -lc` commands run against a snapshot of the login environment taken once per session:
//! the profile's variables, aliases and functions are there, the profile is not read again,
//! and a profile that cannot be snapshotted (or a snapshot not ready yet) leaves commands to
//! the plain login shell.

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use serde_json::json;

use super::harness::{Env, shell_output};

fn bash_lc(call_id: &str, script: &str) -> serde_json::Value {
    ev_function_call(
        call_id,
        "shell",
        &json!({"command": ["bash", "-lc", script]}).to_string(),
    )
}

/// A HOME whose `.bash_profile` is `profile`.
fn home_with_profile(profile: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".bash_profile"), profile).unwrap();
    home
}

#[test]
fn the_profile_is_read_once_and_its_variables_aliases_and_functions_are_honoured() {
    let env = Env::new();
    let runs = env.ws().join("profile-runs");
    let home = home_with_profile(&format!(
        "echo run >> '{}'\n\
         export GREETING='hello from the profile'\n\
         PLAIN=plain\n\
         shopt -s expand_aliases\n\
         alias greet='echo \"$GREETING\"'\n\
         twice() {{ echo \"$1$1\"; }}\n",
        runs.display()
    ));
    env.server.push(MockResponse::sse(&[
        // Not a login shell: gives the snapshot, taken in the background, time to be ready
        // (a login call before that would read the profile itself).
        ev_function_call(
            "c0",
            "shell",
            &json!({"command": ["sleep", "2"]}).to_string(),
        ),
        bash_lc("c1", "greet"),
        bash_lc("c2", "twice ab; echo $PLAIN"),
        bash_lc("c3", "bash -c 'echo child:${GREETING}:${BASH_ENV:-unset}'"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .env("HOME", home.path())
        .args(["-s", "workspace-write", "greet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let second = &env.server.requests()[1];
    let output = |id: &str| shell_output(&second.function_call_output_text(id).unwrap());
    assert_eq!(output("c1")["output"], "hello from the profile\n");
    assert_eq!(output("c2")["output"], "abab\nplain\n");
    // Exported variables reach child processes; the snapshot does not follow them.
    assert_eq!(
        output("c3")["output"],
        "child:hello from the profile:unset\n"
    );
    // Three login-shell commands, and none read the profile (the capture did, read-only, so
    // its own `echo run` could not write either).
    assert!(!runs.exists(), "{:?}", std::fs::read_to_string(&runs));
    // The snapshot went with the session.
    let dir = env.home.path().join("shell_snapshots");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_profile_that_exits_leaves_commands_to_the_plain_login_shell() {
    let env = Env::new();
    let home = home_with_profile("exit 5\n");
    env.server.push(MockResponse::sse(&[
        bash_lc("c1", "echo reached"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r2"),
    ]));
    let out = env
        .exec()
        .env("HOME", home.path())
        .args(["-s", "workspace-write", "try"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // What `bash -lc` itself does with this profile: it exits before the command.
    let result = shell_output(
        &env.server.requests()[1]
            .function_call_output_text("c1")
            .unwrap(),
    );
    assert_eq!(result["metadata"]["exit_code"], 5, "{result}");
    assert_eq!(result["output"], "", "{result}");
}

#[test]
fn the_snapshot_can_be_switched_off() {
    let env = Env::new();
    let runs = env.ws().join("profile-runs");
    let home = home_with_profile(&format!("echo run >> '{}'\n", runs.display()));
    env.server.push(MockResponse::sse(&[
        bash_lc("c1", "true"),
        bash_lc("c2", "true"),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r2"),
    ]));
    env.exec()
        .env("HOME", home.path())
        .args(["-s", "workspace-write", "--disable", "shell_snapshot", "go"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run\nrun\n");
}
