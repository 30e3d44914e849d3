//! Small enums that appear in config.toml and in requests to the model.

use serde::{Deserialize, Serialize};

/// How hard a reasoning model thinks (`model_reasoning_effort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningEffort {
    /// Reasoning switched off, where the model allows it.
    None,
    /// The least reasoning the model supports.
    Minimal,
    /// Light reasoning.
    Low,
    /// The usual default.
    Medium,
    /// More reasoning.
    High,
    /// The most, on models that offer it.
    Xhigh,
}

/// How reasoning is summarised back to us (`model_reasoning_summary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasoningSummary {
    /// Let the model decide.
    Auto,
    /// Short summaries.
    Concise,
    /// Long summaries.
    Detailed,
    /// No summary; the field is left out of the request.
    None,
}

/// Output verbosity on Responses models that support it (`model_verbosity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verbosity {
    /// Terse.
    Low,
    /// The default.
    Medium,
    /// Wordy.
    High,
}

/// Which HTTP API a model provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireApi {
    /// OpenAI's Responses API: `POST {base_url}/responses`.
    Responses,
    /// Chat Completions: `POST {base_url}/chat/completions`. Codex's default for a provider
    /// declared in config.toml, so ours too.
    #[default]
    Chat,
}
