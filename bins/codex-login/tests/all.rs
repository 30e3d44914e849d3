//! Integration tests of the `codex-login` binary, run as a process against codex-test-support's
//! fake OAuth issuer on 127.0.0.1. The library's own tests live in crates/auth/tests.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
