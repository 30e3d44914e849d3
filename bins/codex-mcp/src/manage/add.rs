//! `codex mcp add` and `codex mcp remove`: edits of config.toml in CODEX_HOME.

use std::collections::BTreeMap;
use std::path::PathBuf;

use codex_cli::mcp::McpAddArgs;
use codex_config::{NewMcpServer, add_mcp_server, is_valid_mcp_server_name, remove_mcp_server};

fn config_file() -> Result<PathBuf, String> {
    codex_config::find_codex_home()
        .map(|home| home.join("config.toml"))
        .map_err(|e| e.to_string())
}

fn check_name(name: &str) -> Result<(), String> {
    if is_valid_mcp_server_name(name) {
        Ok(())
    } else {
        Err(format!(
            "invalid server name '{name}' (use letters, numbers, '-', '_')"
        ))
    }
}

/// `add NAME [--env K=V]... -- CMD ARGS...` or `add NAME --url URL [--bearer-token-env-var V]`.
pub(super) fn add(args: &McpAddArgs) -> Result<(), String> {
    check_name(&args.name)?;
    let server = if let Some(url) = &args.url {
        if !args.env.is_empty() {
            return Err(
                "command is required: --env sets the environment of a stdio server (`codex mcp add NAME --env K=V -- CMD`), not of a --url server"
                    .to_owned(),
            );
        }
        NewMcpServer::StreamableHttp {
            url: url.clone(),
            bearer_token_env_var: args.bearer_token_env_var.clone(),
        }
    } else {
        let Some((command, rest)) = args.command.split_first() else {
            return Err(
                "command is required: `codex mcp add NAME -- CMD [ARGS...]` or `codex mcp add NAME --url URL`"
                    .to_owned(),
            );
        };
        let mut env = BTreeMap::new();
        for pair in &args.env {
            let Some((key, value)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(format!("--env {pair}: expected KEY=VALUE"));
            };
            env.insert(key.to_owned(), value.to_owned());
        }
        NewMcpServer::Stdio {
            command: command.clone(),
            args: rest.to_vec(),
            env,
        }
    };
    add_mcp_server(&config_file()?, &args.name, &server).map_err(|e| e.to_string())?;
    #[allow(clippy::print_stdout)]
    {
        println!("Added global MCP server '{}'.", args.name);
    }
    Ok(())
}

/// `remove NAME`: a missing server is not an error (exit 0), as in Codex.
pub(super) fn remove(name: &str) -> Result<(), String> {
    check_name(name)?;
    let removed = remove_mcp_server(&config_file()?, name).map_err(|e| e.to_string())?;
    #[allow(clippy::print_stdout)]
    if removed {
        println!("Removed global MCP server '{name}'.");
    } else {
        println!("No MCP server named '{name}' found.");
    }
    Ok(())
}
