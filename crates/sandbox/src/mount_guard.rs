//! Keeping `.git` and `.codex` read-only inside a writable root with bind mounts.
//!
//! Landlock can only add access, so it cannot say "the whole root except its `.git`" in one
//! rule. Instead each existing protected path is bind-mounted onto itself read-only, in the
//! sandbox's mount namespace (see `layout`, which builds the rest of the view first), and
//! the root gets one Landlock write rule. The read-only mount refuses every write beneath it
//! (`EROFS`), and the mountpoint itself cannot be removed, renamed or replaced (`EBUSY`);
//! Landlock and seccomp refuse the command every mount call, and it holds no capability, so
//! it cannot take the mounts away again; and the PID namespace leaves it no other process
//! whose mount namespace it could enter.
//!
//! Each remount keeps the `nosuid`, `nodev`, `noexec` and `nosymfollow` flags of the mount it
//! lies on (the kernel refuses to drop them inside a user namespace).

use std::io;
use std::path::{Path, PathBuf};

use crate::layout::{c_string, mount};
use crate::namespaces::Unavailable;
use crate::roots::WritableRoot;

/// `ST_NOSYMFOLLOW` from `statvfs(3)`; not in every libc release.
const ST_NOSYMFOLLOW: libc::c_ulong = 0x2000;

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

/// Mounts each of `paths` read-only onto itself, in the current (private) mount namespace.
pub(crate) fn mount_read_only(paths: &[PathBuf]) -> Result<(), Unavailable> {
    for path in paths {
        let flags = carried_flags(path).map_err(|source| unavailable("statvfs", path, source))?;
        mount(Some(path), path, None, libc::MS_BIND | libc::MS_REC)
            .map_err(|source| unavailable("bind-mount", path, source))?;
        mount(
            None,
            path,
            None,
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
