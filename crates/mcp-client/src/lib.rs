//! The agent's MCP client: it starts the servers of `[mcp_servers]` (child processes over
//! stdio, or streamable-HTTP endpoints) with rmcp, lists their tools and calls them.
//!
//! - [`McpClient`] is one connection: `initialize`, `tools/list`, `tools/call` with a
//!   timeout, and the resource methods. Results are MCP wire JSON.
//! - [`McpConnectionManager`] starts every enabled server at once in the background and
//!   reports each one's start-up as an [`McpStartupUpdate`]; a turn uses the servers that are
//!   ready, and the others join when they come up. A call to a server still starting waits
//!   for it (bounded by its start-up timeout).
//! - [`qualified_tool_name`] and [`sanitize_input_schema`] turn a server's tool into what the
//!   model APIs accept, named as Codex names them.
//!
//! - [`oauth`]: signing in to remote servers that ask for OAuth (`codex mcp login`), the
//!   stored tokens (`CODEX_HOME/.credentials.json`), and their use and refresh by the HTTP
//!   transport.
//!
//! Stdio servers run under the sandbox helper unless configured
//! `sandbox = "danger-full-access"`: read-only without network by default.
//!
//! ```no_run
//! # async fn demo(config: codex_config::Config) {
//! use codex_mcp_client::{LaunchContext, McpConnectionManager};
//! let ctx = LaunchContext { cwd: config.cwd.clone(), ..LaunchContext::default() };
//! let (manager, mut updates) = McpConnectionManager::start(&config.mcp_servers, ctx);
//! while let Some(update) = updates.recv().await {
//!     println!("{}: {:?}", update.server, update.status);
//! }
//! let tools = manager.tools();
//! # }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod client;
mod error;
mod http_client;
mod launch;
mod manager;
mod naming;
pub mod oauth;
mod schema;

pub use client::{McpClient, McpTool};
pub use error::McpClientError;
pub use launch::LaunchContext;
pub use manager::{
    McpConnectionManager, McpStartupStatus, McpStartupUpdate, QualifiedTool, ToolCallError,
};
pub use naming::{MAX_TOOL_NAME_LEN, MCP_TOOL_PREFIX, qualified_tool_name, server_of};
pub use schema::sanitize_input_schema;
