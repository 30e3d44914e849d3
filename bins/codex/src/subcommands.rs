//! The table of subcommands the shim knows by name. Anything else is looked up as a
//! `codex-<name>` binary, git-style.

use clap::{Command, CommandFactory};
use codex_cli::exec::ExecCli;
use codex_cli::linux_sandbox::LinuxSandboxCli;
use codex_cli::mcp::McpCli;
use codex_cli::proxy::ProxyArgs;
use codex_cli::tui::TuiCli;

/// A subcommand and the binary that serves it.
pub(crate) struct Subcommand {
    /// What the user types after `codex`.
    pub(crate) name: &'static str,
    /// Other names for it.
    pub(crate) aliases: &'static [&'static str],
    /// The binary that runs it.
    pub(crate) binary: &'static str,
    /// Arguments put before the user's (`logout` is `codex-login logout`).
    pub(crate) prefix: &'static [&'static str],
    /// One line for `codex --help`.
    pub(crate) summary: &'static str,
    /// The clap command, for help and completion.
    pub(crate) command: fn() -> Command,
}

pub(crate) const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        name: "exec",
        aliases: &["e"],
        binary: "codex-exec",
        prefix: &[],
        summary: "Run the agent non-interactively: for scripts, pipes and CI",
        command: ExecCli::command,
    },
    Subcommand {
        name: "resume",
        aliases: &[],
        binary: "codex-tui",
        prefix: &["resume"],
        summary: "Continue a recorded session in the terminal UI",
        command: || subcommand_of(&TuiCli::command(), "resume"),
    },
    Subcommand {
        name: "sessions",
        aliases: &[],
        binary: "codex-exec",
        prefix: &["sessions"],
        summary: "List recorded sessions, newest first",
        command: || subcommand_of(&ExecCli::command(), "sessions"),
    },
    Subcommand {
        name: "login",
        aliases: &[],
        binary: "codex-login",
        prefix: &[],
        summary: "Log in with a ChatGPT account or an API key",
        command: codex_cli::login::command,
    },
    Subcommand {
        name: "logout",
        aliases: &[],
        binary: "codex-login",
        prefix: &["logout"],
        summary: "Remove the stored credentials",
        command: || Command::new("logout"),
    },
    Subcommand {
        name: "apply",
        aliases: &["a"],
        binary: "codex-apply",
        prefix: &[],
        summary: "Apply the diff of a Codex Cloud task to the local repository",
        command: codex_cli::apply::command,
    },
    Subcommand {
        name: "mcp",
        aliases: &[],
        binary: "codex-mcp",
        prefix: &[],
        summary: "Serve the agent over MCP, or manage the MCP servers it uses",
        command: McpCli::command,
    },
    Subcommand {
        name: "mcp-server",
        aliases: &[],
        binary: "codex-mcp",
        prefix: &["serve"],
        summary: "Serve the agent as an MCP server over stdio",
        command: || Command::new("mcp-server"),
    },
    Subcommand {
        name: "sandbox",
        aliases: &[],
        binary: "codex-linux-sandbox",
        prefix: &[],
        summary: "Run a command under the Landlock + seccomp sandbox",
        command: LinuxSandboxCli::command,
    },
    Subcommand {
        name: "responses-api-proxy",
        aliases: &[],
        binary: "codex-responses-api-proxy",
        prefix: &[],
        summary: "Hold the API key and forward model requests for others",
        command: ProxyArgs::command,
    },
];

/// Finds a subcommand by name or alias.
pub(crate) fn find(name: &str) -> Option<&'static Subcommand> {
    SUBCOMMANDS
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name))
}

fn subcommand_of(parent: &Command, name: &'static str) -> Command {
    parent
        .find_subcommand(name)
        .cloned()
        .unwrap_or_else(|| Command::new(name))
}
