//! Flags of `codex-exec`, the non-interactive agent for scripts and pipelines.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shared::{ConfigArgs, RunArgs};

/// The exit-status contract of `codex-exec`, shown after `--help`. Scripts rely on these
/// numbers: change them only with a major version.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    the turn completed
  1    the turn failed, or the run could not start (configuration, login, sandbox helper)
  2    usage error (unknown flag, bad value)
  3    a turn limit ended the turn: --max-turns / limits.max_turns (code max_turns),
       --timeout / limits.turn_timeout_ms (code turn_timeout)
  4    a spending cap was reached: --max-tokens / limits.max_tokens or
       limits.max_spend_usd (code budget_exceeded); no model request went past it
  130  interrupted with Ctrl-C; 143 and 129 for SIGTERM and SIGHUP, which stop the
       turn the same way (the --json stream still ends with turn.failed)
With --json, turn.failed carries the code in error.code.";

/// Run the agent without a human: the prompt in, progress on stderr, the final answer on
/// stdout (or JSON lines with --json).
#[derive(Debug, Parser)]
#[command(
    name = "codex-exec",
    version,
    disable_help_subcommand = true,
    after_help = EXIT_STATUS_HELP
)]
pub struct ExecCli {
    /// The prompt. `-` or nothing reads it from stdin; with a prompt, piped stdin is
    /// appended as a <stdin> block.
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,

    #[command(flatten)]
    pub exec: ExecArgs,

    #[command(subcommand)]
    pub command: Option<ExecCommand>,
}

/// Options shared by a fresh run and `resume`.
#[derive(Debug, Clone, Default, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub run: RunArgs,

    /// Attach images to the prompt (repeatable, or comma-separated).
    #[arg(
        short = 'i',
        long = "image",
        value_name = "FILE",
        value_delimiter = ',',
        global = true
    )]
    pub images: Vec<PathBuf>,

    /// Allow running outside a git repository.
    #[arg(long = "skip-git-repo-check", global = true)]
    pub skip_git_repo_check: bool,

    /// Ask for a final answer matching this JSON Schema file.
    #[arg(long = "output-schema", value_name = "FILE", global = true)]
    pub output_schema: Option<PathBuf>,

    /// Also write the final answer to FILE.
    #[arg(
        short = 'o',
        long = "output-last-message",
        value_name = "FILE",
        global = true
    )]
    pub output_last_message: Option<PathBuf>,

    /// Print events as JSON lines on stdout instead of human text on stderr.
    #[arg(long = "json", alias = "experimental-json", global = true)]
    pub json: bool,

    /// When to colour human output.
    #[arg(long = "color", value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,

    /// Stop the turn before model request N+1 (default 200, `limits.max_turns`): a model
    /// that keeps calling tools cannot run unattended forever. Exit status 3.
    #[arg(long = "max-turns", value_name = "N", global = true)]
    pub max_turns: Option<u64>,

    /// Stop sending model requests once the session used N tokens, input and output as the
    /// server counts them (`limits.max_tokens`; `limits.max_spend_usd` caps dollars). Exit
    /// status 4.
    #[arg(long = "max-tokens", value_name = "N", global = true)]
    pub max_tokens: Option<u64>,

    /// Give the turn at most this long, waits and commands included: `90` (seconds), `90s`,
    /// `500ms`, `10m`, `2h` (`limits.turn_timeout_ms`). Exit status 3.
    #[arg(long = "timeout", value_name = "DURATION", value_parser = parse_duration, global = true)]
    pub timeout: Option<std::time::Duration>,

    /// Record every model exchange (requests and streamed events, secrets redacted) to FILE as
    /// JSON lines; replay it with the `replay` provider.
    #[arg(long = "record", value_name = "FILE", global = true)]
    pub record: Option<PathBuf>,
}

/// When to use ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Color {
    /// Always.
    Always,
    /// Never.
    Never,
    /// When the stream is a terminal.
    #[default]
    Auto,
}

/// Subcommands of `codex-exec`.
#[derive(Debug, Subcommand)]
pub enum ExecCommand {
    /// Continue a recorded session with a new prompt.
    Resume(ResumeArgs),
    /// List recorded sessions, newest first.
    Sessions(SessionsArgs),
}

/// `codex-exec resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Session id (a full UUID or a unique prefix). With --last, this is the prompt.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Option<String>,

    /// The prompt; `-` reads stdin.
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,

    /// Resume the most recent session started in this directory.
    #[arg(long = "last")]
    pub last: bool,

    /// With --last, consider sessions from every directory.
    #[arg(long = "all")]
    pub all: bool,
}

/// `codex-exec sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// One JSON object per line instead of a table.
    #[arg(long = "json")]
    pub json: bool,

    /// Include sessions from every directory, not just this one.
    #[arg(long = "all")]
    pub all: bool,

    /// How many sessions to show.
    #[arg(long = "limit", default_value_t = 25)]
    pub limit: usize,
}

/// `90`, `90s`, `500ms`, `10m`, `2h` as a duration.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number.parse().map_err(|_| {
        format!("`{text}` is not a duration; write it like 90, 90s, 500ms, 10m or 2h")
    })?;
    let ms_per_unit: u64 = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use ms, s, m or h"
            ));
        }
    };
    Ok(std::time::Duration::from_millis(
        value.saturating_mul(ms_per_unit),
    ))
}

#[cfg(test)]
mod duration_tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_with_and_without_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_mins(10)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_hours(2)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }
}
