//! The git state recorded in `session_meta`: commit, branch and `origin` URL of the session's
//! working directory, read by running `git` (worktrees, packed refs and `includeIf` all resolve
//! the way the user's git does).

use std::path::Path;
use std::process::{Command, Stdio};

use codex_protocol::rollout::GitInfo;

/// The git state of `cwd`, or `None` when it is not in a repository or `git` is missing.
pub fn collect_git_info(cwd: &Path) -> Option<GitInfo> {
    let commit_hash = git(cwd, &["rev-parse", "--verify", "-q", "HEAD"]);
    let branch = git(cwd, &["symbolic-ref", "--short", "-q", "HEAD"]);
    if commit_hash.is_none() && branch.is_none() {
        // Either not a repository, or one with no commit and a detached HEAD: nothing to say.
        git(cwd, &["rev-parse", "--git-dir"])?;
    }
    let repository_url = git(cwd, &["remote", "get-url", "origin"]);
    Some(GitInfo {
        commit_hash,
        branch,
        repository_url,
    })
}

/// `git <args>` in `cwd`: its trimmed stdout on success, `None` otherwise.
fn git(cwd: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_repository_there_is_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(collect_git_info(dir.path()), None);
    }

    #[test]
    fn reads_branch_commit_and_origin() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let status = Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            status.is_ok_and(|s| s.success())
        };
        if !run(&["init", "-q", "-b", "topic"]) {
            return; // No git on this machine: nothing to test.
        }
        assert!(run(&[
            "remote",
            "add",
            "origin",
            "https://example.invalid/r.git"
        ]));
        assert!(run(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "m"
        ]));
        let info = collect_git_info(dir.path()).unwrap();
        assert_eq!(info.branch.as_deref(), Some("topic"));
        assert_eq!(
            info.repository_url.as_deref(),
            Some("https://example.invalid/r.git")
        );
        assert_eq!(info.commit_hash.map(|h| h.len()), Some(40));
    }
}
