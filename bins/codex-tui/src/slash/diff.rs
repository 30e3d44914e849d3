//! `/diff`: the workspace's changes against the last commit, untracked files included, as
//! git prints them, coloured for the history.
//!
//! [`workspace_diff`] runs `git` and blocks: call it off the UI thread (the app uses
//! `spawn_blocking`).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

/// Untracked files shown at most; the rest are counted.
const MAX_UNTRACKED: usize = 200;
/// Bytes of diff kept at most; a longer diff is cut with a note.
const MAX_DIFF_BYTES: usize = 1024 * 1024;

/// What `/diff` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceDiff {
    /// The directory is not in a git work tree.
    NotARepository,
    /// Nothing changed.
    Clean,
    /// `git diff` text (tracked changes, then each untracked file as an addition).
    Changes {
        /// The diff.
        text: String,
        /// Whether it was cut at [`MAX_DIFF_BYTES`] or [`MAX_UNTRACKED`].
        truncated: bool,
    },
}

/// An error running git.
#[derive(Debug)]
pub enum DiffError {
    /// `git` could not be started (not installed, or not on PATH).
    Spawn(std::io::Error),
    /// git ran and failed.
    Git {
        /// The arguments given.
        args: String,
        /// Where.
        dir: String,
        /// What git said.
        stderr: String,
    },
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spawn(e) => write!(
                f,
                "cannot run git for /diff: {e}; install git or put it on PATH"
            ),
            Self::Git { args, dir, stderr } => write!(f, "`git {args}` failed in {dir}: {stderr}"),
        }
    }
}

impl std::error::Error for DiffError {}

fn git(cwd: &Path, args: &[&str]) -> Result<Output, DiffError> {
    Command::new("git")
        .args(["-c", "core.quotepath=off", "--no-pager"])
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(DiffError::Spawn)
}

fn git_ok(cwd: &Path, args: &[&str]) -> Result<String, DiffError> {
    let out = git(cwd, args)?;
    // `git diff --no-index` exits 1 when the files differ: that is its answer, not a failure.
    let no_index = args.contains(&"--no-index");
    if out.status.success() || (no_index && out.status.code() == Some(1)) {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(DiffError::Git {
            args: args.join(" "),
            dir: cwd.display().to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

/// The changes in `cwd`'s work tree: staged and unstaged against `HEAD` (or everything
/// tracked, before the first commit), then the untracked files that are not ignored.
pub fn workspace_diff(cwd: &Path) -> Result<WorkspaceDiff, DiffError> {
    let inside = git(cwd, &["rev-parse", "--is-inside-work-tree"])?;
    if !inside.status.success() || String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return Ok(WorkspaceDiff::NotARepository);
    }
    let has_head = git(cwd, &["rev-parse", "--verify", "--quiet", "HEAD"])?
        .status
        .success();
    let base: &[&str] = if has_head {
        &["diff", "--no-color", "--no-ext-diff", "HEAD", "--"]
    } else {
        &["diff", "--no-color", "--no-ext-diff", "--cached", "--"]
    };
    let mut text = git_ok(cwd, base)?;
    let untracked = git_ok(
        cwd,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            ".",
        ],
    )?;
    let untracked: Vec<&str> = untracked.split('\0').filter(|s| !s.is_empty()).collect();
    let mut truncated = false;
    for (i, file) in untracked.iter().enumerate() {
        if i >= MAX_UNTRACKED || text.len() >= MAX_DIFF_BYTES {
            truncated = true;
            let _ = write!(
                text,
                "\n… {} more untracked files not shown\n",
                untracked.len() - i
            );
            break;
        }
        text.push_str(&git_ok(
            cwd,
            &[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-index",
                "--",
                "/dev/null",
                file,
            ],
        )?);
    }
    if text.len() > MAX_DIFF_BYTES {
        let mut cut = MAX_DIFF_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n… diff cut at 1 MiB\n");
        truncated = true;
    }
    if text.trim().is_empty() {
        return Ok(WorkspaceDiff::Clean);
    }
    Ok(WorkspaceDiff::Changes { text, truncated })
}

/// The history lines for a `/diff` result: additions green, deletions red, hunk headers
/// cyan, file headers bold.
pub fn diff_lines(diff: &WorkspaceDiff) -> Vec<Line<'static>> {
    match diff {
        WorkspaceDiff::NotARepository => vec![Line::from(
            Span::from("/diff: not inside a git repository; nothing to compare.").dim(),
        )],
        WorkspaceDiff::Clean => vec![Line::from(
            Span::from("/diff: no changes since the last commit, and no untracked files.").dim(),
        )],
        WorkspaceDiff::Changes { text, .. } => text
            .lines()
            .map(|line| {
                let style = if line.starts_with("diff --git")
                    || line.starts_with("+++")
                    || line.starts_with("---")
                    || line.starts_with("index ")
                    || line.starts_with("new file mode")
                    || line.starts_with("deleted file mode")
                {
                    Style::new().bold()
                } else if line.starts_with("@@") {
                    Style::new().cyan()
                } else if line.starts_with('+') {
                    Style::new().green()
                } else if line.starts_with('-') {
                    Style::new().red()
                } else if line.starts_with('…') {
                    Style::new().dim()
                } else {
                    Style::new()
                };
                // File contents are anyone's: control characters and escapes are shown, not
                // obeyed. Tabs would leave stale cells in a terminal grid.
                let shown = codex_safe_text::sanitize(&line.replace('\t', "    ")).into_owned();
                Line::from(Span::styled(shown, style))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::text::Text;
    use ratatui::widgets::{Paragraph, Wrap};
    use std::fs;

    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(ok.status.success(), "{ok:?}");
    }

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        run(p, &["init", "-q", "-b", "main"]);
        fs::write(p.join("lib.rs"), "fn one() {}\nfn two() {}\n").unwrap();
        fs::write(p.join(".gitignore"), "target/\n").unwrap();
        run(p, &["add", "."]);
        run(
            p,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-q",
                "-m",
                "init",
            ],
        );
        dir
    }

    fn draw(lines: Vec<Line<'static>>, width: u16) -> String {
        let text = Text::from(lines);
        let height: usize = text
            .lines
            .iter()
            .map(|l| l.width().div_ceil(usize::from(width)).max(1))
            .sum();
        // Word wrapping may take a few more rows than a character count says.
        let height = height as u16 + 4;
        let para = Paragraph::new(text).wrap(Wrap { trim: false });
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| f.render_widget(para, f.area())).unwrap();
        term.backend().to_string()
    }

    #[test]
    fn shows_tracked_and_untracked_changes_but_not_ignored_files() {
        let dir = repo();
        let p = dir.path();
        assert_eq!(workspace_diff(p).unwrap(), WorkspaceDiff::Clean);
        fs::write(
            p.join("lib.rs"),
            "fn one() {}\nfn two_renamed_to_something_longer() {}\n",
        )
        .unwrap();
        fs::write(p.join("notes.md"), "# Notes\n").unwrap();
        fs::create_dir(p.join("target")).unwrap();
        fs::write(p.join("target/out"), "built").unwrap();
        let diff = workspace_diff(p).unwrap();
        let WorkspaceDiff::Changes { text, truncated } = &diff else {
            panic!("{diff:?}");
        };
        assert!(!truncated);
        assert!(text.contains("+fn two_renamed"), "{text}");
        assert!(text.contains("+# Notes"), "{text}");
        assert!(!text.contains("built"), "{text}");
        // The index lines carry hashes that differ between git versions.
        let lines: Vec<Line<'static>> = diff_lines(&diff)
            .into_iter()
            .filter(|l| !l.spans[0].content.starts_with("index "))
            .collect();
        insta::assert_snapshot!("diff_80", draw(lines.clone(), 80));
        insta::assert_snapshot!("diff_40", draw(lines, 40));
    }

    #[test]
    fn says_so_outside_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let diff = workspace_diff(dir.path()).unwrap();
        assert_eq!(diff, WorkspaceDiff::NotARepository);
        insta::assert_snapshot!("diff_not_a_repo", draw(diff_lines(&diff), 80));
    }

    #[test]
    fn escapes_in_file_contents_are_not_obeyed() {
        let diff = WorkspaceDiff::Changes {
            text: "+\u{1b}]0;pwned\u{7}title\n".to_owned(),
            truncated: false,
        };
        let shown: String = diff_lines(&diff)[0]
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
    }

    #[test]
    fn colours_additions_and_deletions() {
        let diff = WorkspaceDiff::Changes {
            text: "@@ -1 +1 @@\n-old\n+new\n".to_owned(),
            truncated: false,
        };
        let lines = diff_lines(&diff);
        assert_eq!(lines[1].spans[0].style.fg, Some(ratatui::style::Color::Red));
        assert_eq!(
            lines[2].spans[0].style.fg,
            Some(ratatui::style::Color::Green)
        );
    }
}
