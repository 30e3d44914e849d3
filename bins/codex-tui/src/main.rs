//! `codex-tui`: not built yet.

use std::process::ExitCode;

fn main() -> ExitCode {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-tui: this part of the toolkit is not built yet; nothing was run.");
    }
    ExitCode::from(2)
}
