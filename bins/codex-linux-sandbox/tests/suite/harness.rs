//! Fixtures and a runner for the sandbox binary, as the current user or as `nobody`.

use std::ffi::OsStr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// uid and gid of `nobody`.
pub(crate) const NOBODY: u32 = 65534;

/// Who runs the sandbox binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum User {
    /// Whoever runs the tests.
    Me,
    /// uid/gid 65534 with no supplementary groups (only when the tests run as root).
    Nobody,
}

pub(crate) fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The users to try: the current one, and `nobody` too when we are root.
pub(crate) fn users() -> Vec<User> {
    if is_root() {
        vec![User::Me, User::Nobody]
    } else {
        vec![User::Me]
    }
}

/// The sandbox binary, at a path `nobody` can execute. The target dir may sit under a
/// private home directory, so the binary is copied into one world-readable directory per
/// build (named after its size and mtime, so reruns reuse it and nothing piles up).
pub(crate) fn sandbox_bin(user: User) -> PathBuf {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    let built = assert_cmd::cargo::cargo_bin("codex-linux-sandbox");
    if user == User::Me {
        return built;
    }
    COPY.get_or_init(|| {
        let meta = std::fs::metadata(&built).unwrap();
        let dir = std::env::temp_dir().join("codex-linux-sandbox-tests");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join(format!(
            "codex-linux-sandbox-{}-{}",
            meta.len(),
            meta.mtime()
        ));
        if !copy.exists() {
            // Copy then rename, so a concurrent test run never executes a half-written file.
            // `cp` does the writing, so this multi-threaded process never holds a writable
            // descriptor on the executable that a sibling test's fork could inherit (running
            // it would then fail with ETXTBSY).
            let partial = dir.join(format!("partial-{}", std::process::id()));
            let cp = Command::new("cp")
                .arg(&built)
                .arg(&partial)
                .status()
                .unwrap();
            assert!(cp.success(), "cp {}", built.display());
            std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::rename(&partial, &copy).unwrap();
        }
        copy
    })
    .clone()
}

/// A `Command` that runs `program` as `user`.
pub(crate) fn command_as(user: User, program: impl AsRef<OsStr>) -> Command {
    match user {
        User::Me => Command::new(program),
        User::Nobody => {
            let mut command = Command::new("setpriv");
            command
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(program);
            command
        }
    }
}

/// Three directories under one temp dir, owned by the user who runs the sandbox, so that
/// file permissions never stop a write and only the sandbox can:
/// - `ws`: the policy cwd, a git repository with `README` and `sub/file`;
/// - `extra`: a configured writable root with `file.txt`;
/// - `outside`: not writable by policy, with `victim.txt`.
pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) base: PathBuf,
    pub(crate) ws: PathBuf,
    pub(crate) extra: PathBuf,
    pub(crate) outside: PathBuf,
    pub(crate) user: User,
}

pub(crate) const VICTIM: &str = "original\n";

/// Forces the fallback protection of `.git` (see the binary's docs).
pub(crate) const FORCE_FALLBACK: &str = codex_linux_sandbox::FORCE_FALLBACK_ENV_VAR;

#[allow(clippy::unused_self)] // `f.read(..)`, `f.policy_with(..)` read as fixture methods.
impl Fixture {
    pub(crate) fn new(user: User) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let ws = base.join("ws");
        let extra = base.join("extra");
        let outside = base.join("outside");
        for d in [ws.join("sub"), extra.clone(), outside.clone()] {
            std::fs::create_dir_all(d).unwrap();
        }
        let git = Command::new("git")
            .args(["init", "-q"])
            .arg(&ws)
            .output()
            .unwrap();
        assert!(git.status.success(), "git init: {git:?}");
        std::fs::write(ws.join("README"), "readme\n").unwrap();
        std::fs::write(ws.join("sub/file"), "sub\n").unwrap();
        std::fs::write(extra.join("file.txt"), "extra\n").unwrap();
        std::fs::write(outside.join("victim.txt"), VICTIM).unwrap();
        std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
        if user == User::Nobody {
            chown_tree(&base, NOBODY);
        }
        Self {
            _dir: dir,
            base,
            ws,
            extra,
            outside,
            user,
        }
    }

    /// workspace-write with `extra` as a root, temp dirs excluded, network off.
    pub(crate) fn policy(&self) -> String {
        self.policy_with(&[&self.extra], false)
    }

    /// workspace-write with these roots (besides the cwd), temp dirs excluded.
    pub(crate) fn policy_with(&self, roots: &[&Path], network: bool) -> String {
        serde_json::json!({
            "mode": "workspace-write",
            "writable_roots": roots,
            "network_access": network,
            "exclude_tmpdir_env_var": true,
            "exclude_slash_tmp": true,
        })
        .to_string()
    }

    /// The sandbox binary with Codex's argv, policy cwd `ws`, running `argv` in `ws`.
    pub(crate) fn sandbox(&self, policy: &str, extra_args: &[&str], argv: &[&str]) -> Command {
        let mut command = command_as(self.user, sandbox_bin(self.user));
        command
            .arg("--sandbox-policy-cwd")
            .arg(&self.ws)
            .args(["--sandbox-policy", policy])
            .args(extra_args)
            .arg("--")
            .args(argv)
            .current_dir(&self.ws)
            .env("HOME", &self.base)
            .env("XDG_CONFIG_HOME", &self.base)
            .env("CODEX_HOME", &self.base)
            .env_remove("TMPDIR");
        command
    }

    /// `sh -c script` under `policy`.
    pub(crate) fn sh(&self, policy: &str, script: &str) -> Output {
        self.sandbox(policy, &[], &["sh", "-c", script])
            .output()
            .unwrap()
    }

    /// `sh -c script` under `policy`, with `.git` kept read-only by the fallback rules
    /// instead of read-only mounts.
    pub(crate) fn sh_fallback(&self, policy: &str, script: &str) -> Output {
        self.sandbox(policy, &[], &["sh", "-c", script])
            .env(FORCE_FALLBACK, "1")
            .output()
            .unwrap()
    }

    /// `sh -c script` either way: through the fallback when `fallback`.
    pub(crate) fn sh_with(&self, fallback: bool, policy: &str, script: &str) -> Output {
        if fallback {
            self.sh_fallback(policy, script)
        } else {
            self.sh(policy, script)
        }
    }

    /// `sh -c script` through the same binary with no restrictions: the control run that
    /// shows an attempt works when nothing stops it.
    pub(crate) fn sh_unconfined(&self, script: &str) -> Output {
        self.sh(r#"{"mode":"danger-full-access"}"#, script)
    }

    pub(crate) fn read(&self, path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

pub(crate) fn chown_tree(path: &Path, id: u32) {
    std::os::unix::fs::lchown(path, Some(id), Some(id)).unwrap();
    if path.symlink_metadata().unwrap().is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), id);
        }
    }
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the command succeeded, showing its output otherwise.
#[track_caller]
pub(crate) fn assert_ok(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: expected success, got {:?}\nstdout: {}\nstderr: {}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

/// Asserts the command failed.
#[track_caller]
pub(crate) fn assert_denied(output: &Output, what: &str) {
    assert!(
        !output.status.success(),
        "{what}: the sandbox let it through\nstdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

/// `/usr/bin/python3 -c code args...` as an argv (the system python, which `nobody` can run).
pub(crate) fn python<'a>(code: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec!["/usr/bin/python3", "-c", code];
    argv.extend_from_slice(args);
    argv
}
