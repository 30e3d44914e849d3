//! Bounds on what a command inherits and how many processes it may start.
//!
//! - Descriptors above 2 are closed as the helper starts, so nothing the caller left open
//!   (a socket to the model, a credential file) reaches the command.
//! - The number of processes: for everyone but root, `RLIMIT_NPROC` inside the sandbox's own
//!   user namespace, which counts only the sandbox's processes. Real root is exempt from
//!   that limit, so for root the PID namespace's own `pid_max` is lowered instead (Linux
//!   6.14 made it per namespace; on older kernels the file is the host's and is left alone).

use std::io;

/// The most processes (and threads) one command may have at once.
pub(crate) const MAX_PROCESSES: u64 = 4096;

/// Closes every descriptor above stderr.
pub(crate) fn close_inherited_fds() {
    // SAFETY: close_range takes integers; the helper holds nothing above 2 it still needs.
    let rc = unsafe { libc::syscall(libc::SYS_close_range, 3_u32, u32::MAX, 0_u32) };
    if rc != 0 {
        // Kernels before 5.9: mark them close-on-exec one by one instead.
        if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
            let fds: Vec<i32> = entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .filter(|fd| *fd > 2)
                .collect();
            for fd in fds {
                // SAFETY: setting FD_CLOEXEC on a descriptor number has no memory effects.
                unsafe {
                    libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                }
            }
        }
    }
}

/// Bounds the number of processes; `real_root` says the command runs as the host's root.
/// Returns what could not be bounded, for the user (not a refusal: the PID namespace still
/// ends every process with the command).
pub(crate) fn limit_processes(real_root: bool) -> Option<String> {
    if real_root {
        if !kernel_at_least(6, 14) {
            return Some(format!(
                "kernel lacks a per-namespace pid_max (Linux 6.14), so root's commands may \
                 start any number of processes (up to the host's limit); wanted {MAX_PROCESSES}"
            ));
        }
        return std::fs::write("/proc/sys/kernel/pid_max", MAX_PROCESSES.to_string())
            .err()
            .map(|e| format!("cannot lower the sandbox's pid_max to {MAX_PROCESSES}: {e}"));
    }
    let limit = libc::rlimit {
        rlim_cur: MAX_PROCESSES,
        rlim_max: MAX_PROCESSES,
    };
    // SAFETY: setrlimit reads a valid rlimit struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &raw const limit) } != 0 {
        return Some(format!(
            "cannot set RLIMIT_NPROC to {MAX_PROCESSES}: {}",
            io::Error::last_os_error()
        ));
    }
    None
}

/// Whether the running kernel's release is at least `major.minor`.
fn kernel_at_least(major: u32, minor: u32) -> bool {
    // SAFETY: an all-zero utsname is valid, and uname fills it.
    let mut name: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is a valid, writable utsname.
    if unsafe { libc::uname(&raw mut name) } != 0 {
        return false;
    }
    let release: String = name
        .release
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| *c as u8 as char)
        .collect();
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse::<u32>().ok());
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found >= (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_version_compares() {
        assert!(kernel_at_least(2, 6));
        assert!(!kernel_at_least(999, 0));
    }
}
