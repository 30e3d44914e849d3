//! `codex-mcp serve`: the agent as an MCP server over stdio, or streamable HTTP (`--http`).
//!
//! - [`transport`]: lines in and out, malformed input answered with JSON-RPC error codes.
//! - [`http`]: streamable HTTP (rmcp's server transport, one connection per
//!   `Mcp-Session-Id`) behind a bearer token, refusing browser origins.
//! - [`state`]: what all connections share (the manager, readers, idle eviction).
//! - [`handler`]: `initialize`, `tools/list`, `tools/call` on rmcp's server side.
//! - [`tools`]: the tool table; [`params`]: their arguments and the config a call runs with.
//! - [`call`]: one call's turn, its events as `codex/event` (and progress) notifications.
//! - [`approval`]: exec and patch approvals through `elicitation/create`.
//! - [`editor`]: the editor methods on the same connection (conversations, listeners, auth).
//!
//! The `-c`, `-p` and `--enable`/`--disable` flags apply to every call; a call's own options
//! come on top. Conversations, resume after a restart and credentials all come from one
//! `ConversationManager`.

mod approval;
mod call;
mod editor;
mod handler;
mod http;
mod params;
mod state;
mod tools;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use codex_cli::ConfigArgs;
use codex_cli::mcp::McpServeArgs;
use codex_core::{ConversationManager, ManagerOptions};
use codex_protocol::rollout::SessionSource;
use rmcp::ServiceExt as _;
use tokio_util::sync::CancellationToken;

use handler::CodexServer;
use state::{ServeSettings, Shared};
use transport::LineTransport;

/// The `originator` sent with model requests, as Codex's MCP server does.
const ORIGINATOR: &str = "codex_mcp_server";

/// Serves until the client closes stdin (or, with `--http`, until interrupted).
pub(crate) fn run(args: &ConfigArgs, serve: &McpServeArgs) -> ExitCode {
    let config = match params::startup_config(args) {
        Ok(config) => config,
        Err(message) => return fail(&format!("cannot load the configuration: {message}")),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("cannot start the async runtime: {error}")),
    };
    let code = runtime.block_on(async {
        let manager = ConversationManager::from_config(
            &config,
            ManagerOptions {
                source: SessionSource::Mcp,
                originator: ORIGINATOR.to_owned(),
            },
        );
        let settings = ServeSettings {
            idle_timeout: Duration::from_secs(serve.idle_timeout),
            login_issuer: serve.login_issuer.clone(),
            login_port: serve.login_port,
        };
        let shared = Arc::new(Shared::new(
            manager,
            config.codex_home.clone(),
            args.clone(),
            config.model_provider.requires_openai_auth,
            settings,
        ));
        let evictor = state::spawn_evictor(&shared);
        let code = match &serve.http {
            Some(addr) => match http::serve(shared, addr, serve.allow_non_loopback).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => fail(&message),
            },
            None => serve_stdio(shared).await,
        };
        evictor.abort();
        code
    });
    // Conversations still running (a call the client gave up on) do not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn serve_stdio(shared: Arc<Shared>) -> ExitCode {
    let input_closed = CancellationToken::new();
    let server = CodexServer::new(shared, input_closed.clone());
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
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    code
}

fn fail(message: &str) -> ExitCode {
    tracing::error!("codex-mcp: {message}");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-mcp: {message}");
    }
    ExitCode::from(1)
}
