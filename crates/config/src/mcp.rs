//! `[mcp_servers.<name>]`: a server is either a child process spoken to over stdio or a
//! streamable-HTTP endpoint. The transport is inferred (`command` means stdio, `url` means
//! HTTP) and fields of the other transport are refused, so a typo cannot silently do nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::Error as _;

/// One configured MCP server.
#[derive(Debug, Clone, PartialEq)]
pub struct McpServerConfig {
    /// How to reach it.
    pub transport: McpServerTransportConfig,
    /// Seconds allowed for start-up (initialize + first tools/list); default 10.
    pub startup_timeout_sec: Option<f64>,
    /// Seconds allowed per tool call; default 60.
    pub tool_timeout_sec: Option<f64>,
    /// A disabled server is kept in config but not started.
    pub enabled: bool,
}

/// How to reach an MCP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpServerTransportConfig {
    /// A child process speaking JSON-RPC on stdin/stdout.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables.
        env: BTreeMap<String, String>,
        /// Working directory.
        cwd: Option<PathBuf>,
    },
    /// A streamable-HTTP endpoint.
    StreamableHttp {
        /// The endpoint URL.
        url: String,
        /// A bearer token written in config (prefer the env var form).
        bearer_token: Option<String>,
        /// Environment variable holding the bearer token.
        bearer_token_env_var: Option<String>,
    },
}

/// Every key either transport may carry, before the transport is decided.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMcpServer {
    command: Option<String>,
    args: Option<Vec<String>>,
    env: Option<BTreeMap<String, String>>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    bearer_token: Option<String>,
    bearer_token_env_var: Option<String>,
    startup_timeout_sec: Option<f64>,
    /// Older spelling of the start-up timeout, in milliseconds.
    startup_timeout_ms: Option<u64>,
    tool_timeout_sec: Option<f64>,
    enabled: Option<bool>,
}

const STDIO_FIELDS: &str = "command, args, env, cwd";
const HTTP_FIELDS: &str = "url, bearer_token, bearer_token_env_var";

impl<'de> Deserialize<'de> for McpServerConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawMcpServer::deserialize(deserializer)?;
        let transport = match (raw.command, raw.url) {
            (Some(_), Some(_)) => {
                return Err(D::Error::custom(
                    "url is not supported for stdio (a server has either `command` or `url`, not both)",
                ));
            }
            (Some(command), None) => {
                let mixed = [
                    ("bearer_token", raw.bearer_token.is_some()),
                    ("bearer_token_env_var", raw.bearer_token_env_var.is_some()),
                ];
                if let Some((field, _)) = mixed.iter().find(|(_, set)| *set) {
                    return Err(D::Error::custom(format!(
                        "{field} is not supported for stdio; stdio servers take {STDIO_FIELDS}"
                    )));
                }
                McpServerTransportConfig::Stdio {
                    command,
                    args: raw.args.unwrap_or_default(),
                    env: raw.env.unwrap_or_default(),
                    cwd: raw.cwd,
                }
            }
            (None, Some(url)) => {
                let mixed = [
                    ("args", raw.args.is_some()),
                    ("env", raw.env.is_some()),
                    ("cwd", raw.cwd.is_some()),
                ];
                if let Some((field, _)) = mixed.iter().find(|(_, set)| *set) {
                    return Err(D::Error::custom(format!(
                        "{field} is not supported for streamable_http; HTTP servers take {HTTP_FIELDS}"
                    )));
                }
                McpServerTransportConfig::StreamableHttp {
                    url,
                    bearer_token: raw.bearer_token,
                    bearer_token_env_var: raw.bearer_token_env_var,
                }
            }
            (None, None) => {
                return Err(D::Error::custom(
                    "invalid transport: set `command` (a stdio server) or `url` (a streamable HTTP server)",
                ));
            }
        };
        let startup_timeout_sec = raw
            .startup_timeout_sec
            .or_else(|| raw.startup_timeout_ms.map(|ms| ms as f64 / 1000.0));
        Ok(Self {
            transport,
            startup_timeout_sec,
            tool_timeout_sec: raw.tool_timeout_sec,
            enabled: raw.enabled.unwrap_or(true),
        })
    }
}
