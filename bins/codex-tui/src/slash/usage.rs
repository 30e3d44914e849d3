//! What `/status` and `/limits` report about the run so far, followed from core's events.

use std::time::{Duration, Instant};

use codex_protocol::TokenUsage;
use codex_protocol::protocol::EventMsg;

/// Token use and the current turn's progress, kept up to date by [`UsageTracker::observe`].
#[derive(Debug, Clone, Default)]
pub struct UsageTracker {
    /// Usage of the conversation so far (core's running total).
    pub total: TokenUsage,
    /// Usage of the last model response (its input is the context now in use).
    pub last: TokenUsage,
    /// The model's context window, when core knows it.
    pub context_window: Option<u64>,
    /// Model requests made by the running (or last) turn.
    pub turn_requests: u64,
    /// Turns started in this conversation.
    pub turns: u64,
    turn_started: Option<Instant>,
    last_turn_took: Option<Duration>,
}

impl UsageTracker {
    /// Updates the figures from one event of the conversation.
    pub fn observe(&mut self, msg: &EventMsg) {
        match msg {
            EventMsg::TaskStarted => {
                self.turns += 1;
                self.turn_requests = 0;
                self.turn_started = Some(Instant::now());
                self.last_turn_took = None;
            }
            EventMsg::TokenCount {
                total_token_usage,
                last_token_usage,
                model_context_window,
            } => {
                // One count per completed model response.
                self.turn_requests += 1;
                self.total = *total_token_usage;
                self.last = *last_token_usage;
                if model_context_window.is_some() {
                    self.context_window = *model_context_window;
                }
            }
            EventMsg::TaskComplete { .. }
            | EventMsg::TurnAborted { .. }
            | EventMsg::Error { .. } => {
                if let Some(started) = self.turn_started.take() {
                    self.last_turn_took = Some(started.elapsed());
                }
            }
            _ => {}
        }
    }

    /// Whether a turn is working now.
    pub fn turn_running(&self) -> bool {
        self.turn_started.is_some()
    }

    /// How long the running turn has taken so far, or how long the last one took.
    pub fn turn_elapsed(&self) -> Option<Duration> {
        self.turn_started
            .map(|s| s.elapsed())
            .or(self.last_turn_took)
    }

    /// Percent of the context window still free, when the window is known.
    pub fn context_left_percent(&self) -> Option<u64> {
        let window = self.context_window.filter(|w| *w > 0)?;
        let used = self
            .last
            .input_tokens
            .saturating_add(self.last.output_tokens);
        Some(window.saturating_sub(used).saturating_mul(100) / window)
    }
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(input: u64, output: u64, total_in: u64) -> EventMsg {
        EventMsg::TokenCount {
            total_token_usage: TokenUsage {
                input_tokens: total_in,
                output_tokens: output,
                ..TokenUsage::default()
            },
            last_token_usage: TokenUsage {
                input_tokens: input,
                output_tokens: output,
                ..TokenUsage::default()
            },
            model_context_window: Some(1000),
        }
    }

    #[test]
    fn counts_requests_per_turn_and_context_left() {
        let mut t = UsageTracker::default();
        t.observe(&EventMsg::TaskStarted);
        t.observe(&count(100, 50, 100));
        t.observe(&count(300, 50, 400));
        assert!(t.turn_running());
        assert_eq!(t.turn_requests, 2);
        assert_eq!(t.total.input_tokens, 400);
        assert_eq!(t.context_left_percent(), Some(65));
        t.observe(&EventMsg::TaskComplete {
            last_agent_message: None,
        });
        assert!(!t.turn_running());
        assert!(t.turn_elapsed().is_some());
        t.observe(&EventMsg::TaskStarted);
        assert_eq!((t.turns, t.turn_requests), (2, 0));
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
