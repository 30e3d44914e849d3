//! Diagnostics that reach a person. The libraries log with `tracing` (a retried request, tokens
//! kept in memory only, a skipped stream event); every binary calls [`init`] first thing so those
//! records are written to **stderr**, never stdout, where `codex-exec --json` and the MCP
//! server's protocol must stay clean.
//!
//! `RUST_LOG` chooses what is shown, with the usual directives (`RUST_LOG=debug`,
//! `RUST_LOG=codex_model_client=trace`); without it only warnings and errors are. Colour is used
//! only when stderr is a terminal and `NO_COLOR` is unset.
//!
//! ```no_run
//! // First thing in `main`, before anything can log:
//! codex_logging::init();
//! ```
#![deny(clippy::print_stdout)]

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The variable that selects what is logged.
pub const LOG_ENV: &str = "RUST_LOG";

/// Installs the stderr subscriber. A second call, or a subscriber installed by someone else,
/// leaves the first in place. Directives in `RUST_LOG` that do not parse are skipped (and said
/// so on stderr) rather than silencing everything.
pub fn init() {
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    install(std::io::stderr, ansi);
}

/// [`init`] for a program that draws on the terminal (the TUI), where a line on stderr would
/// tear the screen: records are appended to `path` instead (its directory is created; the
/// file is private to the user, since records may quote a server's answer).
pub fn init_to_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    install(Mutex::new(file), false);
    Ok(())
}

fn install<W>(writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(true);
    // Errors only mean a subscriber is already set, which is the documented no-op.
    if std::env::var_os(LOG_ENV).is_some_and(|v| !v.is_empty()) {
        let filter = EnvFilter::builder()
            .with_default_directive(LevelFilter::WARN.into())
            .with_env_var(LOG_ENV)
            .from_env_lossy();
        let _ = builder.with_env_filter(filter).try_init();
    } else {
        // The common case costs no directive parsing at start-up: every run pays for it.
        let _ = builder.with_max_level(LevelFilter::WARN).try_init();
    }
}
