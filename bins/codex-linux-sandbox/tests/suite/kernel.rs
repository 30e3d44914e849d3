//! A kernel without (enough) Landlock is refused, unless `--allow-partial`. The kernel's
//! answer is faked with strace's fault injection on the real binary.

use std::process::{Command, Output};

use super::harness::{User, assert_ok, sandbox_bin, stderr, stdout};

fn under_strace(inject: &str, extra: &[&str]) -> Option<Output> {
    let probe = Command::new("strace").arg("-V").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: strace is not installed");
        return None;
    }
    let mut command = Command::new("strace");
    command
        .args([
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=landlock_create_ruleset",
        ])
        .arg(format!("--inject=landlock_create_ruleset:{inject}"))
        .arg(sandbox_bin(User::Me))
        .args(["--sandbox-policy", r#"{"mode":"read-only"}"#])
        .args(extra)
        .args(["--", "cat", "/proc/self/status"]);
    Some(command.output().unwrap())
}

#[test]
fn no_landlock_is_refused_by_name() {
    let Some(out) = under_strace("error=ENOSYS", &[]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.starts_with("codex-linux-sandbox: cannot sandbox: kernel lacks Landlock"),
        "{err}"
    );
    assert!(err.contains("--allow-partial"), "{err}");
    assert!(stdout(&out).is_empty(), "the command must not run");
}

#[test]
fn disabled_landlock_names_the_boot_parameter() {
    let Some(out) = under_strace("error=EOPNOTSUPP", &[]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert!(stderr(&out).contains("lsm="), "{}", stderr(&out));
}

#[test]
fn an_old_abi_is_refused_for_its_missing_truncate_control() {
    let Some(out) = under_strace("retval=2:when=1", &[]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert!(
        stderr(&out).contains("truncate control (it has ABI 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn allow_partial_runs_with_seccomp_and_says_what_is_missing() {
    let Some(out) = under_strace("error=ENOSYS", &["--allow-partial"]) else {
        return;
    };
    assert_ok(&out, "--allow-partial");
    assert!(stderr(&out).contains("warning: running partly sandboxed: kernel lacks Landlock"));
    let status = stdout(&out);
    assert!(
        status.contains("NoNewPrivs:\t1") && status.contains("Seccomp:\t2"),
        "{status}"
    );
}
