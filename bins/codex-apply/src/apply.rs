//! Applying a diff with git, all or nothing: a three-way merge that stages the result when
//! the index allows it, else a plain apply to the work tree. When neither works, the files
//! and the index are put back as they were and the files that failed are named.

use crate::git::{FileStat, GitError, Repo, is_safe_path};
use crate::snapshot::Snapshot;

/// How the diff went in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// `git apply --3way`: merged where needed, and staged.
    ThreeWay,
    /// `git apply`: the work tree only (the index did not match it for these files).
    WorkTree,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::ThreeWay => "three_way",
            Method::WorkTree => "work_tree",
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl Change {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Modified => "modified",
            Change::Deleted => "deleted",
            Change::Renamed => "renamed",
        }
    }

    /// The letter `git status --short` uses.
    pub(crate) fn letter(self) -> char {
        match self {
            Change::Added => 'A',
            Change::Modified => 'M',
            Change::Deleted => 'D',
            Change::Renamed => 'R',
        }
    }
}

/// One file the diff changed.
#[derive(Debug, Clone)]
pub(crate) struct ChangedFile {
    pub(crate) stat: FileStat,
    pub(crate) change: Change,
}

/// A diff that went in.
#[derive(Debug)]
pub(crate) struct Applied {
    pub(crate) method: Method,
    pub(crate) files: Vec<ChangedFile>,
}

/// A file the diff could not be applied to, and git's reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailedFile {
    pub(crate) path: String,
    pub(crate) reasons: Vec<String>,
}

/// Why the diff is not in.
#[derive(Debug)]
pub(crate) enum ApplyError {
    /// git itself could not be run.
    Git(GitError),
    /// The text is not a diff git understands (git's message).
    InvalidDiff(String),
    /// The diff names a path outside the work tree or inside `.git`.
    UnsafePath(String),
    /// Reading the files before applying failed; nothing was changed.
    Snapshot(String),
    /// The diff does not apply; nothing was changed.
    DoesNotApply {
        files: Vec<FailedFile>,
        /// git's own output, for when no file could be singled out.
        git_output: String,
        /// The reverse diff applies: the changes are already there.
        already_applied: bool,
    },
    /// Undoing a failed attempt failed: these paths need a look.
    RestoreFailed(Vec<String>),
}

impl From<GitError> for ApplyError {
    fn from(e: GitError) -> Self {
        ApplyError::Git(e)
    }
}

/// Applies `diff` to the work tree of `repo`.
pub(crate) fn apply(repo: &Repo, diff: &str) -> Result<Applied, ApplyError> {
    let stats = repo.numstat(diff)?.map_err(ApplyError::InvalidDiff)?;
    if stats.is_empty() {
        return Err(ApplyError::InvalidDiff("it changes no file".to_owned()));
    }
    if let Some(bad) = stats
        .iter()
        .flat_map(FileStat::paths)
        .find(|p| !is_safe_path(p))
    {
        return Err(ApplyError::UnsafePath(bad.to_owned()));
    }
    let snapshot = Snapshot::capture(
        repo.root(),
        repo.index_path()?,
        stats.iter().flat_map(FileStat::paths),
    )
    .map_err(ApplyError::Snapshot)?;
    let changed = |method| Applied {
        method,
        files: stats
            .iter()
            .map(|stat| ChangedFile {
                stat: stat.clone(),
                change: change_of(repo, &snapshot, stat),
            })
            .collect(),
    };

    let input = Some(diff.as_bytes());
    let three_way = repo.git(&["apply", "--3way"], input)?;
    if three_way.status.success() {
        return Ok(changed(Method::ThreeWay));
    }
    // A refused three-way apply writes nothing, but one with conflicts leaves markers in the
    // files and stages in the index.
    snapshot.restore().map_err(ApplyError::RestoreFailed)?;
    let direct = repo.git(&["apply"], input)?;
    if direct.status.success() {
        return Ok(changed(Method::WorkTree));
    }
    // A plain apply is atomic; restoring again only makes sure.
    snapshot.restore().map_err(ApplyError::RestoreFailed)?;
    let reverse = repo.git(&["apply", "--reverse", "--check"], input)?;
    let three_way_err = String::from_utf8_lossy(&three_way.stderr);
    let direct_err = String::from_utf8_lossy(&direct.stderr);
    Err(ApplyError::DoesNotApply {
        files: failed_files(&stats, &three_way_err, &direct_err),
        git_output: direct_err.trim().to_owned(),
        already_applied: reverse.status.success(),
    })
}

fn change_of(repo: &Repo, snapshot: &Snapshot, stat: &FileStat) -> Change {
    if stat.old_path.is_some() {
        return Change::Renamed;
    }
    let before = snapshot.existed(repo.root(), &stat.path);
    let after = repo.root().join(&stat.path).symlink_metadata().is_ok();
    match (before, after) {
        (false, _) => Change::Added,
        (true, false) => Change::Deleted,
        (true, true) => Change::Modified,
    }
}

/// Lines of a three-way attempt that only say why git would not merge (the plain attempt
/// then says what is really wrong).
const THREE_WAY_ONLY: &[&str] = &[
    "does not exist in index",
    "does not match index",
    "cannot read the current contents",
    "patch does not apply",
    "patch failed",
];

/// The files named in git's complaints, each with its reasons, in the diff's order.
fn failed_files(stats: &[FileStat], three_way: &str, direct: &str) -> Vec<FailedFile> {
    let mut failed: Vec<FailedFile> = Vec::new();
    for path in stats.iter().flat_map(FileStat::paths) {
        if failed.iter().any(|f| f.path == path) {
            continue;
        }
        let mut reasons: Vec<String> = Vec::new();
        let mut add = |reason: String| {
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        };
        for line in direct.lines().filter(|l| names(l, path)) {
            add(reason(line, path));
        }
        for line in three_way.lines().filter(|l| names(l, path)) {
            if line.contains("with conflicts") || line.starts_with("U ") {
                add("conflicts with the current content (three-way merge failed)".to_owned());
            } else if !THREE_WAY_ONLY.iter().any(|noise| line.contains(noise)) {
                add(reason(line, path));
            }
        }
        // git says "patch does not apply" after the more precise reason; keep it only alone.
        if reasons.len() > 1 {
            reasons.retain(|r| r != DOES_NOT_APPLY);
        }
        if !reasons.is_empty() {
            failed.push(FailedFile {
                path: path.to_owned(),
                reasons,
            });
        }
    }
    failed
}

const DOES_NOT_APPLY: &str = "patch does not apply";

/// Whether a line of git's stderr is about `path`.
fn names(line: &str, path: &str) -> bool {
    line.contains(&format!(" {path}:"))
        || line.contains(&format!("'{path}'"))
        || line == format!("U {path}")
}

/// A line of git's stderr about `path` as a reason, without `error: ` and the path itself:
/// `error: patch failed: a.rs:12` becomes `no match for the hunk at line 12`.
fn reason(line: &str, path: &str) -> String {
    let line = line.trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    if let Some(at) = line.strip_prefix(&format!("patch failed: {path}:")) {
        return format!("no match for the hunk at line {at}");
    }
    line.strip_prefix(&format!("{path}: "))
        .unwrap_or(line)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(path: &str) -> FileStat {
        FileStat {
            path: path.into(),
            old_path: None,
            additions: Some(1),
            deletions: Some(0),
        }
    }

    #[test]
    fn failed_files_come_from_both_attempts_without_three_way_noise() {
        let three_way = "error: new.txt: does not exist in index\n\
                         Applied patch to 'f.txt' with conflicts.\nU f.txt\n";
        let direct = "error: patch failed: f.txt:1\nerror: f.txt: patch does not apply\n\
                      error: new.txt: already exists in working directory\n";
        let failed = failed_files(
            &[stat("f.txt"), stat("new.txt"), stat("ok.txt")],
            three_way,
            direct,
        );
        assert_eq!(
            failed,
            [
                FailedFile {
                    path: "f.txt".into(),
                    reasons: vec![
                        "no match for the hunk at line 1".into(),
                        "conflicts with the current content (three-way merge failed)".into(),
                    ],
                },
                FailedFile {
                    path: "new.txt".into(),
                    reasons: vec!["already exists in working directory".into()],
                },
            ]
        );
    }
}
