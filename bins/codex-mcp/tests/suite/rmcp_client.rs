//! rmcp's own client against the server: the handshake, the tool schemas, and a call whose
//! approval the client answers through its elicitation handler.

use std::sync::{Arc, Mutex};

use codex_test_support::MockResponse;
use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, CustomNotification,
    ElicitRequestParams, ElicitResult, ElicitationAction, Implementation,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, ServiceExt as _};
use serde_json::{Value, json};

use super::harness::Env;

/// A client that records `codex/event` notifications and accepts every elicitation.
#[derive(Clone, Default)]
struct Recorder {
    events: Arc<Mutex<Vec<Value>>>,
    elicitations: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("rmcp-test", "1"),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.elicitations.lock().unwrap().push(message);
        }
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({})))
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        _context: NotificationContext<RoleClient>,
    ) {
        if notification.method == "codex/event" {
            self.events
                .lock()
                .unwrap()
                .push(notification.params.unwrap_or_default());
        }
    }
}

fn spawn(env: &Env) -> TokioChildProcess {
    TokioChildProcess::new(tokio::process::Command::from(env.command())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_and_tools_list_show_both_tools_with_their_schemas() {
    let env = Env::new();
    let client = Recorder::default().serve(spawn(&env)).await.unwrap();
    let info = client.peer_info().unwrap();
    let server = info.server_info.clone().unwrap();
    assert_eq!(server.name, "codex-mcp-server");
    assert_eq!(server.title.as_deref(), Some("Codex"));
    assert!(info.capabilities.tools.is_some());
    let tools = client.list_all_tools().await.unwrap();
    insta::assert_json_snapshot!("tools_list", tools);
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_with_an_approval_accepted_by_the_rmcp_client() {
    let env = Env::new();
    let args = json!({"command": ["bash", "-lc", "touch marker"]});
    env.server.push(MockResponse::sse(&[
        ev_function_call("call-1", "shell", &args.to_string()),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "made it"),
        ev_completed("r2"),
    ]));
    let recorder = Recorder::default();
    let client = recorder.clone().serve(spawn(&env)).await.unwrap();
    let arguments = json!({"prompt": "make a marker", "approval-policy": "untrusted",
        "sandbox": "workspace-write"});
    let result = client
        .call_tool(
            CallToolRequestParams::new("codex")
                .with_arguments(arguments.as_object().cloned().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let structured = result.structured_content.clone().unwrap();
    assert_eq!(structured["content"], "made it");
    assert!(env.ws().join("marker").exists());
    let elicitations = recorder.elicitations.lock().unwrap().clone();
    assert_eq!(elicitations.len(), 1);
    assert!(elicitations[0].contains("touch marker"), "{elicitations:?}");
    // The server sends every event before the result, the session's first, but this client
    // hands notifications to its handler on their own tasks: some may land after the result
    // and in another order. So only what must have come is asserted here; the order on the
    // wire is checked over raw stdio (basic.rs).
    let events = recorder.events.lock().unwrap().clone();
    let kind = |e: &Value| e["msg"]["type"].as_str().unwrap_or_default().to_owned();
    let configured = events
        .iter()
        .find(|e| kind(e) == "session_configured")
        .unwrap_or_else(|| panic!("no session_configured among {events:?}"));
    assert!(
        events.iter().any(|e| kind(e) == "exec_approval_request"),
        "{events:?}"
    );
    assert_eq!(configured["msg"]["session_id"], structured["threadId"]);
    client.cancel().await.unwrap();
}
