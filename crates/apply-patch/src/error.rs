//! Why a patch could not be verified or applied.

use std::io;
use std::path::PathBuf;

use crate::parser::ParseError;

/// Everything that can go wrong between patch text and files on disk. Paths in messages are
/// the ones written in the patch, so the author can find the hunk; `line_number` fields point
/// at the hunk (or chunk) in the patch text.
///
/// None of these is transient: retrying the same patch against the same files fails the same
/// way, so the patch (or the files) must change first.
#[derive(Debug, thiserror::Error)]
pub enum ApplyPatchError {
    /// The text does not follow the patch grammar.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The envelope is valid but holds no hunks, so there is nothing to do.
    #[error(
        "the patch has no hunks between '*** Begin Patch' and '*** End Patch'; no files were modified"
    )]
    Empty,
    /// The `@@ context` line of a chunk does not occur in the file (after the previous chunk).
    #[error("Failed to find context '{context}' in {}", path.display())]
    ContextNotFound {
        /// The context line as written after `@@ `.
        context: String,
        /// File being updated.
        path: PathBuf,
        /// Line of the chunk in the patch.
        line_number: usize,
    },
    /// The lines a chunk removes or keeps do not occur in the file, even whitespace- and
    /// punctuation-tolerantly.
    #[error("Failed to find expected lines {lines:?} in {}", path.display())]
    ExpectedLinesNotFound {
        /// The chunk's old lines (context and `-` lines).
        lines: Vec<String>,
        /// File being updated.
        path: PathBuf,
        /// Line of the chunk in the patch.
        line_number: usize,
    },
    /// `*** Update File:` names a file that does not exist.
    #[error(
        "cannot update {}: no such file (use '*** Add File:' to create it)",
        path.display()
    )]
    UpdateMissingFile {
        /// The path as written.
        path: PathBuf,
        /// Line of the hunk header.
        line_number: usize,
    },
    /// `*** Delete File:` names a file that does not exist.
    #[error("cannot delete {}: no such file", path.display())]
    DeleteMissingFile {
        /// The path as written.
        path: PathBuf,
        /// Line of the hunk header.
        line_number: usize,
    },
    /// `*** Delete File:` names a directory; patches only delete files.
    #[error("cannot delete {}: it is a directory, and a patch only deletes files", path.display())]
    DeleteDirectory {
        /// The path as written.
        path: PathBuf,
        /// Line of the hunk header.
        line_number: usize,
    },
    /// `*** Update File:` names a directory.
    #[error("cannot update {}: it is a directory, not a file", path.display())]
    UpdateDirectory {
        /// The path as written.
        path: PathBuf,
        /// Line of the hunk header.
        line_number: usize,
    },
    /// Reading or writing a file failed (permissions, not UTF-8, disk full, ...).
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        /// What was being done: "read", "write", "delete", "create the directory for".
        action: &'static str,
        /// The path as written in the patch.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
}
