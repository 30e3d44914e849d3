//! `codex-mcp serve`: the agent as an MCP server over stdio.
//!
//! - [`transport`]: lines in and out, malformed input answered with JSON-RPC error codes.
//! - [`handler`]: `initialize`, `tools/list`, `tools/call` on rmcp's server side.
//! - [`tools`]: the tool table; [`params`]: their arguments and the config a call runs with.
//! - [`call`]: one call's turn, its events as `codex/event` (and progress) notifications.
//! - [`approval`]: exec and patch approvals through `elicitation/create`.
//! - [`editor`]: the editor methods on the same connection (auth status, login, logout).
//!
//! The `-c`, `-p` and `--enable`/`--disable` flags apply to every call; a call's own options
//! come on top. Conversations, resume after a restart and credentials all come from one
//! `ConversationManager`.

mod approval;
mod call;
mod editor;
mod handler;
mod params;
mod tools;
mod transport;

use std::process::ExitCode;

use codex_cli::ConfigArgs;
use codex_core::{ConversationManager, ManagerOptions};
use codex_protocol::rollout::SessionSource;
use rmcp::ServiceExt as _;
use tokio_util::sync::CancellationToken;

use handler::CodexServer;
use transport::LineTransport;

/// The `originator` sent with model requests, as Codex's MCP server does.
const ORIGINATOR: &str = "codex_mcp_server";

/// Serves until the client closes stdin.
pub(crate) fn run(args: &ConfigArgs) -> ExitCode {
    let config = match params::startup_config(args) {
        Ok(config) => config,
        Err(message) => {
            tracing::error!("codex-mcp: cannot load the configuration: {message}");
            #[allow(clippy::print_stderr)]
            {
                eprintln!("codex-mcp: cannot load the configuration: {message}");
            }
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("codex-mcp: cannot start the async runtime: {error}");
            }
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async {
        let manager = ConversationManager::from_config(
            &config,
            ManagerOptions {
                source: SessionSource::Mcp,
                originator: ORIGINATOR.to_owned(),
            },
        );
        let requires_openai_auth = config.model_provider.requires_openai_auth;
        let input_closed = CancellationToken::new();
        let server = CodexServer::new(
            manager,
            args.clone(),
            requires_openai_auth,
            input_closed.clone(),
        );
        let (transport, writer) =
            LineTransport::spawn(tokio::io::stdin(), tokio::io::stdout(), input_closed);
        let code = match server.serve(transport).await {
            Ok(running) => match running.waiting().await {
                Ok(_) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!("the MCP service stopped: {error}");
                    ExitCode::from(1)
                }
            },
            // The client went away or never initialized: nothing more to serve.
            Err(error) => {
                tracing::warn!("no MCP session: {error}");
                ExitCode::SUCCESS
            }
        };
        // Every answer reaches stdout before the process ends.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), writer).await;
        code
    });
    // Conversations still running (a call the client gave up on) do not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    code
}
