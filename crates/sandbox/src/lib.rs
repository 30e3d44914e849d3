//! The sandbox every agent command runs in: a [`SandboxPolicy`] turned into kernel-enforced
//! rules on Linux, plus the command line that starts a command under `codex-linux-sandbox`.
//!
//! - [`writable_roots`] says where a policy lets commands write, and which subpaths of those
//!   roots stay read-only (`.git`, `.codex`). [`WritableRoot::is_path_writable`] answers the
//!   question for one path, e.g. to decide whether a patch needs approval.
//! - [`apply_to_current_process`] enforces a policy on the calling process (Landlock for the
//!   file system, a seccomp filter for network and process-inspection syscalls,
//!   `no_new_privs` against setuid binaries); [`exec_command`] then replaces the process with
//!   the command, which inherits every restriction. The `codex-linux-sandbox` binary is just
//!   those two calls, so no command pays for a re-exec or a probe.
//! - [`sandboxed_command`] builds the `std::process::Command` that runs a command under that
//!   binary (found by [`find_sandbox_exe`]) with the argv Codex uses, so either helper works.
//!
//! Landlock only ever adds access, so "a root minus its `.git`" is granted by enumerating the
//! root's children and granting each one except the protected ones; deny-read paths are carved
//! out of "read everything" the same way. The price: in a root that has protected subpaths
//! (the policy cwd always has), entries directly in the root can be written but not created,
//! removed or renamed; its subdirectories are fully writable. The `landlock_rules` module
//! lists every such consequence.
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
