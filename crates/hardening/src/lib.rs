//! Process hardening for binaries that hold a secret, meant to run before `main`.
//!
//! A process that keeps an API key in memory must not let other processes of the same user read
//! it. On Linux that means three things, all done by [`harden`]:
//!
//! - `prctl(PR_SET_DUMPABLE, 0)`: `/proc/<pid>/mem`, `/proc/<pid>/environ` and friends become
//!   owned by root, and `ptrace` attach by the same (unprivileged) user fails.
//! - `setrlimit(RLIMIT_CORE, 0)`: a crash writes no core file holding the key.
//! - every `LD_*` variable is removed from the environment, so nothing the process might start
//!   inherits a preload or library path chosen by whoever launched it.
//!
//! Other Unix systems get the core-dump limit and the `LD_*` scrub; elsewhere [`harden`] does
//! nothing.
//!
//! Binaries call [`pre_main_hardening`] from a `#[ctor::ctor]` function, so the steps run
//! before `main` and before any thread exists; a failure then ends the process with the exit
//! code of [`HardeningError::exit_code`] (5 for `prctl`, 7 for `setrlimit`, as in Codex):
//!
//! ```ignore
//! #[ctor::ctor]
//! fn harden() {
//!     codex_hardening::pre_main_hardening();
//! }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;

/// Exit code used when `prctl(PR_SET_DUMPABLE, 0)` fails.
pub const EXIT_PRCTL_FAILED: u8 = 5;
/// Exit code used when `setrlimit(RLIMIT_CORE, 0)` fails.
pub const EXIT_RLIMIT_FAILED: u8 = 7;

/// Why a hardening step failed.
#[derive(Debug, thiserror::Error)]
pub enum HardeningError {
    /// The kernel refused `prctl(PR_SET_DUMPABLE, 0)`; retrying will not help.
    #[error("could not mark the process as not dumpable (prctl PR_SET_DUMPABLE): {0}")]
    NotDumpable(#[source] std::io::Error),
    /// The kernel refused to set the core-file size limit to zero; retrying will not help.
    #[error("could not disable core dumps (setrlimit RLIMIT_CORE): {0}")]
    CoreLimit(#[source] std::io::Error),
}

impl HardeningError {
    /// The process exit code that reports this failure.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            HardeningError::NotDumpable(_) => EXIT_PRCTL_FAILED,
            HardeningError::CoreLimit(_) => EXIT_RLIMIT_FAILED,
        }
    }
}

/// Runs [`harden`] and ends the process if a step fails.
///
/// Meant for a `#[ctor::ctor]` function: it writes `ERROR: <reason>` to stderr and exits with
/// [`HardeningError::exit_code`], because continuing without protection would expose the secret.
pub fn pre_main_hardening() {
    if let Err(err) = harden() {
        // Nothing else can report the failure this early; a failed write changes nothing.
        let _ = writeln!(std::io::stderr(), "ERROR: {err}");
        std::process::exit(i32::from(err.exit_code()));
    }
}

/// Applies every hardening step this platform supports.
///
/// Call it while the process has a single thread: it edits the environment.
pub fn harden() -> Result<(), HardeningError> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    set_not_dumpable()?;
    #[cfg(unix)]
    {
        disable_core_dumps()?;
        remove_env_vars_with_prefix(b"LD_");
    }
    Ok(())
}

/// Clears the dumpable flag, which also blocks `ptrace` attach by the same user.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn set_not_dumpable() -> Result<(), HardeningError> {
    // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory of ours.
    let rc = unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(HardeningError::NotDumpable(std::io::Error::last_os_error()))
    }
}

/// Sets both the soft and the hard core-file size limit to zero.
#[cfg(unix)]
fn disable_core_dumps() -> Result<(), HardeningError> {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit that outlives the call; the kernel only reads it.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &raw const limit) };
    if rc == 0 {
        Ok(())
    } else {
        Err(HardeningError::CoreLimit(std::io::Error::last_os_error()))
    }
}

/// Removes every environment variable whose name starts with `prefix`, comparing raw bytes so
/// that names which are not UTF-8 are removed too.
#[cfg(unix)]
fn remove_env_vars_with_prefix(prefix: &[u8]) {
    use std::os::unix::ffi::OsStrExt as _;

    for key in env_keys_with_prefix(std::env::vars_os().map(|(key, _)| key), prefix) {
        // SAFETY: this runs before `main` (from a constructor), while the process has a single
        // thread, so no other thread can read the environment concurrently.
        unsafe { std::env::remove_var(std::ffi::OsStr::from_bytes(&key)) };
    }
}

/// The names among `keys` that start with `prefix`, as raw bytes.
#[cfg(unix)]
fn env_keys_with_prefix(
    keys: impl Iterator<Item = std::ffi::OsString>,
    prefix: &[u8],
) -> Vec<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt as _;

    keys.map(|key| key.as_bytes().to_vec())
        .filter(|key| key.starts_with(prefix))
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt as _;

    #[test]
    fn selects_only_prefixed_names_including_non_utf8_ones() {
        let keys = vec![
            OsString::from("LD_PRELOAD"),
            OsString::from("PATH"),
            OsString::from("OLD_LD_THING"),
            OsString::from_vec(b"LD_\xff\xfe".to_vec()),
            OsString::from("ld_lowercase"),
        ];
        let picked = env_keys_with_prefix(keys.into_iter(), b"LD_");
        assert_eq!(
            picked,
            vec![b"LD_PRELOAD".to_vec(), b"LD_\xff\xfe".to_vec()]
        );
    }

    #[test]
    fn exit_codes_match_codex() {
        let io = || std::io::Error::from_raw_os_error(libc::EPERM);
        assert_eq!(HardeningError::NotDumpable(io()).exit_code(), 5);
        assert_eq!(HardeningError::CoreLimit(io()).exit_code(), 7);
    }
}
