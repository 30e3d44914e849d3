//! One connection to one MCP server, over stdio or streamable HTTP. Results cross this
//! boundary as JSON values in MCP's own wire shape, so callers need not know rmcp's types.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use codex_config::{McpServerConfig, McpServerTransportConfig};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation,
    PaginatedRequestParams, ReadResourceRequestParams,
};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ServiceExt, transport::TokioChildProcess};
use serde_json::{Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt};

use crate::error::McpClientError;
use crate::http_client::ReqwestHttpClient;
use crate::launch::{LaunchContext, StdioLaunch, prepare};
use crate::oauth::session::OAuthTokenSource;
use crate::oauth::{CredentialStore, oauth_http_client};

/// A tool as the server lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct McpTool {
    /// The server's name for it.
    pub name: String,
    /// What it does, for the model.
    pub description: Option<String>,
    /// Its `inputSchema`, unmodified.
    pub input_schema: Value,
}

/// A live connection. Dropping it closes the connection and kills a stdio server.
pub struct McpClient {
    service: RunningService<RoleClient, ClientConfig>,
    /// Whether the process runs under the sandbox helper (stdio servers only).
    confined: Option<&'static str>,
    _scratch: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for McpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpClient")
            .field("confined", &self.confined)
            .finish_non_exhaustive()
    }
}

fn client_info() -> ClientConfig {
    let mut info = Implementation::new("codex-mcp-client", env!("CARGO_PKG_VERSION"));
    info.title = Some("Codex".to_owned());
    ClientConfig::new(ClientCapabilities::default(), info)
}

fn request_error(method: &'static str) -> impl Fn(ServiceError) -> McpClientError {
    move |e| McpClientError::Request {
        method,
        message: e.to_string(),
    }
}

impl McpClient {
    /// Starts or reaches the server and completes `initialize`. The caller bounds the time.
    pub async fn connect(
        name: &str,
        config: &McpServerConfig,
        ctx: &LaunchContext,
    ) -> Result<Self, McpClientError> {
        if !codex_config::is_valid_mcp_server_name(name) {
            return Err(McpClientError::InvalidName(name.to_owned()));
        }
        match &config.transport {
            McpServerTransportConfig::Stdio {
                command,
                args,
                env,
                env_vars,
                cwd,
                sandbox,
                network,
            } => {
                let launch = StdioLaunch {
                    command,
                    args,
                    env,
                    env_vars,
                    cwd: cwd.as_deref(),
                    sandbox: *sandbox,
                    network: *network,
                };
                let prepared = prepare(&launch, ctx)?;
                let (transport, stderr) = TokioChildProcess::builder(prepared.command)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .map_err(McpClientError::Spawn)?;
                if let Some(stderr) = stderr {
                    forward_stderr(name.to_owned(), stderr);
                }
                let service = client_info()
                    .serve(transport)
                    .await
                    .map_err(|e| McpClientError::Handshake(e.to_string()))?;
                let confined = (*sandbox != codex_config::McpSandboxMode::DangerFullAccess)
                    .then(|| sandbox.as_str());
                Ok(Self {
                    service,
                    confined,
                    _scratch: prepared.scratch,
                })
            }
            McpServerTransportConfig::StreamableHttp {
                url,
                bearer_token,
                bearer_token_env_var,
                http_headers,
                env_http_headers,
            } => {
                let configured_token = bearer_token.is_some() || bearer_token_env_var.is_some();
                let token = bearer_token.clone().or_else(|| {
                    bearer_token_env_var
                        .as_ref()
                        .and_then(|var| std::env::var(var).ok())
                        .filter(|v| !v.is_empty())
                });
                let mut headers = HashMap::new();
                let from_env = env_http_headers
                    .iter()
                    .filter_map(|(h, var)| Some((h, std::env::var(var).ok()?)));
                for (header, value) in http_headers
                    .iter()
                    .map(|(h, v)| (h, v.clone()))
                    .chain(from_env)
                {
                    let name = http::HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                        McpClientError::BadConfig(format!(
                            "http_headers: `{header}` is not a valid HTTP header name"
                        ))
                    })?;
                    let value = http::HeaderValue::from_str(&value).map_err(|_| {
                        McpClientError::BadConfig(format!(
                            "http_headers: the value of `{header}` is not a valid HTTP header value"
                        ))
                    })?;
                    headers.insert(name, value);
                }
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| McpClientError::BadConfig(format!("HTTP client: {e}")))?;
                // A configured bearer token wins; otherwise a stored OAuth sign-in is used.
                let oauth = match (&token, &ctx.codex_home) {
                    (None, Some(home)) => {
                        let oauth_http = oauth_http_client(header_map(&headers))
                            .map_err(McpClientError::OAuth)?;
                        OAuthTokenSource::load(CredentialStore::new(home), name, url, oauth_http)
                            .map_err(McpClientError::OAuth)?
                            .map(Arc::new)
                    }
                    _ => None,
                };
                let mut transport_config =
                    StreamableHttpClientTransportConfig::with_uri(url.as_str())
                        .custom_headers(headers)
                        .reinit_on_expired_session(true);
                if let Some(token) = token {
                    transport_config = transport_config.auth_header(token);
                }
                let client = ReqwestHttpClient::new(http, oauth.clone());
                let challenged = client.challenged();
                let transport =
                    StreamableHttpClientTransport::with_client(client, transport_config);
                let service = client_info().serve(transport).await.map_err(|e| {
                    let refused = challenged.load(std::sync::atomic::Ordering::Relaxed);
                    match &oauth {
                        _ if !refused => McpClientError::Handshake(e.to_string()),
                        Some(_) => McpClientError::LoginExpired(name.to_owned()),
                        None if configured_token => McpClientError::Handshake(e.to_string()),
                        None => McpClientError::LoginRequired(name.to_owned()),
                    }
                })?;
                Ok(Self {
                    service,
                    confined: None,
                    _scratch: None,
                })
            }
        }
    }

    /// The sandbox mode a stdio server runs under, or `None` when it is not confined.
    pub fn confined(&self) -> Option<&'static str> {
        self.confined
    }

    /// Every tool, all pages.
    pub async fn list_tools(&self) -> Result<Vec<McpTool>, McpClientError> {
        let tools = self
            .service
            .peer()
            .list_all_tools()
            .await
            .map_err(request_error("tools/list"))?;
        Ok(tools
            .into_iter()
            .map(|tool| McpTool {
                name: tool.name.into_owned(),
                description: tool.description.map(std::borrow::Cow::into_owned),
                input_schema: Value::Object((*tool.input_schema).clone()),
            })
            .collect())
    }

    /// Calls a tool; the result in MCP's wire shape (`content`, `structuredContent`,
    /// `isError`). A tool that reports an error is a result, not an `Err`.
    pub async fn call_tool(
        &self,
        tool: &str,
        arguments: Option<Map<String, Value>>,
        timeout: Duration,
    ) -> Result<Value, McpClientError> {
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        let call = self.service.peer().call_tool(params);
        let result = tokio::time::timeout(timeout, call)
            .await
            .map_err(|_| McpClientError::Timeout {
                method: "tools/call",
                timeout,
            })?
            .map_err(request_error("tools/call"))?;
        serde_json::to_value(result).map_err(|e| McpClientError::Request {
            method: "tools/call",
            message: e.to_string(),
        })
    }

    /// One page of `resources/list`, in wire shape.
    pub async fn list_resources(
        &self,
        cursor: Option<String>,
        timeout: Duration,
    ) -> Result<Value, McpClientError> {
        let params = PaginatedRequestParams::default().with_cursor(cursor);
        let call = self.service.peer().list_resources(Some(params));
        to_json("resources/list", timeout, call).await
    }

    /// One page of `resources/templates/list`, in wire shape.
    pub async fn list_resource_templates(
        &self,
        cursor: Option<String>,
        timeout: Duration,
    ) -> Result<Value, McpClientError> {
        let params = PaginatedRequestParams::default().with_cursor(cursor);
        let call = self.service.peer().list_resource_templates(Some(params));
        to_json("resources/templates/list", timeout, call).await
    }

    /// `resources/read`, in wire shape.
    pub async fn read_resource(
        &self,
        uri: &str,
        timeout: Duration,
    ) -> Result<Value, McpClientError> {
        let call = self
            .service
            .peer()
            .read_resource(ReadResourceRequestParams::new(uri));
        to_json("resources/read", timeout, call).await
    }
}

/// The configured headers as a header map, for the OAuth requests.
fn header_map(headers: &HashMap<http::HeaderName, http::HeaderValue>) -> http::HeaderMap {
    headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

async fn to_json<T: serde::Serialize>(
    method: &'static str,
    timeout: Duration,
    call: impl Future<Output = Result<T, ServiceError>>,
) -> Result<Value, McpClientError> {
    let result = tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| McpClientError::Timeout { method, timeout })?
        .map_err(request_error(method))?;
    serde_json::to_value(result).map_err(|e| McpClientError::Request {
        method,
        message: e.to_string(),
    })
}

/// Longest stderr line kept; the rest of a longer line is skipped.
const MAX_STDERR_LINE: u64 = 4096;

/// A server's stderr goes to the log (bounded lines), never to the agent's own output.
fn forward_stderr(server: String, stderr: tokio::process::ChildStderr) {
    tokio::spawn(async move {
        let mut reader = tokio::io::BufReader::new(stderr);
        let mut line = Vec::new();
        loop {
            line.clear();
            let mut limited = (&mut reader).take(MAX_STDERR_LINE);
            match limited.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line);
                    tracing::debug!(target: "codex_mcp_client::stderr", server = %server, "{}", text.trim_end());
                }
            }
        }
    });
}
