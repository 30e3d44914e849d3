//! `codex-tui`: see the library.

use std::process::ExitCode;

// Runs before `main` and before any thread exists: this process holds the credential, so no
// other process of the user (a sandboxed command included) may read its memory or environment.
#[ctor::ctor]
fn harden() {
    codex_hardening::pre_main_hardening();
}

fn main() -> ExitCode {
    // Logging starts once the config says where CODEX_HOME is: the TUI logs to
    // `<CODEX_HOME>/log/codex-tui.log`, since stderr is the screen it draws on.
    codex_tui::main_with_args(std::env::args_os())
}
