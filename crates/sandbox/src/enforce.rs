//! Applying a policy to the calling process, and exec'ing the command under it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use codex_protocol::SandboxPolicy;

use crate::command::NETWORK_DISABLED_ENV_VAR;
use crate::error::SandboxError;
use crate::shortfall::{KernelLandlock, Shortfall};

/// Everything that decides the rules for one command.
#[derive(Debug, Clone, Copy)]
pub struct SandboxRequest<'a> {
    /// What the command may do.
    pub policy: &'a SandboxPolicy,
    /// The directory relative writable roots resolve against, and the cwd root.
    pub policy_cwd: &'a Path,
    /// Paths whose files the command may not read (missing ones are ignored).
    pub deny_read: &'a [PathBuf],
    /// Run even if the kernel cannot enforce everything (the [`Enforcement`] says what not).
    pub allow_partial: bool,
    /// Keep existing read-only subpaths read-only with bind mounts in a private mount
    /// namespace, so each writable root is fully writable otherwise. `false` goes straight to
    /// the stricter fallback that is otherwise only used when no namespace can be made (it
    /// also keeps missing read-only subpaths from being created); it exists so tests can
    /// exercise that fallback.
    pub mount_namespace: bool,
}

/// What was actually enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// The kernel's Landlock answer.
    pub landlock: KernelLandlock,
    /// What is missing; empty when the policy is fully enforced (or is full access).
    pub shortfalls: Vec<Shortfall>,
    /// How `.git` and `.codex` inside the writable roots are kept read-only.
    pub read_only_guard: ReadOnlyGuard,
}

/// How the read-only subpaths of the writable roots (`.git`, `.codex`) are kept read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOnlyGuard {
    /// Nothing to guard: no writable root has an existing read-only subpath, or there is no
    /// Landlock to confine writes at all, or the policy restricts nothing.
    Unneeded,
    /// Read-only bind mounts in a private mount namespace; each root is one Landlock rule.
    BindMounts,
    /// Landlock rules on each root's children instead of the root, because the namespace
    /// could not be made (`reason`, for the user). Stricter: entries directly in such a root
    /// can be written but not created, removed or renamed.
    ChildRules {
        /// Why no mount namespace was used.
        reason: String,
    },
}

/// Restricts the calling process (and everything it will exec) to `request`. The process must
/// be single-threaded: the rules apply to the calling thread only.
///
/// `danger-full-access` restricts nothing. Otherwise, in this order: a private mount
/// namespace with read-only bind mounts over the existing read-only subpaths of the writable
/// roots (when there are any), then Landlock (reads everywhere but `deny_read`, writes in the
/// writable roots and `/dev/null`), `no_new_privs`, and the seccomp filter.
#[cfg(target_os = "linux")]
pub fn apply_to_current_process(request: &SandboxRequest<'_>) -> Result<Enforcement, SandboxError> {
    let landlock = KernelLandlock::query();
    let mut enforcement = Enforcement {
        landlock,
        shortfalls: Vec::new(),
        read_only_guard: ReadOnlyGuard::Unneeded,
    };
    if request.policy.has_full_disk_write_access() {
        return Ok(enforcement);
    }
    if let Some(shortfall) = landlock.shortfall() {
        if !request.allow_partial {
            return Err(SandboxError::Kernel(shortfall));
        }
        enforcement.shortfalls.push(shortfall);
    }
    let network = request.policy.has_full_network_access();
    // Everything that can fail for a reason other than the kernel is prepared before the
    // first restriction, so errors are reported by an unrestricted process.
    let programs = crate::seccomp::filters(network)?;
    if landlock.available() {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let roots = crate::roots::writable_roots(request.policy, request.policy_cwd);
        let deny_read: Vec<PathBuf> = request
            .deny_read
            .iter()
            .map(|p| crate::paths::resolve(&cwd, p))
            .filter(|p| p.exists())
            .collect();
        // The namespace and its mounts come first: Landlock forbids mounting once applied.
        let targets = crate::mount_guard::targets(&roots);
        let guarded = roots.iter().any(|r| !r.read_only_subpaths.is_empty());
        let mounted = if guarded && !request.mount_namespace {
            enforcement.read_only_guard = ReadOnlyGuard::ChildRules {
                reason: "mount namespace disabled by the caller".to_owned(),
            };
            None
        } else if targets.is_empty() {
            Some(targets.as_slice())
        } else {
            match crate::mount_guard::protect(&targets)? {
                Ok(()) => {
                    enforcement.read_only_guard = ReadOnlyGuard::BindMounts;
                    Some(targets.as_slice())
                }
                Err(unavailable) => {
                    enforcement.read_only_guard = ReadOnlyGuard::ChildRules {
                        reason: unavailable.to_string(),
                    };
                    None
                }
            }
        };
        let rules = crate::landlock_rules::plan(&roots, &deny_read, mounted);
        crate::landlock_rules::restrict_self(&rules, network)?;
    } else {
        set_no_new_privs()?;
    }
    crate::seccomp::install(&programs)?;
    Ok(enforcement)
}

/// Off Linux there is nothing to apply with: always an error.
#[cfg(not(target_os = "linux"))]
pub fn apply_to_current_process(
    _request: &SandboxRequest<'_>,
) -> Result<Enforcement, SandboxError> {
    Err(SandboxError::UnsupportedOs)
}

#[cfg(target_os = "linux")]
fn set_no_new_privs() -> Result<(), SandboxError> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integer arguments and touches no memory.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(SandboxError::NoNewPrivs(std::io::Error::last_os_error()))
    }
}

/// Replaces the current process with `command` (searched on `PATH`), with
/// `CODEX_SANDBOX_NETWORK_DISABLED=1` when `network_disabled`. Returns only on failure.
#[cfg(unix)]
pub fn exec_command(command: &[OsString], network_disabled: bool) -> SandboxError {
    use std::os::unix::process::CommandExt;

    let Some((program, args)) = command.split_first() else {
        return SandboxError::NoCommand;
    };
    let mut process = std::process::Command::new(program);
    process.args(args);
    if network_disabled {
        process.env(NETWORK_DISABLED_ENV_VAR, "1");
    }
    let source = process.exec();
    SandboxError::Exec {
        program: program.to_string_lossy().into_owned(),
        source,
    }
}

/// Off Unix there is no exec: always an error.
#[cfg(not(unix))]
pub fn exec_command(_command: &[OsString], _network_disabled: bool) -> SandboxError {
    SandboxError::UnsupportedOs
}
