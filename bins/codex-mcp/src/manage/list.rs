//! `codex mcp list [--json]` and `codex mcp get NAME [--json]`.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use codex_config::{Config, McpServerConfig, McpServerTransportConfig};
use codex_mcp_client::oauth::{McpAuthStatus, auth_status};

use super::describe::{masked, sandbox_label, to_json};

#[allow(clippy::print_stdout)]
fn emit(text: &str) {
    print!("{text}");
}

fn json_text(value: &serde_json::Value) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

/// Rows padded into columns two spaces apart; the last column is not padded.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == columns {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn status(server: &McpServerConfig) -> &'static str {
    if server.enabled {
        "enabled"
    } else {
        "disabled"
    }
}

/// Every server's auth status, HTTP servers probed concurrently (each bounded by a short
/// discovery timeout).
fn auth_statuses(config: &Config) -> Result<BTreeMap<String, McpAuthStatus>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (name, server) in &config.mcp_servers {
            let (home, name, server) = (config.codex_home.clone(), name.clone(), server.clone());
            tasks.spawn(async move {
                let status = auth_status(&home, &name, &server).await;
                (name, status)
            });
        }
        let mut statuses = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            let (name, status) = joined.map_err(|e| e.to_string())?;
            statuses.insert(name, status);
        }
        Ok(statuses)
    })
}

/// `list`: one table per transport; `--json` an array.
pub(super) fn list(config: &Config, json: bool) -> Result<(), String> {
    let servers = &config.mcp_servers;
    let statuses = auth_statuses(config)?;
    let auth = |name: &str| {
        statuses
            .get(name)
            .copied()
            .unwrap_or(McpAuthStatus::Unsupported)
    };
    if json {
        let all: Vec<_> = servers
            .iter()
            .map(|(name, server)| to_json(name, server, Some(auth(name))))
            .collect();
        emit(&json_text(&serde_json::Value::Array(all))?);
        return Ok(());
    }
    if servers.is_empty() {
        emit("No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.\n");
        return Ok(());
    }
    let header = |cells: &[&str]| cells.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut stdio = vec![header(&[
        "Name", "Command", "Args", "Env", "Cwd", "Status", "Auth", "Sandbox",
    ])];
    let mut http = vec![header(&[
        "Name",
        "Url",
        "Bearer Token Env Var",
        "Status",
        "Auth",
    ])];
    for (name, server) in servers {
        match &server.transport {
            McpServerTransportConfig::Stdio {
                command,
                args,
                env,
                cwd,
                ..
            } => stdio.push(vec![
                name.clone(),
                command.clone(),
                if args.is_empty() {
                    "-".to_owned()
                } else {
                    args.join(" ")
                },
                masked(env),
                cwd.as_ref()
                    .map_or_else(|| "-".to_owned(), |c| c.display().to_string()),
                status(server).to_owned(),
                auth(name).label().to_owned(),
                sandbox_label(server).unwrap_or_default(),
            ]),
            McpServerTransportConfig::StreamableHttp {
                url,
                bearer_token_env_var,
                ..
            } => http.push(vec![
                name.clone(),
                url.clone(),
                bearer_token_env_var
                    .clone()
                    .unwrap_or_else(|| "-".to_owned()),
                status(server).to_owned(),
                auth(name).label().to_owned(),
            ]),
        }
    }
    let tables: Vec<String> = [stdio, http]
        .iter()
        .filter(|rows| rows.len() > 1)
        .map(|rows| table(rows))
        .collect();
    emit(&tables.join("\n"));
    Ok(())
}

/// `get NAME`: the server's settings; unknown names are an error (exit 1).
pub(super) fn get(config: &Config, name: &str, json: bool) -> Result<(), String> {
    let Some(server) = config.mcp_servers.get(name) else {
        return Err(format!("No MCP server named '{name}' found."));
    };
    if json {
        emit(&json_text(&to_json(name, server, None))?);
        return Ok(());
    }
    let mut lines = vec![name.to_owned(), format!("  enabled: {}", server.enabled)];
    match &server.transport {
        McpServerTransportConfig::Stdio {
            command,
            args,
            env,
            env_vars,
            cwd,
            ..
        } => {
            lines.push("  transport: stdio".to_owned());
            lines.push(format!("  command: {command}"));
            lines.push(format!(
                "  args: {}",
                if args.is_empty() {
                    "-".to_owned()
                } else {
                    args.join(" ")
                }
            ));
            lines.push(format!(
                "  cwd: {}",
                cwd.as_ref()
                    .map_or_else(|| "-".to_owned(), |c| c.display().to_string())
            ));
            lines.push(format!("  env: {}", masked(env)));
            if !env_vars.is_empty() {
                lines.push(format!("  env_vars: {}", env_vars.join(", ")));
            }
            lines.push(format!(
                "  sandbox: {}",
                sandbox_label(server).unwrap_or_default()
            ));
        }
        McpServerTransportConfig::StreamableHttp {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            ..
        } => {
            lines.push("  transport: streamable_http".to_owned());
            lines.push(format!("  url: {url}"));
            lines.push(format!(
                "  bearer_token_env_var: {}",
                bearer_token_env_var.as_deref().unwrap_or("-")
            ));
            lines.push(format!("  http_headers: {}", masked(http_headers)));
            let env_headers = if env_http_headers.is_empty() {
                "-".to_owned()
            } else {
                env_http_headers
                    .iter()
                    .map(|(h, var)| format!("{h}={var}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!("  env_http_headers: {env_headers}"));
        }
    }
    lines.push(format!("  remove: codex mcp remove {name}"));
    emit(&(lines.join("\n") + "\n"));
    Ok(())
}
