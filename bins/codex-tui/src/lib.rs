//! `codex-tui`: the conversation at a terminal.
//!
//! The chat runs inline in the terminal's main buffer: a viewport at the bottom (the
//! streaming answer's unfinished lines, running commands, the status line, the composer or an
//! approval modal) and, above it, finished history written once into the terminal's own
//! scrollback, so selection, search and scrolling stay the terminal's. It reaches the agent
//! through `codex-core`'s one door ([`ConversationManager`]): it submits `Op`s, renders the
//! `Event`s and answers approval requests, nothing more.
//!
//! Start-up is [`run`]: load the config, [`before_chat`] (the one place onboarding, the trust
//! prompt and the resume picker go), then [`chat`], then the exit summary on stdout.
//!
//! Modules: [`cli`] (flags to config), `app` (state and event loop), `screen` (raw mode, the
//! inline viewport, wrapping), `cells` (history cells), `markdown` (rendering and the line
//! streamer), `bottom` (status line, approval modal), [`composer`]. Around the composer:
//! [`history`] (Up/Down recall from history.jsonl), [`file_search`] (the `@` popup),
//! [`slash`] (the `/` popup and the commands), tied together by [`composer_assist`]. Before the
//! chat: [`entry`] (sign-in, the trust prompt, the resume picker, `/rename` and `/logout`).

pub mod cli;
pub mod composer;
pub mod composer_assist;
pub mod entry;
pub mod file_search;
pub mod history;
pub mod slash;

mod app;
#[doc(hidden)]
pub mod bench;
mod bottom;
mod cells;
mod exit_summary;
mod markdown;
mod screen;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{CommandFactory, FromArgMatches};
use codex_config::Config;
use codex_core::{AuthManager, ConversationManager, ConversationOptions, ManagerOptions};
use codex_protocol::protocol::InputItem;
use codex_protocol::rollout::SessionSource;

pub use app::UiSettings;
use cli::{TuiCli, TuiCommand};

/// The `originator` the TUI announces, as Codex's does.
pub const ORIGINATOR: &str = "codex_cli_rs";
/// Exit status when the chat could not start or failed.
pub const EXIT_FAILURE: u8 = 1;

/// What the chat starts from.
pub struct ChatStart {
    /// The effective configuration.
    pub config: Config,
    /// The credentials: the same manager the sign-in used, shared with every conversation.
    pub auth: AuthManager,
    /// New conversation or resumed one ([`ConversationOptions::resume`]).
    pub options: ConversationOptions,
    /// Sent as the first message.
    pub prompt: Option<String>,
    /// Attached to the first message.
    pub images: Vec<PathBuf>,
}

/// Parses the command line and runs.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let name = codex_cli::display_name("codex-tui");
    let matches = TuiCli::command().bin_name(name).get_matches_from(args);
    let cli = match TuiCli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            report_error(&e);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Config, what comes before the chat, the chat, the exit summary.
pub fn run(cli: &TuiCli) -> anyhow::Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "the chat needs a terminal on stdin and stdout; for scripts and pipes use `codex exec`"
        );
    }
    let config = cli::load_config(cli)?;
    let log = config.codex_home.join("log").join("codex-tui.log");
    if let Err(e) = codex_logging::init_to_file(&log) {
        bail!("could not open the log file {}: {e}", log.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let result = runtime.block_on(async {
        let Some(start) = before_chat(cli, config).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        chat(start).await
    });
    // The chat has already waited for its conversation to shut down (the session file is
    // flushed). Nothing left on the runtime may delay the exit: not a terminal query still
    // waiting for an answer (a blocking task), nor any task that has not noticed the end.
    runtime.shutdown_background();
    result
}

/// Everything between loading the config and the chat: sign-in, the trust prompt and the
/// resume picker ([`entry::before_chat`]). Returns `None` when the user left there.
pub async fn before_chat(cli: &TuiCli, config: Config) -> anyhow::Result<Option<ChatStart>> {
    let resume =
        cli.command
            .as_ref()
            .map(|TuiCommand::Resume(args)| entry::resume::ResumeRequest {
                session: args.session_id.clone(),
                last: args.last,
                all: args.all,
            });
    let auth = AuthManager::new(config.codex_home.clone(), false);
    let (config, resume) = match entry::before_chat(&config, &auth, resume.as_ref()).await? {
        entry::EntryOutcome::Quit => return Ok(None),
        entry::EntryOutcome::Chat {
            reload_config,
            resume,
        } => {
            // A trust decision changed config.toml: its defaults apply from this session on.
            let config = if reload_config {
                cli::load_config(cli)?
            } else {
                config
            };
            (config, resume)
        }
    };
    Ok(Some(ChatStart {
        config,
        auth,
        options: ConversationOptions {
            resume,
            ..ConversationOptions::default()
        },
        prompt: cli.prompt.clone(),
        images: cli.images.clone(),
    }))
}

/// The UI settings: `[tui]` and `hide_agent_reasoning` from the config, `NO_COLOR` from the
/// environment.
pub fn ui_settings(config: &Config) -> UiSettings {
    UiSettings {
        animations: config.tui.animations,
        notify_turn_complete: config.tui.notify_turn_complete,
        notify_approval: config.tui.notify_approval,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        hide_reasoning: config.hide_agent_reasoning,
    }
}

/// Runs the chat; prints the exit summary once the terminal is restored.
pub async fn chat(start: ChatStart) -> anyhow::Result<ExitCode> {
    let ChatStart {
        config,
        auth,
        options,
        prompt,
        images,
    } = start;
    let mut first_input: Vec<InputItem> = prompt
        .filter(|p| !p.trim().is_empty())
        .map(|text| InputItem::Text {
            // Codex normalizes the line ends of a prompt given as an argument.
            text: text.replace("\r\n", "\n").replace('\r', "\n"),
        })
        .into_iter()
        .collect();
    first_input.extend(
        images
            .into_iter()
            .map(|path| InputItem::LocalImage { path }),
    );
    let settings = ui_settings(&config);
    let warnings = config.warnings.clone();
    let commands = entry::commands::SessionCommands::new(auth.clone(), config.codex_home.clone());
    let manager = ConversationManager::new(
        auth,
        ManagerOptions {
            source: SessionSource::Cli,
            originator: ORIGINATOR.to_owned(),
        },
    );
    let new = manager.new_conversation(config.clone(), options)?;
    // A resumed session's transcript goes to the scrollback first, drawn as live messages.
    let entry = entry::ChatEntry {
        replay: entry::resume::replay_events(&new.resumed_events),
        commands,
        first_input,
    };
    let outcome = app::run::run_chat(
        manager,
        config,
        new.conversation,
        new.session_configured,
        entry,
        &warnings,
        settings,
    )
    .await?;
    print_lines(&exit_summary::exit_summary(
        &outcome.usage,
        outcome.session_id.as_deref(),
    ));
    Ok(ExitCode::SUCCESS)
}

/// The exit summary, on stdout once the terminal is restored (the only thing this binary
/// prints there).
#[allow(clippy::print_stdout)]
fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

/// A fatal error on stderr; the chain may quote a server or a file: shown, not obeyed.
#[allow(clippy::print_stderr)]
fn report_error(e: &anyhow::Error) {
    eprintln!(
        "codex-tui: {}",
        codex_safe_text::sanitize(&format!("{e:#}"))
    );
}
