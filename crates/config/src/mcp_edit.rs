//! Editing `[mcp_servers]` in config.toml for `codex mcp add|remove`, with `toml_edit` so the
//! user's comments, key order and formatting elsewhere in the file survive the edit. The file
//! is replaced atomically (a new file beside it, then a rename), keeping its permissions.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::ConfigError;

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

fn read_document(config_file: &Path) -> Result<DocumentMut, ConfigError> {
    let text = match std::fs::read_to_string(config_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(ConfigError::Io {
                path: config_file.to_path_buf(),
                error,
            });
        }
    };
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(&text, span.start));
        ConfigError::Syntax {
            path: config_file.to_path_buf(),
            line,
            column,
            message: e.message().to_owned(),
        }
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, str::len) + 1;
    (line, column)
}

/// The `[mcp_servers]` table, created implicit (no bare header) when missing.
fn servers_table<'a>(
    doc: &'a mut DocumentMut,
    config_file: &Path,
) -> Result<&'a mut Table, ConfigError> {
    let item = doc.entry("mcp_servers").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    item.as_table_mut().ok_or_else(|| ConfigError::InvalidKey {
        path: config_file.to_path_buf(),
        line: 1,
        key: "mcp_servers".to_owned(),
        message: "is not a table; write it as [mcp_servers.<name>] sections".to_owned(),
    })
}

fn write_document(config_file: &Path, doc: &DocumentMut) -> Result<(), ConfigError> {
    let io_err = |error| ConfigError::Io {
        path: config_file.to_path_buf(),
        error,
    };
    let dir = config_file.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let file_name = config_file.file_name().map_or_else(
        || "config.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{file_name}.{}.{nanos}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mode = std::fs::metadata(config_file).map_or(0o600, |m| {
            std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777
        });
        options.mode(mode).custom_flags(libc_o_nofollow());
    }
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(doc.to_string().as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = result.and_then(|()| std::fs::rename(&tmp, config_file)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(error));
    }
    Ok(())
}

/// `O_NOFOLLOW` on Linux, without a libc dependency for one constant.
#[cfg(unix)]
fn libc_o_nofollow() -> i32 {
    if cfg!(target_os = "linux") {
        0o400_000
    } else {
        0
    }
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
