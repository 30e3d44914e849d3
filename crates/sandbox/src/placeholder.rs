//! Mount points for the protected names a writable root does not have yet.
//!
//! A `.git` that a command may create is a repository whose config (`core.fsmonitor`, hooks)
//! runs, unconfined, the next time the user types `git` there or in any directory beneath it
//! that has no repository of its own; a `.codex` is project config. A read-only bind mount
//! (`mount_guard`) needs an existing path to land on, so for each protected name missing from
//! a writable root the helper makes an empty directory before the namespaces exist, the guard
//! mounts it read-only like an existing one, and the helper removes it again once the command
//! has ended. Git skips an empty `.git` directory when it looks for a repository, so the user's
//! own `git` sees no difference while a command runs.
//!
//! Two sandboxes may share a root (two agents in one workspace, `/tmp`). Each holds a shared
//! `flock` on every placeholder it relies on and removes it afterwards only when it can take
//! the lock exclusively, that is when no other sandbox still has it mounted (removing a
//! directory unmounts it in every other mount namespace). Placeholders carry the sticky bit, so
//! one left behind (still in use when its maker finished, or its helper killed) is known for
//! what it is and removed by the next sandbox that uses it; a user's own empty `.git` or
//! `.codex` (no sticky bit) is used but never removed.
//!
//! Only the helper holds the locks: the namespace's init closes its copies at once, since a
//! descriptor opened before the mounts reaches the directory beneath its read-only mount.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::roots::{PROTECTED_NAMES, WritableRoot};

/// The placeholders one sandbox relies on, locked shared while it runs.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    held: Vec<Held>,
}

#[derive(Debug)]
struct Held {
    path: PathBuf,
    dir: File,
    /// A placeholder (made here, or left by another sandbox), so it is removed when nobody
    /// else uses it; `false` for a user's own empty directory.
    removable: bool,
}

/// A placeholder's mode: the sticky bit marks it (nobody puts one on their `.git`).
const PLACEHOLDER_MODE: u32 = 0o1755;

/// How many times a lookup races a removal by another sandbox before giving up.
const ATTEMPTS: usize = 3;

impl Placeholders {
    /// Makes (or joins) a placeholder for every protected name missing directly inside one of
    /// `roots`. A name that cannot be made is skipped: a command, with fewer rights than the
    /// helper, cannot make it either.
    pub(crate) fn create(roots: &[WritableRoot]) -> Self {
        let mut held = Vec::new();
        for root in roots {
            for path in &root.read_only_subpaths {
                let is_protected_name = path.parent() == Some(root.root.as_path())
                    && path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| PROTECTED_NAMES.contains(&n));
                if !is_protected_name || held.iter().any(|h: &Held| &h.path == path) {
                    continue;
                }
                if let Some(placeholder) = join_or_make(path) {
                    held.push(placeholder);
                }
            }
        }
        Self { held }
    }

    /// In the helper, once the command has ended: removes each placeholder, unless another
    /// sandbox still holds it. The helper lives in the host's mount namespace
    /// (see `namespaces`), where the placeholder is no mountpoint, so no unmount is needed.
    pub(crate) fn remove(self) {
        for held in self.held {
            if !held.removable {
                continue;
            }
            if try_lock(&held.dir, libc::LOCK_EX | libc::LOCK_NB).is_ok()
                && same_directory(&held.dir, &held.path)
            {
                // Not empty means it is not ours any more (or never was): keep it.
                let _ = std::fs::remove_dir(&held.path);
            }
        }
    }
}

/// Creates `path` as an empty directory, or joins the placeholder another sandbox made, and
/// locks it shared. `None` when something else exists there now or the lookup keeps racing.
fn join_or_make(path: &Path) -> Option<Held> {
    for _ in 0..ATTEMPTS {
        let removable = match std::fs::DirBuilder::new().mode(0o700).create(path) {
            Ok(()) => {
                // The mark, set before anyone can rely on it (mode bits of mkdir pass the umask).
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(PLACEHOLDER_MODE))
                    .ok()?;
                true
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // Someone's: join it only when it is a real, empty directory.
                let meta = std::fs::symlink_metadata(path).ok()?;
                if !meta.is_dir() || std::fs::read_dir(path).ok()?.next().is_some() {
                    return None;
                }
                meta.mode() & 0o7777 == PLACEHOLDER_MODE
            }
            Err(_) => return None,
        };
        let dir = open_directory(path).ok()?;
        if try_lock(&dir, libc::LOCK_SH).is_err() {
            return None;
        }
        // A sandbox that was removing it may have won the race to the lock.
        if same_directory(&dir, path) {
            return Some(Held {
                path: path.to_owned(),
                dir,
                removable,
            });
        }
    }
    None
}

fn open_directory(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

fn try_lock(dir: &File, operation: libc::c_int) -> io::Result<()> {
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

/// Whether `path` still names the directory `dir` was opened on.
fn same_directory(dir: &File, path: &Path) -> bool {
    match (dir.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with_missing_names(dir: &Path) -> WritableRoot {
        WritableRoot {
            root: dir.to_owned(),
            read_only_subpaths: vec![dir.join(".git"), dir.join(".codex")],
        }
    }

    #[test]
    fn placeholders_are_removed_when_nobody_else_holds_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = root_with_missing_names(dir.path());
        let first = Placeholders::create(std::slice::from_ref(&root));
        let git = dir.path().join(".git");
        assert!(git.is_dir() && dir.path().join(".codex").is_dir());
        assert_eq!(
            std::fs::metadata(&git).unwrap().mode() & 0o7777,
            PLACEHOLDER_MODE
        );
        // A second sandbox joins them; the first cannot remove what the second still holds.
        let second = Placeholders::create(std::slice::from_ref(&root));
        assert!(second.held.iter().all(|h| h.removable));
        first.remove();
        assert!(git.is_dir(), "removed while in use");
        // The one left behind is the second's to remove.
        second.remove();
        assert!(!git.exists());
        assert!(!dir.path().join(".codex").exists());
    }

    #[test]
    fn a_users_own_empty_directory_is_used_but_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".codex")).unwrap();
        std::fs::set_permissions(
            dir.path().join(".codex"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let root = root_with_missing_names(dir.path());
        let placeholders = Placeholders::create(std::slice::from_ref(&root));
        assert_eq!(placeholders.held.len(), 2);
        placeholders.remove();
        assert!(dir.path().join(".codex").is_dir());
        assert!(!dir.path().join(".git").exists());
    }

    #[test]
    fn existing_content_is_never_joined_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(dir.path().join(".codex"), "a file\n").unwrap();
        let root = root_with_missing_names(dir.path());
        let placeholders = Placeholders::create(std::slice::from_ref(&root));
        assert!(placeholders.held.is_empty());
        placeholders.remove();
        assert!(dir.path().join(".git/HEAD").exists());
        assert!(dir.path().join(".codex").is_file());
    }
}
