//! The MCP methods: `initialize`, `tools/list`, `tools/call`. Everything a call needs comes
//! from the one [`ConversationManager`]: new conversations, resumed ones, credentials.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use codex_cli::ConfigArgs;
use codex_core::{ConversationManager, ConversationOptions, ResumeTarget};
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
use super::editor;
use super::params::{self, CodexArgs, ReplyArgs};
use super::tools;

/// The server's state: the conversation manager and which threads have a call running.
pub(crate) struct CodexServer {
    manager: Arc<ConversationManager>,
    startup: ConfigArgs,
    requires_openai_auth: bool,
    input_closed: CancellationToken,
    busy: Mutex<HashSet<String>>,
    initialized: AtomicBool,
}

impl CodexServer {
    pub(crate) fn new(
        manager: ConversationManager,
        startup: ConfigArgs,
        requires_openai_auth: bool,
        input_closed: CancellationToken,
    ) -> Self {
        Self {
            manager: Arc::new(manager),
            startup,
            requires_openai_auth,
            input_closed,
            busy: Mutex::new(HashSet::new()),
            initialized: AtomicBool::new(false),
        }
    }

    async fn codex(&self, args: CodexArgs, cx: CallContext) -> rmcp::model::CallToolResult {
        let config = match params::call_config(&self.startup, &args) {
            Ok(config) => config,
            Err(message) => return error_result(message),
        };
        let new = match self
            .manager
            .new_conversation(config, ConversationOptions::default())
        {
            Ok(new) => new,
            Err(error) => {
                return error_result(format!("Failed to start the Codex session: {error}"));
            }
        };
        let Some(_guard) = self.claim(&new.conversation_id) else {
            return error_result(format!("session {} is busy", new.conversation_id));
        };
        let configured = Event {
            id: String::new(),
            msg: EventMsg::SessionConfigured(new.session_configured),
        };
        cx.forward(&new.conversation_id, &configured, 0).await;
        run_turn(&cx, &new.conversation, args.prompt, 0).await
    }

    async fn reply(&self, args: ReplyArgs, cx: CallContext) -> rmcp::model::CallToolResult {
        let thread_id = match args.thread() {
            Ok(id) => id.to_owned(),
            Err(message) => return error_result(message),
        };
        let Some(_guard) = self.claim(&thread_id) else {
            return error_result(format!(
                "session {thread_id} is busy with another call; wait for its result, then reply"
            ));
        };
        let conversation = if let Some(conversation) = self.manager.get(&thread_id) {
            conversation
        } else {
            // Not in memory (the server restarted): core loads the session from its rollout.
            let config = match params::startup_config(&self.startup) {
                Ok(config) => config,
                Err(message) => {
                    return error_result(format!("Failed to load Codex configuration: {message}"));
                }
            };
            let options = ConversationOptions {
                resume: Some(ResumeTarget::Id(thread_id.clone())),
                ..ConversationOptions::default()
            };
            match self.manager.new_conversation(config, options) {
                Ok(new) => {
                    let configured = Event {
                        id: String::new(),
                        msg: EventMsg::SessionConfigured(new.session_configured),
                    };
                    cx.forward(&new.conversation_id, &configured, 0).await;
                    new.conversation
                }
                Err(error) => {
                    return error_result(format!(
                        "Session not found for thread_id: {thread_id} ({error})"
                    ));
                }
            }
        };
        run_turn(&cx, &conversation, args.prompt, 0).await
    }

    /// Marks a thread busy until the guard drops; `None` when a call already runs on it (two
    /// calls would read each other's events).
    fn claim(&self, thread_id: &str) -> Option<BusyGuard<'_>> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        if !busy.insert(thread_id.to_owned()) {
            return None;
        }
        Some(BusyGuard {
            server: self,
            thread_id: thread_id.to_owned(),
        })
    }
}

struct BusyGuard<'a> {
    server: &'a CodexServer,
    thread_id: String,
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.server
            .busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.thread_id);
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
        let answer = editor::handle(
            self.manager.auth_manager(),
            self.requires_openai_auth,
            &context.peer,
            &request.method,
            request.params.clone(),
        )
        .await;
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
