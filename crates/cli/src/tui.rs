//! Flags of `codex-tui`, the interactive terminal UI.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::shared::{ConfigArgs, RunArgs};

/// Chat with the agent in your terminal.
#[derive(Debug, Parser)]
#[command(name = "codex-tui", version, disable_help_subcommand = true)]
pub struct TuiCli {
    /// Start with this prompt.
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub run: RunArgs,

    /// Attach images to the first prompt.
    #[arg(
        short = 'i',
        long = "image",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub images: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Option<TuiCommand>,
}

/// Subcommands of `codex-tui`.
#[derive(Debug, Subcommand)]
pub enum TuiCommand {
    /// Pick a recorded session and continue it.
    Resume(TuiResumeArgs),
}

/// `codex-tui resume`.
#[derive(Debug, Args)]
pub struct TuiResumeArgs {
    /// Session id (full UUID or unique prefix); without it, a picker opens.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: Option<String>,

    /// Resume the most recent session.
    #[arg(long = "last")]
    pub last: bool,

    /// Show sessions from every directory.
    #[arg(long = "all")]
    pub all: bool,
}
