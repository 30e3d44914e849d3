//! Model families: what each kind of model accepts in a request, how big its context is and
//! what it costs. One declarative table ([`FAMILIES`]), looked up by the longest name prefix
//! that matches; a model no row matches gets [`ModelFamily::CONSERVATIVE`], which sends
//! nothing a provider might refuse (no reasoning parameters, no `include`, no verbosity).
//!
//! Real providers reject parameters a model does not know (`reasoning` on gpt-4.1, a local
//! model), so the table decides what goes out, whatever config.toml asks for. Prices are in
//! US dollars per million tokens, as published when the row was written; config.toml's
//! `[limits.prices]` overrides them when they change.

use codex_protocol::{ReasoningEffort, ReasoningSummary, Verbosity};

use crate::Reasoning;

/// How the `apply_patch` tool is offered to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyPatchTool {
    /// A function tool with one string argument, `input` (works with every provider).
    Function,
    /// A freeform (`custom`) tool whose input is the raw patch, constrained by a grammar; only
    /// OpenAI's Responses models trained for it accept this shape.
    Freeform,
}

/// Prices in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    /// Uncached input tokens.
    pub input: f64,
    /// Input tokens served from the prompt cache.
    pub cached_input: f64,
    /// Output tokens, reasoning included.
    pub output: f64,
}

impl Prices {
    /// What `usage` cost, in dollars.
    pub fn cost_usd(&self, usage: &codex_protocol::TokenUsage) -> f64 {
        let cached = usage.cached_input_tokens.min(usage.input_tokens);
        let uncached = usage.input_tokens - cached;
        #[allow(clippy::cast_precision_loss)] // Token counts stay far below 2^52.
        let dollars = uncached as f64 * self.input
            + cached as f64 * self.cached_input
            + usage.output_tokens as f64 * self.output;
        dollars / 1_000_000.0
    }
}

/// What one family of models accepts and costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelFamily {
    /// Model names starting with this belong to the family (the longest match wins).
    pub prefix: &'static str,
    /// Whether the request may carry `reasoning` (and then `include` of the encrypted
    /// reasoning, replayed in later requests).
    pub reasoning: bool,
    /// Effort sent when config.toml sets none (`None`: the server's default).
    pub default_effort: Option<ReasoningEffort>,
    /// Summary style sent when config.toml sets none.
    pub default_summary: Option<ReasoningSummary>,
    /// Whether the request may carry `text.verbosity`.
    pub verbosity: bool,
    /// Verbosity sent when config.toml sets none.
    pub default_verbosity: Option<Verbosity>,
    /// The shape of the `apply_patch` tool.
    pub apply_patch: ApplyPatchTool,
    /// Whether the model reads images, so the `view_image` tool is offered.
    pub view_image: bool,
    /// Context window in tokens, when known.
    pub context_window: Option<u64>,
    /// Published prices, when known (a local model costs nothing).
    pub prices: Option<Prices>,
}

#[allow(clippy::unnecessary_wraps)] // Rows write `prices: prices(..)` beside `prices: None`.
const fn prices(input: f64, cached_input: f64, output: f64) -> Option<Prices> {
    Some(Prices {
        input,
        cached_input,
        output,
    })
}

/// A reasoning model of the GPT-5 generation: effort and summary by default, freeform patches.
const GPT_5_CODEX: ModelFamily = ModelFamily {
    prefix: "gpt-5-codex",
    reasoning: true,
    default_effort: Some(ReasoningEffort::Medium),
    default_summary: Some(ReasoningSummary::Auto),
    verbosity: false,
    default_verbosity: None,
    apply_patch: ApplyPatchTool::Freeform,
    view_image: true,
    context_window: Some(272_000),
    prices: prices(1.25, 0.125, 10.0),
};

/// gpt-5 and its sizes: reasoning and verbosity; patches as a function tool.
const GPT_5: ModelFamily = ModelFamily {
    prefix: "gpt-5",
    verbosity: true,
    apply_patch: ApplyPatchTool::Function,
    ..GPT_5_CODEX
};

/// gpt-5.1 and later general models: verbosity low by default, freeform patches.
const GPT_5_1: ModelFamily = ModelFamily {
    prefix: "gpt-5.1",
    verbosity: true,
    default_verbosity: Some(Verbosity::Low),
    ..GPT_5_CODEX
};

/// An o-series reasoning model: reasoning, no verbosity, patches as a function tool.
const O_SERIES: ModelFamily = ModelFamily {
    prefix: "o3",
    reasoning: true,
    default_effort: Some(ReasoningEffort::Medium),
    default_summary: Some(ReasoningSummary::Auto),
    verbosity: false,
    default_verbosity: None,
    apply_patch: ApplyPatchTool::Function,
    view_image: true,
    context_window: Some(200_000),
    prices: prices(2.0, 0.5, 8.0),
};

/// A chat model without reasoning parameters (gpt-4.1, gpt-4o).
const GPT_4: ModelFamily = ModelFamily {
    prefix: "gpt-4.1",
    reasoning: false,
    default_effort: None,
    default_summary: None,
    verbosity: false,
    default_verbosity: None,
    apply_patch: ApplyPatchTool::Function,
    view_image: true,
    context_window: Some(1_047_576),
    prices: prices(2.0, 0.5, 8.0),
};

/// The families, by name prefix. Order does not matter: the longest matching prefix wins.
pub const FAMILIES: &[ModelFamily] = &[
    // GPT-5 codex models.
    GPT_5_CODEX,
    ModelFamily {
        prefix: "gpt-5-codex-mini",
        prices: prices(0.25, 0.025, 2.0),
        ..GPT_5_CODEX
    },
    ModelFamily {
        prefix: "gpt-5.1-codex",
        ..GPT_5_CODEX
    },
    ModelFamily {
        prefix: "gpt-5.1-codex-mini",
        prices: prices(0.25, 0.025, 2.0),
        ..GPT_5_CODEX
    },
    ModelFamily {
        prefix: "gpt-5.2-codex",
        prices: prices(1.75, 0.175, 14.0),
        ..GPT_5_CODEX
    },
    ModelFamily {
        prefix: "codex-",
        prices: None,
        ..GPT_5_CODEX
    },
    ModelFamily {
        prefix: "codex-mini-latest",
        apply_patch: ApplyPatchTool::Function,
        context_window: Some(200_000),
        prices: prices(1.5, 0.375, 6.0),
        ..GPT_5_CODEX
    },
    // GPT-5 general models.
    GPT_5,
    ModelFamily {
        prefix: "gpt-5-mini",
        prices: prices(0.25, 0.025, 2.0),
        ..GPT_5
    },
    ModelFamily {
        prefix: "gpt-5-nano",
        prices: prices(0.05, 0.005, 0.4),
        ..GPT_5
    },
    GPT_5_1,
    ModelFamily {
        prefix: "gpt-5.2",
        prices: prices(1.75, 0.175, 14.0),
        ..GPT_5_1
    },
    // o-series.
    O_SERIES,
    ModelFamily {
        prefix: "o4-mini",
        prices: prices(1.1, 0.275, 4.4),
        ..O_SERIES
    },
    // Chat models without reasoning parameters.
    GPT_4,
    ModelFamily {
        prefix: "gpt-4.1-mini",
        prices: prices(0.4, 0.1, 1.6),
        ..GPT_4
    },
    ModelFamily {
        prefix: "gpt-4.1-nano",
        prices: prices(0.1, 0.025, 0.4),
        ..GPT_4
    },
    ModelFamily {
        prefix: "gpt-4o",
        context_window: Some(128_000),
        prices: prices(2.5, 1.25, 10.0),
        ..GPT_4
    },
    ModelFamily {
        prefix: "gpt-4o-mini",
        context_window: Some(128_000),
        prices: prices(0.15, 0.075, 0.6),
        ..GPT_4
    },
    ModelFamily {
        prefix: "gpt-3.5",
        view_image: false,
        context_window: Some(16_385),
        prices: prices(0.5, 0.5, 1.5),
        ..GPT_4
    },
    // Open-weight models, served locally: nothing to pay.
    ModelFamily {
        prefix: "gpt-oss",
        view_image: false,
        context_window: Some(96_000),
        prices: prices(0.0, 0.0, 0.0),
        ..ModelFamily::CONSERVATIVE
    },
    ModelFamily {
        prefix: "openai/gpt-oss",
        view_image: false,
        context_window: Some(96_000),
        prices: prices(0.0, 0.0, 0.0),
        ..ModelFamily::CONSERVATIVE
    },
];

impl ModelFamily {
    /// The row for models no other row matches: only what every OpenAI-compatible server
    /// takes. No reasoning, verbosity or images; patches as a function tool; size and price
    /// unknown.
    pub const CONSERVATIVE: Self = Self {
        prefix: "",
        reasoning: false,
        default_effort: None,
        default_summary: None,
        verbosity: false,
        default_verbosity: None,
        apply_patch: ApplyPatchTool::Function,
        view_image: false,
        context_window: None,
        prices: None,
    };

    /// The family of `model`: the row with the longest prefix of its name, else
    /// [`ModelFamily::CONSERVATIVE`].
    pub fn of(model: &str) -> &'static Self {
        FAMILIES
            .iter()
            .filter(|family| model.starts_with(family.prefix))
            .max_by_key(|family| family.prefix.len())
            .unwrap_or(&Self::CONSERVATIVE)
    }

    /// The request's `reasoning`: the configured effort and summary, else the family's
    /// defaults; `None` for a family that takes no reasoning parameters, whatever is
    /// configured.
    pub fn reasoning(
        &self,
        effort: Option<ReasoningEffort>,
        summary: Option<ReasoningSummary>,
    ) -> Option<Reasoning> {
        if !self.reasoning {
            return None;
        }
        Some(Reasoning {
            effort: effort.or(self.default_effort),
            summary: summary
                .or(self.default_summary)
                .filter(|s| *s != ReasoningSummary::None),
        })
    }

    /// The request's `text.verbosity`: the configured one, else the family's default; `None`
    /// for a family that takes none.
    pub fn verbosity(&self, configured: Option<Verbosity>) -> Option<Verbosity> {
        self.verbosity
            .then(|| configured.or(self.default_verbosity))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_protocol::TokenUsage;

    #[test]
    fn the_longest_prefix_wins_and_unknown_models_are_conservative() {
        assert_eq!(ModelFamily::of("gpt-5-codex").prefix, "gpt-5-codex");
        assert_eq!(
            ModelFamily::of("gpt-5-mini-2025-08-07").prefix,
            "gpt-5-mini"
        );
        assert_eq!(ModelFamily::of("gpt-5.1-codex-max").prefix, "gpt-5.1-codex");
        assert_eq!(ModelFamily::of("gpt-4.1-2025-04-14").prefix, "gpt-4.1");
        assert_eq!(
            ModelFamily::of("codex-mini-latest").prefix,
            "codex-mini-latest"
        );
        assert_eq!(ModelFamily::of("qwen3-coder"), &ModelFamily::CONSERVATIVE);
        assert_eq!(ModelFamily::of(""), &ModelFamily::CONSERVATIVE);
    }

    #[test]
    fn prefixes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for family in FAMILIES {
            assert!(seen.insert(family.prefix), "{} twice", family.prefix);
        }
    }

    #[test]
    fn parameters_follow_the_family_not_the_config() {
        let effort = Some(ReasoningEffort::High);
        let summary = Some(ReasoningSummary::Detailed);
        assert_eq!(ModelFamily::of("gpt-4.1").reasoning(effort, summary), None);
        assert_eq!(
            ModelFamily::of("llama3").verbosity(Some(Verbosity::High)),
            None
        );
        assert_eq!(
            ModelFamily::of("gpt-5").reasoning(None, None),
            Some(Reasoning {
                effort: Some(ReasoningEffort::Medium),
                summary: Some(ReasoningSummary::Auto),
            })
        );
        assert_eq!(
            ModelFamily::of("gpt-5")
                .reasoning(effort, Some(ReasoningSummary::None))
                .and_then(|r| r.summary),
            None
        );
        assert_eq!(ModelFamily::of("gpt-5").verbosity(None), None);
        assert_eq!(
            ModelFamily::of("gpt-5.1").verbosity(None),
            Some(Verbosity::Low)
        );
        assert_eq!(
            ModelFamily::of("gpt-5-codex").verbosity(Some(Verbosity::High)),
            None
        );
    }

    #[test]
    fn cost_counts_cached_input_at_its_own_price() {
        let usage = TokenUsage {
            input_tokens: 1_000_000,
            cached_input_tokens: 400_000,
            output_tokens: 100_000,
            ..TokenUsage::default()
        };
        let cost = ModelFamily::of("gpt-5").prices.unwrap().cost_usd(&usage);
        // 0.6 M x 1.25 + 0.4 M x 0.125 + 0.1 M x 10
        assert!((cost - (0.75 + 0.05 + 1.0)).abs() < 1e-9, "{cost}");
    }
}
