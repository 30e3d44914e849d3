//! Token accounting as the Responses API reports it and as Codex persists it.

use serde::{Deserialize, Serialize};

/// Tokens used by one response, or summed over a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens, cached ones included.
    #[serde(default)]
    pub input_tokens: u64,
    /// The part of `input_tokens` served from the prompt cache.
    #[serde(default)]
    pub cached_input_tokens: u64,
    /// Completion tokens, reasoning included.
    #[serde(default)]
    pub output_tokens: u64,
    /// The part of `output_tokens` spent reasoning.
    #[serde(default)]
    pub reasoning_output_tokens: u64,
    /// What the server counted in all.
    #[serde(default)]
    pub total_tokens: u64,
}

impl TokenUsage {
    /// Adds another response's usage to this running total, saturating: the numbers come
    /// from a server, and an absurd one must not wrap (or panic in a debug build).
    pub fn add(&mut self, other: &Self) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(other.cached_input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.reasoning_output_tokens = self
            .reasoning_output_tokens
            .saturating_add(other.reasoning_output_tokens);
        self.total_tokens = self.total_tokens.saturating_add(other.total_tokens);
    }

    /// Input plus output tokens, saturating (what "tokens used" shows).
    pub fn input_plus_output(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}
