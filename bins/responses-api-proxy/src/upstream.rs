//! The upstream side: which URL requests go to, and the blocking HTTP client that sends them.
//!
//! The client is `ureq` 3: blocking I/O on the calling thread, no async runtime inside (unlike
//! `reqwest::blocking`, which drives a tokio runtime on a hidden thread), rustls with compiled-in
//! web PKI roots (so a `FROM scratch` image needs no certificate store), and a connection pool
//! so that keep-alive upstream connections are reused across requests. Its TCP connections come
//! from [`crate::hangup`], so that a client hanging up cancels the upstream request.

use std::io::Read;

use ureq::config::AutoHeaderValue;
use ureq::http::header::{self, HeaderName, HeaderValue};
use ureq::http::{Method, Request, Response, Uri};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector as _, RustlsConnector};
use ureq::{Agent, Body, SendBody};

use crate::hangup::WatchedTcpConnector;
use crate::limits::Limits;

/// Headers of the incoming request that are never forwarded: the proxy supplies its own
/// credentials and host, frames the body itself, and handles `Expect` locally.
const DROPPED_REQUEST_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

/// Why `--upstream-url` was rejected.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamUrlError {
    /// The value is not a URL at all.
    #[error("--upstream-url {url:?} is not a valid URL: {reason}")]
    Invalid {
        /// The value given.
        url: String,
        /// What the parser said.
        reason: String,
    },
    /// The URL has no `http` or `https` scheme.
    #[error("--upstream-url {url:?} must start with http:// or https://")]
    Scheme {
        /// The value given.
        url: String,
    },
    /// The URL names no host to connect to.
    #[error(
        "--upstream-url {url:?} has no host; give a full URL such as https://api.openai.com/v1/responses"
    )]
    NoHost {
        /// The value given.
        url: String,
    },
}

/// Checks `--upstream-url` and returns it parsed.
pub fn parse_upstream_url(url: &str) -> Result<Uri, UpstreamUrlError> {
    let uri: Uri =
        url.parse().map_err(
            |err: ureq::http::uri::InvalidUri| UpstreamUrlError::Invalid {
                url: url.to_owned(),
                reason: err.to_string(),
            },
        )?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(UpstreamUrlError::Scheme {
                url: url.to_owned(),
            });
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(UpstreamUrlError::NoHost {
            url: url.to_owned(),
        });
    }
    Ok(uri)
}

/// The upstream endpoint with the credentials the proxy adds to every request.
pub struct Upstream {
    uri: Uri,
    agent: Agent,
    authorization: HeaderValue,
}

impl Upstream {
    /// `authorization` is the full header value (`Bearer <key>`), already validated to hold only
    /// header-safe bytes. It is referenced, not copied, and marked sensitive so that the HTTP
    /// stack treats it as a secret (no indexing, no debug output).
    ///
    /// Connecting is bounded by `limits.connect_timeout` and the wait for a response head by
    /// `limits.first_byte_timeout`; a response that has started may stream for as long as the
    /// upstream keeps it going.
    pub fn new(uri: Uri, authorization: &'static str, limits: &Limits) -> Self {
        let mut authorization = HeaderValue::from_static(authorization);
        authorization.set_sensitive(true);
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(AutoHeaderValue::None)
            .accept(AutoHeaderValue::None)
            .accept_encoding(AutoHeaderValue::None)
            .max_idle_connections(limits.pooled_upstream)
            .max_idle_connections_per_host(limits.pooled_upstream)
            .timeout_connect(Some(limits.connect_timeout))
            .timeout_recv_response(Some(limits.first_byte_timeout))
            .build();
        // ureq's default chain with its TCP connector replaced by the watched one.
        let connector = ()
            .chain(ConnectProxyConnector::default())
            .chain(WatchedTcpConnector {
                connect_timeout: limits.connect_timeout,
            })
            .chain(RustlsConnector::default());
        let agent = Agent::with_parts(config, connector, DefaultResolver::default());
        Upstream {
            uri,
            agent,
            authorization,
        }
    }

    /// The upstream URL, for messages.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// POSTs `body` upstream with the client's `headers` (minus the dropped ones) and the
    /// proxy's `Authorization`, streaming the body as it is read: with `Content-Length:
    /// length` when the client gave one, chunked otherwise. The response body is left unread,
    /// for streaming.
    pub fn post<'a>(
        &self,
        headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
        length: Option<u64>,
        body: &mut dyn Read,
    ) -> Result<Response<Body>, ureq::Error> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.uri.clone());
        if let Some(map) = request.headers_mut() {
            for (name, value) in headers {
                let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
                else {
                    continue;
                };
                if !DROPPED_REQUEST_HEADERS.contains(&name.as_str()) {
                    map.append(name, value);
                }
            }
            map.insert(header::AUTHORIZATION, self.authorization.clone());
            if let Some(length) = length {
                map.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            }
        }
        let request = request.body(SendBody::from_reader(body))?;
        self.agent.run(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_urls_with_a_host() {
        for url in [
            "https://api.openai.com/v1/responses",
            "http://127.0.0.1:8080/v1/responses",
            "https://example.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
        ] {
            let uri = parse_upstream_url(url).unwrap();
            assert_eq!(uri.to_string(), url);
        }
    }

    #[test]
    fn rejects_urls_without_scheme_or_host() {
        assert!(matches!(
            parse_upstream_url("api.openai.com/v1/responses"),
            Err(UpstreamUrlError::Scheme { .. } | UpstreamUrlError::Invalid { .. })
        ));
        assert!(matches!(
            parse_upstream_url("ftp://example.com/x"),
            Err(UpstreamUrlError::Scheme { .. })
        ));
        assert!(matches!(
            parse_upstream_url("/v1/responses"),
            Err(UpstreamUrlError::Scheme { .. })
        ));
        assert!(matches!(
            parse_upstream_url("http://exa mple.com/"),
            Err(UpstreamUrlError::Invalid { .. })
        ));
    }

    #[test]
    fn error_messages_name_the_flag_and_value() {
        let message = parse_upstream_url("ftp://example.com/x")
            .unwrap_err()
            .to_string();
        assert!(message.contains("--upstream-url"), "{message}");
        assert!(message.contains("ftp://example.com/x"), "{message}");
    }
}
