//! `codex mcp list|get|add|remove|login|logout`: read `[mcp_servers]` through codex-config,
//! edit it with codex-config's comment-preserving editor, and sign in to (or out of) servers
//! that use OAuth through codex-mcp-client. Messages match Codex's.

mod add;
mod describe;
mod list;
mod login;

use std::process::ExitCode;

use codex_cli::mcp::McpCommand;
use codex_cli::shared::ConfigArgs;
use codex_config::{Config, ConfigOverrides};

/// Runs one management subcommand.
pub(crate) fn run(config_args: &ConfigArgs, command: &McpCommand) -> ExitCode {
    let result = match command {
        McpCommand::List(args) => load(config_args).and_then(|c| list::list(&c, args.json)),
        McpCommand::Get(args) => {
            load(config_args).and_then(|c| list::get(&c, &args.name, args.json))
        }
        McpCommand::Add(args) => add::add(args),
        McpCommand::Remove(args) => add::remove(&args.name),
        McpCommand::Login(args) => load(config_args).and_then(|c| login::login(&c, args)),
        McpCommand::Logout(args) => load(config_args).and_then(|c| login::logout(&c, &args.name)),
        McpCommand::Serve => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("Error: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

fn load(args: &ConfigArgs) -> Result<Config, String> {
    Config::load(ConfigOverrides {
        profile: args.profile.clone(),
        raw_overrides: args.overrides.clone(),
        ..ConfigOverrides::default()
    })
    .map_err(|e| e.to_string())
}
