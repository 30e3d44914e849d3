//! The logic of `codex-apply`: fetch a Codex Cloud task from the ChatGPT backend and apply
//! its diff to the git repository at the working directory.
//!
//! The order is chosen so that a wrong setup costs nothing: the repository is found first
//! (no network when it is missing), then the ChatGPT credentials, then the task. Applying is
//! all or nothing (module `apply`, with `snapshot` to undo a failed attempt). What a person
//! sees goes through `report`; the outcome is also an exit code (`codex_cli::apply::exit`).

mod apply;
mod failure;
mod git;
mod report;
mod snapshot;

use std::path::PathBuf;
use std::process::ExitCode;

use codex_auth::AuthManager;
use codex_chatgpt::{ChatGptClient, TaskDiff};
use codex_cli::apply::ApplyCli;
use codex_config::{Config, ConfigOverrides};

use crate::apply::Applied;
use crate::failure::Failure;
use crate::git::Repo;

/// Runs `codex-apply` as parsed from the command line.
pub fn run(cli: &ApplyCli) -> ExitCode {
    let outcome = fetch_and_apply(cli);
    report::print(cli, &outcome)
}

/// A diff that went in, with what the output shows about it.
pub(crate) struct Success {
    pub(crate) repo_root: PathBuf,
    pub(crate) task: TaskDiff,
    pub(crate) applied: Applied,
}

fn fetch_and_apply(cli: &ApplyCli) -> Result<Success, Failure> {
    let config = Config::load(ConfigOverrides {
        profile: cli.config.profile.clone(),
        raw_overrides: cli.config.raw_overrides(),
        cwd: cli.cwd.clone(),
        ..ConfigOverrides::default()
    })
    .map_err(|e| Failure::config(&e))?;
    for warning in &config.warnings {
        report::warn(warning);
    }
    let repo = Repo::discover(&config.cwd).map_err(|e| Failure::git(&e))?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))?;
    let task = runtime.block_on(async {
        let auth = AuthManager::builder(config.codex_home.clone()).build();
        let client = ChatGptClient::new(&config.chatgpt_base_url, auth)?;
        client.get_task_diff(&cli.task_id).await
    });
    let task = task.map_err(|e| Failure::chatgpt(&e))?;
    let diff = task.diff.ok_or_else(|| Failure::no_diff(&cli.task_id))?;

    let applied = apply::apply(&repo, &diff.diff).map_err(|e| Failure::apply(e, &diff))?;
    Ok(Success {
        repo_root: repo.root().to_owned(),
        task: diff,
        applied,
    })
}
