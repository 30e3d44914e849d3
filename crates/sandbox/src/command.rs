//! Starting a command under the sandbox helper, and finding the helper.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use codex_protocol::SandboxPolicy;

use crate::error::SandboxError;

/// File name of the helper binary (and the `argv[0]` it is started with, as Codex does).
pub const SANDBOX_EXE_NAME: &str = "codex-linux-sandbox";

/// Set to `1` in a sandboxed command's environment when it has no network, so tools and
/// test suites can skip what needs it.
pub const NETWORK_DISABLED_ENV_VAR: &str = "CODEX_SANDBOX_NETWORK_DISABLED";

/// A `Command` that runs `command` under `sandbox_exe` with `policy`, in Codex's argv form:
/// `--sandbox-policy-cwd DIR --sandbox-policy JSON [--deny-read PATH]... -- CMD ARGS...`.
/// Writable roots resolve against `policy_cwd`; the command's own cwd is the caller's choice
/// (`current_dir`), as are stdio and the rest of the environment.
pub fn sandboxed_command(
    sandbox_exe: &Path,
    policy: &SandboxPolicy,
    policy_cwd: &Path,
    deny_read: &[PathBuf],
    command: &[String],
) -> Command {
    // Serializing this enum cannot fail; should it ever, the strictest policy is the safe
    // fallback.
    let json =
        serde_json::to_string(policy).unwrap_or_else(|_| r#"{"mode":"read-only"}"#.to_owned());
    let mut process = Command::new(sandbox_exe);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::arg0(&mut process, SANDBOX_EXE_NAME);
    process
        .arg("--sandbox-policy-cwd")
        .arg(policy_cwd)
        .arg("--sandbox-policy")
        .arg(json);
    for path in deny_read {
        process.arg("--deny-read").arg(path);
    }
    process.arg("--").args(command);
    if !policy.has_full_network_access() {
        process.env(NETWORK_DISABLED_ENV_VAR, "1");
    }
    process
}

/// The helper binary: beside the current executable first (an installed toolkit), then on
/// `PATH`.
pub fn find_sandbox_exe() -> Result<PathBuf, SandboxError> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    find_sandbox_exe_in(exe_dir.as_deref(), std::env::var_os("PATH"))
}

/// [`find_sandbox_exe`] with the directory and the `PATH` value given.
pub fn find_sandbox_exe_in(
    exe_dir: Option<&Path>,
    path_var: Option<OsString>,
) -> Result<PathBuf, SandboxError> {
    if let Some(dir) = exe_dir {
        let candidate = dir.join(SANDBOX_EXE_NAME);
        if is_executable(&candidate) {
            return Ok(candidate);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in(SANDBOX_EXE_NAME, path_var, cwd).map_err(|_| SandboxError::ExeNotFound {
        name: SANDBOX_EXE_NAME,
        beside: exe_dir.map_or_else(
            || "(unknown directory)".to_owned(),
            |d| d.display().to_string(),
        ),
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn argv_matches_codex_and_adds_deny_read() {
        let command = sandboxed_command(
            Path::new("/opt/bin/codex-linux-sandbox"),
            &SandboxPolicy::workspace_write(),
            Path::new("/project"),
            &[PathBuf::from("/home/me/.ssh")],
            &["ls".to_owned(), "-l".to_owned()],
        );
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--sandbox-policy-cwd",
                "/project",
                "--sandbox-policy",
                r#"{"mode":"workspace-write","writable_roots":[],"network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":false}"#,
                "--deny-read",
                "/home/me/.ssh",
                "--",
                "ls",
                "-l",
            ]
        );
        let env: Vec<_> = command.get_envs().collect();
        assert_eq!(
            env,
            [(NETWORK_DISABLED_ENV_VAR.as_ref(), Some("1".as_ref()))]
        );
    }

    #[test]
    fn network_policies_do_not_mark_the_env() {
        let policy = SandboxPolicy::DangerFullAccess;
        let command = sandboxed_command(Path::new("x"), &policy, Path::new("/"), &[], &[]);
        assert_eq!(command.get_envs().count(), 0);
    }

    #[test]
    fn finds_beside_first_then_path_then_says_where_it_looked() {
        use std::os::unix::fs::PermissionsExt;
        let beside = tempfile::tempdir().unwrap();
        let on_path = tempfile::tempdir().unwrap();
        let make = |dir: &Path| {
            let exe = dir.join(SANDBOX_EXE_NAME);
            std::fs::write(&exe, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
            exe
        };
        let path_exe = make(on_path.path());
        let path_var = Some(on_path.path().as_os_str().to_owned());
        assert_eq!(
            find_sandbox_exe_in(Some(beside.path()), path_var.clone()).unwrap(),
            path_exe
        );
        let beside_exe = make(beside.path());
        assert_eq!(
            find_sandbox_exe_in(Some(beside.path()), path_var).unwrap(),
            beside_exe
        );

        let empty = tempfile::tempdir().unwrap();
        let err = find_sandbox_exe_in(Some(empty.path()), Some(OsString::new())).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("codex-linux-sandbox") && text.contains("PATH"),
            "{text}"
        );
        assert!(text.contains(&empty.path().display().to_string()), "{text}");
    }
}
