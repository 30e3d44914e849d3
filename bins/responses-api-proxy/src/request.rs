//! Reading and checking a request head: `httparse` framing with the limits of [`crate::limits`],
//! and the body framing rules that keep request smuggling out (one length, or chunked, never
//! both).

use std::time::{Duration, Instant};

use crate::conn::{Conn, FillError, is_timeout};
use crate::limits::{MAX_HEAD_BYTES, MAX_HEADERS};

/// How the request body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// `Content-Length: n` (or no body at all: 0).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// A parsed request head; names and values are copied out of the read buffer.
#[derive(Debug)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// In arrival order, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: BodyFraming,
    /// The connection ends after this exchange (HTTP/1.0, or `Connection: close`).
    pub close: bool,
    /// `Expect: 100-continue`: the client waits for an interim 100 before sending the body.
    pub expect_continue: bool,
    /// `Upgrade: websocket`.
    pub websocket: bool,
}

impl RequestHead {
    /// Whether the request carries body bytes that must be read or the connection closed.
    pub fn has_body(&self) -> bool {
        self.body != BodyFraming::Length(0)
    }
}

/// Why no request head could be read. Each maps to one answer (or none) in [`crate::connection`].
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// The client closed the connection, or stayed idle, before sending a byte: close quietly.
    Idle,
    /// More than [`MAX_HEADERS`] header lines or [`MAX_HEAD_BYTES`] bytes: 431.
    TooLarge,
    /// The head did not arrive within the header timeout: 408.
    Timeout,
    /// Not HTTP/1.x, or framing that could be read two ways: 400.
    Malformed(&'static str),
    /// The socket failed: close.
    Broken,
}

/// Reads one request head from `conn`. A fresh connection (`first`) has `header_timeout` for
/// the whole head; a kept-alive one waits up to `idle_timeout` for the first byte, then has
/// `header_timeout` for the rest.
pub fn read_head(
    conn: &mut Conn,
    first: bool,
    header_timeout: Duration,
    idle_timeout: Duration,
) -> Result<RequestHead, HeadError> {
    let now = Instant::now();
    let mut deadline = now + if first { header_timeout } else { idle_timeout };
    let mut started = first || !conn.buffered().is_empty();
    if started && !first {
        deadline = now + header_timeout;
    }
    // Only parse once the end of a head could be in the buffer: re-parsing a head that trickles
    // in a byte at a time would cost quadratic time.
    let mut scanned: usize = 0;
    loop {
        let buffered = conn.buffered();
        let from = scanned.saturating_sub(3);
        if buffered.len() > from
            && has_blank_line(&buffered[from..])
            && let Some((head, used)) = parse(buffered)?
        {
            conn.consume(used);
            return Ok(head);
        }
        scanned = buffered.len();
        match conn.fill(Some(deadline)) {
            Ok(0) if conn.buffered().is_empty() => return Err(HeadError::Idle),
            Ok(0) => return Err(HeadError::Malformed("the request head ended early")),
            Ok(_) => {
                if !started {
                    started = true;
                    deadline = Instant::now() + header_timeout;
                }
            }
            Err(FillError::Full) => return Err(HeadError::TooLarge),
            Err(FillError::Io(err)) if is_timeout(&err) && !started => {
                return Err(HeadError::Idle);
            }
            Err(FillError::Io(err)) if is_timeout(&err) => return Err(HeadError::Timeout),
            Err(FillError::Io(_)) => return Err(HeadError::Broken),
        }
    }
}

fn has_blank_line(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\n\n") || bytes.windows(3).any(|w| w == b"\n\r\n")
}

/// Parses a complete head at the start of `bytes`; `None` if it is not complete yet.
fn parse(bytes: &[u8]) -> Result<Option<(RequestHead, usize)>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let used = match request.parse(bytes) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed("not an HTTP/1.x request head")),
    };
    if used > MAX_HEAD_BYTES {
        return Err(HeadError::TooLarge);
    }
    let (Some(method), Some(target), Some(minor_version)) =
        (request.method, request.path, request.version)
    else {
        return Err(HeadError::Malformed("incomplete request line"));
    };
    let headers: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();

    let body = body_framing(&headers, minor_version)?;
    let has_token = |name: &str, token: &str| {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(|&b| b == b','))
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    };
    let close = minor_version == 0 || has_token("connection", "close");
    let expect_continue = has_token("expect", "100-continue");
    let websocket = has_token("upgrade", "websocket");
    Ok(Some((
        RequestHead {
            method: method.to_owned(),
            target: target.to_owned(),
            minor_version,
            headers,
            body,
            close,
            expect_continue,
            websocket,
        },
        used,
    )))
}

/// One `Content-Length` (repeats must agree) or `Transfer-Encoding: chunked`, never both.
fn body_framing(headers: &[(String, Vec<u8>)], minor: u8) -> Result<BodyFraming, HeadError> {
    fn values<'h>(
        headers: &'h [(String, Vec<u8>)],
        name: &'static str,
    ) -> impl Iterator<Item = &'h [u8]> {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
    let encodings: Vec<&[u8]> = values(headers, "transfer-encoding").collect();
    let mut length = None;
    for value in values(headers, "content-length") {
        let value = value.trim_ascii();
        if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
            return Err(HeadError::Malformed("Content-Length is not a number"));
        }
        let parsed = value.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        if length.is_some_and(|l| l != parsed) {
            return Err(HeadError::Malformed("conflicting Content-Length headers"));
        }
        length = Some(parsed);
    }
    match (encodings.as_slice(), length) {
        ([], length) => Ok(BodyFraming::Length(length.unwrap_or(0))),
        (_, Some(_)) => Err(HeadError::Malformed(
            "both Transfer-Encoding and Content-Length",
        )),
        ([only], None) if minor == 1 && only.trim_ascii().eq_ignore_ascii_case(b"chunked") => {
            Ok(BodyFraming::Chunked)
        }
        _ => Err(HeadError::Malformed(
            "only `Transfer-Encoding: chunked` is accepted",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<(RequestHead, usize)>, HeadError> {
        parse(text.as_bytes())
    }

    #[test]
    fn a_plain_post_is_parsed_with_its_length() {
        let (head, used) =
            head("POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nbody")
                .unwrap()
                .unwrap();
        assert_eq!(used, 60);
        assert_eq!(
            (head.method.as_str(), head.target.as_str()),
            ("POST", "/v1/responses")
        );
        assert_eq!(head.body, BodyFraming::Length(12));
        assert!(!head.close && !head.websocket && !head.expect_continue);
    }

    #[test]
    fn an_incomplete_head_waits_for_more() {
        assert!(
            head("POST /v1/responses HTTP/1.1\r\nHost:")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn smuggling_shapes_are_refused() {
        for text in [
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length : 3\r\n\r\n",
        ] {
            assert!(
                matches!(head(text), Err(HeadError::Malformed(_))),
                "{text:?}"
            );
        }
        let (same, _) = head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(same.body, BodyFraming::Length(3));
    }

    #[test]
    fn too_many_headers_is_too_large() {
        let mut text = String::from("GET / HTTP/1.1\r\n");
        for n in 0..=MAX_HEADERS {
            text += &["x-", &n.to_string(), ": v\r\n"].concat();
        }
        text.push_str("\r\n");
        assert_eq!(head(&text).unwrap_err(), HeadError::TooLarge);
    }

    #[test]
    fn connection_tokens_are_read() {
        let (h, _) = head("GET /v1/responses HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(h.websocket && !h.close);
        let (h, _) = head("GET / HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(h.close);
        let (h, _) = head("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(h.close && h.expect_continue && h.body == BodyFraming::Chunked);
    }
}
