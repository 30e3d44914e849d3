//! `codex-linux-sandbox`: apply the sandbox to this process, then exec the command.
//! Exit codes are documented in `--help` (see `codex_cli::linux_sandbox`).

use std::process::ExitCode;

use clap::Parser;
use codex_cli::linux_sandbox::LinuxSandboxCli;

fn main() -> ExitCode {
    let cli = LinuxSandboxCli::parse();
    // `run` only returns when the command could not be started.
    let failure = codex_linux_sandbox::run(cli, &mut std::io::stderr());
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-linux-sandbox: {failure}");
    }
    ExitCode::from(failure.exit_code())
}
