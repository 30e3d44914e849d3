//! One request: decide whether it may pass, forward it, stream the answer back.

use std::io::Write as _;

use ureq::http::StatusCode;

use crate::body::RequestBody;
use crate::conn::Conn;
use crate::hangup;
use crate::report;
use crate::request::{BodyFraming, RequestHead};
use crate::stream::{Framing, StreamEnd, stream_response};
use crate::upstream::Upstream;

/// The only request target that is forwarded. Compared exactly: no query string, no trailing
/// slash, no other spelling.
pub const FORWARDED_PATH: &str = "/v1/responses";

/// The request target of the optional shutdown endpoint.
pub const SHUTDOWN_PATH: &str = "/shutdown";

/// What to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/responses`: forward upstream.
    Forward,
    /// A WebSocket upgrade on `/v1/responses`: 426, so that Codex falls back to HTTP at once.
    UpgradeRequired,
    /// `GET /shutdown` with `--http-shutdown`: answer 200, then stop the proxy.
    Shutdown,
    /// Anything else: 403 with an empty body.
    Deny,
}

/// Picks the route for `method`, request target `url` and whether it asks for a WebSocket.
pub fn route(method: &str, url: &str, websocket: bool, http_shutdown: bool) -> Route {
    match (method, url) {
        (_, FORWARDED_PATH) if websocket => Route::UpgradeRequired,
        ("POST", FORWARDED_PATH) => Route::Forward,
        ("GET", SHUTDOWN_PATH) if http_shutdown => Route::Shutdown,
        _ => Route::Deny,
    }
}

/// What the connection does after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Read the next request.
    KeepAlive,
    /// Close the connection.
    Close,
    /// Close it and stop the proxy (`GET /shutdown`).
    Stop,
}

/// Handles the request whose head was just read from `conn`.
pub fn handle(
    upstream: &Upstream,
    http_shutdown: bool,
    conn: &mut Conn,
    head: &RequestHead,
) -> After {
    let route = route(&head.method, &head.target, head.websocket, http_shutdown);
    if route == Route::Forward {
        return forward(upstream, conn, head);
    }
    let status = match route {
        Route::UpgradeRequired => StatusCode::UPGRADE_REQUIRED,
        Route::Shutdown => StatusCode::OK,
        Route::Deny | Route::Forward => StatusCode::FORBIDDEN,
    };
    // A body that is not read is not skipped either: the connection closes after the answer.
    let close = head.close || head.has_body();
    let sent = send_empty(conn, status, close);
    match route {
        Route::Shutdown => After::Stop,
        _ if close || !sent => After::Close,
        _ => After::KeepAlive,
    }
}

fn forward(upstream: &Upstream, conn: &mut Conn, head: &RequestHead) -> After {
    if head.expect_continue
        && head.has_body()
        && conn
            .stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .is_err()
    {
        return After::Close;
    }
    let length = match head.body {
        BodyFraming::Length(n) => Some(n),
        BodyFraming::Chunked => None,
    };
    let headers = head
        .headers
        .iter()
        .map(|(name, value)| (name.as_bytes(), value.as_slice()));
    let watch = hangup::watch(&conn.stream);
    let mut body = RequestBody::new(conn, head.body);
    let result = upstream.post(headers, length, &mut body);
    let client_error = body.client_error();
    let body_done = body.is_done();

    let response = match result {
        Ok(response) => response,
        Err(_) if watch.client_hung_up() => return After::Close,
        Err(_) if client_error.is_some() => {
            // The client stalled or broke its body; it may still read an answer.
            let status = if client_error.is_some_and(|kind| {
                matches!(
                    kind,
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                )
            }) {
                StatusCode::REQUEST_TIMEOUT
            } else {
                StatusCode::BAD_REQUEST
            };
            send_empty(conn, status, true);
            return After::Close;
        }
        Err(err) => {
            let (status, what) = match err {
                ureq::Error::Timeout(ureq::Timeout::RecvResponse) => (
                    StatusCode::GATEWAY_TIMEOUT,
                    "sent no response head within --first-byte-timeout".to_owned(),
                ),
                ureq::Error::Timeout(ureq::Timeout::Connect) => (
                    StatusCode::BAD_GATEWAY,
                    "could not be reached within --connect-timeout".to_owned(),
                ),
                err => (
                    StatusCode::BAD_GATEWAY,
                    format!("could not be reached: {err}"),
                ),
            };
            report::line(format_args!(
                "forwarding error: the upstream {} {what}",
                upstream.uri()
            ));
            let message = format!(
                "responses-api-proxy: the upstream {} {what}\n",
                upstream.uri()
            );
            send_text(conn, status, &message);
            return After::Close;
        }
    };

    let (parts, body) = response.into_parts();
    let content_length = parts
        .headers
        .get(ureq::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let framing = Framing::choose(parts.status, head.minor_version, content_length);
    // A request body the upstream did not read to its end leaves the connection unusable.
    let close_after = head.close || !body_done;
    let mut body = hangup::UpstreamBody(body.into_reader());
    let end = stream_response(
        &mut &conn.stream,
        parts.status,
        &parts.headers,
        framing,
        close_after,
        &mut body,
    );
    let hung_up = watch.client_hung_up();
    drop(watch);
    match end {
        StreamEnd::Complete if !close_after && !framing.ends_connection() => After::KeepAlive,
        // A client that hung up (often on purpose, e.g. an interrupted turn) is not an error:
        // dropping `body` closes the upstream connection, which ends the upstream work too.
        StreamEnd::Complete | StreamEnd::ClientGone(_) => After::Close,
        StreamEnd::UpstreamFailed(_) if hung_up => After::Close,
        StreamEnd::UpstreamFailed(err) => {
            report::line(format_args!(
                "forwarding error: the response from {} broke off: {err}",
                upstream.uri()
            ));
            After::Close
        }
    }
}

/// A response without a body; returns whether it was written.
pub fn send_empty(conn: &Conn, status: StatusCode, close: bool) -> bool {
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: 0\r\n{}\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or("Unknown"),
        if close { "connection: close\r\n" } else { "" },
    );
    (&conn.stream).write_all(head.as_bytes()).is_ok()
}

/// A plain-text response, then the connection closes.
fn send_text(conn: &Conn, status: StatusCode, text: &str) {
    let reply = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{text}",
        status.as_str(),
        status.canonical_reason().unwrap_or("Unknown"),
        text.len(),
    );
    let _ = (&conn.stream).write_all(reply.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_post_is_forwarded() {
        assert_eq!(route("POST", "/v1/responses", false, false), Route::Forward);
        for (method, url) in [
            ("GET", "/v1/responses"),
            ("PUT", "/v1/responses"),
            ("post", "/v1/responses"),
            ("POST", "/v1/responses/"),
            ("POST", "/v1/responses?stream=true"),
            ("POST", "/v1/chat/completions"),
            ("POST", "/V1/responses"),
            ("POST", "http://api.openai.com/v1/responses"),
            ("POST", "/v1//responses"),
        ] {
            assert_eq!(
                route(method, url, false, true),
                Route::Deny,
                "{method} {url}"
            );
        }
    }

    #[test]
    fn websocket_upgrades_on_the_responses_path_get_426() {
        assert_eq!(
            route("GET", "/v1/responses", true, false),
            Route::UpgradeRequired
        );
        assert_eq!(
            route("POST", "/v1/responses", true, false),
            Route::UpgradeRequired
        );
        assert_eq!(route("GET", "/v1/other", true, false), Route::Deny);
    }

    #[test]
    fn shutdown_needs_the_flag_and_get() {
        assert_eq!(route("GET", "/shutdown", false, true), Route::Shutdown);
        assert_eq!(route("GET", "/shutdown", false, false), Route::Deny);
        assert_eq!(route("POST", "/shutdown", false, true), Route::Deny);
        assert_eq!(route("GET", "/shutdown?now", false, true), Route::Deny);
    }
}
