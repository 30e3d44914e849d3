//! What a response stream yields, whichever wire API produced it.

use codex_protocol::{ResponseItem, TokenUsage};
use reqwest::header::HeaderMap;

/// One event of a model response, in the order the server sent them.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseEvent {
    /// The server accepted the request and started a response.
    Created,
    /// An output item started (for the UI; its content is usually still empty).
    OutputItemAdded(ResponseItem),
    /// An output item is complete. The only source of items for history and tool calls.
    OutputItemDone(ResponseItem),
    /// A piece of assistant text.
    OutputTextDelta(String),
    /// A piece of the reasoning summary.
    ReasoningSummaryDelta(String),
    /// A new paragraph of the reasoning summary begins.
    ReasoningSummaryPartAdded,
    /// A piece of raw reasoning text.
    ReasoningContentDelta(String),
    /// The response is complete; always the last event of a successful stream.
    Completed {
        /// The server's response id (empty when the server gives none).
        response_id: String,
        /// Tokens used, when the server reported them.
        token_usage: Option<TokenUsage>,
    },
    /// Rate-limit usage from the response headers; first, when present.
    RateLimits(RateLimitSnapshot),
}

/// Usage of the account's rate-limit windows (`x-codex-primary-*`, `x-codex-secondary-*`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RateLimitSnapshot {
    /// The short window.
    pub primary: Option<RateLimitWindow>,
    /// The long window.
    pub secondary: Option<RateLimitWindow>,
}

/// One rate-limit window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RateLimitWindow {
    /// Percent of the window used.
    pub used_percent: f64,
    /// Length of the window.
    pub window_minutes: Option<u64>,
    /// When the window resets, Unix seconds.
    pub resets_at: Option<i64>,
}

impl RateLimitSnapshot {
    /// Reads the `x-codex-*` headers; `None` when none of them is present.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let snapshot = Self {
            primary: window(headers, "primary"),
            secondary: window(headers, "secondary"),
        };
        (snapshot.primary.is_some() || snapshot.secondary.is_some()).then_some(snapshot)
    }
}

fn window(headers: &HeaderMap, which: &str) -> Option<RateLimitWindow> {
    let get = |suffix: &str| {
        headers
            .get(format!("x-codex-{which}-{suffix}"))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let used_percent = get("used-percent").and_then(|v| v.parse::<f64>().ok());
    let window_minutes = get("window-minutes").and_then(|v| v.parse::<u64>().ok());
    let resets_at = get("reset-at").and_then(|v| v.parse::<i64>().ok());
    if used_percent.is_none() && window_minutes.is_none() && resets_at.is_none() {
        return None;
    }
    Some(RateLimitWindow {
        used_percent: used_percent.unwrap_or(0.0),
        window_minutes,
        resets_at,
    })
}
