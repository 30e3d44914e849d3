//! Starting a session's MCP servers and turning their start-up into events. The servers
//! start in the background: the first turn does not wait for them (a call to one still
//! starting waits for that one only), and each failure is reported once.

use std::sync::Arc;

use codex_config::Config;
use codex_mcp_client::{LaunchContext, McpConnectionManager};
use codex_protocol::mcp_events::{McpStartupStatus, McpStartupUpdateEvent};
use codex_protocol::protocol::{Event, EventMsg};
use tokio::sync::mpsc;

/// Starts every enabled server of `config` and forwards their start-up updates as
/// `McpStartupUpdate` events. Must be called inside a Tokio runtime.
pub(crate) fn start(
    config: &Config,
    tx_event: &mpsc::UnboundedSender<Event>,
) -> Arc<McpConnectionManager> {
    if !config.mcp_servers.values().any(|s| s.enabled) {
        return McpConnectionManager::empty();
    }
    let ctx = LaunchContext {
        cwd: config.cwd.clone(),
        session_policy: Some(config.sandbox_policy.clone()),
        deny_read: config.sandbox_deny_read.clone(),
        sandbox_exe: config.sandbox_exe.clone(),
        codex_home: Some(config.codex_home.clone()),
    };
    let (manager, mut updates) = McpConnectionManager::start(&config.mcp_servers, ctx);
    let tx_event = tx_event.clone();
    tokio::spawn(async move {
        while let Some(update) = updates.recv().await {
            let status = match update.status {
                codex_mcp_client::McpStartupStatus::Starting => McpStartupStatus::Starting,
                codex_mcp_client::McpStartupStatus::Ready { tools, sandbox } => {
                    McpStartupStatus::Ready {
                        tools,
                        sandbox: sandbox.map(str::to_owned),
                    }
                }
                codex_mcp_client::McpStartupStatus::Failed { error } => {
                    McpStartupStatus::Failed { error }
                }
            };
            let event = Event {
                id: String::new(),
                msg: EventMsg::McpStartupUpdate(McpStartupUpdateEvent {
                    server: update.server,
                    status,
                }),
            };
            if tx_event.send(event).is_err() {
                break;
            }
        }
    });
    manager
}
