//! The spending caps of a session (`[limits] max_tokens`, `max_spend_usd`; `--max-tokens`):
//! checked before every model request, whichever front end runs the session, so that no
//! request leaves once the session has used what it was allowed. The usage is what the
//! server reported; a request's own cost is known only after it, so the cap stops the next
//! request, never one already on its way.

use codex_config::Limits;
use codex_model_client::{ModelFamily, Prices};
use codex_protocol::TokenUsage;

/// Usage against the limits, for a front end to show (the TUI's `/limits`): a snapshot taken
/// by [`crate::Conversation::limits_status`].
#[derive(Debug, Clone, PartialEq)]
pub struct LimitsStatus {
    /// Model requests made by the running turn (or the last one), against `max_turns`.
    pub turn_requests: u64,
    /// `limits.max_turns`: model requests one turn may make.
    pub max_turns: u64,
    /// `limits.turn_timeout_ms`, when set.
    pub turn_timeout_ms: Option<u64>,
    /// Usage summed over the session, as the server reported it.
    pub usage: TokenUsage,
    /// Tokens counted against `max_tokens` (the server's total, or input plus output when it
    /// gave none).
    pub tokens_used: u64,
    /// `limits.max_tokens` / `--max-tokens`, when set.
    pub max_tokens: Option<u64>,
    /// What the usage cost in US dollars; `None` when the model's prices are unknown.
    pub spent_usd: Option<f64>,
    /// `limits.max_spend_usd`, when set.
    pub max_spend_usd: Option<f64>,
    /// The prices used, in dollars per million tokens (input, cached input, output).
    pub prices: Option<Prices>,
}

/// The caps and the prices they are measured with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Budget {
    max_tokens: Option<u64>,
    max_spend_usd: Option<f64>,
    prices: Option<Prices>,
}

impl Budget {
    /// The caps of `limits`, priced by `limits.prices` when set, else by the family's table.
    pub(crate) fn new(limits: &Limits, family: &ModelFamily) -> Self {
        let prices = limits
            .prices
            .map(|p| Prices {
                input: p.input,
                cached_input: p.cached_input.unwrap_or(p.input),
                output: p.output,
            })
            .or(family.prices);
        Self {
            max_tokens: limits.max_tokens,
            max_spend_usd: limits.max_spend_usd,
            prices,
        }
    }

    /// A spending cap that cannot be measured: `max_spend_usd` for a model without prices.
    pub(crate) fn unpriced(&self) -> bool {
        self.max_spend_usd.is_some() && self.prices.is_none()
    }

    /// Why no further request may be sent, once `total` reached a cap.
    pub(crate) fn exhausted(&self, total: &TokenUsage) -> Option<String> {
        let used = tokens_used(total);
        if let Some(max) = self.max_tokens
            && used >= max
        {
            return Some(format!(
                "the session used {used} tokens, reaching its cap of {max} (limits.max_tokens; --max-tokens); no further model request was sent. Raise the cap to go on"
            ));
        }
        if let (Some(max), Some(prices)) = (self.max_spend_usd, self.prices) {
            let spent = prices.cost_usd(total);
            if spent >= max {
                return Some(format!(
                    "the session spent ${spent:.4}, reaching its cap of ${max:.4} (limits.max_spend_usd); no further model request was sent. Raise the cap to go on"
                ));
            }
        }
        None
    }

    /// The status for a front end.
    pub(crate) fn status(
        &self,
        total: TokenUsage,
        limits: &Limits,
        turn_requests: u64,
    ) -> LimitsStatus {
        LimitsStatus {
            turn_requests,
            max_turns: limits.max_turns,
            turn_timeout_ms: limits.turn_timeout_ms,
            tokens_used: tokens_used(&total),
            max_tokens: self.max_tokens,
            spent_usd: self.prices.map(|p| p.cost_usd(&total)),
            max_spend_usd: self.max_spend_usd,
            prices: self.prices,
            usage: total,
        }
    }
}

/// Tokens a usage counts against `max_tokens`: the server's total, or input plus output when
/// the server left the total out.
fn tokens_used(usage: &TokenUsage) -> u64 {
    usage
        .total_tokens
        .max(usage.input_tokens.saturating_add(usage.output_tokens))
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_config::PriceOverride;

    fn usage(input: u64, output: u64) -> TokenUsage {
        TokenUsage {
            input_tokens: input,
            output_tokens: output,
            ..TokenUsage::default()
        }
    }

    #[test]
    fn the_token_cap_counts_input_and_output() {
        let limits = Limits {
            max_tokens: Some(100),
            ..Limits::default()
        };
        let budget = Budget::new(&limits, ModelFamily::of("gpt-5"));
        assert_eq!(budget.exhausted(&usage(60, 39)), None);
        let message = budget.exhausted(&usage(60, 40)).unwrap();
        assert!(
            message.contains("used 100 tokens, reaching its cap of 100"),
            "{message}"
        );
    }

    #[test]
    fn the_dollar_cap_uses_the_table_or_the_override() {
        let limits = Limits {
            max_spend_usd: Some(1.0),
            ..Limits::default()
        };
        // gpt-5: $10 per million output tokens.
        let budget = Budget::new(&limits, ModelFamily::of("gpt-5"));
        assert_eq!(budget.exhausted(&usage(0, 99_999)), None);
        assert!(budget.exhausted(&usage(0, 100_000)).is_some());

        let unknown = Budget::new(&limits, ModelFamily::of("my-local-model"));
        assert!(unknown.unpriced());
        let priced = Limits {
            prices: Some(PriceOverride {
                input: 1.0,
                cached_input: None,
                output: 1.0,
            }),
            ..limits
        };
        let budget = Budget::new(&priced, ModelFamily::of("my-local-model"));
        assert!(!budget.unpriced());
        assert!(budget.exhausted(&usage(500_000, 500_000)).is_some());
        let status = budget.status(usage(250_000, 0), &priced, 2);
        assert_eq!(status.spent_usd, Some(0.25));
        assert_eq!(status.turn_requests, 2);
    }
}
