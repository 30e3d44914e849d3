//! `codex-login`: sign in to OpenAI for Codex, show the sign-in status, or log out.

use std::process::ExitCode;

use clap::Parser as _;
use codex_cli::login::LoginCli;

fn main() -> ExitCode {
    codex_logging::init();
    codex_login::run(&LoginCli::parse())
}
