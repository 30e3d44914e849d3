//! `codex-mcp`: serve the agent over MCP, or manage the `[mcp_servers]` it uses.
//!
//! Exit codes: 0 success (serving: the client closed stdin; managing: also removing a server
//! that does not exist), 1 an error (the configuration cannot be loaded, the transport failed,
//! an unknown server for `get`, an invalid name), 2 usage errors (from clap).

use std::process::ExitCode;

use clap::Parser as _;
use codex_cli::mcp::McpCli;

fn main() -> ExitCode {
    codex_logging::init();
    codex_mcp::run(&McpCli::parse())
}
