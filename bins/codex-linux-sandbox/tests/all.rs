//! Integration tests of `codex-linux-sandbox`: the real binary, real escape attempts.
//! When run as root, the tests that matter run a second time as uid 65534 (via `setpriv`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod suite;
