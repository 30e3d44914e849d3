//! `codex-exec`: see the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    codex_logging::init();
    codex_exec::main_with_args(std::env::args_os())
}
