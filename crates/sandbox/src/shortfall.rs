//! What the running kernel offers of Landlock, and what it lacks for our promise.
//!
//! The promise is: no writes outside the writable roots, no network unless allowed. Landlock
//! ABI 1 and 2 cannot stop `truncate(2)` on a file outside the roots, so ABI 3 (Linux 6.2) is
//! the least we accept without `--allow-partial`. Later ABIs add device ioctls (5), TCP rules
//! (4) and scopes (6); the seccomp filter already covers what matters of those, so their
//! absence is not a shortfall.

use std::fmt;

/// The Landlock ABI version this crate's rules are written and tested against; the ruleset
/// asks for it and the kernel gives what it has (best effort, then checked by us).
pub(crate) const TARGET_ABI: u32 = 7;

/// The oldest ABI that enforces every file-system part of the promise.
pub(crate) const REQUIRED_ABI: u32 = 3;

/// What the kernel answered when asked for its Landlock ABI version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelLandlock {
    /// Landlock is available at this ABI version.
    Abi(u32),
    /// The kernel was built without Landlock (`ENOSYS`).
    NotImplemented,
    /// Landlock is built in but not enabled at boot (`EOPNOTSUPP`).
    Disabled,
    /// The system call failed otherwise, typically a container's seccomp profile (errno).
    Refused(i32),
}

impl KernelLandlock {
    /// Asks the running kernel (one system call, no side effect).
    #[cfg(target_os = "linux")]
    pub fn query() -> Self {
        const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
        // SAFETY: with this flag the kernel ignores the (null) attribute pointer and the zero
        // size; it only returns the ABI version or an error, and creates nothing.
        let version = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<libc::c_void>(),
                0_usize,
                LANDLOCK_CREATE_RULESET_VERSION,
            )
        };
        if version > 0 {
            return Self::Abi(version as u32);
        }
        match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::EOPNOTSUPP) => Self::Disabled,
            Some(errno) if errno != libc::ENOSYS => Self::Refused(errno),
            _ => Self::NotImplemented,
        }
    }

    /// What this kernel lacks for full enforcement; `None` when nothing is missing.
    pub fn shortfall(self) -> Option<Shortfall> {
        match self {
            Self::Abi(abi) if abi >= REQUIRED_ABI => None,
            Self::Abi(abi) => Some(Shortfall::TruncateControl { abi }),
            Self::NotImplemented => Some(Shortfall::NoLandlock),
            Self::Disabled => Some(Shortfall::LandlockDisabled),
            Self::Refused(errno) => Some(Shortfall::LandlockRefused { errno }),
        }
    }

    /// Whether a ruleset can be created at all.
    pub fn available(self) -> bool {
        matches!(self, Self::Abi(_))
    }
}

/// A missing kernel feature, named for the person who has to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    /// A piece of the isolation around Landlock could not be set up: the namespaces, the
    /// read-only view of the host, a private `/proc` or `/dev/shm`.
    Isolation {
        /// What is missing, for the message.
        what: &'static str,
        /// The step that failed and the kernel's answer.
        detail: String,
    },
    /// No Landlock in this kernel.
    NoLandlock,
    /// Landlock compiled in but not enabled.
    LandlockDisabled,
    /// Landlock system calls fail with this errno.
    LandlockRefused {
        /// The errno returned.
        errno: i32,
    },
    /// Landlock below ABI 3 cannot stop `truncate(2)` outside the roots.
    TruncateControl {
        /// The ABI the kernel has.
        abi: u32,
    },
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Isolation { what, detail } => write!(
                f,
                "kernel lacks {what} ({detail}); without it commands could change files' \
                 metadata outside the roots, outlive the command or see other processes \
                 (user namespaces may be disabled: see sysctl user.max_user_namespaces, or a \
                 container's seccomp profile)"
            ),
            Self::NoLandlock => f.write_str(
                "kernel lacks Landlock (needs Linux 5.13 or later built with \
                 CONFIG_SECURITY_LANDLOCK=y), so file-system writes cannot be confined",
            ),
            Self::LandlockDisabled => f.write_str(
                "kernel lacks an enabled Landlock (it is built in but off: add `landlock` to \
                 the `lsm=` kernel boot parameter), so file-system writes cannot be confined",
            ),
            Self::LandlockRefused { errno } => write!(
                f,
                "kernel lacks a usable Landlock: its system calls fail with {} (a container's \
                 seccomp profile may block them)",
                std::io::Error::from_raw_os_error(*errno)
            ),
            Self::TruncateControl { abi } => write!(
                f,
                "kernel lacks Landlock truncate control (it has ABI {abi}; ABI {REQUIRED_ABI}, \
                 Linux 6.2, is needed), so files outside the writable roots could be truncated"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_three_and_later_are_enough() {
        for abi in [3, 4, 7, 12] {
            assert_eq!(KernelLandlock::Abi(abi).shortfall(), None);
        }
        assert_eq!(
            KernelLandlock::Abi(2).shortfall(),
            Some(Shortfall::TruncateControl { abi: 2 })
        );
    }

    #[test]
    fn messages_name_the_missing_feature() {
        let text = KernelLandlock::NotImplemented
            .shortfall()
            .unwrap()
            .to_string();
        assert!(text.starts_with("kernel lacks Landlock"), "{text}");
        let text = KernelLandlock::Disabled.shortfall().unwrap().to_string();
        assert!(text.contains("lsm="), "{text}");
        let text = KernelLandlock::Abi(1).shortfall().unwrap().to_string();
        assert!(
            text.contains("truncate control") && text.contains("ABI 1"),
            "{text}"
        );
        let text = KernelLandlock::Refused(1).shortfall().unwrap().to_string();
        assert!(text.contains("seccomp"), "{text}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_kernel_answers() {
        // Whatever the kernel, the query must not fail in an unexpected way.
        let answer = KernelLandlock::query();
        assert!(!matches!(answer, KernelLandlock::Abi(0)), "{answer:?}");
    }
}
