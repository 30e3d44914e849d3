//! `/limits`: the bounds core enforces on this run (`[limits]` in config.toml, `--max-turns`,
//! `--timeout`, `--max-tokens`, `max_spend_usd`) and how much of each is used: the turn's
//! requests and time from the events, the token and spending caps from core's own count
//! ([`LimitsStatus`], the numbers it checks before every request).

use std::time::Duration;

use codex_config::Limits;
use codex_core::LimitsStatus;
use ratatui::style::Style;
use ratatui::text::Line;

use super::card::{self, Row};
use super::usage::{UsageTracker, thousands};

/// The `/limits` card for a terminal `width` columns wide. `budget` is core's count (absent
/// once the conversation has shut down).
pub fn limits_card(
    limits: &Limits,
    usage: &UsageTracker,
    budget: Option<&LimitsStatus>,
    width: u16,
) -> Vec<Line<'static>> {
    card::render(&limits_rows(limits, usage, budget), width)
}

fn limits_rows(limits: &Limits, usage: &UsageTracker, budget: Option<&LimitsStatus>) -> Vec<Row> {
    let which_turn = if usage.turn_running() {
        "this turn"
    } else if usage.turns > 0 {
        "the last turn"
    } else {
        "no turn yet"
    };
    let near = |used: u64, max: u64| {
        if max > 0 && used.saturating_mul(10) >= max.saturating_mul(9) {
            Style::new().red().bold()
        } else {
            Style::new()
        }
    };
    let mut rows = vec![Row::Title("Limits of this run".to_owned()), Row::Blank];
    rows.push(Row::styled(
        "Model requests",
        if usage.turns == 0 {
            format!(
                "up to {} per turn; {which_turn}",
                thousands(limits.max_turns)
            )
        } else {
            format!(
                "{} of {} in {which_turn}",
                thousands(usage.turn_requests),
                thousands(limits.max_turns)
            )
        },
        near(usage.turn_requests, limits.max_turns),
    ));
    let elapsed = usage.turn_elapsed();
    let time = match (limits.turn_timeout_ms, elapsed) {
        (Some(max), Some(e)) => format!(
            "{} of {} in {which_turn}",
            duration(e),
            duration(Duration::from_millis(max))
        ),
        (Some(max), None) => format!("up to {} per turn", duration(Duration::from_millis(max))),
        (None, Some(e)) => format!("{} in {which_turn}; no time limit", duration(e)),
        (None, None) => "no time limit".to_owned(),
    };
    let time_style = match (limits.turn_timeout_ms, elapsed) {
        (Some(max), Some(e)) => near(e.as_millis() as u64, max),
        _ => Style::new(),
    };
    rows.push(Row::styled("Turn time", time, time_style));
    rows.push(Row::field(
        "Tool calls",
        format!(
            "up to {} run from one response",
            thousands(limits.max_tool_calls_per_response as u64)
        ),
    ));
    rows.push(Row::field(
        "Plan steps",
        format!(
            "up to {} in one plan",
            thousands(limits.max_plan_steps as u64)
        ),
    ));
    rows.push(Row::field(
        "Tool arguments",
        format!(
            "up to {} per call",
            bytes(limits.max_tool_argument_bytes as u64)
        ),
    ));
    let tokens_used = budget.map_or_else(|| usage.total.input_plus_output(), |b| b.tokens_used);
    let max_tokens = budget.and_then(|b| b.max_tokens);
    rows.push(Row::styled(
        "Tokens",
        match max_tokens {
            Some(max) => format!(
                "{} of {} in this conversation",
                thousands(tokens_used),
                thousands(max)
            ),
            None => format!(
                "{} used in this conversation; no token limit",
                thousands(tokens_used)
            ),
        },
        max_tokens.map_or_else(Style::new, |max| near(tokens_used, max)),
    ));
    let spent = budget.and_then(|b| b.spent_usd);
    let max_spend = budget.and_then(|b| b.max_spend_usd);
    rows.push(Row::field(
        "Spending",
        match (spent, max_spend) {
            (Some(spent), Some(max)) => format!("${spent:.2} of ${max:.2}"),
            (Some(spent), None) => format!("${spent:.2} so far; no spending limit"),
            (None, _) => "no spending limit; this model's prices are unknown".to_owned(),
        },
    ));
    rows.push(Row::Blank);
    rows.push(Row::Note(
        "Set these under [limits] in config.toml (max_tokens, max_spend_usd, ...); `codex \
         exec` also takes --max-turns, --max-tokens and --timeout."
            .to_owned(),
    ));
    rows
}

fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 3600 {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    } else if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

fn bytes(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{} bytes", thousands(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;
    use codex_protocol::TokenUsage;
    use codex_protocol::protocol::EventMsg;

    #[test]
    fn before_any_turn() {
        let limits = Limits::default();
        insta::assert_snapshot!(
            "limits_fresh_80",
            plain(&limits_card(&limits, &UsageTracker::default(), None, 80)).join("\n")
        );
    }

    #[test]
    fn during_a_turn_near_its_request_limit() {
        let limits = Limits {
            max_turns: 3,
            turn_timeout_ms: Some(600_000),
            ..Limits::default()
        };
        let mut usage = UsageTracker::default();
        usage.observe(&EventMsg::TaskStarted);
        for _ in 0..3 {
            usage.observe(&EventMsg::TokenCount {
                total_token_usage: TokenUsage {
                    input_tokens: 5_000,
                    output_tokens: 250,
                    ..TokenUsage::default()
                },
                last_token_usage: TokenUsage::default(),
                model_context_window: None,
            });
        }
        let lines = limits_card(&limits, &usage, None, 60);
        let text = plain(&lines).join("\n");
        assert!(text.contains("3 of 3 in this turn"), "{text}");
        assert!(text.contains("5,250 used"), "{text}");
        // The time used moves on; only the rows that do not are snapshotted.
        let stable: Vec<_> = text.lines().filter(|l| !l.contains("Turn time")).collect();
        insta::assert_snapshot!("limits_turn_60", stable.join("\n"));
        let requests = lines
            .iter()
            .find(|l| l.spans.iter().any(|s| s.content.contains("3 of 3")))
            .unwrap();
        assert!(
            requests
                .spans
                .iter()
                .any(|s| s.style.fg == Some(ratatui::style::Color::Red)),
            "a limit nearly reached stands out"
        );
    }

    #[test]
    fn token_and_spending_caps_come_from_core() {
        let budget = LimitsStatus {
            turn_requests: 1,
            max_turns: 200,
            turn_timeout_ms: None,
            usage: TokenUsage::default(),
            tokens_used: 95_000,
            max_tokens: Some(100_000),
            spent_usd: Some(1.234),
            max_spend_usd: Some(5.0),
            prices: None,
        };
        let lines = limits_card(
            &Limits::default(),
            &UsageTracker::default(),
            Some(&budget),
            80,
        );
        let text = plain(&lines).join("\n");
        assert!(
            text.contains("95,000 of 100,000 in this conversation"),
            "{text}"
        );
        assert!(text.contains("$1.23 of $5.00"), "{text}");
        let unpriced = LimitsStatus {
            spent_usd: None,
            max_tokens: None,
            ..budget
        };
        let text = plain(&limits_card(
            &Limits::default(),
            &UsageTracker::default(),
            Some(&unpriced),
            80,
        ))
        .join("\n");
        assert!(
            text.contains("95,000 used in this conversation; no token limit"),
            "{text}"
        );
        assert!(text.contains("prices are unknown"), "{text}");
    }

    #[test]
    fn formats_sizes_and_durations() {
        assert_eq!(bytes(1024 * 1024), "1 MiB");
        assert_eq!(bytes(2048), "2 KiB");
        assert_eq!(bytes(1500), "1,500 bytes");
        assert_eq!(duration(Duration::from_secs(75)), "1m 15s");
        assert_eq!(duration(Duration::from_mins(3 * 60 + 2)), "3h 02m");
    }
}
