//! What is printed after the UI is gone, in Codex's format (people and scripts grep it):
//!
//! ```text
//! Token usage: total=1,234 input=1,000 (+ 6,144 cached) output=234 (reasoning 128)
//! To continue this session, run codex resume 123e4567-e89b-12d3-a456-426614174000
//! ```
//!
//! `total` is the uncached input plus the output; the cached and reasoning parts appear only
//! when non-zero; nothing at all is printed when no tokens were used.

use std::fmt::Write as _;

use codex_protocol::TokenUsage;

/// The summary lines, empty when no tokens were used.
pub(crate) fn exit_summary(usage: &TokenUsage, session_id: Option<&str>) -> Vec<String> {
    let uncached = usage.input_tokens.saturating_sub(usage.cached_input_tokens);
    let total = uncached.saturating_add(usage.output_tokens);
    if total == 0 {
        return Vec::new();
    }
    let mut line = format!(
        "Token usage: total={} input={}",
        thousands(total),
        thousands(uncached)
    );
    if usage.cached_input_tokens > 0 {
        let _ = write!(line, " (+ {} cached)", thousands(usage.cached_input_tokens));
    }
    let _ = write!(line, " output={}", thousands(usage.output_tokens));
    if usage.reasoning_output_tokens > 0 {
        let _ = write!(
            line,
            " (reasoning {})",
            thousands(usage.reasoning_output_tokens)
        );
    }
    let mut lines = vec![line];
    if let Some(id) = session_id {
        lines.push(format!("To continue this session, run codex resume {id}"));
    }
    lines
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
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

    #[test]
    fn codex_format() {
        let usage = TokenUsage {
            input_tokens: 7_144,
            cached_input_tokens: 6_144,
            output_tokens: 234,
            reasoning_output_tokens: 128,
            total_tokens: 7_378,
        };
        assert_eq!(
            exit_summary(&usage, Some("123e4567-e89b-12d3-a456-426614174000")),
            [
                "Token usage: total=1,234 input=1,000 (+ 6,144 cached) output=234 (reasoning 128)",
                "To continue this session, run codex resume 123e4567-e89b-12d3-a456-426614174000",
            ]
        );
    }

    #[test]
    fn plain_and_zero() {
        let usage = TokenUsage {
            input_tokens: 10,
            output_tokens: 5,
            ..TokenUsage::default()
        };
        assert_eq!(
            exit_summary(&usage, None),
            ["Token usage: total=15 input=10 output=5"]
        );
        assert!(exit_summary(&TokenUsage::default(), Some("x")).is_empty());
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
