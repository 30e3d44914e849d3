//! End-to-end tests of `codex-apply`, run as a process against codex-test-support's fake
//! ChatGPT backend and fake OAuth issuer, in throwaway git repositories.

// Test helpers outside `#[test]` functions may panic on failure: that is how they report it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
