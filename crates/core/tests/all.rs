//! codex-core driven as a front end drives it, against the mock model server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
mod suite;
