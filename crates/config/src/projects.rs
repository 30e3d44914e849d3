//! `[projects."<dir>"]`: which directories the user trusts, as Codex records them.
//!
//! The TUI's trust prompt writes `trust_level = "trusted"` (or `"untrusted"`) for the working
//! directory. A trusted project gets Codex's defaults for trusted folders: the `workspace-write`
//! sandbox with `on-request` approvals; an untrusted one asks before anything but known-safe
//! commands (`untrusted` approvals). Explicit settings (flags, `-c`, profile, config.toml) win.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml_edit::{Item, Table, value};

use crate::ConfigError;
use crate::config_edit::{edit_config_file, implicit_table};

/// `trust_level` of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    /// The user allowed the agent to work here without asking for each edit.
    Trusted,
    /// The user asked to be asked.
    Untrusted,
}

impl TrustLevel {
    /// The value as written in config.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trusted => "trusted",
            Self::Untrusted => "untrusted",
        }
    }
}

/// `[projects."<dir>"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProjectConfig {
    /// Whether the directory is trusted.
    pub trust_level: Option<TrustLevel>,
}

/// The trust recorded for `cwd`: its own entry, else the entry of the git repository that
/// holds it (Codex trusts a repository as a whole). `None` when neither was ever decided:
/// the TUI then asks.
pub fn project_trust(projects: &BTreeMap<String, ProjectConfig>, cwd: &Path) -> Option<TrustLevel> {
    let lookup = |dir: &Path| {
        projects
            .get(dir.to_string_lossy().as_ref())
            .and_then(|project| project.trust_level)
    };
    lookup(cwd).or_else(|| git_repo_root(cwd).and_then(|root| lookup(&root)))
}

/// The nearest directory at or above `dir` that holds a repository's `.git`: a file (worktrees
/// and submodules) or a directory with a `HEAD`. An empty `.git` directory does not count, as
/// git itself skips it (the sandbox mounts one, read-only, where a writable root has none; the
/// same rule is in `codex_rollout::git_root`).
pub fn git_repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|candidate| {
            let dot_git = candidate.join(".git");
            dot_git.is_file() || dot_git.join("HEAD").exists()
        })
        .map(Path::to_path_buf)
}

/// Records `level` for `dir` as `[projects."<dir>"] trust_level = "..."` in `config_file`,
/// replacing an earlier decision for the same directory and keeping everything else in the
/// file as it was (comments, order). Creates the file when it does not exist.
pub fn set_project_trust(
    config_file: &Path,
    dir: &Path,
    level: TrustLevel,
) -> Result<(), ConfigError> {
    let key = dir.to_string_lossy().into_owned();
    edit_config_file(config_file, |doc| {
        let projects = implicit_table(
            doc,
            "projects",
            config_file,
            "write it as [projects.\"<dir>\"] sections",
        )?;
        if let Some(existing) = projects.get_mut(&key).and_then(Item::as_table_like_mut) {
            existing.insert("trust_level", value(level.as_str()));
        } else {
            let mut table = Table::new();
            table.insert("trust_level", value(level.as_str()));
            projects.insert(&key, Item::Table(table));
        }
        Ok(((), true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn writes_a_quoted_table_and_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "# mine\nmodel = \"o3\" # pinned\n\n[tui]\nanimations = false # calm\n",
        )
        .unwrap();
        set_project_trust(&file, Path::new("/home/me/my repo"), TrustLevel::Trusted).unwrap();
        set_project_trust(&file, Path::new("/srv/other"), TrustLevel::Untrusted).unwrap();
        set_project_trust(&file, Path::new("/srv/other"), TrustLevel::Trusted).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "# mine\nmodel = \"o3\" # pinned\n\n[tui]\nanimations = false # calm\n\n\
             [projects.\"/home/me/my repo\"]\ntrust_level = \"trusted\"\n\n\
             [projects.\"/srv/other\"]\ntrust_level = \"trusted\"\n"
        );
        let parsed: crate::ConfigToml = toml::from_str(&text).unwrap();
        assert_eq!(
            project_trust(&parsed.projects, Path::new("/home/me/my repo")),
            Some(TrustLevel::Trusted)
        );
    }

    #[test]
    fn creates_the_file_and_finds_the_repository_entry() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("home").join("config.toml");
        let repo = dir.path().join("repo");
        let sub = repo.join("src");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        set_project_trust(&file, &repo, TrustLevel::Trusted).unwrap();
        let parsed: crate::ConfigToml =
            toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(
            project_trust(&parsed.projects, &sub),
            Some(TrustLevel::Trusted)
        );
        assert_eq!(project_trust(&parsed.projects, dir.path()), None);
    }

    #[test]
    fn refuses_a_projects_key_that_is_not_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "projects = 3\n").unwrap();
        let err = set_project_trust(&file, Path::new("/p"), TrustLevel::Trusted).unwrap_err();
        assert!(
            err.to_string().contains("projects: is not a table"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "projects = 3\n");
    }
}
