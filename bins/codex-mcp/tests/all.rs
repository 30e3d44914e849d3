//! `codex-mcp` run as a process.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
