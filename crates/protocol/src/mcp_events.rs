//! Core events about the MCP servers a session uses: their start-up, and each tool call.

use serde::{Deserialize, Serialize};

/// Where one server's start-up is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum McpStartupStatus {
    /// Started, not ready yet.
    Starting,
    /// Ready; its tools are offered from the next model request on.
    Ready {
        /// How many tools it offers.
        tools: usize,
        /// The sandbox mode of a confined stdio server (`read-only`, `workspace-write`);
        /// absent when the server is not confined (remote, or `danger-full-access`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sandbox: Option<String>,
    },
    /// Not used in this session.
    Failed {
        /// What happened and how to fix it (Codex's wording).
        error: String,
    },
}

/// A change in one MCP server's start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpStartupUpdateEvent {
    /// The server's name in config.toml.
    pub server: String,
    /// Its new status.
    pub status: McpStartupStatus,
}

/// Which tool of which server, with what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpInvocation {
    /// The server's name.
    pub server: String,
    /// The tool's name on that server.
    pub tool: String,
    /// The arguments the model gave (`null` when none).
    pub arguments: serde_json::Value,
}

/// An MCP tool call is about to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpToolCallBeginEvent {
    /// The model's call id.
    pub call_id: String,
    /// What is called.
    pub invocation: McpInvocation,
}

/// An MCP tool call ended: with a result (possibly `isError`), or with no result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpToolCallEndEvent {
    /// The model's call id.
    pub call_id: String,
    /// What was called.
    pub invocation: McpInvocation,
    /// The result in MCP wire shape (`content`, `structuredContent`, `isError`).
    pub result: Option<serde_json::Value>,
    /// Why there is no result (timeout, transport failure, refusal).
    pub error: Option<String>,
}

impl McpToolCallEndEvent {
    /// Whether the call counts as successful: a result without `isError: true`.
    pub fn is_success(&self) -> bool {
        self.result.as_ref().is_some_and(|r| {
            r.get("isError")
                .and_then(serde_json::Value::as_bool)
                .is_none_or(|e| !e)
        })
    }
}
