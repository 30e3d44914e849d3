//! The patch grammar: turns patch text into [`Patch`] hunks without touching the file system.
//!
//! ```text
//! start: begin_patch hunk+ end_patch
//! begin_patch: "*** Begin Patch" LF
//! end_patch: "*** End Patch" LF?
//! hunk: add_hunk | delete_hunk | update_hunk
//! add_hunk: "*** Add File: " filename LF add_line+
//! delete_hunk: "*** Delete File: " filename LF
//! update_hunk: "*** Update File: " filename LF change_move? change?
//! change_move: "*** Move to: " filename LF
//! change: (change_context | change_line)+ eof_line?
//! change_context: ("@@" | "@@ " /(.+)/) LF
//! change_line: ("+" | "-" | " ") /(.*)/ LF
//! eof_line: "*** End of File" LF
//! ```
//!
//! Parsing is lenient the way models need it to be: the whole text is trimmed, marker lines are
//! compared after trimming whitespace, and a heredoc wrapper (`<<'EOF'` ... `EOF`) left over from
//! a shell invocation is stripped.

use std::path::PathBuf;

pub(crate) const BEGIN_PATCH: &str = "*** Begin Patch";
pub(crate) const END_PATCH: &str = "*** End Patch";
const ADD_FILE: &str = "*** Add File: ";
const DELETE_FILE: &str = "*** Delete File: ";
const UPDATE_FILE: &str = "*** Update File: ";
const MOVE_TO: &str = "*** Move to: ";
const END_OF_FILE: &str = "*** End of File";
const CONTEXT_MARKER: &str = "@@";
const CONTEXT_MARKER_WITH_TEXT: &str = "@@ ";

/// A parsed patch: the hunks in the order they appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// One entry per `*** Add/Delete/Update File:` section.
    pub hunks: Vec<Hunk>,
}

/// One file operation of a patch. Paths are as written in the patch (normally relative to the
/// directory the patch is applied in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hunk {
    /// Create (or overwrite) a file with the given contents.
    Add {
        /// Target file.
        path: PathBuf,
        /// Full new contents; every `+` line contributes one line ending in `\n`.
        contents: String,
        /// 1-based line of the `*** Add File:` header in the (unwrapped) patch text.
        line_number: usize,
    },
    /// Remove a file.
    Delete {
        /// File to remove.
        path: PathBuf,
        /// 1-based line of the header.
        line_number: usize,
    },
    /// Edit a file in place, optionally renaming it.
    Update {
        /// File to edit.
        path: PathBuf,
        /// New name, from `*** Move to:`.
        move_path: Option<PathBuf>,
        /// The edits, in file order.
        chunks: Vec<UpdateChunk>,
        /// 1-based line of the header.
        line_number: usize,
    },
}

impl Hunk {
    /// The file the hunk reads or writes first (the source for a move).
    pub fn path(&self) -> &PathBuf {
        match self {
            Self::Add { path, .. } | Self::Delete { path, .. } | Self::Update { path, .. } => path,
        }
    }

    /// 1-based line of the hunk's header in the patch text.
    pub fn line_number(&self) -> usize {
        match self {
            Self::Add { line_number, .. }
            | Self::Delete { line_number, .. }
            | Self::Update { line_number, .. } => *line_number,
        }
    }
}

/// One `@@` section of an update hunk: replace `old_lines` with `new_lines`, searching after the
/// optional context line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateChunk {
    /// Text after `@@ `: a single line that must be found before `old_lines`.
    pub change_context: Option<String>,
    /// Lines expected in the file (context and `-` lines, without their prefix).
    pub old_lines: Vec<String>,
    /// Lines that replace them (context and `+` lines, without their prefix).
    pub new_lines: Vec<String>,
    /// Set by `*** End of File`: `old_lines` should sit at the end of the file.
    pub is_end_of_file: bool,
    /// 1-based line of the chunk's first line in the patch text.
    pub line_number: usize,
}

/// Why patch text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The text as a whole is not a patch: the `*** Begin Patch` / `*** End Patch` envelope is
    /// missing. Retrying the same text cannot help; the patch must be rewritten.
    #[error("invalid patch: {0}")]
    InvalidPatch(String),
    /// One hunk is malformed; `line_number` is 1-based in the patch text (after any heredoc
    /// wrapper is stripped), so the first hunk header is line 2.
    #[error("invalid hunk at line {line_number}, {message}")]
    InvalidHunk {
        /// What is wrong, naming the offending line or path.
        message: String,
        /// Where it is.
        line_number: usize,
    },
}

/// Parses patch text in lenient mode (the mode Codex uses by default).
pub fn parse_patch(text: &str) -> Result<Patch, ParseError> {
    let all_lines: Vec<&str> = text.trim().lines().collect();
    let lines = match check_envelope(&all_lines) {
        Ok(()) => &all_lines[..],
        Err(err) => strip_heredoc(&all_lines).ok_or(err)?,
    };

    let body = &lines[1..lines.len() - 1];
    let mut hunks = Vec::new();
    let mut rest = body;
    let mut line_number = 2;
    while !rest.is_empty() {
        let (hunk, consumed) = parse_hunk(rest, line_number)?;
        hunks.push(hunk);
        line_number += consumed;
        rest = &rest[consumed..];
    }
    Ok(Patch { hunks })
}

/// Checks the first and last lines; on success `lines` has at least two elements.
fn check_envelope(lines: &[&str]) -> Result<(), ParseError> {
    let first = lines.first().map(|l| l.trim());
    let last = lines.last().map(|l| l.trim());
    if first != Some(BEGIN_PATCH) {
        return Err(ParseError::InvalidPatch(format!(
            "The first line of the patch must be '{BEGIN_PATCH}'"
        )));
    }
    if lines.len() < 2 || last != Some(END_PATCH) {
        return Err(ParseError::InvalidPatch(format!(
            "The last line of the patch must be '{END_PATCH}'"
        )));
    }
    Ok(())
}

/// Removes a `<<EOF` / `<<'EOF'` / `<<"EOF"` ... `EOF` wrapper around a valid envelope.
fn strip_heredoc<'a, 'b>(lines: &'b [&'a str]) -> Option<&'b [&'a str]> {
    let [first, inner @ .., last] = lines else {
        return None;
    };
    let opener = matches!(first.trim(), "<<EOF" | "<<'EOF'" | "<<\"EOF\"");
    if lines.len() < 4 || !opener || !last.trim_end().ends_with("EOF") {
        return None;
    }
    check_envelope(inner).ok().map(|()| inner)
}

fn parse_hunk(lines: &[&str], line_number: usize) -> Result<(Hunk, usize), ParseError> {
    let header = lines[0].trim();
    if let Some(path) = header.strip_prefix(ADD_FILE) {
        let mut contents = String::new();
        let mut consumed = 1;
        for line in &lines[1..] {
            let Some(added) = line.strip_prefix('+') else {
                break;
            };
            contents.push_str(added);
            contents.push('\n');
            consumed += 1;
        }
        let hunk = Hunk::Add {
            path: PathBuf::from(path),
            contents,
            line_number,
        };
        return Ok((hunk, consumed));
    }
    if let Some(path) = header.strip_prefix(DELETE_FILE) {
        return Ok((
            Hunk::Delete {
                path: PathBuf::from(path),
                line_number,
            },
            1,
        ));
    }
    if let Some(path) = header.strip_prefix(UPDATE_FILE) {
        return parse_update_hunk(path, lines, line_number);
    }
    Err(ParseError::InvalidHunk {
        message: format!(
            "'{header}' is not a valid hunk header. Valid hunk headers: \
             '{ADD_FILE}{{path}}', '{DELETE_FILE}{{path}}', '{UPDATE_FILE}{{path}}'"
        ),
        line_number,
    })
}

fn parse_update_hunk(
    path: &str,
    lines: &[&str],
    line_number: usize,
) -> Result<(Hunk, usize), ParseError> {
    let mut rest = &lines[1..];
    let mut consumed = 1;
    let move_path = rest
        .first()
        .and_then(|l| l.trim().strip_prefix(MOVE_TO))
        .map(PathBuf::from);
    if move_path.is_some() {
        rest = &rest[1..];
        consumed += 1;
    }

    let mut chunks = Vec::new();
    while let Some(line) = rest.first() {
        if line.trim().is_empty() {
            rest = &rest[1..];
            consumed += 1;
            continue;
        }
        if line.starts_with('*') {
            break;
        }
        let (chunk, used) = parse_chunk(rest, line_number + consumed, chunks.is_empty())?;
        chunks.push(chunk);
        rest = &rest[used..];
        consumed += used;
    }

    if chunks.is_empty() {
        return Err(ParseError::InvalidHunk {
            message: format!("Update file hunk for path '{path}' is empty"),
            line_number,
        });
    }
    let hunk = Hunk::Update {
        path: PathBuf::from(path),
        move_path,
        chunks,
        line_number,
    };
    Ok((hunk, consumed))
}

/// Parses one chunk starting at `lines[0]`; returns it and the number of lines used.
fn parse_chunk(
    lines: &[&str],
    line_number: usize,
    first_in_hunk: bool,
) -> Result<(UpdateChunk, usize), ParseError> {
    let marker = lines[0].trim_end();
    let (change_context, start) = if marker == CONTEXT_MARKER {
        (None, 1)
    } else if let Some(context) = lines[0].strip_prefix(CONTEXT_MARKER_WITH_TEXT) {
        (Some(context.to_owned()), 1)
    } else if first_in_hunk {
        (None, 0)
    } else {
        return Err(ParseError::InvalidHunk {
            message: format!(
                "expected '@@' (optionally followed by a context line) to start the next \
                 change of this update hunk, found '{}'",
                lines[0]
            ),
            line_number,
        });
    };

    let empty_chunk = || ParseError::InvalidHunk {
        message: "this change has no lines; add ' ', '-' or '+' lines after the '@@' marker"
            .to_owned(),
        line_number: line_number + start,
    };
    if start >= lines.len() {
        return Err(empty_chunk());
    }

    let mut chunk = UpdateChunk {
        change_context,
        line_number,
        ..UpdateChunk::default()
    };
    let mut used = 0;
    for line in &lines[start..] {
        if line.trim_end() == END_OF_FILE {
            if used == 0 {
                return Err(empty_chunk());
            }
            chunk.is_end_of_file = true;
            used += 1;
            break;
        }
        match line.chars().next() {
            None => {
                chunk.old_lines.push(String::new());
                chunk.new_lines.push(String::new());
            }
            Some(' ') => {
                chunk.old_lines.push(line[1..].to_owned());
                chunk.new_lines.push(line[1..].to_owned());
            }
            Some('+') => chunk.new_lines.push(line[1..].to_owned()),
            Some('-') => chunk.old_lines.push(line[1..].to_owned()),
            Some(_) if used == 0 => {
                return Err(ParseError::InvalidHunk {
                    message: format!(
                        "unexpected line in update hunk: '{line}'; every line of a change \
                         starts with ' ' (context), '+' (added) or '-' (removed)"
                    ),
                    line_number: line_number + start,
                });
            }
            // Anything else ends this chunk: it is the next `@@` or the next hunk header.
            Some(_) => break,
        }
        used += 1;
    }
    Ok((chunk, used + start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn update(path: &str, chunks: Vec<UpdateChunk>, line_number: usize) -> Hunk {
        Hunk::Update {
            path: PathBuf::from(path),
            move_path: None,
            chunks,
            line_number,
        }
    }

    #[test]
    fn envelope_errors() {
        assert_eq!(
            parse_patch("bad").unwrap_err().to_string(),
            "invalid patch: The first line of the patch must be '*** Begin Patch'"
        );
        assert_eq!(
            parse_patch("*** Begin Patch\nbad").unwrap_err().to_string(),
            "invalid patch: The last line of the patch must be '*** End Patch'"
        );
        assert_eq!(
            parse_patch("*** Begin Patch").unwrap_err().to_string(),
            "invalid patch: The last line of the patch must be '*** End Patch'"
        );
    }

    #[test]
    fn empty_patch_parses_to_no_hunks() {
        let patch = parse_patch("*** Begin Patch\n*** End Patch\n").unwrap();
        assert!(patch.hunks.is_empty());
    }

    #[test]
    fn all_hunk_kinds() {
        let text = "*** Begin Patch\n\
                    *** Add File: a.txt\n+one\n+two\n\
                    *** Delete File: b.txt\n\
                    *** Update File: c.txt\n*** Move to: d.txt\n@@ fn main\n-x\n+y\n \
                    ctx\n*** End of File\n\
                    *** Update File: e.txt\n keep\n-gone\n\
                    *** End Patch";
        let patch = parse_patch(text).unwrap();
        assert_eq!(
            patch.hunks,
            vec![
                Hunk::Add {
                    path: "a.txt".into(),
                    contents: "one\ntwo\n".into(),
                    line_number: 2
                },
                Hunk::Delete {
                    path: "b.txt".into(),
                    line_number: 5
                },
                Hunk::Update {
                    path: "c.txt".into(),
                    move_path: Some("d.txt".into()),
                    chunks: vec![UpdateChunk {
                        change_context: Some("fn main".into()),
                        old_lines: vec!["x".into(), "ctx".into()],
                        new_lines: vec!["y".into(), "ctx".into()],
                        is_end_of_file: true,
                        line_number: 8,
                    }],
                    line_number: 6,
                },
                update(
                    "e.txt",
                    vec![UpdateChunk {
                        old_lines: vec!["keep".into(), "gone".into()],
                        new_lines: vec!["keep".into()],
                        line_number: 14,
                        ..UpdateChunk::default()
                    }],
                    13
                ),
            ]
        );
    }

    #[test]
    fn heredoc_wrapper_is_stripped() {
        for opener in ["<<EOF", "<<'EOF'", "<<\"EOF\""] {
            let text =
                format!("{opener}\n*** Begin Patch\n*** Delete File: x\n*** End Patch\nEOF\n");
            let patch = parse_patch(&text).unwrap();
            assert_eq!(
                patch.hunks,
                vec![Hunk::Delete {
                    path: "x".into(),
                    line_number: 2
                }]
            );
        }
    }

    #[test]
    fn invalid_header_reports_its_line() {
        let text = "*** Begin Patch\n*** Add File: a\n+x\n*** Frobnicate File: b\n*** End Patch";
        assert_eq!(
            parse_patch(text).unwrap_err(),
            ParseError::InvalidHunk {
                message: "'*** Frobnicate File: b' is not a valid hunk header. Valid hunk \
                          headers: '*** Add File: {path}', '*** Delete File: {path}', \
                          '*** Update File: {path}'"
                    .into(),
                line_number: 4,
            }
        );
    }

    #[test]
    fn empty_update_hunk() {
        let text = "*** Begin Patch\n*** Update File: a.txt\n*** End Patch";
        assert_eq!(
            parse_patch(text).unwrap_err().to_string(),
            "invalid hunk at line 2, Update file hunk for path 'a.txt' is empty"
        );
    }

    #[test]
    fn later_chunks_need_a_marker_and_blank_lines_are_context() {
        let text = "*** Begin Patch\n*** Update File: a\n@@\n a\n\n-b\n@@ ctx\n+c\n*** End Patch";
        let patch = parse_patch(text).unwrap();
        let Hunk::Update { chunks, .. } = &patch.hunks[0] else {
            panic!("not an update")
        };
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].old_lines, vec!["a", "", "b"]);
        assert_eq!(chunks[0].new_lines, vec!["a", ""]);
        assert_eq!(chunks[1].change_context.as_deref(), Some("ctx"));
        assert_eq!(chunks[1].line_number, 7);
    }

    #[test]
    fn bad_line_at_start_of_chunk() {
        let text = "*** Begin Patch\n*** Update File: a\n@@\nbogus\n*** End Patch";
        let err = parse_patch(text).unwrap_err();
        assert!(
            matches!(err, ParseError::InvalidHunk { line_number: 4, .. }),
            "unexpected error: {err:?}"
        );
    }

    #[test]
    fn eof_marker_without_lines_is_rejected() {
        let text = "*** Begin Patch\n*** Update File: a\n@@\n*** End of File\n*** End Patch";
        let err = parse_patch(text).unwrap_err();
        assert!(
            matches!(err, ParseError::InvalidHunk { line_number: 4, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn padded_markers_are_accepted() {
        let text = "  *** Begin Patch  \n  *** Add File: a\n+x\n *** End Patch ";
        let patch = parse_patch(text).unwrap();
        assert_eq!(patch.hunks.len(), 1);
    }
}
