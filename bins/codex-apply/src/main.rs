//! `codex-apply`: apply the diff of a Codex Cloud task to the local git repository.

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use codex_cli::apply::ApplyCli;

fn main() -> ExitCode {
    codex_logging::init();
    // Usage lines say `codex apply` when the shim ran us.
    let name = codex_cli::display_name("codex-apply");
    let matches = ApplyCli::command().bin_name(name).get_matches();
    let cli = ApplyCli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    codex_apply::run(&cli)
}
