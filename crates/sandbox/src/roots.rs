//! Where a policy lets commands write: the writable roots and their read-only subpaths.
//!
//! Codex's rule (its `protocol.rs`): `workspace-write` may write under the configured
//! `writable_roots`, the policy cwd, `/tmp` and `$TMPDIR` (each unless excluded). Inside a root,
//! `.git` (or, when `.git` is a file, the git dir it points to and that one's shared git dir)
//! and `.codex` stay read-only: a command that could write there could plant a hook or a
//! config that runs later, outside the sandbox. So does `HEAD` (see [`PROTECTED_NAMES`]).
//! They are listed even before they exist, so [`WritableRoot::is_path_writable`] (asked
//! before a patch is applied) refuses to create a repository or a project config, and the
//! Linux sandbox mounts a read-only placeholder where one is missing (`placeholder`).
//! Directories between a root and a root above it count as roots for this (see
//! [`writable_roots`]), and a root reached through a symlink that a command could have made
//! is left out (see [`redirected_roots`]).

use std::path::{Component, Path, PathBuf};

use codex_protocol::SandboxPolicy;

use crate::paths::{normalize, resolve};

/// Names inside a writable root that commands may not write: the repository, the project
/// config, and `HEAD`, without which git does not take the root itself for a bare repository
/// (a `HEAD`, `objects/` and `refs/` planted in a root without `.git` would make one, with a
/// planted `config` that git on the host then runs).
pub(crate) const PROTECTED_NAMES: [&str; 3] = [".git", ".codex", "HEAD"];

/// A directory commands may write beneath, minus the subpaths they may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritableRoot {
    /// The directory, absolute (canonical when it exists).
    pub root: PathBuf,
    /// Paths under `root` that stay read-only, absolute. They need not exist: the sandbox
    /// keeps missing ones from being created.
    pub read_only_subpaths: Vec<PathBuf>,
}

impl WritableRoot {
    /// Whether `path` (absolute) is under this root and outside every read-only subpath.
    /// The path is normalized lexically (`..` cannot climb out of the root); symlinks are not
    /// followed, so callers resolve them first when that matters.
    pub fn is_path_writable(&self, path: &Path) -> bool {
        if !path.is_absolute() {
            return false;
        }
        let path = normalize(Path::new("/"), path);
        path.starts_with(&self.root) && !self.read_only_subpaths.iter().any(|p| path.starts_with(p))
    }
}

/// The writable roots of `policy` with writable roots resolved against `cwd` (the policy cwd):
/// the [`named_roots`], and every directory between one of them and a root above it. Those
/// are writable anyway (the outer root covers them); as roots of their own they get what a
/// root gets: `.git` and `.codex` kept read-only (git run in the inner root looks for a
/// repository in each parent too, so one planted there would run its hooks on the host),
/// and, in the Linux sandbox, a mount that cannot be renamed away. Empty for `read-only`,
/// and for `danger-full-access`, which writes everywhere.
pub fn writable_roots(policy: &SandboxPolicy, cwd: &Path) -> Vec<WritableRoot> {
    let mut roots = named_roots(policy, cwd);
    // A redirected root that lies inside a root anyway stays writable through that root:
    // as a root of its own it keeps its `.git` and `.codex` read-only.
    let enclosed: Vec<PathBuf> = redirected_roots(policy, cwd)
        .into_iter()
        .map(|r| r.resolved)
        .filter(|dir| roots.iter().any(|r| dir.starts_with(r)))
        .collect();
    for dir in enclosed {
        if !roots.contains(&dir) {
            roots.push(dir);
        }
    }
    let between: Vec<PathBuf> = roots
        .iter()
        .flat_map(|root| root.ancestors().skip(1))
        .filter(|dir| roots.iter().any(|r| dir != r && dir.starts_with(r)))
        .map(Path::to_path_buf)
        .collect();
    for dir in between {
        if !roots.contains(&dir) {
            roots.push(dir);
        }
    }

    // Protected paths are collected over every root first: a root that contains another
    // root (a configured parent of the cwd, say) must not re-grant the inner root's `.git`.
    let mut protected: Vec<PathBuf> = Vec::new();
    for root in &roots {
        for path in protected_paths(root) {
            if !protected.contains(&path) {
                protected.push(path);
            }
        }
    }
    roots
        .into_iter()
        .map(|root| {
            let read_only_subpaths = protected
                .iter()
                .filter(|p| p.starts_with(&root))
                .cloned()
                .collect();
            WritableRoot {
                root,
                read_only_subpaths,
            }
        })
        .collect()
}

/// The roots `policy` names (the configured writable roots, the cwd, `/tmp` and `$TMPDIR`,
/// each unless excluded), canonical, without duplicates, and without the
/// [`redirected_roots`]: what the model is told it may write.
pub fn named_roots(policy: &SandboxPolicy, cwd: &Path) -> Vec<PathBuf> {
    let candidates = candidates(policy, cwd);
    let canonical: Vec<PathBuf> = candidates
        .iter()
        .map(|c| resolve(Path::new("/"), c))
        .collect();
    let mut roots: Vec<PathBuf> = Vec::new();
    for (named, root) in candidates.iter().zip(&canonical) {
        if !roots.contains(root) && planted_link(named, &canonical).is_none() {
            roots.push(root.clone());
        }
    }
    roots
}

/// A root the policy names but the sandbox leaves out: the way to it passes through a
/// symlink inside a writable root, which an earlier sandboxed command could have put there
/// (renaming the root's parent and linking the root's path to any directory on the host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectedRoot {
    /// The root as the policy, the cwd or `$TMPDIR` names it.
    pub named: PathBuf,
    /// Where that leads now.
    pub resolved: PathBuf,
    /// The symlink on the way.
    pub link: PathBuf,
}

/// The roots [`writable_roots`] leaves out, and why.
pub fn redirected_roots(policy: &SandboxPolicy, cwd: &Path) -> Vec<RedirectedRoot> {
    let candidates = candidates(policy, cwd);
    let canonical: Vec<PathBuf> = candidates
        .iter()
        .map(|c| resolve(Path::new("/"), c))
        .collect();
    candidates
        .into_iter()
        .zip(canonical.iter())
        .filter_map(|(named, resolved)| {
            let link = planted_link(&named, &canonical)?;
            Some(RedirectedRoot {
                named,
                resolved: resolved.clone(),
                link,
            })
        })
        .collect()
}

/// The roots `policy` names, absolute and normalized but not resolved: the configured
/// writable roots (relative ones against `cwd`), `cwd`, `/tmp` and `$TMPDIR`.
fn candidates(policy: &SandboxPolicy, cwd: &Path) -> Vec<PathBuf> {
    let SandboxPolicy::WorkspaceWrite {
        writable_roots,
        exclude_tmpdir_env_var,
        exclude_slash_tmp,
        ..
    } = policy
    else {
        return Vec::new();
    };
    let cwd = normalize(
        &std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
        cwd,
    );
    let mut out: Vec<PathBuf> = writable_roots.iter().map(|r| normalize(&cwd, r)).collect();
    out.push(cwd.clone());
    if !exclude_slash_tmp && Path::new("/tmp").is_dir() {
        out.push(PathBuf::from("/tmp"));
    }
    if !exclude_tmpdir_env_var
        && let Some(tmpdir) = std::env::var_os("TMPDIR").filter(|v| !v.is_empty())
    {
        out.push(normalize(&cwd, Path::new(&tmpdir)));
    }
    out
}

/// The first symlink on the way to `path` that lies in a directory beneath one of `roots`
/// (canonical), following the others as the kernel would. `None` when there is none, or
/// when the path stops existing before one is met.
fn planted_link(path: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    /// What is left to walk, last step first.
    enum Step {
        Down(std::ffi::OsString),
        Up,
    }
    fn push_steps(steps: &mut Vec<Step>, path: &Path) {
        for component in path.components().rev() {
            match component {
                Component::Normal(name) => steps.push(Step::Down(name.to_owned())),
                Component::ParentDir => steps.push(Step::Up),
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
    }
    /// Linux gives up after 40 links (ELOOP); so does this walk.
    const MAX_LINKS: usize = 40;

    let mut steps = Vec::new();
    push_steps(&mut steps, path);
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    while let Some(step) = steps.pop() {
        let name = match step {
            Step::Up => {
                resolved.pop();
                continue;
            }
            Step::Down(name) => name,
        };
        let next = resolved.join(&name);
        let meta = std::fs::symlink_metadata(&next).ok()?;
        if !meta.file_type().is_symlink() {
            resolved = next;
            continue;
        }
        if roots.iter().any(|root| resolved.starts_with(root)) {
            return Some(next);
        }
        links += 1;
        if links > MAX_LINKS {
            return None;
        }
        let target = std::fs::read_link(&next).ok()?;
        if target.is_absolute() {
            resolved = PathBuf::from("/");
        }
        push_steps(&mut steps, &target);
    }
    None
}

/// The protected paths of one root: `.git` and `.codex` (whether they exist or not), their
/// symlink targets, and the git dir named by a `.git` file.
fn protected_paths(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in PROTECTED_NAMES {
        let path = root.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            out.push(path);
            continue;
        };
        let resolved = resolve(root, &path);
        if meta.is_file()
            && name == ".git"
            && let Some(gitdir) = gitdir_of(&path)
        {
            let gitdir = resolve(root, &gitdir);
            // A worktree's git dir names the main repository's, which holds the config and
            // hooks git in the worktree runs.
            if let Some(common) = commondir_of(&gitdir) {
                out.push(resolve(&gitdir, &common));
            }
            out.push(gitdir);
        }
        if resolved != path {
            out.push(resolved);
        }
        out.push(path);
    }
    out
}

/// The shared git dir a worktree's git dir names in its `commondir` file (relative to the
/// git dir, or absolute).
fn commondir_of(gitdir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(gitdir.join("commondir")).ok()?;
    let target = text.trim();
    (!target.is_empty()).then(|| PathBuf::from(target))
}

/// The target of a `gitdir: <path>` line in a `.git` file (worktrees, submodules).
fn gitdir_of(dot_git_file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dot_git_file).ok()?;
    let target = text
        .lines()
        .find_map(|line| line.strip_prefix("gitdir:"))?
        .trim();
    (!target.is_empty()).then(|| PathBuf::from(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_link_inside_a_root_on_the_way_is_found_and_others_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("root");
        let elsewhere = base.join("elsewhere");
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::fs::create_dir_all(elsewhere.join("sub")).unwrap();
        // The user's own link (outside every root) to a directory holding a planted one.
        std::os::unix::fs::symlink(&root, base.join("mine")).unwrap();
        std::os::unix::fs::symlink("../../elsewhere", root.join("d/planted")).unwrap();
        let roots = [root.clone()];
        assert_eq!(planted_link(&base.join("mine/d"), &roots), None);
        assert_eq!(
            planted_link(&base.join("mine/d/planted/sub"), &roots),
            Some(root.join("d/planted"))
        );
        assert_eq!(planted_link(&base.join("elsewhere/sub"), &roots), None);
        // Missing paths stop the walk: nothing there can be a link yet.
        assert_eq!(planted_link(&root.join("d/missing/x"), &roots), None);
    }

    fn policy(roots: Vec<PathBuf>) -> SandboxPolicy {
        SandboxPolicy::WorkspaceWrite {
            writable_roots: roots,
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: true,
        }
    }

    #[test]
    fn read_only_and_full_access_have_no_roots() {
        assert!(writable_roots(&SandboxPolicy::ReadOnly, Path::new("/")).is_empty());
        assert!(writable_roots(&SandboxPolicy::DangerFullAccess, Path::new("/")).is_empty());
    }

    #[test]
    fn cwd_protects_git_and_codex_even_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().canonicalize().unwrap();
        let roots = writable_roots(&policy(vec![]), &cwd);
        assert_eq!(
            roots,
            vec![WritableRoot {
                root: cwd.clone(),
                read_only_subpaths: vec![cwd.join(".git"), cwd.join(".codex"), cwd.join("HEAD")],
            }]
        );
        let root = &roots[0];
        assert!(root.is_path_writable(&cwd.join("src/main.rs")));
        assert!(!root.is_path_writable(&cwd.join(".git/config")));
        assert!(!root.is_path_writable(&cwd.join("src/../.git/hooks/pre-commit")));
        assert!(!root.is_path_writable(&cwd.join("../elsewhere")));
        assert!(!root.is_path_writable(Path::new("relative/path")));
    }

    #[test]
    fn other_roots_protect_missing_names_too_and_gitdir_files_are_followed() {
        let cwd = tempfile::tempdir().unwrap();
        let extra = tempfile::tempdir().unwrap();
        let main_repo = tempfile::tempdir().unwrap();
        let extra_path = extra.path().canonicalize().unwrap();
        let gitdir = main_repo
            .path()
            .canonicalize()
            .unwrap()
            .join(".git/worktrees/wt");
        std::fs::create_dir_all(&gitdir).unwrap();
        std::fs::write(
            extra_path.join(".git"),
            format!("gitdir: {}\n", gitdir.display()),
        )
        .unwrap();

        let roots = writable_roots(
            &policy(vec![extra_path.clone(), main_repo.path().to_path_buf()]),
            cwd.path(),
        );
        assert_eq!(roots[0].root, extra_path);
        assert_eq!(
            roots[0].read_only_subpaths,
            vec![
                extra_path.join(".git"),
                extra_path.join(".codex"),
                extra_path.join("HEAD")
            ]
        );
        // The worktree's git dir lies in another root, and is protected there (as is that
        // root's own `.git`, which contains it).
        let main_git = gitdir.parent().unwrap().parent().unwrap().to_path_buf();
        let main_codex = main_git.with_file_name(".codex");
        let main_head = main_git.with_file_name("HEAD");
        assert_eq!(
            roots[1].read_only_subpaths,
            vec![gitdir.clone(), main_git, main_codex, main_head]
        );
        assert!(!roots[1].is_path_writable(&gitdir.join("HEAD")));
        assert!(roots[1].is_path_writable(&roots[1].root.join("src")));
    }

    #[test]
    fn nested_roots_share_protected_paths_and_relative_roots_use_cwd() {
        let parent = tempfile::tempdir().unwrap();
        let parent_path = parent.path().canonicalize().unwrap();
        let cwd = parent_path.join("project");
        std::fs::create_dir(&cwd).unwrap();
        let roots = writable_roots(&policy(vec![PathBuf::from("..")]), &cwd);
        assert_eq!(roots[0].root, parent_path);
        assert_eq!(
            roots[0].read_only_subpaths,
            vec![
                parent_path.join(".git"),
                parent_path.join(".codex"),
                parent_path.join("HEAD"),
                cwd.join(".git"),
                cwd.join(".codex"),
                cwd.join("HEAD")
            ]
        );
        assert!(!roots[0].is_path_writable(&cwd.join(".git/config")));
    }

    #[test]
    fn tmp_roots_follow_the_exclusions() {
        let cwd = tempfile::tempdir().unwrap();
        let with_tmp = SandboxPolicy::WorkspaceWrite {
            writable_roots: vec![],
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: false,
        };
        let roots = writable_roots(&with_tmp, cwd.path());
        assert!(
            roots
                .iter()
                .any(|r| r.root == Path::new("/tmp").canonicalize().unwrap())
        );
        assert_eq!(writable_roots(&policy(vec![]), cwd.path()).len(), 1);
    }
}
