//! Every way `codex-apply` can fail, as a kind (for `--json` and the exit code) and a
//! message that names the thing and the fix.

use std::fmt::Write as _;

use codex_chatgpt::{ChatGptError, TaskDiff};
use codex_cli::apply::exit;
use codex_config::ConfigError;

use crate::apply::{ApplyError, FailedFile};
use crate::git::GitError;

/// What kind of failure, as `--json` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Config,
    NotLoggedIn,
    TaskNotFound,
    NoDiff,
    NotARepo,
    DoesNotApply,
    AlreadyApplied,
    InvalidDiff,
    Backend,
    Network,
    Git,
    Other,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Config => "config",
            Kind::NotLoggedIn => "not_logged_in",
            Kind::TaskNotFound => "task_not_found",
            Kind::NoDiff => "no_diff",
            Kind::NotARepo => "not_a_git_repository",
            Kind::DoesNotApply => "does_not_apply",
            Kind::AlreadyApplied => "already_applied",
            Kind::InvalidDiff => "invalid_diff",
            Kind::Backend => "backend",
            Kind::Network => "network",
            Kind::Git => "git",
            Kind::Other => "other",
        }
    }

    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Kind::NotLoggedIn => exit::NOT_LOGGED_IN,
            Kind::TaskNotFound | Kind::NoDiff => exit::NO_DIFF,
            Kind::DoesNotApply | Kind::AlreadyApplied => exit::DOES_NOT_APPLY,
            Kind::Config
            | Kind::NotARepo
            | Kind::InvalidDiff
            | Kind::Backend
            | Kind::Network
            | Kind::Git
            | Kind::Other => exit::ERROR,
        }
    }
}

/// A failure and what to tell about it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: Kind,
    pub(crate) message: String,
    /// For [`Kind::DoesNotApply`]: the files that failed.
    pub(crate) failed_files: Vec<FailedFile>,
}

impl Failure {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            failed_files: Vec::new(),
        }
    }

    pub(crate) fn other(message: String) -> Self {
        Self::new(Kind::Other, message)
    }

    pub(crate) fn config(e: &ConfigError) -> Self {
        Self::new(Kind::Config, e.to_string())
    }

    pub(crate) fn git(e: &GitError) -> Self {
        let kind = match e {
            GitError::NotARepo { .. } => Kind::NotARepo,
            GitError::Missing | GitError::Failed { .. } => Kind::Git,
        };
        Self::new(kind, e.to_string())
    }

    pub(crate) fn no_diff(task_id: &str) -> Self {
        Self::new(
            Kind::NoDiff,
            format!(
                "Task `{task_id}` has no diff to apply yet: it may still be running, or it \
                 ended without changing files. Check it in Codex Cloud"
            ),
        )
    }

    pub(crate) fn chatgpt(e: &ChatGptError) -> Self {
        let kind = if e.needs_login() {
            Kind::NotLoggedIn
        } else {
            match e {
                ChatGptError::TaskNotFound { .. } | ChatGptError::EmptyTaskId => Kind::TaskNotFound,
                ChatGptError::BaseUrl { .. } => Kind::Config,
                ChatGptError::Network { .. } => Kind::Network,
                ChatGptError::Auth(_) => Kind::Other,
                _ => Kind::Backend,
            }
        };
        Self::new(kind, e.to_string())
    }

    pub(crate) fn apply(e: ApplyError, task: &TaskDiff) -> Self {
        match e {
            ApplyError::Git(e) => Self::git(&e),
            ApplyError::InvalidDiff(why) => Self::new(
                Kind::InvalidDiff,
                format!("The task's diff cannot be read by git apply: {why}"),
            ),
            ApplyError::UnsafePath(path) => Self::new(
                Kind::InvalidDiff,
                format!(
                    "The task's diff touches `{path}`, outside the work tree or inside .git; \
                     nothing was applied"
                ),
            ),
            ApplyError::Snapshot(why) => Self::new(
                Kind::Other,
                format!(
                    "Cannot save the files the diff touches before applying it ({why}); nothing was applied"
                ),
            ),
            ApplyError::RestoreFailed(problems) => Self::new(
                Kind::Git,
                format!(
                    "The diff did not apply, and undoing the attempt failed for: {}. Check \
                     them with `git status` and `git diff`",
                    problems.join("; ")
                ),
            ),
            ApplyError::DoesNotApply {
                files,
                git_output,
                already_applied,
            } => {
                if already_applied {
                    return Self::new(
                        Kind::AlreadyApplied,
                        "The task's diff is already applied here (its reverse applies cleanly); \
                         nothing was changed",
                    );
                }
                let mut message = String::from(
                    "The task's diff does not apply to this work tree; nothing was changed",
                );
                if files.is_empty() && !git_output.is_empty() {
                    let _ = write!(message, " (git apply: {git_output})");
                }
                message.push_str(". ");
                match &task.base_commit_sha {
                    Some(base) => {
                        let _ = write!(
                            message,
                            "The task started from commit {base}: to merge it instead, apply it \
                             on a branch from there (`git switch -c codex-task {base}`), commit, \
                             and merge that branch",
                            base = short(base),
                        );
                    }
                    None => message.push_str(
                        "Commit or stash your changes, update to the commit the task started \
                         from, and try again",
                    ),
                }
                Self {
                    kind: Kind::DoesNotApply,
                    message,
                    failed_files: files,
                }
            }
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
