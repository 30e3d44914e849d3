//! The state of the files a diff touches and of the index, taken before `git apply` runs, so
//! that a failed attempt (a three-way merge leaves conflict markers and index stages behind)
//! can be undone and the user finds the repository exactly as it was.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// What was at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Absent,
    File {
        bytes: Vec<u8>,
        mode: u32,
    },
    Symlink(PathBuf),
    /// A directory or something else we neither compare nor restore.
    Other,
}

impl Entry {
    fn read(path: &Path) -> std::io::Result<Entry> {
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Entry::Absent),
            Err(e) => return Err(e),
        };
        if meta.file_type().is_symlink() {
            return Ok(Entry::Symlink(fs::read_link(path)?));
        }
        if meta.is_file() {
            return Ok(Entry::File {
                bytes: fs::read(path)?,
                mode: meta.permissions().mode() & 0o7777,
            });
        }
        Ok(Entry::Other)
    }
}

/// The saved state; [`Snapshot::restore`] puts it back.
pub(crate) struct Snapshot {
    index: PathBuf,
    index_bytes: Option<Vec<u8>>,
    files: Vec<(PathBuf, Entry)>,
    /// Directories that did not exist, deepest first: removed again if left empty.
    missing_dirs: Vec<PathBuf>,
}

impl Snapshot {
    /// Saves `index` and the `paths` (relative to `root`).
    pub(crate) fn capture<'a>(
        root: &Path,
        index: PathBuf,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Result<Snapshot, String> {
        let index_bytes = match fs::read(&index) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", index.display())),
        };
        let mut files = Vec::new();
        let mut missing_dirs = Vec::new();
        for relative in paths {
            let path = root.join(relative);
            if files.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let entry =
                Entry::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| d.starts_with(root) && *d != root) {
                if d.exists() {
                    break;
                }
                if !missing_dirs.contains(&d.to_path_buf()) {
                    missing_dirs.push(d.to_path_buf());
                }
                dir = d.parent();
            }
            files.push((path, entry));
        }
        missing_dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        Ok(Snapshot {
            index,
            index_bytes,
            files,
            missing_dirs,
        })
    }

    /// Puts back every saved file that changed and the index; returns what could not be.
    pub(crate) fn restore(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for (path, saved) in &self.files {
            if let Err(e) = restore_entry(path, saved) {
                problems.push(format!("{}: {e}", path.display()));
            }
        }
        for dir in &self.missing_dirs {
            // Only empty ones go; anything else in them is not ours to remove.
            let _ = fs::remove_dir(dir);
        }
        if let Err(e) = self.restore_index() {
            problems.push(format!("{}: {e}", self.index.display()));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Whether `relative` (to `root`) existed as a file or link before.
    pub(crate) fn existed(&self, root: &Path, relative: &str) -> bool {
        let path = root.join(relative);
        self.files
            .iter()
            .any(|(p, e)| *p == path && *e != Entry::Absent)
    }

    fn restore_index(&self) -> std::io::Result<()> {
        let current = match fs::read(&self.index) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        if current == self.index_bytes {
            return Ok(());
        }
        match &self.index_bytes {
            None => fs::remove_file(&self.index),
            Some(bytes) => {
                // Written beside it and renamed, as git itself replaces the index.
                let temp = self.index.with_extension("codex-apply-restore");
                fs::write(&temp, bytes)?;
                fs::rename(&temp, &self.index)
            }
        }
    }
}

fn restore_entry(path: &Path, saved: &Entry) -> std::io::Result<()> {
    let current = Entry::read(path)?;
    if current == *saved || *saved == Entry::Other {
        return Ok(());
    }
    match current {
        Entry::Absent => {}
        Entry::File { .. } | Entry::Symlink(_) => fs::remove_file(path)?,
        Entry::Other => {
            return Err(std::io::Error::other(
                "became a directory; remove it by hand",
            ));
        }
    }
    match saved {
        Entry::Absent | Entry::Other => Ok(()),
        Entry::File { bytes, mode } => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, bytes)?;
            fs::set_permissions(path, fs::Permissions::from_mode(*mode))
        }
        Entry::Symlink(target) => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            std::os::unix::fs::symlink(target, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_dirs_links_and_the_index_come_back() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        fs::write(root.join("index"), b"INDEX").unwrap();
        fs::write(root.join("kept.sh"), b"echo\n").unwrap();
        fs::set_permissions(root.join("kept.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("kept.sh", root.join("link")).unwrap();
        let snapshot = Snapshot::capture(
            root,
            root.join("index"),
            ["kept.sh", "link", "new/deep/file.txt"],
        )
        .unwrap();

        fs::write(root.join("index"), b"CHANGED").unwrap();
        fs::write(root.join("kept.sh"), b"<<<<<<< ours\n").unwrap();
        fs::remove_file(root.join("link")).unwrap();
        fs::write(root.join("link"), b"now a file").unwrap();
        fs::create_dir_all(root.join("new/deep")).unwrap();
        fs::write(root.join("new/deep/file.txt"), b"added").unwrap();
        snapshot.restore().unwrap();

        assert_eq!(fs::read(root.join("index")).unwrap(), b"INDEX");
        assert_eq!(fs::read(root.join("kept.sh")).unwrap(), b"echo\n");
        let mode = fs::metadata(root.join("kept.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            fs::read_link(root.join("link")).unwrap(),
            Path::new("kept.sh")
        );
        assert!(
            !root.join("new").exists(),
            "directories it created are gone"
        );
        assert!(snapshot.existed(root, "kept.sh"));
        assert!(!snapshot.existed(root, "new/deep/file.txt"));
    }
}
