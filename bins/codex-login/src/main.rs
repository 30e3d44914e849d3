//! `codex-login`: not built yet.

use std::process::ExitCode;

fn main() -> ExitCode {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-login: this part of the toolkit is not built yet; nothing was run.");
    }
    ExitCode::from(2)
}
