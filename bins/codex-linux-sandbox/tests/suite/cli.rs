//! The command line: usage errors, exit codes, the human form with config.toml.

use std::process::Command;

use super::harness::{Fixture, User, assert_denied, assert_ok, sandbox_bin, stderr, stdout};

fn bin() -> Command {
    Command::new(sandbox_bin(User::Me))
}

#[test]
fn missing_command_is_a_usage_error() {
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["--sandbox-policy", r#"{"mode":"read-only"}"#, "--"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("COMMAND"), "{}", stderr(&out));
}

#[test]
fn bad_policy_json_is_a_usage_error_that_quotes_it() {
    let out = bin()
        .args(["--sandbox-policy", r#"{"mode":"open"}"#, "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("codex-linux-sandbox: --sandbox-policy: `{\"mode\":\"open\"}`"),
        "{err}"
    );
}

#[test]
fn exec_failures_use_126_and_127() {
    let f = Fixture::new(User::Me);
    let out = f
        .sandbox(&f.policy(), &[], &["no-such-command-here"])
        .env("PATH", "/usr/bin:/bin") // No unreadable directories (EACCES) on the way.
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(
        stderr(&out).contains("cannot run `no-such-command-here`"),
        "{}",
        stderr(&out)
    );
    let plain = f.extra.join("file.txt");
    let out = f
        .sandbox(&f.policy(), &[], &[plain.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
}

#[test]
fn human_form_uses_flags_and_config() {
    let f = Fixture::new(User::Me);
    let secret = f.outside.join("victim.txt");
    std::fs::write(
        f.base.join("config.toml"),
        format!(
            "[sandbox]\ndeny_read = [{:?}]\n",
            secret.display().to_string()
        ),
    )
    .unwrap();
    let human = |args: &[&str]| {
        let mut command = bin();
        command
            .args(args)
            .current_dir(&f.ws)
            .env("CODEX_HOME", &f.base)
            .env("HOME", &f.base);
        command.output().unwrap()
    };
    let extra = f.extra.to_str().unwrap();
    let new = format!("{extra}/human");
    let out = human(&[
        "-s",
        "workspace-write",
        "--writable-root",
        extra,
        "--",
        "touch",
        &new,
    ]);
    assert_ok(&out, "human workspace-write");
    assert!(f.extra.join("human").exists());

    // Default mode from (empty) config is read-only.
    assert_denied(
        &human(&["--", "touch", &format!("{extra}/other")]),
        "default read-only",
    );
    // deny_read from config.toml applies.
    assert_denied(
        &human(&["--", "cat", secret.to_str().unwrap()]),
        "config deny_read",
    );
    assert_ok(&human(&["--", "cat", "README"]), "other reads");

    let out = human(&["-s", "read-only", "--network", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--network"), "{}", stderr(&out));

    std::fs::write(f.base.join("config.toml"), "sandbox_mode = 42\n").unwrap();
    let out = human(&["--", "true"]);
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert!(stderr(&out).contains("config.toml"), "{}", stderr(&out));
}

#[test]
fn help_documents_exit_codes() {
    let out = bin().arg("--help").output().unwrap();
    assert_ok(&out, "--help");
    let help = stdout(&out);
    for needle in [
        "125",
        "126",
        "127",
        "--sandbox-policy",
        "--deny-read",
        "--allow-partial",
    ] {
        assert!(help.contains(needle), "{needle} missing from --help");
    }
}
