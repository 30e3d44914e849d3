//! The namespaces every sandboxed command gets: mount, PID and IPC, plus a user namespace
//! when the caller is not root.
//!
//! - mount: the read-only view of the host built by `layout`;
//! - PID: the helper's child is the namespace's init, so when the command ends every process
//!   it left behind (background jobs, `setsid` daemons) is killed by the kernel, and no pid
//!   outside the sandbox can be named (`kill`, `/proc/<pid>`, `pidfd_open`);
//! - IPC: System V shared memory, semaphores and message queues of other processes are out
//!   of reach;
//! - user (not root, or root without `CAP_SYS_ADMIN` in a container): maps the caller's uid
//!   and gid to themselves, so files keep their real owner, and gives the helper the
//!   capabilities it needs to mount, which `caps` drops again before the command starts.
//!
//! `unshare` moves this process into the new IPC and user namespaces at once; the PID
//! namespace only applies to children, hence the fork in `supervise`. The mount namespace is
//! made by that child, the namespace's init ([`enter_mount`]): the helper keeps the host's
//! view, where it removes the placeholders of `placeholder` once the command has ended
//! without first unmounting them (an unmount waits for an RCU grace period, milliseconds on
//! a loaded machine, on every command).

use std::io;

use crate::error::SandboxError;

/// Why the namespaces or a mount could not be set up: the step and the kernel's answer.
#[derive(Debug)]
pub(crate) struct Unavailable {
    pub(crate) step: String,
    pub(crate) source: io::Error,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.step, self.source)
    }
}

/// Which kind of namespaces were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Root with `CAP_SYS_ADMIN`: no user namespace, the command runs as the real root (with
    /// no capabilities).
    Root,
    /// A user namespace mapping the caller's ids to themselves.
    UserNamespace,
}

/// Enters new namespaces. `Ok(Err(_))` says they could not be had (nothing changed);
/// `Err(_)` is a half-made user namespace this process cannot go on from.
pub(crate) fn enter() -> Result<Result<Owner, Unavailable>, SandboxError> {
    let flags = libc::CLONE_NEWPID | libc::CLONE_NEWIPC;
    // SAFETY: geteuid/getegid only read this process's credentials.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    // Root without CAP_SYS_ADMIN (a container) gets EPERM here and tries the user namespace
    // like anyone else.
    if uid == 0 && unshare(flags).is_ok() {
        return Ok(Ok(Owner::Root));
    }
    if let Err(source) = unshare(libc::CLONE_NEWUSER | flags) {
        return Ok(Err(Unavailable {
            step: "unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC)".to_owned(),
            source,
        }));
    }
    // From here on this process is in the new user namespace: a failure cannot be undone.
    let map = |file: &str, contents: String| {
        std::fs::write(file, contents).map_err(|source| SandboxError::UserNamespace {
            file: file.to_owned(),
            source,
        })
    };
    map("/proc/self/setgroups", "deny".to_owned())?;
    map("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    map("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
    Ok(Ok(Owner::UserNamespace))
}

/// In the namespace's init: a mount namespace of its own, owned by the user namespace the
/// helper made (when it made one), for `layout` to build the command's view in.
pub(crate) fn enter_mount() -> Result<(), Unavailable> {
    unshare(libc::CLONE_NEWNS).map_err(|source| Unavailable {
        step: "unshare(CLONE_NEWNS)".to_owned(),
        source,
    })
}

fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes an integer and changes only this process's namespaces; the
    // process is single-threaded here, as CLONE_NEWUSER requires.
    if unsafe { libc::unshare(flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
