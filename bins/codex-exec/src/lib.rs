//! `codex-exec`: the agent without a human, for scripts, pipelines and CI.
//!
//! The approval policy is always `never` (nobody is there to ask): commands run in the
//! sandbox, and anything that would need approval is declined and reported to the model.
//! Human output goes to stderr and only the final answer to stdout, so
//! `codex-exec "..." > answer.txt` captures exactly the answer; `--json` prints one event per
//! line instead.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A command-line front end prints.

mod excerpt;
mod human;
mod json;
mod output;
mod prompt;
mod run;
mod sessions;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use codex_cli::exec::{ExecCli, ExecCommand};

// The contract is documented once, in `codex_cli::exec::EXIT_STATUS_HELP` (after `--help`).

/// Exit status when the turn failed or could not start.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status when a configured limit ended the turn (`limits.max_turns` / `--max-turns`,
/// `limits.turn_timeout_ms` / `--timeout`); `--json` names it in `turn.failed`'s
/// `error.code`.
pub const EXIT_LIMIT: u8 = 3;
/// Exit status when a spending cap (`limits.max_tokens` / `--max-tokens`,
/// `limits.max_spend_usd`) stopped the run; `--json` says `budget_exceeded` in `error.code`.
pub const EXIT_BUDGET: u8 = 4;
/// Exit status after Ctrl-C interrupted the turn.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Parses the command line and runs.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let name = codex_cli::display_name("codex-exec");
    let matches = ExecCli::command().bin_name(name).get_matches_from(args);
    let cli = match ExecCli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Some(ExecCommand::Sessions(args)) => sessions::run(&cli.exec, &args),
        Some(ExecCommand::Resume(resume)) => run::run(&cli.exec, cli.prompt, Some(&resume)),
        None => run::run(&cli.exec, cli.prompt, None),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // The chain may quote a server or a file: shown, not obeyed.
            eprintln!(
                "codex-exec: {}",
                codex_safe_text::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
