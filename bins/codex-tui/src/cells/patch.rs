//! A patch as a coloured diff: one header per file with its added and removed line counts,
//! then the lines, `+` green and `-` red. Parsed from the patch text the model wrote (the
//! `*** Begin Patch` grammar).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codex_protocol::protocol::FileChangeKind;
use ratatui::text::{Line, Span};

use crate::cells::{display_path, safe, styles};

/// Diff lines shown per file before the rest is folded.
const LINES_PER_FILE: usize = 40;

/// One file's part of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileDiff {
    /// The file (as written in the patch).
    pub(crate) path: PathBuf,
    /// Added, deleted or updated.
    pub(crate) kind: FileChangeKind,
    /// Where an update moves it.
    pub(crate) move_to: Option<PathBuf>,
    /// The `+`, `-`, ` ` and `@@` lines.
    pub(crate) lines: Vec<String>,
}

impl FileDiff {
    fn counts(&self) -> (usize, usize) {
        let added = self.lines.iter().filter(|l| l.starts_with('+')).count();
        let removed = self.lines.iter().filter(|l| l.starts_with('-')).count();
        (added, removed)
    }
}

/// Splits a patch into files. Unknown lines are ignored: this is for showing, the core has
/// already parsed the patch for applying.
pub(crate) fn parse_patch(patch: &str) -> Vec<FileDiff> {
    let mut files: Vec<FileDiff> = Vec::new();
    for raw in patch.lines() {
        let line = raw.trim_end_matches('\r');
        let header = [
            ("*** Add File: ", FileChangeKind::Add),
            ("*** Delete File: ", FileChangeKind::Delete),
            ("*** Update File: ", FileChangeKind::Update),
        ]
        .into_iter()
        .find_map(|(prefix, kind)| line.strip_prefix(prefix).map(|p| (p, kind)));
        if let Some((path, kind)) = header {
            files.push(FileDiff {
                path: PathBuf::from(path.trim()),
                kind,
                move_to: None,
                lines: Vec::new(),
            });
        } else if let Some(to) = line.strip_prefix("*** Move to: ") {
            if let Some(file) = files.last_mut() {
                file.move_to = Some(PathBuf::from(to.trim()));
            }
        } else if line.starts_with("*** ") {
            // Begin/End Patch, End of File.
        } else if let Some(file) = files.last_mut()
            && (line.starts_with(['+', '-', ' ']) || line.starts_with("@@"))
        {
            file.lines.push(line.to_owned());
        }
    }
    files
}

/// The diff lines of `files`, each file under a header naming it.
pub(crate) fn diff_lines(files: &[FileDiff], cwd: &Path) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for file in files {
        let (added, removed) = file.counts();
        let verb = match file.kind {
            FileChangeKind::Add => "Added",
            FileChangeKind::Delete => "Deleted",
            FileChangeKind::Update if file.move_to.is_some() => "Moved",
            FileChangeKind::Update => "Edited",
        };
        let mut name = display_path(&file.path, cwd);
        if let Some(to) = &file.move_to {
            name = format!("{name} → {}", display_path(to, cwd));
        }
        out.push(Line::from(vec![
            Span::styled("  └ ", styles::dim()),
            Span::styled(format!("{verb} "), styles::bold()),
            Span::raw(name),
            Span::raw(" ("),
            Span::styled(format!("+{added}"), styles::added()),
            Span::raw(" "),
            Span::styled(format!("-{removed}"), styles::removed()),
            Span::raw(")"),
        ]));
        for line in file.lines.iter().take(LINES_PER_FILE) {
            let style = if line.starts_with('+') {
                styles::added()
            } else if line.starts_with('-') {
                styles::removed()
            } else {
                styles::dim()
            };
            out.push(Line::from(Span::styled(
                format!("    {}", safe(line)),
                style,
            )));
        }
        if file.lines.len() > LINES_PER_FILE {
            out.push(Line::from(Span::styled(
                format!("    … +{} lines", file.lines.len() - LINES_PER_FILE),
                styles::dim(),
            )));
        }
    }
    out
}

/// The finished-patch cell: a header with the outcome, then the diff (or, without the patch
/// text, the file names).
pub(crate) fn patch_cell(
    patch: Option<&str>,
    changes: &BTreeMap<PathBuf, FileChangeKind>,
    success: bool,
    output: &str,
    cwd: &Path,
) -> Vec<Line<'static>> {
    let files = patch.map(parse_patch).unwrap_or_default();
    let (added, removed) = files.iter().fold((0, 0), |(a, r), f| {
        let (fa, fr) = f.counts();
        (a + fa, r + fr)
    });
    let count = changes.len().max(files.len());
    let noun = if count == 1 { "file" } else { "files" };
    let mut lines = vec![if success {
        Line::from(vec![
            Span::styled("✓ ", styles::ok()),
            Span::styled("Patched ", styles::bold()),
            Span::raw(format!("{count} {noun} (")),
            Span::styled(format!("+{added}"), styles::added()),
            Span::raw(" "),
            Span::styled(format!("-{removed}"), styles::removed()),
            Span::raw(")"),
        ])
    } else {
        Line::from(vec![
            Span::styled("✗ ", styles::failed()),
            Span::styled("Patch failed", styles::bold()),
        ])
    }];
    if files.is_empty() {
        for (path, kind) in changes {
            let verb = match kind {
                FileChangeKind::Add => "Added",
                FileChangeKind::Delete => "Deleted",
                FileChangeKind::Update => "Edited",
            };
            lines.push(Line::from(vec![
                Span::styled("  └ ", styles::dim()),
                Span::styled(format!("{verb} "), styles::bold()),
                Span::raw(display_path(path, cwd)),
            ]));
        }
    } else {
        lines.extend(diff_lines(&files, cwd));
    }
    if !success {
        for l in safe(output).lines() {
            lines.push(Line::from(Span::styled(
                format!("    {l}"),
                styles::error(),
            )));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    const PATCH: &str = "*** Begin Patch\n*** Add File: /w/hello.txt\n+hello\n+world\n*** Update File: /w/src/lib.rs\n@@ fn main\n-old\n+new\n context\n*** End Patch\n";

    #[test]
    fn files_and_counts() {
        let files = parse_patch(PATCH);
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].counts(), (1, 1));
        let mut changes = BTreeMap::new();
        changes.insert(PathBuf::from("/w/hello.txt"), FileChangeKind::Add);
        changes.insert(PathBuf::from("/w/src/lib.rs"), FileChangeKind::Update);
        assert_eq!(
            plain(&patch_cell(
                Some(PATCH),
                &changes,
                true,
                "",
                Path::new("/w")
            )),
            [
                "✓ Patched 2 files (+3 -1)",
                "  └ Added hello.txt (+2 -0)",
                "    +hello",
                "    +world",
                "  └ Edited src/lib.rs (+1 -1)",
                "    @@ fn main",
                "    -old",
                "    +new",
                "     context",
            ]
        );
    }
}
