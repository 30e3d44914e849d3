//! What one model request asks for, independent of the wire API that carries it.

use codex_protocol::{ReasoningEffort, ReasoningSummary, ResponseItem, Verbosity};
use serde_json::Value;

/// One request to the model: the whole history plus the tools on offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    /// System instructions (the base prompt).
    pub instructions: String,
    /// The conversation so far; unknown items ([`ResponseItem::Other`]) are left out.
    pub input: Vec<ResponseItem>,
    /// Tools as Responses API JSON (`{"type":"function","name",...}` or
    /// `{"type":"custom",...}`); converted for Chat Completions.
    pub tools: Vec<Value>,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: bool,
    /// A JSON schema the final answer must follow (Responses API only).
    pub output_schema: Option<Value>,
    /// Reasoning settings, for models that reason; `None` leaves them out.
    pub reasoning: Option<Reasoning>,
    /// Output verbosity, for models that support it.
    pub verbosity: Option<Verbosity>,
    /// Lets the server reuse its prompt cache across requests (Codex uses the conversation
    /// id).
    pub prompt_cache_key: Option<String>,
}

/// `reasoning` of a Responses request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reasoning {
    /// How hard to think; `None` leaves the server's default.
    pub effort: Option<ReasoningEffort>,
    /// Summary style; `None` and [`ReasoningSummary::None`] leave it out.
    pub summary: Option<ReasoningSummary>,
}
