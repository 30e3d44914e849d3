//! Flags of `codex-linux-sandbox`.
//!
//! Two ways to call it. Codex's own argv, so it is a drop-in helper:
//! `--sandbox-policy-cwd DIR --sandbox-policy JSON -- CMD ARGS...`. And a form for people:
//! `[-s MODE] [--writable-root DIR]... [--network] -- CMD ARGS...`, which starts from the
//! sandbox settings in config.toml.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use codex_protocol::SandboxMode;

const AFTER_HELP: &str = "\
Exit status:
  the command's own   the command's exit status (128+N when signal N killed it); when it
                      ends, everything it started in the sandbox is killed
  2                   bad usage (for example no command after `--`)
  125                 the sandbox could not be applied; nothing was run
  126                 the command could not be executed
  127                 the command was not found

Examples:
  codex-linux-sandbox -- cat /etc/hostname
  codex-linux-sandbox -s workspace-write --writable-root ~/scratch -- make test
  codex-linux-sandbox --sandbox-policy-cwd \"$PWD\" --sandbox-policy '{\"mode\":\"read-only\"}' -- ls";

/// `codex-linux-sandbox`: confine a command with namespaces, Landlock and seccomp, then run
/// it.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "codex-linux-sandbox",
    version,
    about = "Run a command confined by namespaces, Landlock and seccomp: reads anywhere (except \
             --deny-read paths), writes only in the writable roots, no network unless allowed, \
             no capabilities, and nothing it starts outlives it.",
    after_help = AFTER_HELP
)]
pub struct LinuxSandboxCli {
    /// The policy as JSON, e.g. `{"mode":"workspace-write","network_access":false}` (the form
    /// Codex passes). Overrides config.toml and the human flags. A policy that does not parse
    /// is bad usage (exit 2).
    // Kept as text: this crate has no JSON parser; the binary parses it.
    #[arg(
        long = "sandbox-policy",
        value_name = "JSON",
        conflicts_with_all = ["sandbox", "writable_roots", "network"]
    )]
    pub sandbox_policy: Option<String>,

    /// Directory the policy's relative writable roots resolve against; it is itself a
    /// writable root under workspace-write [default: the current directory].
    #[arg(long = "sandbox-policy-cwd", value_name = "DIR")]
    pub sandbox_policy_cwd: Option<PathBuf>,

    /// Sandbox mode [default: `sandbox_mode` from config.toml, else read-only].
    #[arg(
        short = 's',
        long = "sandbox",
        value_name = "MODE",
        value_parser = PossibleValuesParser::new(SandboxMode::ALL.map(SandboxMode::as_str))
            .try_map(|s| s.parse::<SandboxMode>())
    )]
    pub sandbox: Option<SandboxMode>,

    /// Another directory the command may write in (workspace-write; repeatable).
    #[arg(long = "writable-root", value_name = "DIR")]
    pub writable_roots: Vec<PathBuf>,

    /// Let the command use the network (workspace-write).
    #[arg(long)]
    pub network: bool,

    /// A file or directory whose contents the command may not read (repeatable; added to
    /// `[sandbox] deny_read` from config.toml in the human form).
    #[arg(long = "deny-read", value_name = "PATH")]
    pub deny_read: Vec<PathBuf>,

    /// Run even if the kernel can enforce only part of the sandbox (says what is missing on
    /// stderr). Without it, such a kernel is an error and nothing runs.
    #[arg(long)]
    pub allow_partial: bool,

    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND", num_args = 1..)]
    pub command: Vec<OsString>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        LinuxSandboxCli::command().debug_assert();
    }

    #[test]
    fn codex_argv_parses() {
        let cli = LinuxSandboxCli::try_parse_from([
            "codex-linux-sandbox",
            "--sandbox-policy-cwd",
            "/w",
            "--sandbox-policy",
            r#"{"mode":"read-only"}"#,
            "--",
            "ls",
            "-l",
        ])
        .unwrap();
        assert_eq!(
            cli.sandbox_policy.as_deref(),
            Some(r#"{"mode":"read-only"}"#)
        );
        assert_eq!(cli.command, ["ls", "-l"]);
    }

    #[test]
    fn human_flags_parse_and_command_is_required() {
        let cli = LinuxSandboxCli::try_parse_from([
            "codex-linux-sandbox",
            "-s",
            "workspace-write",
            "--writable-root",
            "/a",
            "--network",
            "--",
            "true",
        ])
        .unwrap();
        assert_eq!(cli.sandbox, Some(SandboxMode::WorkspaceWrite));
        assert!(cli.network);
        let err = LinuxSandboxCli::try_parse_from(["codex-linux-sandbox", "-s", "read-only"])
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = LinuxSandboxCli::try_parse_from(["codex-linux-sandbox", "-s", "open", "--", "x"])
            .unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
    }
}
