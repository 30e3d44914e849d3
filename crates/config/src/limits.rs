//! `[limits]`: bounds on what a model may make the agent do in one turn (our addition; Codex
//! has none). A model server that loops, or answers with absurd sizes, meets a clear error
//! instead of running unattended forever. Every bound is generous by default.

use serde::Deserialize;

/// Default ceiling on model requests in one turn.
pub const DEFAULT_MAX_TURNS: u64 = 200;
/// Default ceiling on tool calls run from one response.
pub const DEFAULT_MAX_TOOL_CALLS_PER_RESPONSE: usize = 64;
/// Default ceiling on the steps of one plan.
pub const DEFAULT_MAX_PLAN_STEPS: usize = 100;
/// Default ceiling on one tool call's arguments, in bytes.
pub const DEFAULT_MAX_TOOL_ARGUMENT_BYTES: usize = 1024 * 1024;

/// The bounds of a turn. Missing keys take their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_turns: DEFAULT_MAX_TURNS,
            turn_timeout_ms: None,
            max_tool_calls_per_response: DEFAULT_MAX_TOOL_CALLS_PER_RESPONSE,
            max_plan_steps: DEFAULT_MAX_PLAN_STEPS,
            max_tool_argument_bytes: DEFAULT_MAX_TOOL_ARGUMENT_BYTES,
        }
    }
}
