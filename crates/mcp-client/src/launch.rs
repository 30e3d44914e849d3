//! How a stdio server's process is started: a scrubbed environment (a short whitelist plus
//! what the server's config names), and, unless the server is configured
//! `sandbox = "danger-full-access"`, confinement by the sandbox helper with the policy its
//! `sandbox` and `network` keys ask for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codex_config::McpSandboxMode;
use codex_protocol::SandboxPolicy;

use crate::error::McpClientError;

/// Variables a stdio server inherits from the agent without being named in its config.
const ENV_WHITELIST: &[&str] = &[
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ",
];

/// Where and how the agent runs, which a confined server's policy is derived from.
#[derive(Debug, Clone, Default)]
pub struct LaunchContext {
    /// The session's working directory: the writable root of `workspace-write` servers and
    /// the server's cwd when its config sets none.
    pub cwd: PathBuf,
    /// The session's own policy; `workspace-write` servers share its extra writable roots.
    pub session_policy: Option<SandboxPolicy>,
    /// Paths confined servers may not read.
    pub deny_read: Vec<PathBuf>,
    /// The helper; found beside the executable or on PATH when unset.
    pub sandbox_exe: Option<PathBuf>,
    /// CODEX_HOME, where OAuth sign-ins are stored; `None`: HTTP servers get no stored tokens.
    pub codex_home: Option<PathBuf>,
}

/// What a stdio server is started with.
#[derive(Debug, Clone)]
pub(crate) struct StdioLaunch<'a> {
    pub(crate) command: &'a str,
    pub(crate) args: &'a [String],
    pub(crate) env: &'a BTreeMap<String, String>,
    pub(crate) env_vars: &'a [String],
    pub(crate) cwd: Option<&'a Path>,
    pub(crate) sandbox: McpSandboxMode,
    pub(crate) network: bool,
}

/// A process ready to spawn, plus the scratch directory a read-only server with network gets
/// (it must outlive the process).
pub(crate) struct PreparedCommand {
    pub(crate) command: tokio::process::Command,
    pub(crate) scratch: Option<tempfile::TempDir>,
}

/// The policy a server's `sandbox` / `network` keys ask for. Read-only with network has no
/// exact kernel policy, so it becomes workspace-write over an empty private directory.
fn policy_for(
    launch: &StdioLaunch<'_>,
    ctx: &LaunchContext,
) -> Result<(Option<SandboxPolicy>, Option<tempfile::TempDir>), McpClientError> {
    Ok(match launch.sandbox {
        McpSandboxMode::DangerFullAccess => (None, None),
        McpSandboxMode::ReadOnly if !launch.network => (Some(SandboxPolicy::ReadOnly), None),
        McpSandboxMode::ReadOnly => {
            let scratch = tempfile::Builder::new()
                .prefix("codex-mcp-")
                .tempdir()
                .map_err(McpClientError::Spawn)?;
            let policy = SandboxPolicy::WorkspaceWrite {
                writable_roots: Vec::new(),
                network_access: true,
                exclude_tmpdir_env_var: true,
                exclude_slash_tmp: true,
            };
            (Some(policy), Some(scratch))
        }
        McpSandboxMode::WorkspaceWrite => {
            let writable_roots = match &ctx.session_policy {
                Some(SandboxPolicy::WorkspaceWrite { writable_roots, .. }) => {
                    writable_roots.clone()
                }
                _ => Vec::new(),
            };
            let policy = SandboxPolicy::WorkspaceWrite {
                writable_roots,
                network_access: launch.network,
                exclude_tmpdir_env_var: false,
                exclude_slash_tmp: false,
            };
            (Some(policy), None)
        }
    })
}

/// `ENOENT`, so a missing program reads as it does when spawned directly.
fn libc_enoent() -> i32 {
    2
}

/// Builds the command for a stdio server.
pub(crate) fn prepare(
    launch: &StdioLaunch<'_>,
    ctx: &LaunchContext,
) -> Result<PreparedCommand, McpClientError> {
    let (policy, scratch) = policy_for(launch, ctx)?;
    let argv: Vec<String> = std::iter::once(launch.command.to_owned())
        .chain(launch.args.iter().cloned())
        .collect();
    let mut command = match &policy {
        None => {
            let mut command = std::process::Command::new(launch.command);
            command.args(launch.args);
            command
        }
        Some(policy) => {
            // Under the helper a missing program would only show as a closed connection;
            // look it up first so the error says what is wrong.
            let search_dir = launch.cwd.unwrap_or(&ctx.cwd);
            which::which_in(launch.command, std::env::var_os("PATH"), search_dir).map_err(
                |_| McpClientError::Spawn(std::io::Error::from_raw_os_error(libc_enoent())),
            )?;
            let exe = match &ctx.sandbox_exe {
                Some(exe) => exe.clone(),
                None => codex_sandbox::find_sandbox_exe().map_err(|e| {
                    McpClientError::SandboxHelper {
                        mode: launch.sandbox.as_str(),
                        error: e.to_string(),
                    }
                })?,
            };
            let policy_cwd = scratch.as_ref().map_or(ctx.cwd.as_path(), |d| d.path());
            codex_sandbox::sandboxed_command(&exe, policy, policy_cwd, &ctx.deny_read, &argv)
        }
    };
    // The helper set its own marker variables; keep them, replace the rest.
    let marks: Vec<(std::ffi::OsString, std::ffi::OsString)> = command
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    command.env_clear();
    for name in ENV_WHITELIST
        .iter()
        .copied()
        .chain(launch.env_vars.iter().map(String::as_str))
    {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.envs(marks);
    command.envs(launch.env);
    match launch.cwd {
        Some(dir) => {
            command.current_dir(dir);
        }
        None if !ctx.cwd.as_os_str().is_empty() => {
            command.current_dir(&ctx.cwd);
        }
        None => {}
    }
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    Ok(PreparedCommand { command, scratch })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(sandbox: McpSandboxMode, network: bool) -> StdioLaunch<'static> {
        static ENV: std::sync::LazyLock<BTreeMap<String, String>> =
            std::sync::LazyLock::new(|| BTreeMap::from([("A".into(), "1".into())]));
        StdioLaunch {
            command: "sh",
            args: &[],
            env: &ENV,
            env_vars: &[],
            cwd: None,
            sandbox,
            network,
        }
    }

    fn args(prepared: &PreparedCommand) -> Vec<String> {
        prepared
            .command
            .as_std()
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn confined_by_default_and_unconfined_on_request() {
        let ctx = LaunchContext {
            cwd: PathBuf::from("/project"),
            sandbox_exe: Some(PathBuf::from("/bin/codex-linux-sandbox")),
            ..LaunchContext::default()
        };
        let read_only = prepare(&launch(McpSandboxMode::ReadOnly, false), &ctx).unwrap();
        assert_eq!(
            read_only.command.as_std().get_program(),
            "/bin/codex-linux-sandbox"
        );
        let argv = args(&read_only);
        assert!(
            argv.contains(&r#"{"mode":"read-only"}"#.to_owned()),
            "{argv:?}"
        );
        assert!(
            argv.ends_with(&["--".to_owned(), "sh".to_owned()]),
            "{argv:?}"
        );

        let networked = prepare(&launch(McpSandboxMode::ReadOnly, true), &ctx).unwrap();
        let argv = args(&networked);
        assert!(
            argv.iter().any(|a| a.contains(r#""network_access":true"#)),
            "{argv:?}"
        );
        assert!(networked.scratch.is_some());

        let free = prepare(&launch(McpSandboxMode::DangerFullAccess, false), &ctx).unwrap();
        assert_eq!(free.command.as_std().get_program(), "sh");
        let env: Vec<_> = free.command.as_std().get_envs().collect();
        assert!(
            env.iter()
                .any(|(k, v)| *k == "A" && *v == Some("1".as_ref()))
        );
    }
}
