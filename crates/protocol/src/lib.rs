//! Types that cross a boundary: the wire (Responses API items), files (config enums, rollout
//! lines) and processes (the sandbox policy JSON handed to `codex-linux-sandbox`).
//!
//! This crate does no I/O and depends on no other crate of ours, so that every other crate can
//! depend on it without pulling in tokio or HTTP. Serialized shapes match OpenAI's Codex CLI
//! byte for byte where a user's files or scripts depend on them.
//!
//! ```
//! use codex_protocol::SandboxPolicy;
//! let policy: SandboxPolicy = serde_json::from_str(r#"{"mode":"read-only"}"#).unwrap();
//! assert_eq!(policy, SandboxPolicy::ReadOnly);
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod config_types;
pub mod editor;
pub mod exec_events;
pub mod mcp_events;
pub mod models;
pub mod policy;
pub mod protocol;
pub mod provider;
pub mod rollout;
pub mod usage;

pub use config_types::{ReasoningEffort, ReasoningSummary, Verbosity, WireApi};
pub use models::{ContentItem, ReasoningSummaryPart, ResponseItem};
pub use policy::{AskForApproval, ReviewDecision, SandboxMode, SandboxPolicy};
pub use provider::{
    ModelProviderInfo, OLLAMA_DEFAULT_BASE_URL, OLLAMA_PROVIDER_ID, OPENAI_PROVIDER_ID,
    built_in_model_providers,
};
pub use usage::TokenUsage;
