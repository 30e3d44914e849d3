//! The git state recorded in `session_meta` (commit, branch and `origin` URL of the session's
//! working directory), read from the repository's files. Spawning `git` for this costs a few
//! milliseconds a call at every session start, more than the rest of start-up together.
//! Worktrees (`.git` files and `commondir`) and packed refs are followed.

use std::path::{Path, PathBuf};

use codex_protocol::rollout::GitInfo;

/// The nearest ancestor of `cwd` (itself included) holding a repository's `.git`: a file
/// (worktrees, submodules) or a directory with a `HEAD`. An empty `.git` directory does not
/// count, as git itself skips it (the sandbox mounts one, read-only, where a writable root has
/// none; the same rule is in `codex_config::git_repo_root`).
pub fn git_root(cwd: &Path) -> Option<&Path> {
    cwd.ancestors().find(|dir| {
        let dot_git = dir.join(".git");
        dot_git.is_file() || dot_git.join("HEAD").exists()
    })
}

/// The git state of `cwd`, or `None` when it is not in a repository.
pub fn collect_git_info(cwd: &Path) -> Option<GitInfo> {
    let git_dir = git_dir(&git_root(cwd)?.join(".git"))?;
    let head = read_trimmed(&git_dir.join("HEAD"))?;
    // A worktree keeps HEAD itself but shares refs and config with the main repository.
    let common = read_trimmed(&git_dir.join("commondir"))
        .map_or_else(|| git_dir.clone(), |dir| git_dir.join(dir));
    let (branch, commit_hash) = match head.strip_prefix("ref: ") {
        Some(reference) => (
            reference.strip_prefix("refs/heads/").map(str::to_owned),
            resolve_ref(&common, reference),
        ),
        None => (None, Some(head)),
    };
    Some(GitInfo {
        commit_hash,
        branch,
        repository_url: origin_url(&common),
    })
}

/// The repository directory a `.git` entry stands for: itself, or what a `gitdir:` file names.
fn git_dir(dot_git: &Path) -> Option<PathBuf> {
    if dot_git.is_dir() {
        return Some(dot_git.to_owned());
    }
    let target = read_trimmed(dot_git)?;
    let target = target.strip_prefix("gitdir:")?.trim();
    Some(dot_git.parent()?.join(target))
}

fn resolve_ref(common: &Path, reference: &str) -> Option<String> {
    if let Some(hash) = read_trimmed(&common.join(reference)) {
        return Some(hash);
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (hash, name) = line.split_once(' ')?;
        (name == reference).then(|| hash.to_owned())
    })
}

/// `remote.origin.url` from the repository's config.
fn origin_url(common: &Path) -> Option<String> {
    let config = std::fs::read_to_string(common.join("config")).ok()?;
    let mut in_origin = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_origin = line == "[remote \"origin\"]";
        } else if in_origin
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "url"
        {
            return Some(without_credentials(value.trim()));
        }
    }
    None
}

/// `url` without its secrets: the password, and over HTTP(S) the user name too, where tokens go
/// (`https://user:token@host/repo`, `https://token@host/repo`). A token kept in a remote's URL
/// must not be copied into every session file and listing. An SSH user (`ssh://git@host`) is
/// no secret and stays.
fn without_credentials(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    let http = matches!(parsed.scheme(), "http" | "https");
    let secret_user = http && !parsed.username().is_empty();
    if parsed.password().is_none() && !secret_user {
        return url.to_owned();
    }
    // These fail only for URLs that cannot carry credentials, and this one does.
    let _ = parsed.set_password(None);
    if http {
        let _ = parsed.set_username("");
    }
    parsed.to_string()
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};

    #[test]
    fn credentials_in_an_origin_url_are_dropped() {
        assert_eq!(
            without_credentials("https://me:ghp_secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            without_credentials("https://ghp_secret@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            without_credentials("ssh://git:pw@github.com/org/repo.git"),
            "ssh://git@github.com/org/repo.git"
        );
        for kept in [
            "https://github.com/org/repo.git",
            "git@github.com:org/repo.git",
            "ssh://git@github.com/org/repo.git",
            "/srv/git/repo.git",
        ] {
            assert_eq!(without_credentials(kept), kept);
        }
    }

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
        let hash = info.commit_hash.unwrap();
        assert_eq!(hash.len(), 40);
        // Packed refs and worktrees resolve to the same commit.
        assert!(run(&["pack-refs", "--all"]));
        assert_eq!(
            collect_git_info(dir.path()).unwrap().commit_hash.as_deref(),
            Some(hash.as_str())
        );
        assert!(run(&["worktree", "add", "-q", "-b", "side", "wt"]));
        let wt = collect_git_info(&dir.path().join("wt")).unwrap();
        assert_eq!(wt.branch.as_deref(), Some("side"));
        assert_eq!(wt.commit_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(
            wt.repository_url.as_deref(),
            Some("https://example.invalid/r.git")
        );
    }
}
