//! `codex-exec` end to end: the binary against the mock model server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
mod suite;
