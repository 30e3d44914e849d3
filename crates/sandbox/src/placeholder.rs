//! Mount points for the protected names a writable root does not have yet.
//!
//! A `.git` that a command may create is a repository whose config (`core.fsmonitor`, hooks)
//! runs, unconfined, the next time the user types `git` there or in any directory beneath it
//! that has no repository of its own; a `.codex` is project config. A read-only bind mount
//! (`mount_guard`) needs an existing path to land on, so for each protected name missing from
//! a writable root the helper makes a placeholder before the namespaces exist, the guard
//! mounts it read-only like an existing path, and the helper removes it again once the
//! command has ended.
//!
//! A placeholder is a Unix socket inode with no socket behind it (`mknodat(S_IFSOCK)`, one
//! system call, relative to the open root, so no length limit of a socket address applies):
//! it takes no data block, so making and removing one costs a fraction of an empty
//! directory, whose block allocation and release (a synchronous discard on filesystems
//! mounted with `discard`) made it the largest single cost of starting a command. Git treats
//! a `.git` that is neither file nor directory as absent and looks further up, as it does for
//! a missing one, and opening it fails at once (`ENXIO`) rather than blocking. Where the
//! filesystem has no socket inodes, the placeholder is an empty directory, which git skips
//! too.
//!
//! Two sandboxes may share a root (two agents in one workspace, `/tmp`). Each holds a shared
//! `flock` on every root it made or joined a placeholder in, and removes its placeholders
//! afterwards only when it can take that lock exclusively, that is when no other sandbox
//! still has them mounted (removing a mount point unmounts it in every other mount
//! namespace). A socket cannot be opened to be locked, hence the lock on the root. The sticky
//! bit marks a placeholder, so one left behind (its helper killed) is known for what it is
//! and removed by the next sandbox that uses it; a user's own `.git` or `.codex` is never
//! touched.
//!
//! Only the helper holds the locks: the namespace's init closes its copies at once, since a
//! descriptor of a root opened before the mounts reaches its protected names beneath their
//! read-only mounts.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::roots::{PROTECTED_NAMES, WritableRoot};

/// The placeholders one sandbox relies on, their roots locked shared while it runs.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    roots: Vec<LockedRoot>,
}

/// A root with placeholders in it, open and locked shared.
#[derive(Debug)]
struct LockedRoot {
    dir: File,
    held: Vec<Held>,
}

/// A placeholder this sandbox made or joined.
#[derive(Debug)]
struct Held {
    /// Its name in the locked root: every later step works relative to the root's descriptor,
    /// so a path swapped under the unconfined helper never leads it elsewhere.
    name: CString,
    /// Device and inode when it was made or joined: only that one is removed.
    id: (u64, u64),
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Socket,
    Directory,
}

/// A placeholder's mode: the sticky bit marks it (nobody puts one on their `.git`).
const PLACEHOLDER_MODE: u32 = 0o1755;

impl Placeholders {
    /// Makes (or joins) a placeholder for every protected name missing directly inside one of
    /// `roots`. A name that cannot be made is skipped: a command, with fewer rights than the
    /// helper, cannot make it either.
    pub(crate) fn create(roots: &[WritableRoot]) -> Self {
        let mut locked: Vec<LockedRoot> = Vec::new();
        for root in roots {
            // Missing names, and placeholders already there (another sandbox's, or left).
            let wanted: Vec<&PathBuf> = root
                .read_only_subpaths
                .iter()
                .filter(|path| {
                    path.parent() == Some(root.root.as_path())
                        && path
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| PROTECTED_NAMES.contains(&n))
                        && std::fs::symlink_metadata(path)
                            .map_or(true, |m| m.mode() & 0o7777 == PLACEHOLDER_MODE)
                })
                .collect();
            if wanted.is_empty() || locked.iter().any(|l| l.covers(&root.root)) {
                continue;
            }
            let Ok(dir) = open_directory(&root.root) else {
                continue;
            };
            if lock(&dir, libc::LOCK_SH).is_err() {
                continue;
            }
            let held: Vec<Held> = wanted
                .into_iter()
                .filter_map(|path| make_or_join(&dir, path))
                .collect();
            // Kept even when nothing here is this sandbox's to remove: a placeholder another
            // sandbox is still making is mounted here too, and must outlive this command.
            locked.push(LockedRoot { dir, held });
        }
        Self { roots: locked }
    }

    /// In the helper, once the command has ended: removes each placeholder, unless another
    /// sandbox still holds its root. The helper lives in the host's mount namespace (see
    /// `namespaces`), where the placeholder is no mountpoint, so no unmount is needed.
    pub(crate) fn remove(self) {
        for root in self.roots {
            if lock(&root.dir, libc::LOCK_EX | libc::LOCK_NB).is_err() {
                continue;
            }
            for held in root.held {
                let still_ours =
                    stat_at(&root.dir, &held.name).is_ok_and(|m| (m.st_dev, m.st_ino) == held.id);
                if !still_ours {
                    continue;
                }
                // A directory that is not empty is not ours any more: it stays.
                let _ = remove_at(&root.dir, &held.name, held.kind);
            }
        }
    }
}

impl LockedRoot {
    /// Whether this lock is on `root` already (a root listed twice).
    fn covers(&self, root: &Path) -> bool {
        match (self.dir.metadata(), std::fs::metadata(root)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
}

/// Makes a placeholder at `path` in the locked root `dir`, or joins the one another sandbox
/// made (or one left behind). `None` when something else is there now.
///
/// The helper is unconfined here and a concurrent sandbox may be renaming things in this
/// root, so nothing follows a path: the placeholder is made already marked (under a zero
/// umask, so no chmod is needed) and looked at relative to `dir` without following links.
fn make_or_join(dir: &File, path: &Path) -> Option<Held> {
    let name = CString::new(path.file_name()?.as_bytes()).ok()?;
    let made = {
        let _umask = ZeroUmask::set();
        match make_at(dir, &name, libc::S_IFSOCK) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
            // No socket inodes on this filesystem: an empty directory instead.
            Err(_) => match make_at(dir, &name, libc::S_IFDIR) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
                Err(_) => return None,
            },
        }
    };
    // Made here or by another sandbox: either way it must be a marked placeholder now.
    let meta = stat_at(dir, &name).ok()?;
    let kind = match meta.st_mode & libc::S_IFMT {
        libc::S_IFSOCK => Kind::Socket,
        // Joined directories must be empty; one made here is (the root is locked).
        libc::S_IFDIR if made || is_empty_dir_at(dir, &name) => Kind::Directory,
        _ => return None,
    };
    (meta.st_mode & 0o7777 == PLACEHOLDER_MODE).then_some(Held {
        name,
        id: (meta.st_dev, meta.st_ino),
        kind,
    })
}

/// Creates `name` in the open directory `dir`: a socket inode (`S_IFSOCK`) or a directory
/// (`S_IFDIR`), with the placeholder's mode (less what the umask takes off).
fn make_at(dir: &File, name: &CStr, kind: libc::mode_t) -> io::Result<()> {
    // SAFETY: mknodat/mkdirat read a NUL-terminated name relative to a descriptor we borrow;
    // a socket inode needs no device number and no privilege.
    let rc = unsafe {
        if kind == libc::S_IFDIR {
            libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), PLACEHOLDER_MODE)
        } else {
            libc::mknodat(dir.as_raw_fd(), name.as_ptr(), kind | PLACEHOLDER_MODE, 0)
        }
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `lstat` of `name` in the open directory `dir`.
fn stat_at(dir: &File, name: &CStr) -> io::Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value for fstatat to overwrite.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: the name is NUL-terminated, `stat` is writable and both outlive the call.
    let rc = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &raw mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if rc == 0 {
        Ok(stat)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether `name` in `dir` is a directory with nothing in it (not following a link).
fn is_empty_dir_at(dir: &File, name: &CStr) -> bool {
    // SAFETY: openat with a NUL-terminated name relative to a borrowed descriptor; the
    // returned descriptor is owned by the File from here on.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return false;
    }
    // SAFETY: `fd` was just opened and nothing else owns it.
    let opened = unsafe { File::from_raw_fd(fd) };
    // Listed through the descriptor, so what is listed is what was opened.
    std::fs::read_dir(format!("/proc/self/fd/{}", opened.as_raw_fd()))
        .is_ok_and(|mut entries| entries.next().is_none())
}

/// Removes the placeholder `name` from the open directory `dir`.
fn remove_at(dir: &File, name: &CStr, kind: Kind) -> io::Result<()> {
    let flags = match kind {
        Kind::Socket => 0,
        Kind::Directory => libc::AT_REMOVEDIR,
    };
    // SAFETY: unlinkat reads a NUL-terminated name relative to a borrowed descriptor.
    if unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The process umask set to zero until dropped (the helper is single-threaded here).
struct ZeroUmask(libc::mode_t);

impl ZeroUmask {
    fn set() -> Self {
        // SAFETY: umask only swaps this process's file-creation mask.
        Self(unsafe { libc::umask(0) })
    }
}

impl Drop for ZeroUmask {
    fn drop(&mut self) {
        // SAFETY: as in `set`, restoring the previous mask.
        unsafe {
            libc::umask(self.0);
        }
    }
}

fn open_directory(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)
}

fn lock(dir: &File, operation: libc::c_int) -> io::Result<()> {
    loop {
        // SAFETY: flock on a descriptor this function borrows, with integer flags.
        if unsafe { libc::flock(dir.as_raw_fd(), operation) } == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    use super::*;

    fn root_with_missing_names(dir: &Path) -> WritableRoot {
        WritableRoot {
            root: dir.to_owned(),
            read_only_subpaths: vec![dir.join(".git"), dir.join(".codex")],
        }
    }

    fn held(placeholders: &Placeholders) -> Vec<(CString, Kind)> {
        placeholders
            .roots
            .iter()
            .flat_map(|r| r.held.iter().map(|h| (h.name.clone(), h.kind)))
            .collect()
    }

    #[test]
    fn placeholders_are_sockets_removed_when_nobody_else_holds_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = root_with_missing_names(dir.path());
        let first = Placeholders::create(std::slice::from_ref(&root));
        let git = dir.path().join(".git");
        let meta = std::fs::symlink_metadata(&git).unwrap();
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.mode() & 0o7777, PLACEHOLDER_MODE);
        assert_eq!(held(&first).len(), 2);
        // A second sandbox joins them; the first cannot remove what the second still holds.
        let second = Placeholders::create(std::slice::from_ref(&root));
        assert_eq!(held(&second).len(), 2);
        first.remove();
        assert!(
            std::fs::symlink_metadata(&git).is_ok(),
            "removed while in use"
        );
        // The ones left behind are the second's to remove.
        second.remove();
        assert!(std::fs::symlink_metadata(&git).is_err());
        assert!(std::fs::symlink_metadata(dir.path().join(".codex")).is_err());
    }

    #[test]
    fn git_looks_past_a_socket_placeholder() {
        let repo = tempfile::tempdir().unwrap();
        let init = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(repo.path())
            .status();
        if !init.is_ok_and(|s| s.success()) {
            return; // no git here
        }
        let sub = repo.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let placeholders = Placeholders::create(&[root_with_missing_names(&sub)]);
        let top = std::process::Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(&sub)
            .output()
            .unwrap();
        assert!(top.status.success(), "{top:?}");
        assert_eq!(
            Path::new(String::from_utf8_lossy(&top.stdout).trim()),
            repo.path().canonicalize().unwrap()
        );
        placeholders.remove();
    }

    #[test]
    fn a_path_too_long_for_a_socket_address_still_gets_one() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("d".repeat(60)).join("e".repeat(60));
        std::fs::create_dir_all(&deep).unwrap();
        let placeholders = Placeholders::create(&[root_with_missing_names(&deep)]);
        let kinds: Vec<Kind> = held(&placeholders).into_iter().map(|(_, k)| k).collect();
        assert_eq!(kinds, [Kind::Socket, Kind::Socket]);
        assert!(
            std::fs::symlink_metadata(deep.join(".git")).is_ok_and(|m| m.file_type().is_socket())
        );
        placeholders.remove();
        assert!(std::fs::symlink_metadata(deep.join(".git")).is_err());
    }

    #[test]
    fn a_placeholder_left_behind_is_joined_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = root_with_missing_names(dir.path());
        // A helper killed before it could remove them: its locks went with it.
        drop(Placeholders::create(std::slice::from_ref(&root)));
        // An old-style directory placeholder, too.
        std::fs::remove_file(dir.path().join(".codex")).unwrap();
        std::fs::create_dir(dir.path().join(".codex")).unwrap();
        std::fs::set_permissions(
            dir.path().join(".codex"),
            std::fs::Permissions::from_mode(PLACEHOLDER_MODE),
        )
        .unwrap();
        let next = Placeholders::create(std::slice::from_ref(&root));
        let mut kinds: Vec<Kind> = held(&next).into_iter().map(|(_, k)| k).collect();
        kinds.sort_by_key(|k| *k == Kind::Directory);
        assert_eq!(kinds, [Kind::Socket, Kind::Directory]);
        next.remove();
        assert!(std::fs::symlink_metadata(dir.path().join(".git")).is_err());
        assert!(std::fs::symlink_metadata(dir.path().join(".codex")).is_err());
    }

    #[test]
    fn a_users_own_things_are_never_joined_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".codex")).unwrap();
        let root = root_with_missing_names(dir.path());
        // Made between the look and the bind: an unmarked socket, an unmarked directory.
        assert!(
            make_or_join(
                &open_directory(dir.path()).unwrap(),
                &dir.path().join(".codex")
            )
            .is_none()
        );
        let user_socket = std::os::unix::net::UnixDatagram::bind(dir.path().join(".git")).unwrap();
        assert!(
            make_or_join(
                &open_directory(dir.path()).unwrap(),
                &dir.path().join(".git")
            )
            .is_none()
        );
        drop(user_socket);
        let placeholders = Placeholders::create(std::slice::from_ref(&root));
        assert!(held(&placeholders).is_empty());
        placeholders.remove();
        assert!(dir.path().join(".codex").is_dir());
        assert!(std::fs::symlink_metadata(dir.path().join(".git")).is_ok());
    }
}
