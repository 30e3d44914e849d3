//! Errors that stop a conversation from starting or being reached. Problems during a turn are
//! reported as events instead, so a front end can show them and carry on.

/// An error from the conversation manager or a conversation handle.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Commands must be sandboxed but the helper binary is missing. Install it beside this
    /// binary, set `sandbox_exe` in config.toml, or choose `--sandbox danger-full-access`
    /// knowingly. Retrying will not help.
    #[error(
        "commands must run sandboxed ({mode}), but the sandbox helper is missing: {reason}. Install codex-linux-sandbox beside this binary or on PATH, or set `sandbox_exe` in config.toml"
    )]
    SandboxHelperMissing {
        /// The sandbox mode that needs it.
        mode: String,
        /// What the search found.
        reason: String,
    },
    /// The provider needs an OpenAI login and none is stored (nor given by `CODEX_API_KEY`
    /// where honoured). Logging in fixes it; retrying does not.
    #[error(
        "not logged in to {provider}: run `codex login` (or pipe a key to `codex login --with-api-key`), or set CODEX_API_KEY"
    )]
    NotLoggedIn {
        /// The provider's display name.
        provider: String,
    },
    /// The credential in use is of a kind config.toml's `forced_login_method` forbids (an
    /// organisation's policy). Signing in the allowed way fixes it.
    #[error(
        "config.toml allows only `forced_login_method = \"{required}\"`, but the credential in use is {found}; {}",
        login_hint(required)
    )]
    LoginMethodNotAllowed {
        /// `chatgpt` or `api`.
        required: &'static str,
        /// What was found instead.
        found: &'static str,
    },
    /// `limits.max_spend_usd` is set, but the model's prices are unknown (not in the family
    /// table, no `[limits.prices]`), so the cap could not be kept. Giving prices fixes it.
    #[error(
        "limits.max_spend_usd is set, but the prices of model `{model}` are unknown, so spending could not be capped; give them in config.toml as [limits.prices] input = .., cached_input = .., output = .. (US dollars per million tokens), or cap tokens instead with limits.max_tokens"
    )]
    UnpricedModel {
        /// The model.
        model: String,
    },
    /// auth.json could not be read or is invalid; the message names the file.
    #[error(transparent)]
    Auth(#[from] codex_auth::AuthError),
    /// `--oss`: the local model server could not be reached, or could not pull the model.
    #[error(transparent)]
    LocalModel(#[from] codex_model_client::ollama::OllamaError),
    /// The model client could not be set up (bad provider URL, missing API key variable).
    #[error(transparent)]
    Client(#[from] codex_model_client::ClientError),
    /// A session to resume could not be read.
    #[error(transparent)]
    Rollout(#[from] codex_rollout::RolloutError),
    /// The conversation has ended; no more submissions or events.
    #[error("the conversation has ended")]
    ConversationEnded,
}

fn login_hint(required: &str) -> &'static str {
    if required == "chatgpt" {
        "sign in with ChatGPT (`codex login`), and unset CODEX_API_KEY"
    } else {
        "store an API key (`printenv OPENAI_API_KEY | codex login --with-api-key`) or set CODEX_API_KEY"
    }
}
