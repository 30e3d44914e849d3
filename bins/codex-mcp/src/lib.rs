//! The logic of `codex-mcp`. Dispatch only: serving over MCP and managing `[mcp_servers]`
//! live in their own modules.

mod manage;

use std::process::ExitCode;

use codex_cli::mcp::{McpCli, McpCommand};

/// Runs `codex-mcp` as parsed from the command line.
pub fn run(cli: &McpCli) -> ExitCode {
    match &cli.command {
        None | Some(McpCommand::Serve) => serve_not_built(),
        Some(command) => manage::run(&cli.config, command),
    }
}

fn serve_not_built() -> ExitCode {
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "codex-mcp: serving the agent over MCP is not built yet; nothing was run. `codex mcp list|get|add|remove` manage the servers the agent uses."
        );
    }
    ExitCode::from(2)
}
