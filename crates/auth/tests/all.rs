//! Integration tests of `codex-auth` as a library: the AuthManager and the sign-in server,
//! against the fake OAuth issuer of codex-test-support served on 127.0.0.1.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
