//! The one error type of this crate.

use std::path::PathBuf;

use crate::shortfall::Shortfall;

/// Why a command could not be sandboxed or started. None of these is helped by retrying on
/// the same machine.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The kernel lacks a piece of the sandbox, and partial enforcement was not accepted.
    #[error("cannot sandbox: {0}")]
    Kernel(Shortfall),
    /// The landlock crate refused to build or apply the ruleset.
    #[cfg(target_os = "linux")]
    #[error("cannot apply Landlock: {0}")]
    Landlock(#[from] landlock::RulesetError),
    /// `landlock_restrict_self` reported the ruleset as not enforced.
    #[error("cannot apply Landlock: the kernel accepted the ruleset but does not enforce it")]
    LandlockNotEnforced,
    /// A path that needs a rule could not be opened.
    #[error("cannot apply Landlock: cannot open {path}: {source}")]
    RulePath {
        /// The path.
        path: PathBuf,
        /// What opening it said.
        source: std::io::Error,
    },
    /// The user namespace was created but mapping this process's ids into it failed, which
    /// leaves the process unable to go on (the kernel refused a write to `file`).
    #[error(
        "cannot set up the user namespace that keeps `.git` read-only: writing {file}: {source}"
    )]
    UserNamespace {
        /// The `/proc/self` file written.
        file: String,
        /// What the write said.
        source: std::io::Error,
    },
    /// The namespaces were made but the file-system view could not be built in them.
    #[error("cannot build the sandbox's file-system view: {0}")]
    Layout(String),
    /// `fork` failed (the process limit of the caller, or memory).
    #[error("cannot start the sandbox's init process (fork): {0}")]
    Fork(std::io::Error),
    /// The capabilities could not all be dropped.
    #[error("cannot drop the sandbox's capabilities: {0}")]
    Capabilities(std::io::Error),
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    #[error("cannot set no_new_privs: {0}")]
    NoNewPrivs(std::io::Error),
    /// The seccomp filter could not be compiled (a bug in the rule table).
    #[error("cannot build the seccomp filter: {0}")]
    SeccompBuild(String),
    /// The kernel refused the seccomp filter (no seccomp filter support, or a parent filter
    /// forbids installing more).
    #[error("cannot install the seccomp filter: {0}")]
    SeccompInstall(String),
    /// Seccomp rules are only written for x86_64 and aarch64.
    #[error(
        "cannot build the seccomp filter: CPU architecture `{0}` is not supported (x86_64 and aarch64 are)"
    )]
    UnsupportedArch(&'static str),
    /// The sandbox only exists on Linux.
    #[error("the Linux sandbox cannot run on this operating system")]
    UnsupportedOs,
    /// `execve` of the command failed (not found, not executable, ...).
    #[error("cannot run `{program}`: {source}")]
    Exec {
        /// The program as given.
        program: String,
        /// Why `execve` failed.
        source: std::io::Error,
    },
    /// No command was given to run.
    #[error("no command to run: put it after `--`")]
    NoCommand,
    /// The sandbox helper binary is neither beside the current executable nor on `PATH`.
    #[error(
        "cannot find `{name}`: it is not in {beside} nor on PATH; install it next to this \
         program or add its directory to PATH"
    )]
    ExeNotFound {
        /// The helper's file name.
        name: &'static str,
        /// The directory looked in first.
        beside: String,
    },
}
