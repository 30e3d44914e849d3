//! The agent at a terminal: the conversation, first-run sign-in and resuming sessions.
//!
//! [`entry`] holds everything before the first prompt (onboarding, the trust prompt, the
//! resume picker) and the session commands `/rename` and `/logout`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod entry;
