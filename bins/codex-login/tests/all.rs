//! Integration tests of `codex-login` and `codex-auth`, against a fake OAuth issuer served on
//! 127.0.0.1 by the tests themselves.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
