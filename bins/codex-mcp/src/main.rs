//! `codex-mcp`: serve the agent over MCP, or manage the `[mcp_servers]` it uses.
//!
//! Exit codes: 0 success (also removing a server that does not exist), 1 an error (unknown
//! server for `get`, invalid name, unreadable config), 2 usage errors (from clap) and the
//! server mode, which is not built yet.

use std::process::ExitCode;

use clap::Parser as _;
use codex_cli::mcp::McpCli;

fn main() -> ExitCode {
    codex_logging::init();
    codex_mcp::run(&McpCli::parse())
}
