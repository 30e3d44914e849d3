//! Every configured server of a session: started together in the background, looked up by
//! the names the model sees. A slow or broken server never holds up the others or the turn;
//! it is reported once, through the start-up updates.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use codex_config::{
    DEFAULT_MCP_STARTUP_TIMEOUT_SEC, DEFAULT_MCP_TOOL_TIMEOUT_SEC, McpSandboxMode, McpServerConfig,
    McpServerTransportConfig,
};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, watch};

use crate::client::{McpClient, McpTool};
use crate::error::McpClientError;
use crate::launch::LaunchContext;
use crate::naming::{qualified_tool_name, server_of};

/// Where one server's start-up is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpStartupStatus {
    /// Started, not ready yet.
    Starting,
    /// Ready; its tools are offered from the next model request on.
    Ready {
        /// How many tools it offers (after `enabled_tools` / `disabled_tools`).
        tools: usize,
        /// The sandbox mode of a confined stdio server; `None` when unconfined or remote.
        sandbox: Option<&'static str>,
    },
    /// It will not be used in this session; the message is meant for the user.
    Failed {
        /// What happened and how to fix it.
        error: String,
    },
}

/// A change in one server's start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpStartupUpdate {
    /// The server's name in config.toml.
    pub server: String,
    /// Its new status.
    pub status: McpStartupStatus,
    /// Whether the server is `required` (its failure ends the session).
    pub required: bool,
}

/// A tool of a ready server, under the name the model sees.
#[derive(Debug, Clone, PartialEq)]
pub struct QualifiedTool {
    /// `mcp__<server>__<tool>`, sanitized and length-limited.
    pub qualified_name: String,
    /// The server's name.
    pub server: String,
    /// The tool as the server lists it.
    pub tool: McpTool,
    /// How the server's process is confined (`read-only, no network`), or `None` when it is
    /// not (a remote server, or `sandbox = "danger-full-access"`).
    pub sandbox: Option<String>,
}

/// What a stdio server's `sandbox` and `network` keys amount to, in words.
fn sandbox_label(config: &McpServerConfig) -> Option<String> {
    match &config.transport {
        McpServerTransportConfig::Stdio {
            sandbox, network, ..
        } if *sandbox != McpSandboxMode::DangerFullAccess => Some(format!(
            "{}, {}",
            sandbox.as_str(),
            if *network {
                "network allowed"
            } else {
                "no network"
            }
        )),
        _ => None,
    }
}

/// A tool or resource call that produced no result. The message is what the model reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolCallError {
    /// The full text.
    pub message: String,
}

enum State {
    Starting,
    Ready {
        client: Arc<McpClient>,
        tools: Vec<McpTool>,
    },
    Failed(String),
}

struct Slot {
    config: McpServerConfig,
    state: watch::Receiver<Arc<State>>,
}

/// The MCP servers of one session.
pub struct McpConnectionManager {
    slots: BTreeMap<String, Slot>,
}

impl std::fmt::Debug for McpConnectionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpConnectionManager")
            .field("servers", &self.slots.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn secs(value: Option<f64>, default: f64) -> Duration {
    Duration::try_from_secs_f64(value.unwrap_or(default))
        .unwrap_or(Duration::from_secs_f64(default))
}

fn startup_message(name: &str, error: &McpClientError) -> String {
    match error {
        McpClientError::StartupTimeout(limit) => format!(
            "MCP client for `{name}` timed out after {} seconds. Add or adjust `startup_timeout_sec` in your config.toml:\n[mcp_servers.{name}]\nstartup_timeout_sec = XX",
            limit.as_secs_f64()
        ),
        other => format!("MCP client for `{name}` failed to start: {other}"),
    }
}

async fn start_one(
    name: &str,
    config: &McpServerConfig,
    ctx: &LaunchContext,
) -> Result<(McpClient, Vec<McpTool>), McpClientError> {
    let limit = secs(config.startup_timeout_sec, DEFAULT_MCP_STARTUP_TIMEOUT_SEC);
    let work = async {
        let client = McpClient::connect(name, config, ctx).await?;
        let tools = client.list_tools().await?;
        Ok::<_, McpClientError>((client, tools))
    };
    let (client, tools) = tokio::time::timeout(limit, work)
        .await
        .map_err(|_| McpClientError::StartupTimeout(limit))??;
    let tools = tools
        .into_iter()
        .filter(|tool| config.tool_allowed(&tool.name))
        .collect();
    Ok((client, tools))
}

impl McpConnectionManager {
    /// A manager with no servers.
    pub fn empty() -> Arc<Self> {
        Arc::new(Self {
            slots: BTreeMap::new(),
        })
    }

    /// Starts every enabled server concurrently and returns at once. Each server reports
    /// `Starting`, then `Ready` or `Failed`, on the returned channel. Must be called inside a
    /// Tokio runtime.
    pub fn start(
        servers: &BTreeMap<String, McpServerConfig>,
        ctx: LaunchContext,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<McpStartupUpdate>) {
        let (updates, rx) = mpsc::unbounded_channel();
        let ctx = Arc::new(ctx);
        let mut slots = BTreeMap::new();
        for (name, config) in servers.iter().filter(|(_, c)| c.enabled) {
            let (tx, state) = watch::channel(Arc::new(State::Starting));
            let _ = updates.send(McpStartupUpdate {
                server: name.clone(),
                status: McpStartupStatus::Starting,
                required: config.required,
            });
            let (name_task, config_task, ctx, updates) = (
                name.clone(),
                config.clone(),
                Arc::clone(&ctx),
                updates.clone(),
            );
            tokio::spawn(async move {
                let (state, status) = match start_one(&name_task, &config_task, &ctx).await {
                    Ok((client, tools)) => {
                        let status = McpStartupStatus::Ready {
                            tools: tools.len(),
                            sandbox: client.confined(),
                        };
                        let client = Arc::new(client);
                        (State::Ready { client, tools }, status)
                    }
                    Err(e) => {
                        let message = startup_message(&name_task, &e);
                        tracing::warn!("{message}");
                        (
                            State::Failed(message.clone()),
                            McpStartupStatus::Failed { error: message },
                        )
                    }
                };
                let _ = tx.send(Arc::new(state));
                let _ = updates.send(McpStartupUpdate {
                    server: name_task,
                    status,
                    required: config_task.required,
                });
                // Keep the sender alive while anyone watches, so waiters see the final state.
                tx.closed().await;
            });
            slots.insert(
                name.clone(),
                Slot {
                    config: config.clone(),
                    state,
                },
            );
        }
        (Arc::new(Self { slots }), rx)
    }

    /// Whether any server is configured and enabled.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Names of the enabled servers.
    pub fn server_names(&self) -> impl Iterator<Item = &str> {
        self.slots.keys().map(String::as_str)
    }

    /// Waits for the `required` servers; the first failure's message is the error.
    pub async fn wait_required(&self) -> Result<(), String> {
        for (name, slot) in self.slots.iter().filter(|(_, s)| s.config.required) {
            let state = Self::settled(slot).await;
            if let State::Failed(message) = &*state {
                return Err(format!("required MCP server `{name}` failed: {message}"));
            }
        }
        Ok(())
    }

    async fn settled(slot: &Slot) -> Arc<State> {
        let mut rx = slot.state.clone();
        match rx.wait_for(|s| !matches!(**s, State::Starting)).await {
            Ok(state) => Arc::clone(&state),
            Err(_) => Arc::new(State::Failed("the server task ended".to_owned())),
        }
    }

    /// The tools of the servers that are ready now, in server-name order, each server's in
    /// its own order. A name that collides with an earlier one is skipped with a warning.
    pub fn tools(&self) -> Vec<QualifiedTool> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (server, slot) in &self.slots {
            let state = Arc::clone(&slot.state.borrow());
            let State::Ready { tools, .. } = &*state else {
                continue;
            };
            for tool in tools {
                let qualified_name = qualified_tool_name(server, &tool.name);
                if !seen.insert(qualified_name.clone()) {
                    tracing::warn!(
                        "skipping MCP tool `{}` of `{server}`: its name {qualified_name} is taken",
                        tool.name
                    );
                    continue;
                }
                out.push(QualifiedTool {
                    qualified_name,
                    server: server.clone(),
                    tool: tool.clone(),
                    sandbox: sandbox_label(&slot.config),
                });
            }
        }
        out
    }

    /// The server and tool a model-facing name stands for. When no ready server has it but
    /// it may belong to one still starting, waits for that one (or, for a name too mangled to
    /// tell, for every starting server), bounded by their start-up timeouts, so a call the
    /// model makes early is not lost.
    pub async fn resolve(&self, qualified: &str) -> Option<(String, String)> {
        let find = || {
            self.tools()
                .into_iter()
                .find(|t| t.qualified_name == qualified)
                .map(|t| (t.server, t.tool.name))
        };
        if let Some(found) = find() {
            return Some(found);
        }
        if !qualified.starts_with(crate::naming::MCP_TOOL_PREFIX) {
            return None;
        }
        let candidates: Vec<&Slot> = match server_of(qualified, self.server_names()) {
            Some(server) => self.slots.get(server).into_iter().collect(),
            None => self.slots.values().collect(),
        };
        for slot in candidates {
            Self::settled(slot).await;
        }
        find()
    }

    async fn ready_client(&self, server: &str) -> Result<(Arc<McpClient>, Duration), String> {
        let slot = self
            .slots
            .get(server)
            .ok_or_else(|| format!("unknown MCP server '{server}'"))?;
        let timeout = secs(slot.config.tool_timeout_sec, DEFAULT_MCP_TOOL_TIMEOUT_SEC);
        match &*Self::settled(slot).await {
            State::Ready { client, .. } => Ok((Arc::clone(client), timeout)),
            State::Failed(message) => Err(message.clone()),
            State::Starting => Err(format!("MCP server '{server}' is still starting")),
        }
    }

    /// Calls a tool, bounded by the server's `tool_timeout_sec`. Returns the result in wire
    /// shape (an `isError` result is still `Ok`).
    pub async fn call_tool(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<Map<String, Value>>,
    ) -> Result<Value, ToolCallError> {
        let fail = |cause: String| ToolCallError {
            message: format!("tool call error: tool call failed for `{server}/{tool}`: {cause}"),
        };
        let (client, timeout) = self.ready_client(server).await.map_err(fail)?;
        client
            .call_tool(tool, arguments, timeout)
            .await
            .map_err(|e| fail(e.to_string()))
    }

    /// `resources/list` (`templates == false`) or `resources/templates/list` on one server.
    pub async fn list_resources(
        &self,
        server: &str,
        cursor: Option<String>,
        templates: bool,
    ) -> Result<Value, ToolCallError> {
        let method = if templates {
            "resources/templates/list"
        } else {
            "resources/list"
        };
        let fail = |cause: String| ToolCallError {
            message: format!("{method} failed: {method} failed for `{server}`: {cause}"),
        };
        let (client, timeout) = self.ready_client(server).await.map_err(fail)?;
        let result = if templates {
            client.list_resource_templates(cursor, timeout).await
        } else {
            client.list_resources(cursor, timeout).await
        };
        result.map_err(|e| fail(e.to_string()))
    }

    /// `resources/read` on one server.
    pub async fn read_resource(&self, server: &str, uri: &str) -> Result<Value, ToolCallError> {
        let fail = |cause: String| ToolCallError {
            message: format!(
                "resources/read failed: resources/read failed for `{server}` ({uri}): {cause}"
            ),
        };
        let (client, timeout) = self.ready_client(server).await.map_err(fail)?;
        client
            .read_resource(uri, timeout)
            .await
            .map_err(|e| fail(e.to_string()))
    }
}
