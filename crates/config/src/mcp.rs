//! `[mcp_servers.<name>]`: a server is either a child process spoken to over stdio or a
//! streamable-HTTP endpoint. The transport is inferred (`command` means stdio, `url` means
//! HTTP) and fields of the other transport are refused, so a typo cannot silently do nothing.
//!
//! Beyond Codex, a stdio server runs confined by default: `sandbox` picks the policy it runs
//! under (`read-only` unless set) and `network` whether it may open sockets (off unless set).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::Error as _;

/// Seconds allowed for start-up (initialize + first tools/list) when the server sets none.
pub const DEFAULT_MCP_STARTUP_TIMEOUT_SEC: f64 = 10.0;
/// Seconds allowed per tool call when the server sets none.
pub const DEFAULT_MCP_TOOL_TIMEOUT_SEC: f64 = 60.0;

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
    /// A required server that fails to start fails the session instead of being skipped.
    pub required: bool,
    /// When set, only these tools are offered.
    pub enabled_tools: Option<Vec<String>>,
    /// Tools never offered (applied after `enabled_tools`).
    pub disabled_tools: Vec<String>,
    /// OAuth settings of a streamable-HTTP server (used by `codex mcp login` and by the
    /// agent when it refreshes tokens).
    pub oauth: McpOAuthConfig,
}

/// How `codex mcp login` signs in to a server that asks for OAuth. Every field is optional:
/// by default the client registers itself (RFC 7591) and asks for the scopes the server
/// advertises, for the resource the server's metadata names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct McpOAuthConfig {
    /// `scopes`: the scopes to ask for (`--scopes` on the command line wins).
    pub scopes: Option<Vec<String>>,
    /// `oauth_resource`: the RFC 8707 `resource` sent with the authorization and token
    /// requests, when the server's metadata does not name the right one.
    pub resource: Option<String>,
    /// `oauth_client_id`: a client registered ahead of time with the authorization server,
    /// for servers without dynamic client registration.
    pub client_id: Option<String>,
}

/// What a stdio server's process may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum McpSandboxMode {
    /// Reads anything, writes nothing (the default: a third-party server is not trusted).
    #[default]
    ReadOnly,
    /// Writes only in the session's writable roots.
    WorkspaceWrite,
    /// Not confined.
    DangerFullAccess,
}

impl McpSandboxMode {
    /// The name used in config.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read-only",
            Self::WorkspaceWrite => "workspace-write",
            Self::DangerFullAccess => "danger-full-access",
        }
    }
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
        /// Extra environment variables with literal values.
        env: BTreeMap<String, String>,
        /// Names of variables passed through from the agent's environment.
        env_vars: Vec<String>,
        /// Working directory.
        cwd: Option<PathBuf>,
        /// The sandbox the process runs under.
        sandbox: McpSandboxMode,
        /// Whether the process may use the network (ignored for `danger-full-access`,
        /// which always may).
        network: bool,
    },
    /// A streamable-HTTP endpoint.
    StreamableHttp {
        /// The endpoint URL.
        url: String,
        /// A bearer token written in config (prefer the env var form).
        bearer_token: Option<String>,
        /// Environment variable holding the bearer token.
        bearer_token_env_var: Option<String>,
        /// Headers sent with every request, with literal values.
        http_headers: BTreeMap<String, String>,
        /// Headers whose values come from environment variables (header -> variable).
        env_http_headers: BTreeMap<String, String>,
    },
}

/// Every key either transport may carry, before the transport is decided. Unknown keys are
/// left to the loader, which reports them as warnings (a newer Codex may have written them).
#[derive(Deserialize)]
struct RawMcpServer {
    command: Option<String>,
    args: Option<Vec<String>>,
    env: Option<BTreeMap<String, String>>,
    env_vars: Option<Vec<String>>,
    cwd: Option<PathBuf>,
    sandbox: Option<McpSandboxMode>,
    network: Option<bool>,
    url: Option<String>,
    bearer_token: Option<String>,
    bearer_token_env_var: Option<String>,
    http_headers: Option<BTreeMap<String, String>>,
    env_http_headers: Option<BTreeMap<String, String>>,
    startup_timeout_sec: Option<f64>,
    /// Older spelling of the start-up timeout, in milliseconds.
    startup_timeout_ms: Option<u64>,
    tool_timeout_sec: Option<f64>,
    enabled: Option<bool>,
    required: Option<bool>,
    enabled_tools: Option<Vec<String>>,
    disabled_tools: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    oauth_resource: Option<String>,
    oauth_client_id: Option<String>,
}

const STDIO_FIELDS: &str = "command, args, env, env_vars, cwd, sandbox, network";
const HTTP_FIELDS: &str = "url, bearer_token, bearer_token_env_var, http_headers, env_http_headers, oauth_resource, oauth_client_id";

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
                    ("http_headers", raw.http_headers.is_some()),
                    ("env_http_headers", raw.env_http_headers.is_some()),
                    ("oauth_resource", raw.oauth_resource.is_some()),
                    ("oauth_client_id", raw.oauth_client_id.is_some()),
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
                    env_vars: raw.env_vars.unwrap_or_default(),
                    cwd: raw.cwd,
                    sandbox: raw.sandbox.unwrap_or_default(),
                    network: raw.network.unwrap_or(false),
                }
            }
            (None, Some(url)) => {
                let mixed = [
                    ("args", raw.args.is_some()),
                    ("env", raw.env.is_some()),
                    ("env_vars", raw.env_vars.is_some()),
                    ("cwd", raw.cwd.is_some()),
                    ("sandbox", raw.sandbox.is_some()),
                    ("network", raw.network.is_some()),
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
                    http_headers: raw.http_headers.unwrap_or_default(),
                    env_http_headers: raw.env_http_headers.unwrap_or_default(),
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
        for (key, value) in [
            ("startup_timeout_sec", startup_timeout_sec),
            ("tool_timeout_sec", raw.tool_timeout_sec),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0)
            {
                return Err(D::Error::custom(format!(
                    "{key} must be a positive number of seconds, not {v}"
                )));
            }
        }
        Ok(Self {
            transport,
            startup_timeout_sec,
            tool_timeout_sec: raw.tool_timeout_sec,
            enabled: raw.enabled.unwrap_or(true),
            required: raw.required.unwrap_or(false),
            enabled_tools: raw.enabled_tools,
            disabled_tools: raw.disabled_tools.unwrap_or_default(),
            oauth: McpOAuthConfig {
                scopes: raw.scopes,
                resource: raw.oauth_resource,
                client_id: raw.oauth_client_id,
            },
        })
    }
}

impl McpServerConfig {
    /// Whether a tool of this server is offered, after `enabled_tools` then `disabled_tools`.
    pub fn tool_allowed(&self, tool: &str) -> bool {
        let allowed = self
            .enabled_tools
            .as_ref()
            .is_none_or(|list| list.iter().any(|t| t == tool));
        allowed && !self.disabled_tools.iter().any(|t| t == tool)
    }
}

/// Whether `name` is usable as a server name (`^[a-zA-Z0-9_-]+$`, as Codex requires).
pub fn is_valid_mcp_server_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<McpServerConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn allow_list_then_deny_list() {
        let server = parse(
            "command = \"x\"\nenabled_tools = [\"fail\", \"schemas\"]\ndisabled_tools = [\"fail\"]",
        )
        .unwrap();
        assert!(server.tool_allowed("schemas"));
        assert!(!server.tool_allowed("fail"));
        assert!(!server.tool_allowed("other"));
    }

    #[test]
    fn stdio_defaults_to_read_only_without_network() {
        let server = parse("command = \"x\"").unwrap();
        assert!(matches!(
            server.transport,
            McpServerTransportConfig::Stdio {
                sandbox: McpSandboxMode::ReadOnly,
                network: false,
                ..
            }
        ));
        let err = parse("url = \"http://h\"\nsandbox = \"read-only\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("sandbox is not supported for streamable_http")
        );
        let err = parse("command = \"x\"\noauth_resource = \"https://r\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("oauth_resource is not supported for stdio")
        );
        let err = parse("command = \"x\"\ntool_timeout_sec = 0").unwrap_err();
        assert!(
            err.to_string()
                .contains("tool_timeout_sec must be a positive")
        );
    }

    #[test]
    fn oauth_keys_of_an_http_server() {
        let server = parse(
            "url = \"https://h/mcp\"\nscopes = [\"a\", \"b\"]\noauth_resource = \"https://h\"\noauth_client_id = \"c1\"",
        )
        .unwrap();
        assert_eq!(
            server.oauth,
            McpOAuthConfig {
                scopes: Some(vec!["a".into(), "b".into()]),
                resource: Some("https://h".into()),
                client_id: Some("c1".into()),
            }
        );
    }

    #[test]
    fn server_names() {
        assert!(is_valid_mcp_server_name("my-srv_2"));
        assert!(!is_valid_mcp_server_name("bad.name"));
        assert!(!is_valid_mcp_server_name(""));
    }
}
