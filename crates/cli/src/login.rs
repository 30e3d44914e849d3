//! Flags of `codex-login`.

/// The clap command, for the shim's help and completion.
pub fn command() -> clap::Command {
    clap::Command::new("codex-login")
}
