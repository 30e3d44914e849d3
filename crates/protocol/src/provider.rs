//! Model providers as declared in `[model_providers.<id>]`, and the built-in ones.
//!
//! Pure data: reading environment variables (API keys, `OPENAI_BASE_URL`) happens in the
//! model client at request time, so a provider loaded from config stays a plain value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::WireApi;

/// Default number of times one HTTP request is retried on 429, 5xx or transport errors.
pub const DEFAULT_REQUEST_MAX_RETRIES: u64 = 4;
/// Default number of times a dropped response stream is retried.
pub const DEFAULT_STREAM_MAX_RETRIES: u64 = 5;
/// Default silence, in milliseconds, after which a response stream is considered dead.
pub const DEFAULT_STREAM_IDLE_TIMEOUT_MS: u64 = 300_000;
/// Retry counts above this are clamped: a typo should not retry forever.
pub const MAX_RETRIES_CAP: u64 = 100;
/// Default longest wait, in milliseconds, a server may ask for (`Retry-After`, "try again in")
/// before the request fails with its reason instead of sleeping.
pub const DEFAULT_MAX_RETRY_WAIT_MS: u64 = 60_000;

/// One model provider. Field names and defaults follow Codex's `[model_providers.<id>]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelProviderInfo {
    /// Shown to users.
    pub name: String,
    /// Where requests go, e.g. `https://api.openai.com/v1`; `None` for the built-in default.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Environment variable holding the API key.
    #[serde(default)]
    pub env_key: Option<String>,
    /// Extra words shown when `env_key` is unset, e.g. where to get a key.
    #[serde(default)]
    pub env_key_instructions: Option<String>,
    /// A bearer token written into config (for local servers; prefer `env_key`).
    #[serde(default)]
    pub experimental_bearer_token: Option<String>,
    /// Which HTTP API the provider speaks.
    #[serde(default)]
    pub wire_api: WireApi,
    /// Appended to the request URL (Azure's `api-version`, say).
    #[serde(default)]
    pub query_params: Option<BTreeMap<String, String>>,
    /// Headers sent with every request.
    #[serde(default)]
    pub http_headers: Option<BTreeMap<String, String>>,
    /// Headers whose value is read from an environment variable; skipped when it is unset
    /// or blank.
    #[serde(default)]
    pub env_http_headers: Option<BTreeMap<String, String>>,
    /// Request-level retries; `None` means [`DEFAULT_REQUEST_MAX_RETRIES`].
    #[serde(default)]
    pub request_max_retries: Option<u64>,
    /// Stream-level retries; `None` means [`DEFAULT_STREAM_MAX_RETRIES`].
    #[serde(default)]
    pub stream_max_retries: Option<u64>,
    /// Idle timeout per stream event; `None` means [`DEFAULT_STREAM_IDLE_TIMEOUT_MS`].
    #[serde(default)]
    pub stream_idle_timeout_ms: Option<u64>,
    /// Longest wait a server may ask for before a retry (our addition; Codex has no such
    /// key); `None` means [`DEFAULT_MAX_RETRY_WAIT_MS`]. A longer `Retry-After` fails the
    /// request with the server's reason rather than leaving the user waiting in silence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retry_wait_ms: Option<u64>,
    /// Whether the provider takes the credentials of `codex login` (only OpenAI's does).
    #[serde(default)]
    pub requires_openai_auth: bool,
}

impl ModelProviderInfo {
    /// Request retries with the default applied and the cap enforced.
    pub fn request_max_retries(&self) -> u64 {
        self.request_max_retries
            .unwrap_or(DEFAULT_REQUEST_MAX_RETRIES)
            .min(MAX_RETRIES_CAP)
    }

    /// Stream retries with the default applied and the cap enforced.
    pub fn stream_max_retries(&self) -> u64 {
        self.stream_max_retries
            .unwrap_or(DEFAULT_STREAM_MAX_RETRIES)
            .min(MAX_RETRIES_CAP)
    }

    /// Stream idle timeout in milliseconds, default applied.
    pub fn stream_idle_timeout_ms(&self) -> u64 {
        self.stream_idle_timeout_ms
            .unwrap_or(DEFAULT_STREAM_IDLE_TIMEOUT_MS)
    }

    /// Longest server-requested retry wait in milliseconds, default applied.
    pub fn max_retry_wait_ms(&self) -> u64 {
        self.max_retry_wait_ms.unwrap_or(DEFAULT_MAX_RETRY_WAIT_MS)
    }
}

/// Id of the built-in OpenAI provider.
pub const OPENAI_PROVIDER_ID: &str = "openai";
/// Id of the built-in Ollama provider.
pub const OLLAMA_PROVIDER_ID: &str = "ollama";
/// Base URL of the OpenAI API when `OPENAI_BASE_URL` is not set.
pub const OPENAI_DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Base URL of a local Ollama.
pub const OLLAMA_DEFAULT_BASE_URL: &str = "http://localhost:11434/v1";

/// The providers every installation has. A `[model_providers.<id>]` entry with one of these
/// ids does not replace it (as in Codex): declare a new id instead.
pub fn built_in_model_providers() -> BTreeMap<String, ModelProviderInfo> {
    let openai = ModelProviderInfo {
        name: "OpenAI".to_owned(),
        base_url: None,
        wire_api: WireApi::Responses,
        http_headers: Some(BTreeMap::from([(
            "version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        )])),
        env_http_headers: Some(BTreeMap::from([
            (
                "OpenAI-Organization".to_owned(),
                "OPENAI_ORGANIZATION".to_owned(),
            ),
            ("OpenAI-Project".to_owned(), "OPENAI_PROJECT".to_owned()),
        ])),
        requires_openai_auth: true,
        ..ModelProviderInfo::default()
    };
    let ollama = ModelProviderInfo {
        name: "gpt-oss".to_owned(),
        base_url: Some(OLLAMA_DEFAULT_BASE_URL.to_owned()),
        wire_api: WireApi::Chat,
        ..ModelProviderInfo::default()
    };
    BTreeMap::from([
        (OPENAI_PROVIDER_ID.to_owned(), openai),
        (OLLAMA_PROVIDER_ID.to_owned(), ollama),
    ])
}
