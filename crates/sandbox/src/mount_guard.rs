//! Keeping `.git` and `.codex` read-only inside a writable root with bind mounts.
//!
//! Landlock can only add access, so it cannot say "the whole root except its `.git`" in one
//! rule. Instead each existing protected path is bind-mounted onto itself read-only, in a
//! mount namespace private to this process (and everything it execs), and the root gets one
//! Landlock write rule. The read-only mount refuses every write beneath it (`EROFS`), and the
//! mountpoint itself cannot be removed, renamed or replaced (`EBUSY`); Landlock refuses the
//! command any `mount`/`umount` of its own, so it cannot take the mounts away again, and
//! Landlock's ptrace scoping keeps it from opening another process's `/proc/PID/ns/mnt` to
//! `setns` back into a namespace without them.
//!
//! Setting up takes a few system calls in this process, before Landlock and seccomp, with no
//! fork and no re-exec:
//! - root: `unshare(CLONE_NEWNS)`;
//! - anyone else (or root without `CAP_SYS_ADMIN`): `unshare(CLONE_NEWUSER | CLONE_NEWNS)` and
//!   a user namespace that maps the caller's uid and gid to themselves, so files keep their
//!   real owner and the command, not being uid 0 there, loses every capability at `execve`;
//! - then `/` is made recursively private (nothing propagates back to the host), and each
//!   path is bind-mounted onto itself and remounted read-only, keeping the `nosuid`, `nodev`,
//!   `noexec` and `nosymfollow` flags of the mount it lies on (the kernel refuses to drop
//!   them inside a user namespace).
//!
//! When the namespace cannot be had (user namespaces disabled, a container's seccomp
//! profile, or already inside a sandbox), the caller falls back to granting the root's
//! children one by one, which keeps the protection at the price of entries directly in the
//! root (see `landlock_rules`).

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::SandboxError;
use crate::roots::WritableRoot;

/// `ST_NOSYMFOLLOW` from `statvfs(3)`; not in every libc release.
const ST_NOSYMFOLLOW: libc::c_ulong = 0x2000;

/// Why the namespace or a mount could not be set up: the step and the kernel's answer.
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

/// The paths to mount read-only: the existing protected subpaths of every root that are not
/// symlinks (a mount would land on the target, leaving the link itself replaceable), without
/// those already beneath another one, outermost first.
pub(crate) fn targets(roots: &[WritableRoot]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = roots
        .iter()
        .flat_map(|root| root.read_only_subpaths.iter())
        .filter(|path| std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink()))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        // Sorted, so an ancestor comes before everything beneath it.
        if !out.iter().any(|outer| path.starts_with(outer)) {
            out.push(path);
        }
    }
    out
}

/// Moves this process into a private mount namespace and mounts each of `paths` read-only
/// onto itself. `Ok(Err(_))` says the namespace or a mount could not be had (the caller
/// falls back); `Err(_)` is a half-made user namespace this process cannot go on from.
pub(crate) fn protect(paths: &[PathBuf]) -> Result<Result<(), Unavailable>, SandboxError> {
    if let Err(unavailable) = enter_namespace()? {
        return Ok(Err(unavailable));
    }
    Ok(mount_read_only(paths))
}

fn enter_namespace() -> Result<Result<(), Unavailable>, SandboxError> {
    // SAFETY: geteuid/getegid only read this process's credentials.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    // Root with CAP_SYS_ADMIN needs no user namespace; root without it (a container) gets
    // EPERM here and tries the user namespace like anyone else.
    if uid == 0 && unshare(libc::CLONE_NEWNS).is_ok() {
        return Ok(Ok(()));
    }
    if let Err(source) = unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) {
        return Ok(Err(Unavailable {
            step: "unshare(CLONE_NEWUSER | CLONE_NEWNS)".to_owned(),
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
    Ok(Ok(()))
}

fn mount_read_only(paths: &[PathBuf]) -> Result<(), Unavailable> {
    mount(None, Path::new("/"), libc::MS_REC | libc::MS_PRIVATE)
        .map_err(|source| unavailable("make / private", Path::new("/"), source))?;
    for path in paths {
        let flags = carried_flags(path).map_err(|source| unavailable("statvfs", path, source))?;
        mount(Some(path), path, libc::MS_BIND | libc::MS_REC)
            .map_err(|source| unavailable("bind-mount", path, source))?;
        mount(
            None,
            path,
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | flags,
        )
        .map_err(|source| unavailable("remount read-only", path, source))?;
    }
    Ok(())
}

fn unavailable(step: &str, path: &Path, source: io::Error) -> Unavailable {
    Unavailable {
        step: format!("{step} {}", path.display()),
        source,
    }
}

/// The mount flags of the mount `path` lies on that a read-only remount must keep.
fn carried_flags(path: &Path) -> io::Result<libc::c_ulong> {
    let c_path = c_string(path)?;
    // SAFETY: an all-zero statvfs is a valid value of this plain C struct.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a NUL-terminated string and `stat` a valid, writable statvfs.
    if unsafe { libc::statvfs(c_path.as_ptr(), &raw mut stat) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut flags = 0;
    for (st, ms) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (ST_NOSYMFOLLOW, libc::MS_NOSYMFOLLOW),
    ] {
        if stat.f_flag & st != 0 {
            flags |= ms;
        }
    }
    Ok(flags)
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

fn mount(source: Option<&Path>, target: &Path, flags: libc::c_ulong) -> io::Result<()> {
    let source = source.map(c_string).transpose()?;
    let target = c_string(target)?;
    let source_ptr = source.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: the strings are NUL-terminated and outlive the call; a null source, file
    // system type and data are what bind mounts, remounts and propagation changes expect.
    let rc = unsafe {
        libc::mount(
            source_ptr,
            target.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn c_string(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn targets_skip_missing_symlinks_and_nested_paths() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("ws/.git/worktrees/wt")).unwrap();
        std::fs::create_dir_all(base.join("other")).unwrap();
        std::fs::write(base.join("other/.git"), "gitdir: x\n").unwrap();
        std::os::unix::fs::symlink(base.join("ws/.git"), base.join("other/.codex")).unwrap();
        let roots = [
            WritableRoot {
                root: base.join("ws"),
                read_only_subpaths: vec![
                    base.join("ws/.git"),
                    base.join("ws/.codex"),
                    base.join("ws/.git/worktrees/wt"),
                ],
            },
            WritableRoot {
                root: base.join("other"),
                read_only_subpaths: vec![base.join("other/.git"), base.join("other/.codex")],
            },
            WritableRoot {
                root: base.clone(),
                read_only_subpaths: vec![base.join("ws/.git")],
            },
        ];
        assert_eq!(
            targets(&roots),
            vec![base.join("other/.git"), base.join("ws/.git")]
        );
    }
}
