//! The agent: conversations, the turn loop, tools, approvals and the session store.
//!
//! The one door: front ends (`codex-exec`, the TUI, the MCP server) hand the
//! [`ConversationManager`] a config and the shared [`AuthManager`], get conversations back (new,
//! or resumed through a [`ResumeTarget`]), submit [`Op`]s and render the [`Event`]s that come
//! back. Credentials, the model client and the session files stay behind this door. This crate
//! never prints and never speaks HTTP itself: the model client does that.
//!
//! A turn: history -> request -> streamed response -> tool calls run in call order (shell
//! commands under the sandbox helper, patches checked against the policy) -> outputs
//! recorded -> next request, until the model answers without calling a tool. Every item is
//! appended to the session's rollout file as it is recorded.
//!
//! [`Op`]: codex_protocol::protocol::Op
//! [`Event`]: codex_protocol::protocol::Event
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod bootstrap;
mod budget;
mod call_guard;
mod client;
mod compact;
mod conversation;
mod conversation_manager;
mod credentials;
pub mod environment_context;
mod error;
pub mod exec;
pub mod exec_env;
mod images;
mod local_model;
mod mcp;
mod notify;
pub mod project_doc;
mod resume;
mod session;
mod shell_snapshot;
mod submission_loop;
mod tools;
pub mod truncate;
mod turn;

pub use budget::LimitsStatus;
pub use codex_auth::AuthManager;
pub use conversation::Conversation;
pub use conversation_manager::{
    ConversationManager, ConversationOptions, ManagerOptions, NewConversation,
};
pub use error::CoreError;
pub use local_model::{LocalModelProgress, prepare_local_model};
pub use resume::ResumeTarget;

/// Whether `model` belongs to a family that takes a reasoning effort (the model-family table
/// decides what a request carries); front ends offer effort choices only for those.
pub fn model_takes_reasoning_effort(model: &str) -> bool {
    codex_model_client::ModelFamily::of(model).reasoning
}
