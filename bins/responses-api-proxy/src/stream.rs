//! Writing the upstream response to the client as it arrives.
//!
//! A copy loop that flushes only when its buffer fills holds back small SSE events (Codex's
//! proxy has this problem with its 8 KiB copy buffer). This module writes the status line, the
//! headers and then every upstream read as one chunk, flushing as soon as the upstream has
//! nothing more for the moment: an event reaches the client when the upstream has sent it, what
//! arrived together leaves together (one write, one wake-up of the client), and memory stays at
//! one copy buffer per request whatever the size of the response.

use std::io::{self, Read, Write};

use ureq::http::{HeaderMap, StatusCode};

/// Size of the per-request copy buffer. A read returns whatever the upstream has delivered so
/// far (up to this size); it never waits for the buffer to fill.
const COPY_BUFFER_SIZE: usize = 16 * 1024;

/// Upstream response headers that describe the upstream connection rather than the content.
/// The proxy frames the body itself.
const HOP_BY_HOP_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "keep-alive",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Upstream bodies of at most this many bytes, with a declared length, are sent in one piece.
const SMALL_BODY: u64 = 16 * 1024;

/// How the body is delimited on the client connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`, one chunk per upstream read (HTTP/1.1 clients, bodies of
    /// unknown or large size: SSE streams); the connection stays usable afterwards.
    Chunked,
    /// A small body of declared size ([`SMALL_BODY`] at most) is read first and sent with
    /// `Content-Length` in one write: nothing to stream, one write instead of three.
    Sized,
    /// HTTP/1.0 clients cannot read chunks: each read is passed on as it arrives and the end of
    /// the body is the end of the connection.
    CloseDelimited,
    /// The status forbids a body (1xx, 204, 304).
    NoBody,
}

impl Framing {
    /// Picks the framing for a response with `status` and the upstream's declared
    /// `content_length` to a client speaking HTTP/1.`minor`.
    pub fn choose(
        status: StatusCode,
        http_minor_version: u8,
        content_length: Option<u64>,
    ) -> Framing {
        if status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED
        {
            Framing::NoBody
        } else if content_length.is_some_and(|n| n <= SMALL_BODY) {
            Framing::Sized
        } else if http_minor_version == 0 {
            Framing::CloseDelimited
        } else {
            Framing::Chunked
        }
    }

    /// True when the client connection must close after the response.
    pub fn ends_connection(self) -> bool {
        self == Framing::CloseDelimited
    }
}

/// An upstream response body that can also tell, without waiting, whether more has arrived.
pub trait ResponseBody: Read {
    /// Like [`Read::read`], but `Ok(None)` instead of waiting when nothing has arrived yet.
    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>>;
}

/// How a streamed response ended.
#[derive(Debug)]
pub enum StreamEnd {
    /// The whole body reached the client.
    Complete,
    /// Writing to the client failed (it went away); the upstream read was abandoned.
    ClientGone(io::Error),
    /// Reading from the upstream failed after the headers were sent; the client was told the
    /// body is broken (see [`stream_response`]).
    UpstreamFailed(io::Error),
}

/// Copies `body` to `client` as chunks as it arrives, flushing whenever the upstream has nothing
/// more for the moment; status line and headers leave together with the first chunk, and the
/// final chunk with the last one when the end has already arrived too (one write per response
/// for a body that comes in one piece).
///
/// If the upstream fails before anything was sent, the client gets a 502 instead. If it fails
/// part-way through the body, a line that is not a valid chunk size is written: the client's
/// HTTP parser then fails and closes the connection, instead of waiting forever for a final
/// chunk that will not come.
pub fn stream_response(
    client: &mut dyn Write,
    status: StatusCode,
    headers: &HeaderMap,
    framing: Framing,
    close_after: bool,
    body: &mut dyn ResponseBody,
) -> StreamEnd {
    if framing == Framing::Sized {
        return send_sized(client, status, headers, close_after, body);
    }
    let chunked = framing == Framing::Chunked;
    let head = response_head(status, headers, framing, close_after);
    if framing == Framing::NoBody {
        return match client.write_all(&head).and_then(|()| client.flush()) {
            Ok(()) => StreamEnd::Complete,
            Err(err) => StreamEnd::ClientGone(err),
        };
    }

    let mut buf = vec![0u8; COPY_BUFFER_SIZE];
    // What leaves in the next write: the response head (first time), then every chunk that has
    // already arrived, and the final chunk if the body has ended by then. Nothing that has
    // arrived waits for anything that has not.
    let mut out = head;
    out.reserve(COPY_BUFFER_SIZE + 64);
    let mut head_sent = false;
    loop {
        let mut ended = match read_retrying(|| body.read(&mut buf)) {
            Ok(0) => true,
            Ok(n) => {
                push_data(&mut out, &buf[..n], chunked);
                false
            }
            Err(err) => return upstream_failed(client, &out, head_sent, chunked, err),
        };
        while !ended && out.len() < COPY_BUFFER_SIZE {
            match read_retrying(|| body.read_now(&mut buf)) {
                Ok(Some(0)) => ended = true,
                Ok(Some(n)) => push_data(&mut out, &buf[..n], chunked),
                Ok(None) => break,
                Err(err) => return upstream_failed(client, &out, head_sent, chunked, err),
            }
        }
        if ended && chunked {
            out.extend_from_slice(b"0\r\n\r\n");
        }
        if let Err(err) = client.write_all(&out).and_then(|()| client.flush()) {
            return StreamEnd::ClientGone(err);
        }
        if ended {
            return StreamEnd::Complete;
        }
        head_sent = true;
        out.clear();
    }
}

/// Calls `read` again when it was interrupted by a signal.
fn read_retrying<T>(mut read: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match read() {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Appends `data` to the pending write, as one chunk when `chunked`.
fn push_data(out: &mut Vec<u8>, data: &[u8], chunked: bool) {
    if chunked {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{:x}\r\n", data.len());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    } else {
        out.extend_from_slice(data);
    }
}

/// The upstream failed with `pending` not yet written. Before the head went out, the client
/// gets a 502 instead; after, what arrived is passed on and the body is broken off: a line
/// that is not a valid chunk size makes the client's parser fail and close, instead of waiting
/// for a final chunk that will not come (a close-delimited body can only be cut short).
fn upstream_failed(
    client: &mut dyn Write,
    pending: &[u8],
    head_sent: bool,
    chunked: bool,
    err: io::Error,
) -> StreamEnd {
    // Best effort: the client may be gone as well.
    let _ = if head_sent {
        client.write_all(pending).and_then(|()| {
            if chunked {
                client.write_all(b"upstream-failed\r\n")
            } else {
                Ok(())
            }
        })
    } else {
        client.write_all(&broken_off_response())
    }
    .and_then(|()| client.flush());
    StreamEnd::UpstreamFailed(err)
}

/// [`Framing::Sized`]: the body is read to the end before anything is sent, so an upstream
/// failure can still be reported as a 502. A body longer than it said is a failure too: at most
/// [`SMALL_BODY`] bytes are ever held.
fn send_sized(
    client: &mut dyn Write,
    status: StatusCode,
    headers: &HeaderMap,
    close_after: bool,
    body: &mut dyn Read,
) -> StreamEnd {
    let mut data = Vec::new();
    let read = body
        .take(SMALL_BODY + 1)
        .read_to_end(&mut data)
        .and_then(|n| {
            if n as u64 > SMALL_BODY {
                Err(io::Error::other(
                    "the upstream sent more than its Content-Length",
                ))
            } else {
                Ok(n)
            }
        });
    if let Err(err) = read {
        let _ = client
            .write_all(&broken_off_response())
            .and_then(|()| client.flush());
        return StreamEnd::UpstreamFailed(err);
    }
    let mut head = response_head(status, headers, Framing::Sized, close_after);
    // Replace the blank line that ends the head with the length header and a new blank line.
    head.truncate(head.len() - 2);
    // Writing to a Vec cannot fail.
    let _ = write!(head, "content-length: {}\r\n\r\n", data.len());
    head.extend_from_slice(&data);
    match client.write_all(&head).and_then(|()| client.flush()) {
        Ok(()) => StreamEnd::Complete,
        Err(err) => StreamEnd::ClientGone(err),
    }
}

/// The 502 sent when the upstream fails before any of its response reached the client.
fn broken_off_response() -> Vec<u8> {
    const BODY: &str =
        "responses-api-proxy: the upstream response broke off before it was complete\n";
    format!(
        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
}

/// Status line and headers, ending with the blank line.
fn response_head(
    status: StatusCode,
    headers: &HeaderMap,
    framing: Framing,
    close_after: bool,
) -> Vec<u8> {
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(b"HTTP/1.1 ");
    head.extend_from_slice(status.as_str().as_bytes());
    head.push(b' ');
    head.extend_from_slice(status.canonical_reason().unwrap_or("Unknown").as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        if HOP_BY_HOP_HEADERS.contains(&name.as_str()) {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if framing == Framing::Chunked {
        head.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    if close_after || framing.ends_connection() {
        head.extend_from_slice(b"connection: close\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    /// A reader that returns the given pieces one per read, then an optional error. Nothing is
    /// ever ready without waiting, so each piece gets a write of its own.
    struct Pieces(Vec<Result<Vec<u8>, io::ErrorKind>>);

    impl ResponseBody for Pieces {
        fn read_now(&mut self, _: &mut [u8]) -> io::Result<Option<usize>> {
            Ok(None)
        }
    }

    /// Pieces that have all arrived already.
    struct Arrived(Pieces);

    impl Read for Arrived {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl ResponseBody for Arrived {
        fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
            self.0.read(buf).map(Some)
        }
    }

    /// Records each write separately.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn what_has_arrived_leaves_in_one_write_with_the_final_chunk() {
        let mut writes = Writes::default();
        let end = stream_response(
            &mut writes,
            StatusCode::OK,
            &headers(),
            Framing::Chunked,
            false,
            &mut Arrived(Pieces(vec![
                Ok(b"data: 1\n\n".to_vec()),
                Ok(b"data: 2\n\n".to_vec()),
            ])),
        );
        assert!(matches!(end, StreamEnd::Complete));
        assert_eq!(writes.0.len(), 1);
        assert!(
            writes.0[0].ends_with(b"9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n"),
            "{:?}",
            String::from_utf8_lossy(&writes.0[0])
        );

        // Pieces that have to be waited for leave one by one.
        let mut writes = Writes::default();
        stream_response(
            &mut writes,
            StatusCode::OK,
            &headers(),
            Framing::Chunked,
            false,
            &mut Pieces(vec![
                Ok(b"data: 1\n\n".to_vec()),
                Ok(b"data: 2\n\n".to_vec()),
            ]),
        );
        assert_eq!(writes.0.len(), 3);
    }

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            match self.0.remove(0) {
                Ok(piece) => {
                    buf[..piece.len()].copy_from_slice(&piece);
                    Ok(piece.len())
                }
                Err(kind) => Err(io::Error::from(kind)),
            }
        }
    }

    fn headers() -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            "content-type",
            HeaderValue::from_static("text/event-stream"),
        );
        map.insert("content-length", HeaderValue::from_static("10"));
        map.insert("connection", HeaderValue::from_static("keep-alive"));
        map.insert("x-request-id", HeaderValue::from_static("req_1"));
        map
    }

    fn run(framing: Framing, pieces: Vec<Result<Vec<u8>, io::ErrorKind>>) -> (String, StreamEnd) {
        let mut out = Vec::new();
        let end = stream_response(
            &mut out,
            StatusCode::OK,
            &headers(),
            framing,
            false,
            &mut Pieces(pieces),
        );
        (String::from_utf8(out).unwrap(), end)
    }

    #[test]
    fn chunked_body_keeps_each_read_as_one_chunk() {
        let (out, end) = run(
            Framing::Chunked,
            vec![Ok(b"data: 1\n\n".to_vec()), Ok(b"data: 22\n\n".to_vec())],
        );
        assert!(matches!(end, StreamEnd::Complete));
        assert_eq!(
            out,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-request-id: req_1\r\n\
             transfer-encoding: chunked\r\n\r\n9\r\ndata: 1\n\n\r\na\r\ndata: 22\n\n\r\n0\r\n\r\n"
        );
    }

    #[test]
    fn small_bodies_go_out_whole_with_their_length() {
        let (out, end) = run(
            Framing::Sized,
            vec![Ok(b"hel".to_vec()), Ok(b"lo".to_vec())],
        );
        assert!(matches!(end, StreamEnd::Complete));
        assert!(
            out.ends_with("x-request-id: req_1\r\ncontent-length: 5\r\n\r\nhello"),
            "{out}"
        );
    }

    #[test]
    fn small_bodies_become_a_502_when_the_upstream_breaks_off() {
        let (out, end) = run(
            Framing::Sized,
            vec![Ok(b"hel".to_vec()), Err(io::ErrorKind::ConnectionReset)],
        );
        assert!(matches!(end, StreamEnd::UpstreamFailed(_)));
        assert!(out.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{out}");
        assert!(!out.contains("hel\r\n") && !out.ends_with("hel"), "{out}");
    }

    #[test]
    fn an_upstream_failure_breaks_the_chunk_stream() {
        let (out, end) = run(
            Framing::Chunked,
            vec![
                Ok(b"data: 1\n\n".to_vec()),
                Err(io::ErrorKind::ConnectionReset),
            ],
        );
        assert!(matches!(end, StreamEnd::UpstreamFailed(_)));
        assert!(
            out.ends_with("9\r\ndata: 1\n\n\r\nupstream-failed\r\n"),
            "{out}"
        );
        assert!(!out.ends_with("0\r\n\r\n"));
    }

    #[test]
    fn an_upstream_failure_before_any_data_becomes_a_502() {
        let (out, end) = run(Framing::Chunked, vec![Err(io::ErrorKind::ConnectionReset)]);
        assert!(matches!(end, StreamEnd::UpstreamFailed(_)));
        assert!(out.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{out}");
        assert!(out.ends_with("broke off before it was complete\n"), "{out}");
        assert!(!out.contains("req_1"), "{out}");
    }

    #[test]
    fn an_empty_chunked_body_is_head_and_final_chunk() {
        let (out, end) = run(Framing::Chunked, vec![]);
        assert!(matches!(end, StreamEnd::Complete));
        assert!(
            out.ends_with("transfer-encoding: chunked\r\n\r\n0\r\n\r\n"),
            "{out}"
        );
    }

    #[test]
    fn no_body_statuses_send_only_the_head() {
        assert_eq!(
            Framing::choose(StatusCode::NO_CONTENT, 1, None),
            Framing::NoBody
        );
        assert_eq!(Framing::choose(StatusCode::OK, 1, None), Framing::Chunked);
        assert_eq!(
            Framing::choose(StatusCode::OK, 1, Some(1 << 20)),
            Framing::Chunked
        );
        assert_eq!(
            Framing::choose(StatusCode::OK, 1, Some(300)),
            Framing::Sized
        );
        assert_eq!(
            Framing::choose(StatusCode::OK, 0, None),
            Framing::CloseDelimited
        );
        assert_eq!(
            Framing::choose(StatusCode::OK, 0, Some(1 << 20)),
            Framing::CloseDelimited
        );
        let mut out = Vec::new();
        let end = stream_response(
            &mut out,
            StatusCode::NO_CONTENT,
            &HeaderMap::new(),
            Framing::NoBody,
            false,
            &mut Pieces(vec![Ok(b"ignored".to_vec())]),
        );
        assert!(matches!(end, StreamEnd::Complete));
        assert_eq!(out, b"HTTP/1.1 204 No Content\r\n\r\n");
    }

    #[test]
    fn http10_clients_get_each_read_as_it_comes_then_the_close() {
        let (out, end) = run(
            Framing::CloseDelimited,
            vec![Ok(b"data: 1\n\n".to_vec()), Ok(b"data: 2\n\n".to_vec())],
        );
        assert!(matches!(end, StreamEnd::Complete));
        assert!(
            out.ends_with("x-request-id: req_1\r\nconnection: close\r\n\r\ndata: 1\n\ndata: 2\n\n"),
            "{out}"
        );
    }

    #[test]
    fn a_vanished_client_stops_the_copy() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let end = stream_response(
            &mut Broken,
            StatusCode::OK,
            &HeaderMap::new(),
            Framing::Chunked,
            false,
            &mut Pieces(vec![Ok(b"x".to_vec())]),
        );
        assert!(matches!(end, StreamEnd::ClientGone(_)));
    }
}
