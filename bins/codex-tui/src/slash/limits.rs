//! `/limits`: the bounds core enforces on this run (`[limits]` in config.toml, `--max-turns`,
//! `--timeout`) and how much of each the current turn has used.
//!
//! Core bounds turns (model requests per turn, wall-clock time per turn) and single tool
//! calls; it has no token or spending budget, so those rows say so and show what was used.

use std::time::Duration;

use codex_config::Limits;
use ratatui::style::Style;
use ratatui::text::Line;

use super::card::{self, Row};
use super::usage::{UsageTracker, thousands};

/// The `/limits` card for a terminal `width` columns wide.
pub fn limits_card(limits: &Limits, usage: &UsageTracker, width: u16) -> Vec<Line<'static>> {
    card::render(&limits_rows(limits, usage), width)
}

fn limits_rows(limits: &Limits, usage: &UsageTracker) -> Vec<Row> {
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
    rows.push(Row::field(
        "Tokens",
        format!(
            "{} used in this conversation; no token limit",
            thousands(usage.total.input_plus_output())
        ),
    ));
    rows.push(Row::field(
        "Spending",
        "no spending limit; cost is not tracked",
    ));
    rows.push(Row::Blank);
    rows.push(Row::Note(
        "Set these under [limits] in config.toml, or with --max-turns and --timeout.".to_owned(),
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
    use codex_protocol::TokenUsage;
    use codex_protocol::protocol::EventMsg;

    fn plain(lines: &[Line<'_>]) -> String {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn before_any_turn() {
        let limits = Limits::default();
        insta::assert_snapshot!(
            "limits_fresh_80",
            plain(&limits_card(&limits, &UsageTracker::default(), 80))
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
        let lines = limits_card(&limits, &usage, 60);
        let text = plain(&lines);
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
    fn formats_sizes_and_durations() {
        assert_eq!(bytes(1024 * 1024), "1 MiB");
        assert_eq!(bytes(2048), "2 KiB");
        assert_eq!(bytes(1500), "1,500 bytes");
        assert_eq!(duration(Duration::from_secs(75)), "1m 15s");
        assert_eq!(duration(Duration::from_mins(3 * 60 + 2)), "3h 02m");
    }
}
