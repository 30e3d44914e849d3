//! The logic of `codex-linux-sandbox`: turn the command line into a sandbox request, apply
//! it to this process, run the command. Applying forks once (the child is the init of the
//! sandbox's PID namespace) and running forks the command under that init; nothing re-execs,
//! and the command inherits the restrictions through `execve`.
//!
//! Setting [`FORCE_FALLBACK_ENV_VAR`] to `1` makes the helper skip the mount namespace and
//! use the stricter child-by-child Landlock rules it otherwise only falls back to when no
//! namespace can be made. It is meant for tests of that fallback, not for users.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use codex_cli::linux_sandbox::LinuxSandboxCli;
use codex_config::ConfigOverrides;
use codex_protocol::{SandboxMode, SandboxPolicy};
use codex_sandbox::{ReadOnlyGuard, SandboxError, SandboxRequest};

/// When set to `1`, `.git` and `.codex` are kept read-only by the fallback rules instead of
/// read-only mounts (for tests of that fallback).
pub const FORCE_FALLBACK_ENV_VAR: &str = "CODEX_LINUX_SANDBOX_FORCE_FALLBACK";

/// Why the command did not start; [`Failure::exit_code`] maps it to the documented codes.
#[derive(Debug)]
pub enum Failure {
    /// The command line does not make sense (exit 2).
    Usage(String),
    /// config.toml could not be loaded for the human form (exit 125).
    Config(String),
    /// The sandbox could not be set up (exit 125), or the command could not be exec'd
    /// (126, or 127 when not found).
    Sandbox(SandboxError),
}

impl Failure {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::Sandbox(SandboxError::NoCommand) => 2,
            Self::Sandbox(SandboxError::Exec { source, .. }) => {
                if source.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                }
            }
            Self::Sandbox(_) | Self::Config(_) => 125,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) => f.write_str(message),
            Self::Config(message) => write!(f, "cannot load the sandbox settings: {message}"),
            Self::Sandbox(err @ SandboxError::Kernel(_)) => write!(
                f,
                "{err}; nothing was run (pass --allow-partial to run with what the kernel \
                 enforces)"
            ),
            Self::Sandbox(err) => err.fmt(f),
        }
    }
}

/// Sandboxes this process as `cli` says and execs the command. Returns only on failure;
/// warnings about partial enforcement go to `warnings`.
pub fn run(cli: LinuxSandboxCli, warnings: &mut dyn Write) -> Failure {
    let resolved = match resolve(cli, warnings) {
        Ok(resolved) => resolved,
        Err(failure) => return failure,
    };
    let request = SandboxRequest {
        policy: &resolved.policy,
        policy_cwd: &resolved.policy_cwd,
        deny_read: &resolved.deny_read,
        allow_partial: resolved.allow_partial,
        mount_namespace: std::env::var_os(FORCE_FALLBACK_ENV_VAR).is_none_or(|v| v != "1"),
    };
    let supervised = match codex_sandbox::apply_to_current_process(&request) {
        Ok(enforcement) => {
            for shortfall in &enforcement.shortfalls {
                // A failed warning write must not stop the command.
                let _ = writeln!(
                    warnings,
                    "codex-linux-sandbox: warning: running partly sandboxed: {shortfall}"
                );
            }
            if let ReadOnlyGuard::ChildRules { reason } = &enforcement.read_only_guard {
                let _ = writeln!(
                    warnings,
                    "codex-linux-sandbox: note: no private mount namespace ({reason}); .git and \
                     .codex are protected by the stricter fallback, so files directly in the \
                     workspace can be written but not created, removed or renamed"
                );
            }
            for note in &enforcement.notes {
                let _ = writeln!(warnings, "codex-linux-sandbox: note: {note}");
            }
            enforcement.supervised
        }
        Err(err) => return Failure::Sandbox(err),
    };
    let network_disabled = !resolved.policy.has_full_network_access();
    Failure::Sandbox(codex_sandbox::exec_command(
        &resolved.command,
        network_disabled,
        supervised,
    ))
}

/// The command line resolved into what the sandbox needs.
struct Resolved {
    policy: SandboxPolicy,
    policy_cwd: PathBuf,
    deny_read: Vec<PathBuf>,
    allow_partial: bool,
    command: Vec<OsString>,
}

fn resolve(cli: LinuxSandboxCli, warnings: &mut dyn Write) -> Result<Resolved, Failure> {
    let current_dir = || {
        std::env::current_dir().map_err(|e| {
            Failure::Usage(format!(
                "cannot read the current directory: {e}; pass --sandbox-policy-cwd"
            ))
        })
    };
    if let Some(json) = &cli.sandbox_policy {
        let policy_cwd = match cli.sandbox_policy_cwd {
            Some(dir) => dir,
            None => current_dir()?,
        };
        // Codex's form: everything is on the command line, config.toml is not read.
        let policy = serde_json::from_str(json).map_err(|e| {
            Failure::Usage(format!(
                "--sandbox-policy: `{json}` is not a sandbox policy: {e}"
            ))
        })?;
        return Ok(Resolved {
            policy,
            policy_cwd,
            deny_read: cli.deny_read,
            allow_partial: cli.allow_partial,
            command: cli.command,
        });
    }

    // The human form: config.toml (with `-s` applied as its override) gives the defaults.
    let config = codex_config::Config::load(ConfigOverrides {
        sandbox_mode: cli.sandbox,
        cwd: cli.sandbox_policy_cwd,
        ..ConfigOverrides::default()
    })
    .map_err(|e| Failure::Config(e.to_string()))?;
    for warning in &config.warnings {
        let _ = writeln!(warnings, "codex-linux-sandbox: warning: {warning}");
    }
    let mode = config.sandbox_policy.mode();
    let policy = match mode {
        SandboxMode::ReadOnly | SandboxMode::DangerFullAccess
            if !cli.writable_roots.is_empty() || cli.network =>
        {
            return Err(Failure::Usage(format!(
                "--writable-root and --network only apply to `-s workspace-write`, and the \
                 mode is {mode}"
            )));
        }
        SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
        SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
        SandboxMode::WorkspaceWrite => {
            let mut policy = match config.sandbox_policy {
                workspace @ SandboxPolicy::WorkspaceWrite { .. } => workspace,
                _ => SandboxPolicy::workspace_write(),
            };
            if let SandboxPolicy::WorkspaceWrite {
                writable_roots,
                network_access,
                ..
            } = &mut policy
            {
                writable_roots.extend(cli.writable_roots);
                *network_access |= cli.network;
            }
            policy
        }
    };
    let mut deny_read = config.sandbox_deny_read;
    deny_read.extend(cli.deny_read);
    Ok(Resolved {
        policy,
        policy_cwd: config.cwd,
        deny_read,
        allow_partial: cli.allow_partial,
        command: cli.command,
    })
}
