//! Everything that can go wrong talking to a model, and whether trying again can help.
//!
//! The split matters to the turn loop in core: it retries a whole turn only when
//! [`ClientError::is_retryable`] says so, after [`ClientError::retry_delay`] when the server
//! gave a hint, else after [`crate::backoff`].

use std::path::PathBuf;
use std::time::Duration;

use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::Value;

use crate::retry::retry_after_from_message;

/// Longest piece of a server's error body quoted in a message.
const MAX_QUOTED_BODY: usize = 2_000;

/// An error from [`crate::ModelClient`] or its [`crate::ResponseStream`].
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The conversation no longer fits the model's context window
    /// (`context_length_exceeded`). A retry cannot help: compact or start over.
    #[error(
        "the conversation no longer fits in the model's context window; start a new conversation or compact this one"
    )]
    ContextWindowExceeded,

    /// The account has run out of credit (`insufficient_quota`). A retry cannot help.
    #[error(
        "the model provider reports the account's quota is used up; check the plan and billing"
    )]
    QuotaExceeded,

    /// The plan's usage limit was reached (`usage_limit_reached`). A retry before the limit
    /// resets cannot help.
    #[error("usage limit reached: {message}")]
    UsageLimitReached {
        /// The server's explanation.
        message: String,
        /// When the limit resets, if the server said.
        resets_in: Option<Duration>,
    },

    /// The plan does not include this model or feature (`usage_not_included`). A retry
    /// cannot help.
    #[error("the current plan does not include this usage; upgrade the plan or use an API key")]
    UsageNotIncluded,

    /// 401 or 403: the credentials were refused. The client already refreshed them once
    /// when its auth source can; another retry cannot help.
    #[error("{url} refused the credentials (HTTP {status}): {message}")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The URL requested.
        url: String,
        /// The server's message and a hint about where the key came from.
        message: String,
    },

    /// The server rejected the request as malformed (4xx, `invalid_prompt`, ...). A retry
    /// of the same request cannot help.
    #[error("the model server rejected the request: {message}")]
    BadRequest {
        /// The server's own message.
        message: String,
    },

    /// An HTTP status with no more specific meaning. 408, 429 and 5xx may be retried.
    #[error("{url} answered HTTP {status}: {body}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The URL requested.
        url: String,
        /// The start of the response body.
        body: String,
        /// From `Retry-After`, `retry-after-ms` or a "try again in" hint.
        retry_after: Option<Duration>,
    },

    /// The response stream broke, ended before the response was complete, or the server
    /// reported a transient failure. Retryable.
    #[error("{message}")]
    Stream {
        /// What happened.
        message: String,
        /// The server's hint of when to try again.
        retry_after: Option<Duration>,
    },

    /// The request could not be sent or no response came (connection refused, reset, DNS).
    /// Retryable.
    #[error("cannot reach the model provider at {url}: {message}")]
    Transport {
        /// The URL requested.
        url: String,
        /// The error and its causes.
        message: String,
    },

    /// Nothing arrived on the stream for the idle timeout (`stream_idle_timeout_ms`).
    /// Retryable.
    #[error(
        "no data from the model for {} ms (stream_idle_timeout_ms); the stream looks stalled",
        idle.as_millis()
    )]
    Timeout {
        /// The timeout that expired.
        idle: Duration,
    },

    /// Request-level retries (`request_max_retries`) are used up. The turn loop should not
    /// retry again: the request layer already did.
    #[error("gave up after {attempts} attempts: {last}")]
    RetryLimit {
        /// Attempts made, the first included.
        attempts: u64,
        /// The error of the last attempt.
        last: Box<ClientError>,
    },

    /// The server asked us to wait longer than the provider's `max_retry_wait_ms` before
    /// trying again. Sleeping that long unannounced would look like a hang, so the request
    /// fails with the server's reason; the user decides when to try again.
    #[error(
        "{reason}; the server asked to wait {} before retrying, longer than the {} allowed (max_retry_wait_ms of the model provider); try again later, or raise max_retry_wait_ms",
        crate::retry::describe_wait(*asked),
        crate::retry::describe_wait(*max)
    )]
    WaitTooLong {
        /// The failure the server gave as its reason.
        reason: String,
        /// The wait the server asked for ([`Duration::MAX`] when absurdly large).
        asked: Duration,
        /// The configured maximum.
        max: Duration,
    },

    /// A 2xx response whose body is not an event stream (an HTML page from a proxy or a
    /// captive portal, a JSON document from a server that ignored `stream: true`). Trying
    /// the same URL again gets the same page, so this is not retried; check `base_url`.
    #[error(
        "{url} answered HTTP {status} with content type `{content_type}` instead of an event stream (text/event-stream); check the provider's base_url and wire_api. The body starts: {head}"
    )]
    NotEventStream {
        /// The HTTP status.
        status: u16,
        /// The URL requested.
        url: String,
        /// The `Content-Type` the server sent.
        content_type: String,
        /// The first bytes of the body, secrets masked, quoted.
        head: String,
    },

    /// The provider's `env_key` variable is unset or blank. A retry cannot help.
    #[error("missing environment variable `{var}`{}", instructions.as_deref().map(|i| format!(". {i}")).unwrap_or_default())]
    EnvVar {
        /// The variable named by `env_key`.
        var: String,
        /// The provider's `env_key_instructions`.
        instructions: Option<String>,
    },

    /// The server stopped the response early (`response.incomplete`, e.g. the output token
    /// limit). A retry of the same request would stop the same way.
    #[error("the model's response is incomplete: {reason}")]
    Incomplete {
        /// The server's reason.
        reason: String,
    },

    /// The request asks for something this wire API cannot do (an output schema over
    /// Chat Completions). A retry cannot help.
    #[error("{0}")]
    Unsupported(String),

    /// The provider's configuration cannot be used (a bad `base_url`, header name or value).
    /// A retry cannot help.
    #[error("model provider `{provider}`: {message}")]
    Config {
        /// The provider id.
        provider: String,
        /// What is wrong, naming the key.
        message: String,
    },

    /// The auth source could not produce credentials. A retry cannot help until the user
    /// logs in again.
    #[error("cannot get credentials for the model provider: {0}")]
    Auth(String),

    /// The record file could not be written. A retry cannot help.
    #[error("cannot write the record file {}: {source}", path.display())]
    Record {
        /// The record file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The replay file cannot be read or parsed, or every recorded exchange has been
    /// served. A retry cannot help.
    #[error("replay file {}: {message}", path.display())]
    Replay {
        /// The replay file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A stream error recorded in a replay file, reproduced with its original message and
    /// retryability.
    #[error("{message}")]
    Replayed {
        /// The original error's message.
        message: String,
        /// Whether the original error was retryable.
        retryable: bool,
        /// The original error's retry hint.
        retry_after: Option<Duration>,
    },
}

impl ClientError {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Stream { .. } | Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::UnexpectedStatus { status, .. } => {
                *status == 408 || *status == 429 || *status >= 500
            }
            Self::Replayed { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// How long the server asked us to wait before retrying, if it did.
    pub fn retry_delay(&self) -> Option<Duration> {
        match self {
            Self::Stream { retry_after, .. }
            | Self::UnexpectedStatus { retry_after, .. }
            | Self::Replayed { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Maps an error code from a `response.failed` event or an error body to a typed error.
pub(crate) fn from_error_code(code: Option<&str>, message: &str) -> ClientError {
    match code.unwrap_or_default() {
        "context_length_exceeded" => ClientError::ContextWindowExceeded,
        "insufficient_quota" => ClientError::QuotaExceeded,
        "usage_not_included" => ClientError::UsageNotIncluded,
        "usage_limit_reached" => ClientError::UsageLimitReached {
            message: message.to_owned(),
            resets_in: None,
        },
        "invalid_prompt" | "invalid_request_error" => ClientError::BadRequest {
            message: message.to_owned(),
        },
        code => {
            let message = match (code, message) {
                ("", "") => "the model reported a failure without details".to_owned(),
                ("", m) => m.to_owned(),
                (c, "") => c.to_owned(),
                (c, m) => format!("{c}: {m}"),
            };
            ClientError::Stream {
                retry_after: retry_after_from_message(&message),
                message,
            }
        }
    }
}

/// `(code, message)` of an OpenAI-style `{"error": {...}}` body or object.
pub(crate) fn error_fields(error: &Value) -> (Option<String>, String) {
    let error = error.get("error").unwrap_or(error);
    let str_of = |k: &str| error.get(k).and_then(Value::as_str).map(str::to_owned);
    let code = str_of("code").or_else(|| str_of("type"));
    let message = str_of("message").unwrap_or_default();
    (code, message)
}

/// Turns a non-success HTTP response into a typed error.
pub(crate) fn from_status(
    status: u16,
    url: &str,
    body: &str,
    header_retry_after: Option<Duration>,
    auth_hint: &str,
) -> ClientError {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let (code, message) = parsed.as_ref().map(error_fields).unwrap_or_default();
    let raw = if message.is_empty() {
        quote(body)
    } else {
        message
    };
    // The server's own wait hint is read before masking (a long number looks like a token).
    let hinted_retry = retry_after_from_message(&raw);
    // Someone else's text: an upstream (a proxy, a gateway) may echo the credential back.
    let quoted = mask_secrets(&raw);
    match code.as_deref() {
        Some("context_length_exceeded") => return ClientError::ContextWindowExceeded,
        Some("insufficient_quota") => return ClientError::QuotaExceeded,
        Some("usage_not_included") => return ClientError::UsageNotIncluded,
        Some("usage_limit_reached") => {
            let resets_in = parsed
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(|e| e.get("resets_in_seconds"))
                .and_then(Value::as_u64)
                .map(Duration::from_secs);
            return ClientError::UsageLimitReached {
                message: quoted,
                resets_in,
            };
        }
        _ => {}
    }
    match status {
        401 | 403 => ClientError::Unauthorized {
            status,
            url: url.to_owned(),
            message: format!("{quoted}{auth_hint}"),
        },
        408 | 429 | 500..=599 => ClientError::UnexpectedStatus {
            status,
            url: url.to_owned(),
            retry_after: header_retry_after.or(hinted_retry),
            body: quoted,
        },
        400..=499 => ClientError::BadRequest {
            message: format!("HTTP {status} from {url}: {quoted}"),
        },
        _ => ClientError::UnexpectedStatus {
            status,
            url: url.to_owned(),
            body: quoted,
            retry_after: None,
        },
    }
}

/// Masks what looks like a credential in text from someone else (an upstream body quoted in
/// an error): `sk-…` keys, bearer tokens, JWTs and long opaque tokens keep their first four
/// characters, so a user can still tell which one it was.
pub(crate) fn mask_secrets(text: &str) -> String {
    static SECRET: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(secret) = SECRET
        .get_or_init(|| {
            Regex::new(
                r"(?i)\b(?:sk-[a-z0-9_\-]{8,}|eyJ[a-z0-9_\-]+\.[a-z0-9_\-.]+|[a-z0-9_\-]{32,})|(?:bearer\s+)([^\s\x22']{8,})",
            )
            .ok()
        })
        .as_ref()
    else {
        return text.to_owned();
    };
    secret
        .replace_all(text, |caps: &regex_lite::Captures<'_>| {
            let (prefix, token) = match (caps.get(0), caps.get(1)) {
                (Some(all), Some(token)) => {
                    (&all.as_str()[..token.start() - all.start()], token.as_str())
                }
                (Some(all), None) => ("", all.as_str()),
                _ => ("", ""),
            };
            let keep: String = token.chars().take(4).collect();
            format!("{prefix}{keep}…<masked>")
        })
        .into_owned()
}

fn quote(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    match body.char_indices().nth(MAX_QUOTED_BODY) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_echoed_in_an_error_body_are_masked() {
        let e = from_status(
            502,
            "u",
            "upstream refused Authorization: Bearer sk-proj-abcdefghijklmnop",
            None,
            "",
        );
        let text = e.to_string();
        assert!(!text.contains("abcdefghijklmnop"), "{text}");
        assert!(text.contains("<masked>"), "{text}");
    }

    #[test]
    fn statuses_map_to_types() {
        let e = from_status(
            400,
            "u",
            r#"{"error":{"message":"bad tool","code":null}}"#,
            None,
            "",
        );
        assert!(matches!(&e, ClientError::BadRequest { message } if message.contains("bad tool")));
        assert!(!e.is_retryable());
        let e = from_status(
            400,
            "u",
            r#"{"error":{"code":"context_length_exceeded","message":"x"}}"#,
            None,
            "",
        );
        assert!(matches!(e, ClientError::ContextWindowExceeded));
        let e = from_status(503, "u", "down", Some(Duration::from_secs(2)), "");
        assert!(e.is_retryable());
        assert_eq!(e.retry_delay(), Some(Duration::from_secs(2)));
        let e = from_status(
            429,
            "u",
            r#"{"error":{"code":"rate_limit_exceeded","message":"Please try again in 1.5s."}}"#,
            None,
            "",
        );
        assert_eq!(e.retry_delay(), Some(Duration::from_millis(1500)));
        let e = from_status(401, "u", "", None, " (key from `K`)");
        assert!(e.to_string().contains("`K`"));
    }

    #[test]
    fn secrets_in_quoted_bodies_are_masked() {
        let text = "<p>key sk-proj-abcdefghijklmnop and Authorization: Bearer tok123456789 jwt eyJhbGciOi.eyJzdWIi.sig and 0123456789abcdef0123456789abcdef01</p>";
        let masked = mask_secrets(text);
        for secret in [
            "abcdefghijklmnop",
            "tok123456789",
            "eyJzdWIi",
            "0123456789abcdef0123456789abcdef01",
        ] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(masked.contains("Bearer tok1…<masked>"), "{masked}");
        assert!(masked.contains("<p>key sk-p…<masked>"), "{masked}");
        assert_eq!(
            mask_secrets("<html>Bad gateway</html>"),
            "<html>Bad gateway</html>"
        );
    }

    #[test]
    fn env_var_error_names_the_variable_and_the_fix() {
        let e = ClientError::EnvVar {
            var: "MY_KEY".into(),
            instructions: Some("Create one at example.com.".into()),
        };
        assert_eq!(
            e.to_string(),
            "missing environment variable `MY_KEY`. Create one at example.com."
        );
    }
}
