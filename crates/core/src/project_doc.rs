//! AGENTS.md: instructions a project (and the user, in CODEX_HOME) leaves for the agent.
//!
//! Files are collected from the git root down to the working directory (never above the git
//! root; only the cwd when there is no repository), the global one first, within a byte
//! budget. In each directory the first of `AGENTS.override.md`, `AGENTS.md` and the
//! configured fallback names wins.

use std::path::{Path, PathBuf};

const SEPARATOR: &str = "\n\n--- project-doc ---\n\n";

/// Returns the user instructions for a session: the global AGENTS.md, then the project's,
/// or `None` when there are none.
pub fn user_instructions(
    codex_home: &Path,
    cwd: &Path,
    max_bytes: usize,
    fallbacks: &[String],
) -> Option<String> {
    let global = read_nonblank(&codex_home.join("AGENTS.md"));
    let project = if max_bytes == 0 {
        None
    } else {
        project_docs(cwd, max_bytes, fallbacks)
    };
    match (global, project) {
        (Some(g), Some(p)) => Some(format!("{g}{SEPARATOR}{p}")),
        (g, p) => g.or(p),
    }
}

/// The project's AGENTS.md files joined with blank lines, cut to `max_bytes`.
pub fn project_docs(cwd: &Path, max_bytes: usize, fallbacks: &[String]) -> Option<String> {
    let mut remaining = max_bytes;
    let mut parts = Vec::new();
    for (_, text) in project_doc_files(cwd, fallbacks) {
        if remaining == 0 {
            break;
        }
        let cut = crate::truncate::prefix_within(&text, remaining);
        remaining -= cut.len();
        parts.push(cut.to_owned());
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

/// The AGENTS.md files a session in `cwd` is given, in the order they are sent: the global
/// one in CODEX_HOME, then the project's from the git root down, as far as `max_bytes` reaches
/// (what the TUI's `/status` lists).
pub fn project_doc_paths(
    codex_home: &Path,
    cwd: &Path,
    max_bytes: usize,
    fallbacks: &[String],
) -> Vec<PathBuf> {
    let global = codex_home.join("AGENTS.md");
    let mut paths: Vec<PathBuf> = read_nonblank(&global).map(|_| global).into_iter().collect();
    if max_bytes > 0 {
        let mut remaining = max_bytes;
        for (path, text) in project_doc_files(cwd, fallbacks) {
            if remaining == 0 {
                break;
            }
            remaining -= crate::truncate::prefix_within(&text, remaining).len();
            paths.push(path);
        }
    }
    paths
}

/// Each directory's instructions file with its text, git root first.
fn project_doc_files(cwd: &Path, fallbacks: &[String]) -> Vec<(PathBuf, String)> {
    search_dirs(cwd)
        .into_iter()
        .filter_map(|dir| {
            candidate_names(fallbacks).find_map(|name| {
                let path = dir.join(name);
                read_nonblank(&path).map(|text| (path, text))
            })
        })
        .collect()
}

fn candidate_names(fallbacks: &[String]) -> impl Iterator<Item = &str> {
    ["AGENTS.override.md", "AGENTS.md"]
        .into_iter()
        .chain(fallbacks.iter().map(String::as_str))
}

/// Directories from the git root (nearest ancestor holding `.git`) down to `cwd`.
fn search_dirs(cwd: &Path) -> Vec<PathBuf> {
    let root = codex_rollout::git_root(cwd);
    match root {
        None => vec![cwd.to_owned()],
        Some(root) => {
            let mut dirs: Vec<PathBuf> = cwd
                .ancestors()
                .take_while(|d| d.starts_with(root))
                .map(Path::to_path_buf)
                .collect();
            dirs.reverse();
            dirs
        }
    }
}

fn read_nonblank(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_from_git_root_down_within_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        let sub = root.join("crates/x");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(tmp.path().join("AGENTS.md"), "above the repo: never read").unwrap();
        std::fs::write(root.join("AGENTS.md"), "root rules").unwrap();
        std::fs::write(sub.join("AGENTS.md"), "sub rules").unwrap();
        std::fs::write(sub.join("AGENTS.override.md"), "override rules").unwrap();
        assert_eq!(
            project_docs(&sub, 1000, &[]).as_deref(),
            Some("root rules\n\noverride rules")
        );
        assert_eq!(project_docs(&sub, 4, &[]).as_deref(), Some("root"));
        assert_eq!(project_docs(&sub, 0, &[]), None);
        let home = tmp.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join("AGENTS.md"), "mine").unwrap();
        assert_eq!(
            project_doc_paths(&home, &sub, 1000, &[]),
            [
                home.join("AGENTS.md"),
                root.join("AGENTS.md"),
                sub.join("AGENTS.override.md")
            ]
        );
        assert_eq!(
            project_doc_paths(&home, &sub, 4, &[]),
            [home.join("AGENTS.md"), root.join("AGENTS.md")]
        );
    }

    #[test]
    fn global_doc_comes_first() {
        let home = tempfile::tempdir().unwrap();
        let cwd = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("AGENTS.md"), "global").unwrap();
        std::fs::write(cwd.path().join("CLAUDE.md"), "fallback").unwrap();
        let got = user_instructions(home.path(), cwd.path(), 100, &["CLAUDE.md".into()]);
        assert_eq!(
            got.as_deref(),
            Some("global\n\n--- project-doc ---\n\nfallback")
        );
    }
}
