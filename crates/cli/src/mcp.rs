//! Flags of `codex-mcp`: serve the agent over MCP, and manage `[mcp_servers]`.

use clap::{Args, Parser, Subcommand};

use crate::shared::ConfigArgs;

/// Serve the agent as an MCP server over stdio, or manage the MCP servers it uses.
#[derive(Debug, Parser)]
#[command(name = "codex-mcp", version, disable_help_subcommand = true)]
pub struct McpCli {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// What to do; serving over stdio when none is given.
    #[command(subcommand)]
    pub command: Option<McpCommand>,
}

/// Subcommands of `codex-mcp`.
#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Serve the agent over stdio (tools `codex` and `codex-reply`).
    Serve,
    /// List configured MCP servers.
    List(McpListArgs),
    /// Show one configured MCP server.
    Get(McpGetArgs),
    /// Add an MCP server to config.toml.
    Add(McpAddArgs),
    /// Remove an MCP server from config.toml.
    Remove(McpRemoveArgs),
    /// Sign in to a streamable-HTTP MCP server with OAuth (opens the browser).
    Login(McpLoginArgs),
    /// Forget the OAuth sign-in of an MCP server.
    Logout(McpLogoutArgs),
}

/// `codex-mcp list`.
#[derive(Debug, Args)]
pub struct McpListArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `codex-mcp get`.
#[derive(Debug, Args)]
pub struct McpGetArgs {
    /// Server name.
    pub name: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `codex-mcp add`.
#[derive(Debug, Args)]
pub struct McpAddArgs {
    /// Server name (letters, digits, `-`, `_`).
    pub name: String,
    /// Streamable HTTP endpoint, instead of a command.
    #[arg(long, conflicts_with = "command")]
    pub url: Option<String>,
    /// Environment variable holding the bearer token for --url.
    #[arg(long, requires = "url")]
    pub bearer_token_env_var: Option<String>,
    /// Environment variables for a stdio server, KEY=VALUE (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// The command of a stdio server, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `codex-mcp remove`.
#[derive(Debug, Args)]
pub struct McpRemoveArgs {
    /// Server name.
    pub name: String,
}

/// `codex-mcp login`.
#[derive(Debug, Args)]
pub struct McpLoginArgs {
    /// Server name.
    pub name: String,
    /// Scopes to ask for, comma-separated (default: the server's `scopes`, else what it
    /// advertises).
    #[arg(long, value_delimiter = ',', value_name = "SCOPE,...")]
    pub scopes: Vec<String>,
    /// Print the sign-in URL without trying to open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Port of the local callback listener on 127.0.0.1 (default: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub callback_port: u16,
    /// Seconds to wait for the sign-in to finish in the browser.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout_sec: u64,
}

/// `codex-mcp logout`.
#[derive(Debug, Args)]
pub struct McpLogoutArgs {
    /// Server name.
    pub name: String,
}
