//! The sandbox every agent command runs in: a [`SandboxPolicy`] turned into kernel-enforced
//! rules on Linux, plus the command line that starts a command under `codex-linux-sandbox`.
//!
//! - [`writable_roots`] says where a policy lets commands write, and which subpaths of those
//!   roots stay read-only (`.git`, `.codex`). [`WritableRoot::is_path_writable`] answers the
//!   question for one path, e.g. to decide whether a patch needs approval.
//! - [`apply_to_current_process`] enforces a policy on the calling process (read-only bind
//!   mounts over `.git` and `.codex` in a private mount namespace, Landlock for the file
//!   system, a seccomp filter for network and process-inspection syscalls, `no_new_privs`
//!   against setuid binaries); [`exec_command`] then replaces the process with the command,
//!   which inherits every restriction. The `codex-linux-sandbox` binary is just those two
//!   calls, so no command pays for a fork, a re-exec or a probe.
//! - [`sandboxed_command`] builds the `std::process::Command` that runs a command under that
//!   binary (found by [`find_sandbox_exe`]) with the argv Codex uses, so either helper works.
//!
//! Landlock only ever adds access, so it cannot grant "a root minus its `.git`" in one rule.
//! Each writable root gets one write rule, and the `.git` and `.codex` that exist in it are
//! bind-mounted read-only onto themselves in a mount namespace of the command's own (a user
//! namespace mapping the caller's ids to themselves makes that possible without root).
//! Everything in the root but those is writable, including creating, removing and renaming
//! entries directly in it. A protected path that does not exist yet is not protected from
//! being created. When no namespace can be made, the crate falls back to granting each child
//! of the root except the protected ones ([`ReadOnlyGuard::ChildRules`]): just as safe, but
//! entries directly in such a root can then be written and not created, removed or renamed.
//! Deny-read paths are always carved out of "read everything" by enumeration. The
//! `landlock_rules` and `mount_guard` modules list every consequence.
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

mod command;
mod enforce;
mod error;
#[cfg(target_os = "linux")]
mod landlock_rules;
#[cfg(target_os = "linux")]
mod mount_guard;
mod paths;
mod roots;
#[cfg(target_os = "linux")]
mod seccomp;
mod shortfall;

pub use codex_protocol::SandboxPolicy;
pub use command::{
    NETWORK_DISABLED_ENV_VAR, SANDBOX_EXE_NAME, find_sandbox_exe, find_sandbox_exe_in,
    sandboxed_command,
};
pub use enforce::{
    Enforcement, ReadOnlyGuard, SandboxRequest, apply_to_current_process, exec_command,
};
pub use error::SandboxError;
pub use roots::{WritableRoot, writable_roots};
pub use shortfall::{KernelLandlock, Shortfall};
