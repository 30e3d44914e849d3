//! `codex-mcp` run as a process: `list|get|add|remove`, and the server driven by real MCP
//! clients (rmcp's, a line-level JSON-RPC peer, the Python SDK) against the mock model.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
