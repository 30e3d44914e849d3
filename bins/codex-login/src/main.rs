//! `codex-login`: sign in to OpenAI for Codex, show the sign-in status, or log out.

use std::process::ExitCode;

use clap::Parser as _;
use codex_cli::login::LoginCli;

// Runs before `main` and before any thread exists: this process holds the credential, so no
// other process of the user (a sandboxed command included) may read its memory or environment.
#[ctor::ctor]
fn harden() {
    codex_hardening::pre_main_hardening();
}

fn main() -> ExitCode {
    codex_logging::init();
    codex_login::run(&LoginCli::parse())
}
