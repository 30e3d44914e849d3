//! What a [`crate::ModelClient`] is built from.

use std::path::PathBuf;
use std::time::Duration;

use codex_protocol::ModelProviderInfo;

use crate::BearerSource;
use crate::retry::DEFAULT_RETRY_BASE_DELAY;

/// Base URLs starting with this are replay files: `replay:///abs/path.jsonl` or
/// `replay://relative/path.jsonl`. Such a provider never touches the network.
pub const REPLAY_SCHEME: &str = "replay://";

/// Everything one conversation's client needs.
#[derive(Debug, Clone)]
pub struct ModelClientConfig {
    /// The provider's id in config (`openai`, `ollama`, a `[model_providers.<id>]` key);
    /// named in error messages.
    pub provider_id: String,
    /// The resolved provider. With `base_url` unset, the client uses `OPENAI_BASE_URL` when
    /// non-empty, else the OpenAI API (or the ChatGPT backend when the auth source supplies
    /// an account id). A `base_url` of `replay://<file>` replays a recording.
    pub provider: ModelProviderInfo,
    /// The model name sent in every request.
    pub model: String,
    /// Credentials used when the provider has neither `env_key` nor
    /// `experimental_bearer_token`.
    pub bearer: BearerSource,
    /// The `originator` header (`codex_exec` for exec); `None` means `codex_cli_rs`. The
    /// `CODEX_INTERNAL_ORIGINATOR_OVERRIDE` variable wins over both.
    pub originator: Option<String>,
    /// Appended to the User-Agent in parentheses (an MCP client's name and version).
    pub user_agent_suffix: Option<String>,
    /// Sent as `conversation_id` and `session_id` headers.
    pub conversation_id: Option<String>,
    /// Appends every exchange to this JSONL file (see the `record` docs of the crate).
    pub record: Option<PathBuf>,
    /// First step of the exponential backoff (200 ms unless a test wants it shorter).
    pub retry_base_delay: Duration,
}

impl ModelClientConfig {
    /// A config with defaults for everything but the provider and model.
    pub fn new(
        provider_id: impl Into<String>,
        provider: ModelProviderInfo,
        model: impl Into<String>,
    ) -> Self {
        Self {
            provider_id: provider_id.into(),
            provider,
            model: model.into(),
            bearer: BearerSource::None,
            originator: None,
            user_agent_suffix: None,
            conversation_id: None,
            record: None,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
        }
    }
}
