//! One test binary for every cross-binary suite (keeps link times down).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
mod suite;
