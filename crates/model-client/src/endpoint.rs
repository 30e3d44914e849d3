//! Turning a provider into something to send requests to: the URL (or replay file), the
//! headers every request carries, and the credentials. Environment variables are read here,
//! once per client, so errors about them show before the first request.

use std::path::PathBuf;

use codex_protocol::WireApi;
use codex_protocol::provider::OPENAI_DEFAULT_BASE_URL;
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::config::REPLAY_SCHEME;
use crate::record::Replay;
use crate::user_agent::{originator, user_agent};
use crate::{BearerSource, ClientError, ModelClientConfig};

/// Base URL of the ChatGPT backend, used with ChatGPT sign-in when no base URL is set.
pub const CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api/codex";

/// Variable that moves the built-in OpenAI provider (one without `base_url`).
pub const OPENAI_BASE_URL_ENV: &str = "OPENAI_BASE_URL";

pub(crate) enum Target {
    Http {
        client: reqwest::Client,
        url: Url,
        /// Used instead of `url` when the auth source gives a ChatGPT account id.
        chatgpt_url: Option<Url>,
    },
    Replay(Replay),
}

pub(crate) struct Endpoint {
    pub(crate) target: Target,
    pub(crate) headers: HeaderMap,
    pub(crate) bearer: BearerSource,
    /// Said after a 401: where the refused key came from.
    pub(crate) auth_hint: String,
}

pub(crate) fn resolve(cfg: &ModelClientConfig) -> Result<Endpoint, ClientError> {
    let config_error = |message: String| ClientError::Config {
        provider: cfg.provider_id.clone(),
        message,
    };
    let provider = &cfg.provider;
    let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let explicit_base = non_empty(provider.base_url.clone());
    let (base, default_base) = match explicit_base {
        Some(base) => (base, false),
        None => match non_empty(std::env::var(OPENAI_BASE_URL_ENV).ok()) {
            Some(base) => (base, false),
            None => (OPENAI_DEFAULT_BASE_URL.to_owned(), true),
        },
    };
    let path = match provider.wire_api {
        WireApi::Responses => "responses",
        WireApi::Chat => "chat/completions",
    };

    let target = if let Some(file) = base.strip_prefix(REPLAY_SCHEME) {
        Target::Replay(Replay::load(&PathBuf::from(file))?)
    } else {
        let url = endpoint_url(&base, path, cfg).map_err(&config_error)?;
        let chatgpt_url = if default_base {
            Some(endpoint_url(CHATGPT_BASE_URL, path, cfg).map_err(&config_error)?)
        } else {
            None
        };
        let loopback = matches!(
            url.host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
        );
        let mut builder = reqwest::Client::builder()
            .tcp_nodelay(true)
            .connect_timeout(std::time::Duration::from_secs(30));
        if loopback {
            // A proxy from the environment must not swallow requests to a local server.
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        Target::Http {
            client,
            url,
            chatgpt_url,
        }
    };

    let headers = static_headers(cfg).map_err(config_error)?;

    let (bearer, auth_hint) = if let Some(var) = provider.env_key.as_deref() {
        let key = non_empty(std::env::var(var).ok()).ok_or_else(|| ClientError::EnvVar {
            var: var.to_owned(),
            instructions: provider.env_key_instructions.clone(),
        })?;
        (
            BearerSource::Static(key),
            format!(" (the key comes from the environment variable `{var}`)"),
        )
    } else if let Some(token) = non_empty(provider.experimental_bearer_token.clone()) {
        (
            BearerSource::Static(token),
            format!(
                " (the key is `experimental_bearer_token` of model provider `{}`)",
                cfg.provider_id
            ),
        )
    } else {
        let hint = match &cfg.bearer {
            BearerSource::None => format!(
                " (model provider `{}` sends no credentials; set its `env_key`)",
                cfg.provider_id
            ),
            BearerSource::Static(_) => " (check the API key)".to_owned(),
            BearerSource::Provider(_) => " (sign in again with `codex login`)".to_owned(),
        };
        (cfg.bearer.clone(), hint)
    };

    Ok(Endpoint {
        target,
        headers,
        bearer,
        auth_hint,
    })
}

fn endpoint_url(base: &str, path: &str, cfg: &ModelClientConfig) -> Result<Url, String> {
    let joined = format!("{}/{path}", base.trim_end_matches('/'));
    let mut url =
        Url::parse(&joined).map_err(|e| format!("base_url `{base}` is not a usable URL ({e})"))?;
    if let Some(params) = &cfg.provider.query_params
        && !params.is_empty()
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in params {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

fn static_headers(cfg: &ModelClientConfig) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    let originator = originator(cfg.originator.as_deref());
    let mut insert = |name: &str, value: &str, what: &str| -> Result<(), String> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{what}: `{name}` is not a valid HTTP header name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            format!("{what}: the value of `{name}` is not a valid HTTP header value")
        })?;
        headers.insert(name, value);
        Ok(())
    };
    insert("originator", &originator, "originator")?;
    insert(
        USER_AGENT.as_str(),
        &user_agent(&originator, cfg.user_agent_suffix.as_deref()),
        "user agent",
    )?;
    insert(ACCEPT.as_str(), "text/event-stream", "accept")?;
    insert(CONTENT_TYPE.as_str(), "application/json", "content type")?;
    if let Some(id) = &cfg.conversation_id {
        insert("conversation_id", id, "conversation id")?;
        insert("session_id", id, "conversation id")?;
    }
    for (name, value) in cfg.provider.http_headers.iter().flatten() {
        insert(name, value, "http_headers")?;
    }
    for (name, var) in cfg.provider.env_http_headers.iter().flatten() {
        if let Some(value) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            insert(name, &value, &format!("env_http_headers (from `{var}`)"))?;
        }
    }
    Ok(headers)
}
