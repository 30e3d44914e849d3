//! The two processes around every sandboxed command: the helper outside the PID namespace,
//! and the namespace's init inside it.
//!
//! ```text
//! caller ── helper (outside, unconfined, waits) ── init (pid 1, confined) ── command
//! ```
//!
//! The helper forks once the namespaces exist; its child is pid 1 of the new PID namespace.
//! That init finishes the sandbox (mounts, limits, Landlock, capabilities, seccomp), starts
//! the command, reaps every orphan the command leaves, and exits with the command's status
//! as soon as the command itself ends. The kernel then kills everything still in the
//! namespace, so nothing started by the command outlives it. The helper exits with the same
//! status. If the helper is killed (a caller's timeout), `PR_SET_PDEATHSIG` kills the init,
//! and with it the namespace. Termination signals sent to the helper or the init are passed
//! on to the command. A command killed by signal N is reported as exit status 128+N.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

/// The pid signals are forwarded to (0: none yet).
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

/// The signals passed on; everything else keeps its default action.
const FORWARDED: [libc::c_int; 6] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

extern "C" fn forward(signal: libc::c_int) {
    let pid = FORWARD_TO.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe and takes plain integers.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// Forks. Returns in the child; in the parent, forwards signals to the child, waits for it,
/// runs `after_exit` and exits the process with its status. The child drops `after_exit`
/// unrun, closing whatever it owns. `die_with_parent` makes the child receive SIGKILL when
/// the parent dies.
pub(crate) fn fork_and_wait(die_with_parent: bool, after_exit: impl FnOnce()) -> io::Result<()> {
    // SAFETY: the helper is single-threaded, so the child is a complete copy.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        drop(after_exit);
        if die_with_parent {
            // SAFETY: prctl with integer arguments, on this process only.
            unsafe {
                libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                );
            }
        }
        return Ok(());
    }
    FORWARD_TO.store(pid, Ordering::Relaxed);
    install_forwarding();
    let status = wait_for(pid);
    after_exit();
    std::process::exit(status)
}

/// In the namespace's init, once the command `pid` runs: reaps every process until the
/// command ends, then exits with its status.
pub(crate) fn reap_until_exit(pid: u32) -> ! {
    let pid = pid as libc::pid_t;
    FORWARD_TO.store(pid, Ordering::Relaxed);
    install_forwarding();
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes the status into a valid int.
        let reaped = unsafe { libc::waitpid(-1, &raw mut status, 0) };
        if reaped == pid {
            std::process::exit(exit_code(status));
        }
        if reaped < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // No children left, which cannot happen before the command is reaped.
            std::process::exit(125);
        }
    }
}

fn install_forwarding() {
    for signal in FORWARDED {
        // SAFETY: an all-zero sigaction is valid; the handler only calls kill.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = forward as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&raw mut action.sa_mask);
            libc::sigaction(signal, &raw const action, std::ptr::null_mut());
        }
    }
}

fn wait_for(pid: libc::pid_t) -> i32 {
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes the status into a valid int.
        let rc = unsafe { libc::waitpid(pid, &raw mut status, 0) };
        if rc == pid {
            return exit_code(status);
        }
        if rc < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 125;
        }
    }
}

fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        125
    }
}
