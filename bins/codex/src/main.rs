//! `codex`: runs `codex <sub>` as the `codex-<sub>` binary. See the library for the rules.

use std::process::ExitCode;

fn main() -> ExitCode {
    codex::run(&std::env::args_os().collect::<Vec<_>>())
}
