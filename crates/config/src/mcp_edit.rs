//! Editing `[mcp_servers]` in config.toml for `codex mcp add|remove`, through the
//! comment-keeping editor of [`crate::config_edit`].

use std::collections::BTreeMap;
use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::ConfigError;
use crate::config_edit::{implicit_table, read_document, write_document};

/// A server as `codex mcp add` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewMcpServer {
    /// `add NAME [--env K=V]... -- CMD ARGS...`
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// `--env` values, written as a `[mcp_servers.NAME.env]` table.
        env: BTreeMap<String, String>,
    },
    /// `add NAME --url URL [--bearer-token-env-var VAR]`
    StreamableHttp {
        /// The endpoint.
        url: String,
        /// The variable holding the bearer token.
        bearer_token_env_var: Option<String>,
    },
}

/// Writes `[mcp_servers.<name>]`, replacing an entry of that name in place (as Codex does,
/// silently) or appending a new one. Creates the file when it does not exist.
pub fn add_mcp_server(
    config_file: &Path,
    name: &str,
    server: &NewMcpServer,
) -> Result<(), ConfigError> {
    let mut doc = read_document(config_file)?;
    let servers = servers_table(&mut doc, config_file)?;
    let mut table = Table::new();
    match server {
        NewMcpServer::Stdio { command, args, env } => {
            table.insert("command", value(command.as_str()));
            table.insert("args", value(args.iter().collect::<Array>()));
            if !env.is_empty() {
                let mut env_table = Table::new();
                for (k, v) in env {
                    env_table.insert(k, value(v.as_str()));
                }
                table.insert("env", Item::Table(env_table));
            }
        }
        NewMcpServer::StreamableHttp {
            url,
            bearer_token_env_var,
        } => {
            table.insert("url", value(url.as_str()));
            if let Some(var) = bearer_token_env_var {
                table.insert("bearer_token_env_var", value(var.as_str()));
            }
        }
    }
    if let Some(old) = servers.get(name).and_then(Item::as_table) {
        *table.decor_mut() = old.decor().clone();
        if let Some(position) = old.position() {
            table.set_position(position);
        }
    }
    servers.insert(name, Item::Table(table));
    write_document(config_file, &doc)
}

/// Removes `[mcp_servers.<name>]` (and its sub-tables). Returns whether it existed; a file
/// that does not exist is left uncreated.
pub fn remove_mcp_server(config_file: &Path, name: &str) -> Result<bool, ConfigError> {
    if !config_file.exists() {
        return Ok(false);
    }
    let mut doc = read_document(config_file)?;
    let Some(servers) = doc.get_mut("mcp_servers").and_then(Item::as_table_like_mut) else {
        return Ok(false);
    };
    if servers.remove(name).is_none() {
        return Ok(false);
    }
    write_document(config_file, &doc)?;
    Ok(true)
}

/// The `[mcp_servers]` table, created implicit (no bare header) when missing.
fn servers_table<'a>(
    doc: &'a mut DocumentMut,
    config_file: &Path,
) -> Result<&'a mut Table, ConfigError> {
    implicit_table(
        doc,
        "mcp_servers",
        config_file,
        "write it as [mcp_servers.<name>] sections",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn add_replace_remove_keep_comments_and_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "# my settings\nmodel = \"o3\" # pinned\n\n# docs server\n[mcp_servers.docs]\ncommand = \"old\"\n\n[tui]\nanimations = false\n",
        )
        .unwrap();
        add_mcp_server(
            &file,
            "web",
            &NewMcpServer::StreamableHttp {
                url: "https://h/mcp".into(),
                bearer_token_env_var: Some("TOK".into()),
            },
        )
        .unwrap();
        add_mcp_server(
            &file,
            "docs",
            &NewMcpServer::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), "docs".into()],
                env: BTreeMap::from([("A".into(), "1".into())]),
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "# my settings\nmodel = \"o3\" # pinned\n\n# docs server\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs\"]\n\n[mcp_servers.docs.env]\nA = \"1\"\n\n[mcp_servers.web]\nurl = \"https://h/mcp\"\nbearer_token_env_var = \"TOK\"\n\n[tui]\nanimations = false\n"
        );
        assert!(remove_mcp_server(&file, "docs").unwrap());
        assert!(!remove_mcp_server(&file, "docs").unwrap());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# my settings\nmodel = \"o3\" # pinned\n"),
            "{text}"
        );
        assert!(!text.contains("docs"), "{text}");
    }
}
