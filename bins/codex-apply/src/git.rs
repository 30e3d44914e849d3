//! Running git in the repository the diff goes into, and reading what `git apply --numstat`
//! says a diff touches.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Why git could not be used.
#[derive(Debug)]
pub(crate) enum GitError {
    /// `git` is not on PATH.
    Missing,
    /// `dir` is not inside a git work tree.
    NotARepo { dir: PathBuf, detail: String },
    /// Running a git command failed in a way that is not about the diff.
    Failed { command: String, message: String },
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing => write!(
                f,
                "git is not installed or not on PATH; install git (Debian: apt-get install git)"
            ),
            GitError::NotARepo { dir, detail } => write!(
                f,
                "{} is not inside a git repository ({detail}); run this in the repository the \
                 task worked on, or pass -C DIR",
                dir.display()
            ),
            GitError::Failed { command, message } => write!(f, "`{command}` failed: {message}"),
        }
    }
}

/// A git work tree, by its top-level directory.
pub(crate) struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The work tree containing `dir`.
    pub(crate) fn discover(dir: &Path) -> Result<Repo, GitError> {
        let output = run(dir, &["rev-parse", "--show-toplevel"], None)?;
        let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || stdout.is_empty() {
            let detail = first_line(&output.stderr)
                .unwrap_or_else(|| "git rev-parse --show-toplevel found no work tree".to_owned());
            return Err(GitError::NotARepo {
                dir: dir.to_owned(),
                detail,
            });
        }
        Ok(Repo {
            root: PathBuf::from(stdout),
        })
    }

    /// The top-level directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Runs `git ARGS` at the top level, `stdin` fed to it. Its status is the caller's to judge.
    pub(crate) fn git(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Output, GitError> {
        run(&self.root, args, stdin)
    }

    /// The index file (`$GIT_DIR/index`, or `$GIT_INDEX_FILE`).
    pub(crate) fn index_path(&self) -> Result<PathBuf, GitError> {
        let output = self.git(&["rev-parse", "--git-path", "index"], None)?;
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || path.is_empty() {
            return Err(failed("git rev-parse --git-path index", &output));
        }
        Ok(self.root.join(path))
    }

    /// What `diff` touches, as `git apply --numstat` reads it. An error names git's complaint
    /// when the text is not a diff git understands.
    pub(crate) fn numstat(&self, diff: &str) -> Result<Result<Vec<FileStat>, String>, GitError> {
        let output = self.git(&["apply", "--numstat", "-z"], Some(diff.as_bytes()))?;
        if !output.status.success() {
            let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            return Ok(Err(message));
        }
        Ok(Ok(parse_numstat(&output.stdout)))
    }
}

/// One file a diff touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileStat {
    /// The path after the change (for a deletion, the deleted path).
    pub(crate) path: String,
    /// The path before a rename or copy.
    pub(crate) old_path: Option<String>,
    /// Lines added and removed; `None` for binary files.
    pub(crate) additions: Option<u64>,
    pub(crate) deletions: Option<u64>,
}

impl FileStat {
    /// Every path this entry touches.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.old_path.as_deref())
    }
}

/// Whether `path` (from a diff) stays inside the work tree and out of `.git`. git refuses
/// such paths too; checking first keeps us from even reading what they name.
pub(crate) fn is_safe_path(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
        && path
            .components()
            .next()
            .is_some_and(|c| !c.as_os_str().eq_ignore_ascii_case(".git"))
}

/// Parses `git apply --numstat -z`: `ADDED\tDELETED\tPATH\0`, or for a rename or copy
/// `ADDED\tDELETED\t\0OLD\0NEW\0`; binary files count `-`.
fn parse_numstat(bytes: &[u8]) -> Vec<FileStat> {
    let text = String::from_utf8_lossy(bytes);
    let mut fields = text.split('\0');
    let mut stats = Vec::new();
    while let Some(record) = fields.next() {
        let mut parts = record.splitn(3, '\t');
        let (Some(added), Some(deleted), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let count = |s: &str| s.parse::<u64>().ok();
        let (path, old_path) = if path.is_empty() {
            let old = fields.next().unwrap_or_default().to_owned();
            let new = fields.next().unwrap_or_default().to_owned();
            (new, Some(old))
        } else {
            (path.to_owned(), None)
        };
        stats.push(FileStat {
            path,
            old_path,
            additions: count(added),
            deletions: count(deleted),
        });
    }
    stats
}

fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Output, GitError> {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        // Messages in English, so the files named in them can be found.
        .env("LC_ALL", "C")
        .env_remove("LANGUAGE")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            GitError::Missing
        } else {
            GitError::Failed {
                command: format!("git {}", args.join(" ")),
                message: e.to_string(),
            }
        }
    })?;
    // A thread feeds stdin so a large diff cannot deadlock against git's output.
    let feeder = match (stdin, child.stdin.take()) {
        (Some(bytes), Some(mut pipe)) => {
            let bytes = bytes.to_vec();
            Some(std::thread::spawn(move || {
                // git may stop reading early (a bad diff); its stderr says why.
                let _ = pipe.write_all(&bytes);
            }))
        }
        _ => None,
    };
    let output = child.wait_with_output().map_err(|e| GitError::Failed {
        command: format!("git {}", args.join(" ")),
        message: e.to_string(),
    });
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    output
}

fn failed(command: &str, output: &Output) -> GitError {
    GitError::Failed {
        command: command.to_owned(),
        message: first_line(&output.stderr).unwrap_or_else(|| output.status.to_string()),
    }
}

fn first_line(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numstat_records_plain_binary_and_renamed() {
        let raw = b"1\t2\tsrc/a.rs\0-\t-\timg.png\x000\t0\t\0old name.txt\0new name.txt\0";
        let stats = parse_numstat(raw);
        assert_eq!(stats.len(), 3);
        assert_eq!(stats[0].path, "src/a.rs");
        assert_eq!((stats[0].additions, stats[0].deletions), (Some(1), Some(2)));
        assert_eq!(stats[1].additions, None);
        assert_eq!(stats[2].path, "new name.txt");
        assert_eq!(stats[2].old_path.as_deref(), Some("old name.txt"));
    }

    #[test]
    fn paths_outside_the_work_tree_or_into_git_are_unsafe() {
        assert!(is_safe_path("src/a.rs"));
        assert!(is_safe_path("dir/.gitignore"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".git/hooks/pre-commit",
            ".GIT/config",
            "./a",
        ] {
            assert!(!is_safe_path(bad), "{bad}");
        }
    }
}
