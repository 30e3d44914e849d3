//! The sandbox every agent command runs in: a [`SandboxPolicy`] turned into kernel-enforced
//! rules on Linux, plus the command line that starts a command under `codex-linux-sandbox`.
//!
//! - [`writable_roots`] says where a policy lets commands write, and which subpaths of those
//!   roots stay read-only (`.git`, `.codex`). [`WritableRoot::is_path_writable`] answers the
//!   question for one path, e.g. to decide whether a patch needs approval.
//! - [`apply_to_current_process`] enforces a policy on the calling process and
//!   [`exec_command`] then runs the command, which inherits every restriction. The
//!   `codex-linux-sandbox` binary is just those two calls. In order:
//!   1. descriptors above 2 closed (`limits`);
//!   2. new PID and IPC namespaces, plus a user namespace mapping the caller's ids to
//!      themselves when the caller is not root (`namespaces`); the helper forks, and its
//!      child, pid 1 of the new namespace, makes a mount namespace and does the rest
//!      (`supervise`);
//!   3. the host's mounts made read-only and `nosuid` at once, a private `/dev/shm` and
//!      `/proc`, each writable root bound read-write onto itself, its `.git` and `.codex`
//!      bound read-only on top (a placeholder, a socket inode, made first where one is missing,
//!      and removed when the command ends: `placeholder`), and every `deny_read` path covered by an
//!      empty mode-000 mount wherever a mount makes it reachable (`layout`, `mount_guard`,
//!      `deny_read`);
//!   4. a process limit (`limits`);
//!   5. Landlock: reads everywhere but `deny_read`, writes only in the roots, `/dev/null` and
//!      the private `/dev/shm`; signals and abstract Unix sockets scoped to the sandbox
//!      (`landlock_rules`);
//!   6. every capability dropped, root included (`caps`), then `no_new_privs` and the
//!      seccomp filter (`seccomp`);
//!   7. the init starts the command, reaps whatever it leaves, and exits with its status when
//!      it ends; the kernel then kills everything left in the namespace.
//! - [`sandboxed_command`] builds the `std::process::Command` that runs a command under that
//!   binary (found by [`find_sandbox_exe`]) with the argv Codex uses, so either helper works.
//!
//! Layers overlap on purpose: a write outside the roots meets the read-only mount and
//! Landlock; a mount call meets seccomp, Landlock and the missing capability. Where the
//! kernel lacks a layer (no Landlock, no user namespaces, no `mount_setattr`) the request
//! fails with a [`Shortfall`] naming it, unless partial enforcement is accepted; without a
//! mount namespace `.git` and `.codex` are then kept read-only by granting each child of the
//! root except them ([`ReadOnlyGuard::ChildRules`]): just as safe, but entries directly in
//! such a root can then be written and not created, removed or renamed. Another hard link to a denied file stays readable (a note says so); without a
//! mount namespace deny-read paths are carved out of "read everything" by enumeration.
//!
//! ```no_run
//! use codex_protocol::SandboxPolicy;
//! use std::path::Path;
//!
//! let exe = codex_sandbox::find_sandbox_exe()?;
//! let mut command = codex_sandbox::sandboxed_command(
//!     &exe,
//!     &SandboxPolicy::workspace_write(),
//!     Path::new("/home/me/project"),
//!     &[],
//!     &["cargo".to_owned(), "test".to_owned()],
//! );
//! let status = command.status()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(target_os = "linux")]
mod caps;
mod command;
#[cfg(target_os = "linux")]
mod deny_read;
mod enforce;
mod error;
#[cfg(target_os = "linux")]
mod landlock_rules;
#[cfg(target_os = "linux")]
mod layout;
#[cfg(target_os = "linux")]
mod limits;
#[cfg(target_os = "linux")]
mod mount_guard;
#[cfg(target_os = "linux")]
mod namespaces;
mod paths;
#[cfg(target_os = "linux")]
mod placeholder;
mod roots;
#[cfg(target_os = "linux")]
mod seccomp;
mod shortfall;
#[cfg(target_os = "linux")]
mod supervise;

pub use codex_protocol::SandboxPolicy;
pub use command::{
    NETWORK_DISABLED_ENV_VAR, SANDBOX_EXE_NAME, find_sandbox_exe, find_sandbox_exe_in,
    sandboxed_command,
};
pub use enforce::{
    Enforcement, ReadOnlyGuard, SandboxRequest, apply_to_current_process, exec_command,
};
pub use error::SandboxError;
pub use roots::{RedirectedRoot, WritableRoot, named_roots, redirected_roots, writable_roots};
pub use shortfall::{KernelLandlock, Shortfall};
