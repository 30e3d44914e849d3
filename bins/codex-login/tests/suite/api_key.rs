//! `--with-api-key`, `status`, `logout` and their messages and exit codes.

use predicates::prelude::*;
use serde_json::{Value, json};

use super::harness::{assert_private, auth_path, command, read_auth};
use codex_test_support::fake_issuer::{access_token, id_token};

const KEY: &str = "sk-proj-0123456789abcdefABCDE";

#[test]
fn api_key_from_stdin_then_status_then_logout() {
    let home = tempfile::tempdir().unwrap();
    command(home.path())
        .arg("--with-api-key")
        .write_stdin(format!("{KEY}\n"))
        .assert()
        .success()
        .stdout("")
        .stderr("Reading API key from stdin...\nSuccessfully logged in\n");
    assert_private(home.path());
    assert_eq!(
        read_auth(home.path()),
        json!({"auth_mode": "apikey", "OPENAI_API_KEY": KEY})
    );

    command(home.path())
        .arg("status")
        .assert()
        .success()
        .stdout("")
        .stderr("Logged in using an API key - sk-proj-***ABCDE\n");
    let out = command(home.path())
        .args(["status", "--json"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!stdout.contains(KEY), "the key is never printed in full");
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap(),
        json!({"logged_in": true, "auth_mode": "apikey", "api_key": "sk-proj-***ABCDE"})
    );

    command(home.path())
        .arg("logout")
        .assert()
        .success()
        .stderr("Successfully logged out\n");
    assert!(!auth_path(home.path()).exists());
    command(home.path())
        .arg("status")
        .assert()
        .code(1)
        .stderr("Not logged in\n");
    command(home.path())
        .args(["status", "--json"])
        .assert()
        .code(1)
        .stdout("{\"logged_in\":false}\n");
    command(home.path())
        .arg("logout")
        .assert()
        .success()
        .stderr("Not logged in\n");
}

#[test]
fn empty_stdin_and_the_api_key_flag_are_refused() {
    let home = tempfile::tempdir().unwrap();
    command(home.path())
        .arg("--with-api-key")
        .write_stdin("  \n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No API key arrived on stdin"));
    command(home.path())
        .args(["--api-key", KEY])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("--with-api-key").and(predicate::str::contains(KEY).not()),
        );
    assert!(!auth_path(home.path()).exists());
}

#[test]
fn corrupt_auth_json_is_reported_with_its_path_and_replaced_by_a_login() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(auth_path(home.path()), "{\"tokens\": [").unwrap();
    let path = auth_path(home.path()).canonicalize().unwrap();
    command(home.path()).arg("status").assert().code(1).stderr(
        predicate::str::starts_with("Error checking login status: ")
            .and(predicate::str::contains(path.display().to_string())),
    );
    command(home.path())
        .arg("--with-api-key")
        .write_stdin(KEY)
        .assert()
        .success();
    assert_private(home.path());
    command(home.path()).arg("status").assert().success();
}

#[test]
fn chatgpt_status_shows_email_and_plan() {
    let home = tempfile::tempdir().unwrap();
    let file = json!({
        "OPENAI_API_KEY": null,
        "tokens": {
            "id_token": id_token("dev@example.com", "plus", "acc-9"),
            "access_token": access_token("a", 3600),
            "refresh_token": "rt",
            "account_id": null
        },
        "last_refresh": "2025-10-01T12:34:56.789012Z"
    });
    std::fs::write(auth_path(home.path()), file.to_string()).unwrap();
    command(home.path())
        .arg("status")
        .assert()
        .success()
        .stderr("Logged in using ChatGPT\nAccount: dev@example.com (plan: plus)\n");
    let out = command(home.path())
        .args(["status", "--json"])
        .assert()
        .success();
    let status: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(status["auth_mode"], "chatgpt");
    assert_eq!(status["email"], "dev@example.com");
    assert_eq!(status["plan_type"], "plus");
    assert_eq!(status["account_id"], "acc-9");
}

#[test]
fn a_missing_codex_home_is_named() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("nowhere");
    command(&missing)
        .env("HOME", root.path())
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(missing.display().to_string()));
}

#[test]
fn help_explains_each_form_and_hides_test_flags() {
    let home = tempfile::tempdir().unwrap();
    let out = command(home.path()).arg("--help").assert().success();
    let help = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for word in [
        "--with-api-key",
        "--device-auth",
        "status",
        "logout",
        "Exit status",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    for hidden in ["--issuer", "--client-id", "--port", "--api-key"] {
        assert!(!help.contains(hidden), "{hidden} should be hidden:\n{help}");
    }
}

#[test]
fn a_terminal_on_stdin_is_refused_with_a_hint() {
    // util-linux `script` gives the child a pseudo-terminal; it is part of every Debian base.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let bin = super::harness::bin().display().to_string();
    let out = std::process::Command::new("script")
        .args(["-qec", "\"$CODEX_LOGIN_BIN\" --with-api-key", "/dev/null"])
        .env("CODEX_LOGIN_BIN", &bin)
        .env("CODEX_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("which is a terminal here"), "{text}");
    assert!(
        text.contains("printenv OPENAI_API_KEY | codex login --with-api-key"),
        "{text}"
    );
    assert!(!auth_path(home.path()).exists());
}

#[test]
fn forced_login_method_refuses_the_other_kind_of_login_before_asking() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "forced_login_method = \"chatgpt\"\n",
    )
    .unwrap();
    let out = command(home.path())
        .arg("--with-api-key")
        .write_stdin("sk-not-allowed-here\n")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("API key login is disabled") && stderr.contains("forced_login_method"),
        "{stderr}"
    );
    assert!(!auth_path(home.path()).exists(), "nothing stored");

    // `-c` reaches the same setting.
    command(home.path())
        .args(["-c", "forced_login_method=api", "--with-api-key"])
        .write_stdin("sk-allowed-now\n")
        .assert()
        .success();
    assert_eq!(read_auth(home.path())["OPENAI_API_KEY"], "sk-allowed-now");
}
