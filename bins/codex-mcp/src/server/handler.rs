//! The MCP methods: `initialize`, `tools/list`, `tools/call`. Everything a call needs comes
//! from the one [`ConversationManager`]: new conversations, resumed ones, credentials.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use codex_core::ConversationOptions;
use codex_protocol::protocol::{Event, EventMsg};
use rmcp::ErrorData as McpError;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CustomRequest, CustomResult, ErrorCode,
    Implementation, InitializeRequestParams, InitializeResult, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use tokio_util::sync::CancellationToken;

use super::call::{CallContext, error_result, run_turn};
use super::editor::{self, Subscriptions};
use super::params::{self, CodexArgs, ReplyArgs};
use super::state::{Found, Reader, Shared};
use super::tools;

/// One connection (stdio, or one HTTP session): the shared state, and what belongs to this
/// client alone (its handshake, its listeners).
pub(crate) struct CodexServer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) input_closed: CancellationToken,
    pub(crate) subscriptions: Subscriptions,
    initialized: AtomicBool,
}

impl CodexServer {
    pub(crate) fn new(shared: Arc<Shared>, input_closed: CancellationToken) -> Self {
        Self {
            shared,
            input_closed,
            subscriptions: Subscriptions::default(),
            initialized: AtomicBool::new(false),
        }
    }

    async fn codex(&self, args: CodexArgs, cx: CallContext) -> rmcp::model::CallToolResult {
        let config = match params::call_config(&self.shared.startup, &args) {
            Ok(config) => config,
            Err(message) => return error_result(message),
        };
        let new = match self
            .shared
            .manager
            .new_conversation(config, ConversationOptions::default())
        {
            Ok(new) => new,
            Err(error) => {
                return error_result(format!("Failed to start the Codex session: {error}"));
            }
        };
        self.shared.remember(&new.session_configured);
        let Ok(claim) = self.shared.claim(&new.conversation_id, Reader::ToolCall) else {
            return error_result(format!("session {} is busy", new.conversation_id));
        };
        let configured = Event {
            id: String::new(),
            msg: EventMsg::SessionConfigured(new.session_configured),
        };
        cx.forward(&new.conversation_id, &configured, 0).await;
        run_turn(&cx, &new.conversation, claim, args.prompt, 0).await
    }

    async fn reply(&self, args: ReplyArgs, cx: CallContext) -> rmcp::model::CallToolResult {
        let thread_id = match args.thread() {
            Ok(id) => id.to_owned(),
            Err(message) => return error_result(message),
        };
        let claim = match self.shared.claim(&thread_id, Reader::ToolCall) {
            Ok(guard) => guard,
            Err(Reader::ToolCall) => {
                return error_result(format!(
                    "session {thread_id} is busy with another call; reply once that turn has ended (task_complete or turn_aborted)"
                ));
            }
            Err(Reader::Listener) => {
                return error_result(format!(
                    "session {thread_id} has an editor listener (addConversationListener); continue it with sendUserMessage, or remove the listener first"
                ));
            }
        };
        // Not in memory (the server restarted, or it sat idle): core loads it from its rollout.
        let conversation = match self.shared.conversation(&thread_id) {
            Ok(Found::InMemory(conversation)) => conversation,
            Ok(Found::Resumed(new)) => {
                let configured = Event {
                    id: String::new(),
                    msg: EventMsg::SessionConfigured(new.session_configured),
                };
                cx.forward(&new.conversation_id, &configured, 0).await;
                new.conversation.clone()
            }
            Err(message) => return error_result(message),
        };
        run_turn(&cx, &conversation, claim, args.prompt, 0).await
    }
}

impl ServerHandler for CodexServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().build();
        InitializeResult::new(capabilities).with_server_info(
            Implementation::new("codex-mcp-server", env!("CARGO_PKG_VERSION")).with_title("Codex"),
        )
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        if self.initialized.swap(true, Ordering::SeqCst) {
            return Err(McpError::invalid_request(
                "initialize called more than once",
                None,
            ));
        }
        context.peer.set_peer_info(request.clone());
        self.negotiate_initialize(&request)
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, McpError> {
        // Standard methods with bad params never get here: the transport answers them.
        let answer =
            editor::handle(self, &context.peer, &request.method, request.params.clone()).await;
        if let Some(answer) = answer {
            return answer.map(CustomResult::new);
        }
        Err(McpError::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: `{}`", request.method),
            None,
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::all()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let cx = CallContext {
            progress: context.meta.get_progress_token(),
            peer: context.peer,
            request_id: context.id,
            cancelled: context.ct,
            input_closed: self.input_closed.clone(),
        };
        let result = match request.name.as_ref() {
            tools::CODEX => match params::parse::<CodexArgs>(tools::CODEX, request.arguments) {
                Ok(args) => self.codex(args, cx).await,
                Err(message) => error_result(message),
            },
            tools::CODEX_REPLY => {
                match params::parse::<ReplyArgs>(tools::CODEX_REPLY, request.arguments) {
                    Ok(args) => self.reply(args, cx).await,
                    Err(message) => error_result(message),
                }
            }
            other => error_result(format!("Unknown tool '{other}'")),
        };
        Ok(result.into())
    }
}
