//! `codex-responses-api-proxy`: parse flags, run the proxy, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser as _;
use responses_api_proxy::{ProxyArgs, run};

// Runs before `main` and before any thread exists: the process holding the key must never be
// dumpable, even for a moment.
#[ctor::ctor]
fn harden() {
    codex_hardening::pre_main_hardening();
}

fn main() -> ExitCode {
    let args = ProxyArgs::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("responses-api-proxy: error: {err}");
            ExitCode::FAILURE
        }
    }
}
