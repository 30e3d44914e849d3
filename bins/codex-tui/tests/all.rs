//! End-to-end tests of `codex-tui` in a real terminal (tmux) against the mock model.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
#![allow(clippy::format_collect)] // Test data, built once.

mod suite;
