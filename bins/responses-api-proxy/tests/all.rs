//! Integration tests of `codex-responses-api-proxy`: the real binary against a real upstream on
//! 127.0.0.1, driven by a raw HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod suite;
