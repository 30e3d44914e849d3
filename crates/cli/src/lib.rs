//! Command-line definitions (clap) of every binary in the toolkit, and the flags they share.
//!
//! The definitions live here rather than in each binary so that the `codex` shim can render
//! help and shell completion for subcommands it only dispatches to. This crate depends on
//! clap and `codex-protocol` only: the hardened proxy links it too.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod apply;
pub mod exec;
pub mod linux_sandbox;
pub mod login;
pub mod mcp;
pub mod proxy;
pub mod shared;
pub mod tui;

pub use shared::{ConfigArgs, INVOKED_AS_ENV, RunArgs, display_name};
