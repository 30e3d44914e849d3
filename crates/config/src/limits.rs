//! `[limits]`: bounds on what a model may make the agent do in one turn (our addition; Codex
//! has none). A model server that loops, or answers with absurd sizes, meets a clear error
//! instead of running unattended forever. Every bound is generous by default; the spending
//! caps (`max_tokens`, `max_spend_usd`) are off unless set.

use serde::Deserialize;

/// Default ceiling on model requests in one turn.
pub const DEFAULT_MAX_TURNS: u64 = 200;
/// Default ceiling on tool calls run from one response.
pub const DEFAULT_MAX_TOOL_CALLS_PER_RESPONSE: usize = 64;
/// Default ceiling on the steps of one plan.
pub const DEFAULT_MAX_PLAN_STEPS: usize = 100;
/// Default ceiling on one tool call's arguments, in bytes.
pub const DEFAULT_MAX_TOOL_ARGUMENT_BYTES: usize = 1024 * 1024;

/// The bounds of a turn, and the spending caps of a session. Missing keys take their defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Model requests one turn may make (the first included). Reaching it ends the turn with
    /// the limit code `max_turns`.
    pub max_turns: u64,
    /// Wall-clock budget of one turn in milliseconds, waits and commands included; none by
    /// default. Reaching it ends the turn with the limit code `turn_timeout`.
    pub turn_timeout_ms: Option<u64>,
    /// Tool calls run from one response; the rest are answered with an error telling the
    /// model to ask again.
    pub max_tool_calls_per_response: usize,
    /// Steps an `update_plan` call may have; a longer plan is refused.
    pub max_plan_steps: usize,
    /// Bytes of arguments one tool call may carry; a larger call is refused and its
    /// arguments are left out of the history (so they are not sent back every request).
    pub max_tool_argument_bytes: usize,
    /// Tokens (input and output, as the server counts them) the session may use; no model
    /// request is sent once the usage reached it. None by default. Reaching it ends the turn
    /// with the limit code `budget_exceeded`.
    pub max_tokens: Option<u64>,
    /// Dollars the session may spend, priced by the model family's table (or `prices`); no
    /// model request is sent once the cost reached it. None by default. Reaching it ends the
    /// turn with the limit code `budget_exceeded`.
    pub max_spend_usd: Option<f64>,
    /// Prices of the session's model, overriding the built-in table (which can go stale, and
    /// does not know every model).
    pub prices: Option<PriceOverride>,
}

/// `[limits.prices]`: US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct PriceOverride {
    /// Uncached input tokens.
    pub input: f64,
    /// Input tokens served from the prompt cache; the input price when left out.
    pub cached_input: Option<f64>,
    /// Output tokens, reasoning included.
    pub output: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_turns: DEFAULT_MAX_TURNS,
            turn_timeout_ms: None,
            max_tool_calls_per_response: DEFAULT_MAX_TOOL_CALLS_PER_RESPONSE,
            max_plan_steps: DEFAULT_MAX_PLAN_STEPS,
            max_tool_argument_bytes: DEFAULT_MAX_TOOL_ARGUMENT_BYTES,
            max_tokens: None,
            max_spend_usd: None,
            prices: None,
        }
    }
}
