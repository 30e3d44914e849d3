//! One incoming request: decide whether it may pass, forward it, stream the answer back.

use tiny_http::{Header, Method, Request, Response};

use crate::report;
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
    /// `GET /shutdown` with `--http-shutdown`: answer 200, then stop the proxy.
    Shutdown,
    /// Anything else: 403 with an empty body.
    Deny,
}

/// Picks the route for `method` and request target `url`.
pub fn route(method: &Method, url: &str, http_shutdown: bool) -> Route {
    match (method, url) {
        (Method::Post, FORWARDED_PATH) => Route::Forward,
        (Method::Get, SHUTDOWN_PATH) if http_shutdown => Route::Shutdown,
        _ => Route::Deny,
    }
}

/// Handles one request on the current thread. Returns `true` when the proxy should stop.
pub fn handle(upstream: &Upstream, http_shutdown: bool, request: Request) -> bool {
    match route(request.method(), request.url(), http_shutdown) {
        Route::Forward => {
            forward(upstream, request);
            false
        }
        Route::Shutdown => {
            // The answer must be out before the process exits; a failed write changes nothing.
            let _ = request.respond(Response::empty(200));
            true
        }
        Route::Deny => {
            let _ = request.respond(Response::empty(403));
            false
        }
    }
}

fn forward(upstream: &Upstream, mut request: Request) {
    let mut body = Vec::new();
    if let Some(length) = request.body_length() {
        body.reserve_exact(length);
    }
    if let Err(err) = request.as_reader().read_to_end(&mut body) {
        report::line(format_args!(
            "could not read a request body from the client: {err}"
        ));
        return;
    }
    let http_minor_version = request.http_version().1;
    let close_after = wants_close(request.headers());
    let headers = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_bytes(), h.value.as_bytes()));

    let response = match upstream.post(headers, body) {
        Ok(response) => response,
        Err(err) => {
            report::line(format_args!(
                "forwarding error: could not reach {}: {err}",
                upstream.uri()
            ));
            let message = format!(
                "responses-api-proxy: the upstream {} could not be reached: {err}\n",
                upstream.uri()
            );
            let mut reply = Response::from_string(message).with_status_code(502);
            if let Ok(header) =
                Header::from_bytes(&b"Content-Type"[..], &b"text/plain; charset=utf-8"[..])
            {
                reply.add_header(header);
            }
            let _ = request.respond(reply);
            return;
        }
    };

    let (parts, body) = response.into_parts();
    let content_length = parts
        .headers
        .get(ureq::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let framing = Framing::choose(parts.status, http_minor_version, content_length);
    let mut client = request.into_writer();
    let mut body = body.into_reader();
    match stream_response(
        &mut client,
        parts.status,
        &parts.headers,
        framing,
        close_after,
        &mut body,
    ) {
        // A client that hung up (often on purpose, e.g. an interrupted turn) is not an error:
        // dropping `body` closes the upstream connection, which ends the upstream work too.
        StreamEnd::Complete | StreamEnd::ClientGone(_) => {}
        StreamEnd::UpstreamFailed(err) => report::line(format_args!(
            "forwarding error: the response from {} broke off: {err}",
            upstream.uri()
        )),
    }
}

/// True when the client asked to close the connection after this response.
fn wants_close(headers: &[Header]) -> bool {
    headers.iter().any(|h| {
        h.field.equiv("connection")
            && h.value
                .as_str()
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_post_is_forwarded() {
        assert_eq!(route(&Method::Post, "/v1/responses", false), Route::Forward);
        for (method, url) in [
            (Method::Get, "/v1/responses"),
            (Method::Put, "/v1/responses"),
            (Method::Post, "/v1/responses/"),
            (Method::Post, "/v1/responses?stream=true"),
            (Method::Post, "/v1/chat/completions"),
            (Method::Post, "/V1/responses"),
            (Method::Post, "http://api.openai.com/v1/responses"),
            (Method::Post, "/v1//responses"),
        ] {
            assert_eq!(route(&method, url, true), Route::Deny, "{method} {url}");
        }
    }

    #[test]
    fn shutdown_needs_the_flag_and_get() {
        assert_eq!(route(&Method::Get, "/shutdown", true), Route::Shutdown);
        assert_eq!(route(&Method::Get, "/shutdown", false), Route::Deny);
        assert_eq!(route(&Method::Post, "/shutdown", true), Route::Deny);
        assert_eq!(route(&Method::Get, "/shutdown?now", true), Route::Deny);
    }
}
