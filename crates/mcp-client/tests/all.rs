//! Integration tests of the MCP client against real MCP servers (the Python SDK).

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
