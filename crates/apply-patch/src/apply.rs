//! Verifying a parsed patch against the files it touches, and writing the result.
//!
//! Verification runs every hunk against an in-memory view of the tree (so a patch may add a
//! file and then update it) without writing anything; it yields the same [`FileChange`]s that
//! applying would. Application writes hunk by hunk and is deliberately not atomic: when a later
//! hunk fails, earlier hunks stay applied, exactly as Codex behaves, and the error says which
//! hunk failed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::ApplyPatchError;
use crate::parser::{Hunk, Patch, UpdateChunk, parse_patch};
use crate::seek::seek_sequence;

/// What a hunk does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new file, or an existing file overwritten.
    Add,
    /// A removed file.
    Delete,
    /// An edited file, possibly moved (see [`FileChange::move_path`]).
    Update,
}

/// The effect of one hunk. Paths are absolute: the patch path joined onto the working
/// directory the patch was verified or applied in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file added, deleted or updated (for a move: the source).
    pub path: PathBuf,
    /// Add, delete or update.
    pub kind: ChangeKind,
    /// For an update with `*** Move to:`: where the new contents go; `path` is removed.
    pub move_path: Option<PathBuf>,
    /// For an update: a unified diff (hunks only, no file headers) from old to new contents.
    pub unified_diff: Option<String>,
    /// Contents before the change (delete, update).
    pub old_content: Option<String>,
    /// Contents after the change (add, update).
    pub new_content: Option<String>,
}

/// The outcome of a successful application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedChanges {
    /// One entry per hunk, in patch order.
    pub changes: Vec<FileChange>,
    /// Codex's success text: `Success. Updated the following files:` then `A path`, `M path`,
    /// `D path` lines (added, then modified, then deleted; paths as written in the patch, a
    /// moved file under its new name), each line ending in `\n`.
    pub summary: String,
}

/// Parses and applies `patch_text` with relative paths resolved against `cwd`.
pub fn apply_patch(patch_text: &str, cwd: &Path) -> Result<AppliedChanges, ApplyPatchError> {
    let patch = parse_patch(patch_text)?;
    apply_parsed_patch(&patch, cwd)
}

/// Applies an already parsed patch, hunk by hunk (not atomic: see the module docs).
pub fn apply_parsed_patch(patch: &Patch, cwd: &Path) -> Result<AppliedChanges, ApplyPatchError> {
    if patch.hunks.is_empty() {
        return Err(ApplyPatchError::Empty);
    }
    let disk_only = Overlay::new();
    let mut changes = Vec::with_capacity(patch.hunks.len());
    for hunk in &patch.hunks {
        let change = plan_hunk(hunk, cwd, &disk_only)?;
        write_change(hunk, &change)?;
        changes.push(change);
    }
    Ok(AppliedChanges {
        changes,
        summary: summary(patch),
    })
}

/// Computes what applying `patch` in `cwd` would do, without writing anything. Fails with the
/// same error the application would hit first.
pub fn verify_patch(patch: &Patch, cwd: &Path) -> Result<Vec<FileChange>, ApplyPatchError> {
    if patch.hunks.is_empty() {
        return Err(ApplyPatchError::Empty);
    }
    let mut overlay = Overlay::new();
    let mut changes = Vec::with_capacity(patch.hunks.len());
    for hunk in &patch.hunks {
        let change = plan_hunk(hunk, cwd, &overlay)?;
        match change.kind {
            ChangeKind::Add => {
                overlay.insert(change.path.clone(), change.new_content.clone());
            }
            ChangeKind::Delete => {
                overlay.insert(change.path.clone(), None);
            }
            ChangeKind::Update => {
                if let Some(dest) = &change.move_path {
                    overlay.insert(change.path.clone(), None);
                    overlay.insert(dest.clone(), change.new_content.clone());
                } else {
                    overlay.insert(change.path.clone(), change.new_content.clone());
                }
            }
        }
        changes.push(change);
    }
    Ok(changes)
}

/// Codex's success text for a patch (see [`AppliedChanges::summary`]).
pub fn summary(patch: &Patch) -> String {
    let (mut added, mut modified, mut deleted) = (Vec::new(), Vec::new(), Vec::new());
    for hunk in &patch.hunks {
        match hunk {
            Hunk::Add { path, .. } => added.push(path),
            Hunk::Delete { path, .. } => deleted.push(path),
            Hunk::Update {
                path, move_path, ..
            } => modified.push(move_path.as_ref().unwrap_or(path)),
        }
    }
    let mut out = String::from("Success. Updated the following files:\n");
    for (letter, paths) in [('A', added), ('M', modified), ('D', deleted)] {
        for path in paths {
            let _ = writeln!(out, "{letter} {}", path.display());
        }
    }
    out
}

/// Files created, rewritten or deleted by earlier hunks during verification; `None` = deleted.
type Overlay = HashMap<PathBuf, Option<String>>;

enum FileState {
    Missing,
    Directory,
    File(String),
}

fn current_state(
    abs: &Path,
    written: &Path,
    overlay: &Overlay,
) -> Result<FileState, ApplyPatchError> {
    if let Some(entry) = overlay.get(abs) {
        return Ok(entry.clone().map_or(FileState::Missing, FileState::File));
    }
    let io_err = |source| ApplyPatchError::Io {
        action: "read",
        path: written.to_owned(),
        source,
    };
    match fs::metadata(abs) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(e) => Err(io_err(e)),
        Ok(meta) if meta.is_dir() => Ok(FileState::Directory),
        Ok(_) => fs::read_to_string(abs).map(FileState::File).map_err(io_err),
    }
}

fn plan_hunk(hunk: &Hunk, cwd: &Path, overlay: &Overlay) -> Result<FileChange, ApplyPatchError> {
    let line_number = hunk.line_number();
    match hunk {
        Hunk::Add { path, contents, .. } => Ok(FileChange {
            path: cwd.join(path),
            kind: ChangeKind::Add,
            move_path: None,
            unified_diff: None,
            old_content: None,
            new_content: Some(contents.clone()),
        }),
        Hunk::Delete { path, .. } => {
            let abs = cwd.join(path);
            let old = match current_state(&abs, path, overlay)? {
                FileState::File(text) => text,
                FileState::Missing => {
                    return Err(ApplyPatchError::DeleteMissingFile {
                        path: path.clone(),
                        line_number,
                    });
                }
                FileState::Directory => {
                    return Err(ApplyPatchError::DeleteDirectory {
                        path: path.clone(),
                        line_number,
                    });
                }
            };
            Ok(FileChange {
                path: abs,
                kind: ChangeKind::Delete,
                move_path: None,
                unified_diff: None,
                old_content: Some(old),
                new_content: None,
            })
        }
        Hunk::Update {
            path,
            move_path,
            chunks,
            ..
        } => {
            let abs = cwd.join(path);
            let old = match current_state(&abs, path, overlay)? {
                FileState::File(text) => text,
                FileState::Missing => {
                    return Err(ApplyPatchError::UpdateMissingFile {
                        path: path.clone(),
                        line_number,
                    });
                }
                FileState::Directory => {
                    return Err(ApplyPatchError::UpdateDirectory {
                        path: path.clone(),
                        line_number,
                    });
                }
            };
            let new = new_contents(&old, path, chunks)?;
            let diff = similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(1)
                .to_string();
            Ok(FileChange {
                path: abs,
                kind: ChangeKind::Update,
                move_path: move_path.as_ref().map(|dest| cwd.join(dest)),
                unified_diff: Some(diff),
                old_content: Some(old),
                new_content: Some(new),
            })
        }
    }
}

/// Applies `chunks` to `old` (the contents of `path`, named in errors).
fn new_contents(old: &str, path: &Path, chunks: &[UpdateChunk]) -> Result<String, ApplyPatchError> {
    let mut lines: Vec<String> = old.split('\n').map(str::to_owned).collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let replacements = replacements(&lines, path, chunks)?;
    // Back to front, so earlier indices stay valid while later ranges change length.
    for (start, old_len, new_lines) in replacements.into_iter().rev() {
        let end = (start + old_len).min(lines.len());
        lines.splice(start..end, new_lines);
    }
    if !lines.last().is_some_and(String::is_empty) {
        lines.push(String::new());
    }
    Ok(lines.join("\n"))
}

/// Locates every chunk; returns `(start, old_len, new_lines)` sorted by start.
fn replacements(
    lines: &[String],
    path: &Path,
    chunks: &[UpdateChunk],
) -> Result<Vec<(usize, usize, Vec<String>)>, ApplyPatchError> {
    let mut out = Vec::with_capacity(chunks.len());
    let mut cursor = 0;
    for chunk in chunks {
        if let Some(context) = &chunk.change_context {
            let Some(idx) = seek_sequence(lines, std::slice::from_ref(context), cursor, false)
            else {
                return Err(ApplyPatchError::ContextNotFound {
                    context: context.clone(),
                    path: path.to_owned(),
                    line_number: chunk.line_number,
                });
            };
            cursor = idx + 1;
        }

        if chunk.old_lines.is_empty() {
            // A pure addition goes at the end of the file (before a final blank line, if any).
            let at = if lines.last().is_some_and(String::is_empty) {
                lines.len() - 1
            } else {
                lines.len()
            };
            out.push((at, 0, chunk.new_lines.clone()));
            continue;
        }

        let mut old: &[String] = &chunk.old_lines;
        let mut new: &[String] = &chunk.new_lines;
        let mut found = seek_sequence(lines, old, cursor, chunk.is_end_of_file);
        // Models often end a chunk with a blank context line the file does not have.
        if found.is_none() && old.last().is_some_and(String::is_empty) {
            old = &old[..old.len() - 1];
            if new.last().is_some_and(String::is_empty) {
                new = &new[..new.len() - 1];
            }
            found = seek_sequence(lines, old, cursor, chunk.is_end_of_file);
        }
        let Some(start) = found else {
            return Err(ApplyPatchError::ExpectedLinesNotFound {
                lines: chunk.old_lines.clone(),
                path: path.to_owned(),
                line_number: chunk.line_number,
            });
        };
        out.push((start, old.len(), new.to_vec()));
        cursor = start + old.len();
    }
    out.sort_by_key(|(start, _, _)| *start);
    Ok(out)
}

fn write_change(hunk: &Hunk, change: &FileChange) -> Result<(), ApplyPatchError> {
    let written = hunk.path();
    let io_err = |action, path: &Path| {
        let path = path.to_owned();
        move |source| ApplyPatchError::Io {
            action,
            path,
            source,
        }
    };
    // The check judged the resolved paths (`write_targets`); write exactly those, and never
    // through a symlink that appeared since.
    let source = crate::resolve::resolve_for_write(&change.path);
    match change.kind {
        ChangeKind::Delete => fs::remove_file(&source).map_err(io_err("delete", written)),
        ChangeKind::Add | ChangeKind::Update => {
            let contents = change.new_content.as_deref().unwrap_or_default();
            let (target, target_written) = match (&change.move_path, hunk) {
                (
                    Some(dest),
                    Hunk::Update {
                        move_path: Some(dest_written),
                        ..
                    },
                ) => (dest, dest_written),
                _ => (&change.path, written),
            };
            let target = crate::resolve::resolve_for_write(target);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)
                    .map_err(io_err("create the directory for", target_written))?;
            }
            write_no_follow(&target, contents).map_err(io_err("write", target_written))?;
            if change.move_path.is_some() && target != source {
                fs::remove_file(&source).map_err(io_err("remove the moved file", written))?;
            }
            Ok(())
        }
    }
}

/// Writes `contents` to `path`, creating it if needed, refusing (`ELOOP`) if `path` is a
/// symlink.
fn write_no_follow(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write as _;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn chunk(old: &[&str], new: &[&str]) -> UpdateChunk {
        UpdateChunk {
            old_lines: old.iter().map(|s| (*s).to_owned()).collect(),
            new_lines: new.iter().map(|s| (*s).to_owned()).collect(),
            ..UpdateChunk::default()
        }
    }

    #[test]
    fn replacements_apply_back_to_front() {
        let chunks = [chunk(&["a"], &["A", "A2"]), chunk(&["c"], &[])];
        let out = new_contents("a\nb\nc\nd\n", Path::new("f"), &chunks).unwrap();
        assert_eq!(out, "A\nA2\nb\nd\n");
    }

    #[test]
    fn result_always_ends_with_newline() {
        let out = new_contents("a\nb", Path::new("f"), &[chunk(&["b"], &["c"])]).unwrap();
        assert_eq!(out, "a\nc\n");
    }

    #[test]
    fn pure_addition_goes_to_end() {
        let out = new_contents("a\nb\n", Path::new("f"), &[chunk(&[], &["z"])]).unwrap();
        assert_eq!(out, "a\nb\nz\n");
    }

    #[test]
    fn trailing_blank_context_is_forgiven() {
        let out = new_contents("a\nb\n", Path::new("f"), &[chunk(&["b", ""], &["c", ""])]).unwrap();
        assert_eq!(out, "a\nc\n");
    }

    #[test]
    fn missing_lines_error_names_lines_and_path() {
        let err =
            new_contents("a\n", Path::new("src/x.rs"), &[chunk(&["zz"], &["y"])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to find expected lines [\"zz\"] in src/x.rs"
        );
    }

    #[test]
    fn summary_groups_by_kind() {
        let patch = parse_patch(
            "*** Begin Patch\n*** Delete File: d\n*** Update File: u\n*** Move to: m\n@@\n-x\n\
             *** Add File: a\n+1\n*** End Patch",
        )
        .unwrap();
        assert_eq!(
            summary(&patch),
            "Success. Updated the following files:\nA a\nM m\nD d\n"
        );
    }

    #[test]
    fn verify_sees_earlier_hunks_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let patch = parse_patch(
            "*** Begin Patch\n*** Add File: n.txt\n+one\n*** Update File: n.txt\n@@\n-one\n+two\n\
             *** End Patch",
        )
        .unwrap();
        let changes = verify_patch(&patch, dir.path()).unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[1].new_content.as_deref(), Some("two\n"));
        assert_eq!(
            changes[1].unified_diff.as_deref(),
            Some("@@ -1 +1 @@\n-one\n+two\n")
        );
        assert!(!dir.path().join("n.txt").exists());
    }
}
