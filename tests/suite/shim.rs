//! The `codex` shim as users run it: dispatch, exit codes, help, completion.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// A directory holding a copy of the shim (optionally under another name) and fake
/// `codex-*` binaries beside it.
struct ShimDir {
    dir: tempfile::TempDir,
    shim: PathBuf,
}

impl ShimDir {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join(name);
        copy_out_of_process(&assert_cmd::cargo::cargo_bin("codex"), &shim);
        Self { dir, shim }
    }

    fn script(&self, name: &str, body: &str) -> PathBuf {
        write_script(self.dir.path(), name, body)
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(&self.shim);
        // Only the system tools: no other codex binaries can be found by accident.
        cmd.env("PATH", "/usr/bin:/bin");
        cmd
    }
}

fn write_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let draft = dir.join(format!(".{name}.draft"));
    std::fs::write(&draft, format!("#!/bin/sh\n{body}\n")).unwrap();
    let path = dir.join(name);
    copy_out_of_process(&draft, &path);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Copies with `cp` so that no file descriptor open for writing on an executable ever exists
/// in this (multi-threaded) test process: a sibling test's fork would inherit it, and
/// executing the file would then fail with ETXTBSY.
fn copy_out_of_process(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn dispatches_to_a_sibling_binary_with_its_arguments() {
    let shim = ShimDir::new("codex");
    shim.script(
        "codex-exec",
        r#"echo "exec got: $*"; echo "invoked as: $CODEX_INVOKED_AS""#,
    );
    shim.cmd()
        .args(["exec", "--json", "hello world"])
        .assert()
        .success()
        .stdout("exec got: --json hello world\ninvoked as: codex exec\n");
    // The short alias goes to the same binary.
    shim.cmd()
        .args(["e", "x"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("exec got: x\n"));
}

#[test]
fn mapped_names_add_their_subcommand() {
    let shim = ShimDir::new("codex");
    shim.script("codex-login", r#"echo "login: $*""#);
    shim.script("codex-mcp", r#"echo "mcp: $*""#);
    shim.script("codex-tui", r#"echo "tui: $*""#);
    shim.script("codex-linux-sandbox", r#"echo "sandbox: $*""#);
    shim.script(
        "codex-apply",
        r#"echo "apply: $*"; echo "invoked as: $CODEX_INVOKED_AS""#,
    );
    shim.cmd()
        .args(["apply", "task_e_1", "--json"])
        .assert()
        .success()
        .stdout("apply: task_e_1 --json\ninvoked as: codex apply\n");
    shim.cmd()
        .args(["-c", "chatgpt_base_url=http://x/", "a", "task_e_1"])
        .assert()
        .success()
        .stdout("apply: -c chatgpt_base_url=http://x/ task_e_1\ninvoked as: codex apply\n");
    shim.cmd()
        .args(["logout"])
        .assert()
        .success()
        .stdout("login: logout\n");
    shim.cmd()
        .args(["login", "status"])
        .assert()
        .success()
        .stdout("login: status\n");
    shim.cmd()
        .args(["mcp-server"])
        .assert()
        .success()
        .stdout("mcp: serve\n");
    shim.cmd()
        .args(["mcp"])
        .assert()
        .success()
        .stdout("mcp: \n");
    shim.cmd()
        .args(["resume", "--last"])
        .assert()
        .success()
        .stdout("tui: resume --last\n");
    shim.cmd().assert().success().stdout("tui: \n");
    shim.cmd()
        .args(["-m", "o3", "fix it"])
        .assert()
        .success()
        .stdout("tui: -m o3 fix it\n");
    shim.cmd()
        .args(["fix the failing test"])
        .assert()
        .success()
        .stdout("tui: fix the failing test\n");
    shim.cmd()
        .args(["sandbox", "linux", "--", "true"])
        .assert()
        .success()
        .stdout("sandbox: -- true\n");
}

#[test]
fn runs_any_codex_program_found_on_path() {
    let shim = ShimDir::new("codex");
    let elsewhere = tempfile::tempdir().unwrap();
    write_script(elsewhere.path(), "codex-foo", r#"echo "foo from PATH: $*""#);
    shim.cmd()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", elsewhere.path().display()),
        )
        .args(["foo", "1"])
        .assert()
        .success()
        .stdout("foo from PATH: 1\n");
    // A sibling wins over PATH.
    shim.script("codex-foo", r#"echo "foo beside: $*""#);
    shim.cmd()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", elsewhere.path().display()),
        )
        .args(["foo", "1"])
        .assert()
        .success()
        .stdout("foo beside: 1\n");
}

#[test]
fn unknown_subcommand_is_a_clear_error() {
    let shim = ShimDir::new("codex");
    shim.cmd()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`frobnicate` is not a codex command",
        ))
        .stderr(predicate::str::contains("codex --help"));
}

#[test]
fn missing_binary_of_a_known_subcommand_is_reported() {
    let shim = ShimDir::new("codex");
    shim.cmd()
        .arg("exec")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot find `codex-exec`"));
}

#[test]
fn exit_codes_and_signals_pass_through() {
    let shim = ShimDir::new("codex");
    shim.script("codex-fail", "exit 7");
    shim.cmd().arg("fail").assert().code(7);
    shim.script("codex-die", "kill -TERM $$");
    let output = shim.cmd().arg("die").output().unwrap();
    assert_eq!(output.status.signal(), Some(libc_sigterm()), "{output:?}");
}

fn libc_sigterm() -> i32 {
    15
}

#[test]
fn help_says_codex_whatever_the_file_is_named() {
    let shim = ShimDir::new("my-renamed-tool");
    shim.cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: codex [COMMAND]"))
        .stdout(predicate::str::contains("my-renamed-tool").not())
        .stdout(predicate::str::contains("exec"))
        .stdout(predicate::str::contains("responses-api-proxy"));
    shim.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^codex-cli \d+\.\d+\.\d+\n$").unwrap());
}

#[test]
fn bash_completion_is_valid_bash_that_complete_sees() {
    let shim = ShimDir::new("codex");
    let script = shim.cmd().args(["completion", "bash"]).output().unwrap();
    assert!(script.status.success());
    let file = shim.dir.path().join("codex.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p codex", file.display()))
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("-F _codex"),
        "{check:?}"
    );
    // The default shell is bash, and subcommands and their flags are completed.
    let default = shim.cmd().arg("completion").output().unwrap();
    assert_eq!(default.stdout, script.stdout);
    let text = String::from_utf8(script.stdout).unwrap();
    for word in [
        "exec",
        "resume",
        "--output-last-message",
        "--skip-git-repo-check",
    ] {
        assert!(text.contains(word), "completion lacks {word}");
    }
}

#[test]
fn zsh_and_fish_completions_are_printed() {
    let shim = ShimDir::new("codex");
    shim.cmd()
        .args(["completion", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("#compdef codex"));
    shim.cmd()
        .args(["completion", "fish"])
        .assert()
        .success()
        .stdout(predicate::str::contains("complete -c codex"));
    shim.cmd()
        .args(["completion", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown shell `tcsh`"));
}

#[test]
fn non_utf8_subcommand_is_reported() {
    use std::os::unix::ffi::OsStrExt;
    let shim = ShimDir::new("codex");
    shim.cmd()
        .arg(std::ffi::OsStr::from_bytes(b"ex\xffec"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"));
}

#[test]
fn the_real_binaries_answer_as_codex_subcommands() {
    // The shim in the build directory has the real binaries beside it.
    let mut cmd = Command::cargo_bin("codex").unwrap();
    cmd.args(["exec", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: codex exec"))
        .stdout(predicate::str::contains("--output-last-message"));
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("codex").unwrap();
    cmd.args(["sandbox", "--", "true"])
        .env("CODEX_HOME", home.path())
        .assert()
        .success();
    let mut cmd = Command::cargo_bin("codex").unwrap();
    cmd.arg("mcp-server")
        .env("CODEX_HOME", home.path())
        .write_stdin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n")
        .assert()
        .success()
        .stdout("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n");
}

#[test]
fn root_options_before_a_subcommand_go_to_it() {
    let shim = ShimDir::new("codex");
    shim.script("codex-exec", r#"echo "exec got: $*""#);
    shim.script("codex-tui", r#"echo "tui got: $*""#);
    shim.cmd()
        .args(["-c", "model=o3", "-p", "fast", "exec", "--json", "hi"])
        .assert()
        .success()
        .stdout("exec got: -c model=o3 -p fast --json hi\n");
    // The terminal UI's own options are not passed on (Codex ignores them there too): said.
    shim.cmd()
        .args([
            "-m",
            "gpt-x",
            "--enable",
            "web_search_request",
            "exec",
            "hi",
        ])
        .assert()
        .success()
        .stdout("exec got: --enable web_search_request hi\n")
        .stderr(
            predicate::str::contains("`-m` before `exec`").and(predicate::str::contains("ignored")),
        );
    // A value that happens to be a subcommand's name stays a value.
    shim.cmd()
        .args(["-m", "exec", "fix it"])
        .assert()
        .success()
        .stdout("tui got: -m exec fix it\n");
    shim.cmd()
        .args(["--full-auto", "fix it"])
        .assert()
        .success()
        .stdout("tui got: --full-auto fix it\n");
}
