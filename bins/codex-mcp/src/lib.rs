//! The logic of `codex-mcp`. Dispatch only: serving the agent over MCP ([`server`]) and
//! managing `[mcp_servers]` (`manage`) live in their own modules.

mod manage;
mod server;

use std::process::ExitCode;

use codex_cli::mcp::{McpCli, McpCommand};

/// Runs `codex-mcp` as parsed from the command line.
pub fn run(cli: &McpCli) -> ExitCode {
    match &cli.command {
        None => server::run(&cli.config, &cli.serve),
        Some(McpCommand::Serve(serve)) => server::run(&cli.config, serve),
        Some(command) => manage::run(&cli.config, command),
    }
}
