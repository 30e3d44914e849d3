//! Flags of `codex-apply`: bring a Codex Cloud task's diff into the local repository.

use std::path::PathBuf;

use clap::{CommandFactory as _, Parser};

use crate::shared::ConfigArgs;

/// Exit codes of `codex-apply`, shown in its `--help`.
pub mod exit {
    /// The diff was applied.
    pub const APPLIED: u8 = 0;
    /// Anything else went wrong: config, network, the backend, git, not a git repository.
    pub const ERROR: u8 = 1;
    /// The command line was wrong.
    pub const USAGE: u8 = 2;
    /// No usable ChatGPT sign-in (none, an API key, or one that must be renewed).
    pub const NOT_LOGGED_IN: u8 = 3;
    /// The task does not exist, or it has no diff yet.
    pub const NO_DIFF: u8 = 4;
    /// The diff does not apply; the work tree and index were left as they were.
    pub const DOES_NOT_APPLY: u8 = 5;
}

/// The clap command, for the shim's help and completion.
pub fn command() -> clap::Command {
    ApplyCli::command()
}

/// Command line of `codex-apply` (`codex apply`, `codex a`).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "codex-apply",
    version,
    about = "Apply the diff of a Codex Cloud task to the local git repository.",
    long_about = "Apply the diff of a Codex Cloud task to the local git repository.\n\n\
        Fetches the task from the ChatGPT backend with your ChatGPT sign-in (`codex login`), \
        takes the diff of its latest turn and applies it with `git apply` at the top of the \
        repository that contains the working directory: with a three-way merge, staging the \
        result, when the index allows it, else to the work tree only. When the diff does not \
        apply, nothing is changed: the work tree and the index stay as they were, and the \
        files that failed are named.",
    after_help = "Exit status:\n  \
        0  the diff was applied\n  \
        1  another error (config, network, the backend, git, not in a git repository)\n  \
        2  a usage error\n  \
        3  not signed in with ChatGPT (an API-key sign-in cannot fetch tasks): run `codex login`\n  \
        4  the task does not exist, or has no diff yet\n  \
        5  the diff does not apply; nothing was changed\n\n\
        Examples:\n  \
        codex apply task_e_123abc          apply a task's diff in the current repository\n  \
        codex apply task_e_123abc --json   the same, reporting the result as JSON on stdout\n  \
        codex a task_e_123abc -C ~/src/app apply it in another repository"
)]
pub struct ApplyCli {
    /// The Codex Cloud task whose diff to apply (as in the task's URL, e.g. `task_e_...`).
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Print the outcome as one JSON object on stdout (on failure too), for scripts.
    #[arg(long)]
    pub json: bool,

    /// Apply in the repository containing DIR instead of the working directory.
    #[arg(short = 'C', long = "cd", value_name = "DIR")]
    pub cwd: Option<PathBuf>,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_valid_and_parses_the_documented_forms() {
        command().debug_assert();
        let cli = ApplyCli::parse_from(["codex-apply", "task_1", "--json", "-c", "k=v"]);
        assert_eq!(cli.task_id, "task_1");
        assert!(cli.json);
        assert_eq!(cli.config.overrides, ["k=v"]);
        assert!(ApplyCli::try_parse_from(["codex-apply"]).is_err());
    }
}
