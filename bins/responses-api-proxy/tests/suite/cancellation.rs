//! An upstream that does not answer costs a bounded time, and a client that gives up releases
//! the upstream connection at once, whether it was waiting for the first byte or mid-stream.

use std::io::{BufReader, Read as _};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::client::{connect, post, read_chunk, read_head, write_request};
use super::harness::Proxy;
use super::upstream::{Upstream, start_sse, write_chunk};

/// How long the hung upstream waits for the proxy to close before giving up itself.
const PATIENCE: Duration = Duration::from_secs(20);

/// An upstream that answers requests with body `sse` with a head and one event, others with
/// nothing, then waits for the proxy to close the connection and reports when it did (or
/// `None` if it never did within [`PATIENCE`]).
fn hung_upstream() -> (Upstream, Receiver<Option<Instant>>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let upstream = Upstream::start(move |request, stream| {
        if request.body == b"sse" {
            start_sse(stream)?;
            write_chunk(stream, b"data: first\n\n")?;
        }
        let closed = wait_for_close(stream);
        tx.lock().unwrap().send(closed).unwrap();
        Err(std::io::ErrorKind::ConnectionAborted.into())
    });
    (upstream, rx)
}

fn wait_for_close(stream: &mut TcpStream) -> Option<Instant> {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => Some(Instant::now()),
        Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => Some(Instant::now()),
        _ => None,
    }
}

#[test]
fn a_silent_upstream_gets_504_after_the_first_byte_timeout_and_is_let_go() {
    let (upstream, closed) = hung_upstream();
    let mut proxy = Proxy::builder(&upstream.url())
        .arg("--first-byte-timeout")
        .arg("1")
        .start();
    let start = Instant::now();
    let reply = post(proxy.port, &[]);
    let waited = start.elapsed();
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert!(
        reply.text().contains("--first-byte-timeout"),
        "{}",
        reply.text()
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    let closed_at = closed
        .recv()
        .unwrap()
        .expect("the upstream connection stayed open");
    assert!(closed_at.duration_since(start) < Duration::from_secs(4));
    proxy.wait_for_stderr("--first-byte-timeout");
    proxy.assert_alive();
    proxy.assert_key_not_printed();
}

#[test]
fn a_client_that_hangs_up_before_the_first_byte_cancels_the_upstream_request() {
    let (upstream, closed) = hung_upstream();
    // The default first-byte timeout (minutes) must not be what ends it.
    let mut proxy = Proxy::start(&upstream.url());
    let mut stream = connect(proxy.port);
    write_request(&mut stream, "POST", "/v1/responses", &[], b"{}");
    // Let the request reach the upstream, then leave.
    let deadline = Instant::now() + Duration::from_secs(5);
    while upstream.requests().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the request never reached the upstream"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let left = Instant::now();
    drop(stream);
    let closed_at = closed
        .recv()
        .unwrap()
        .expect("the upstream connection stayed open");
    let delay = closed_at.duration_since(left);
    assert!(
        delay < Duration::from_secs(2),
        "the upstream was let go {delay:?} after"
    );
    proxy.assert_alive();
    assert_eq!(
        proxy.stderr().matches("forwarding error").count(),
        0,
        "{}",
        proxy.stderr()
    );
}

#[test]
fn a_client_that_hangs_up_during_a_silent_stream_cancels_the_upstream_request() {
    let (upstream, closed) = hung_upstream();
    let mut proxy = Proxy::start(&upstream.url());
    let mut stream = connect(proxy.port);
    write_request(&mut stream, "POST", "/v1/responses", &[], b"sse");
    let mut reader = BufReader::new(stream);
    assert_eq!(read_head(&mut reader).0, 200);
    assert_eq!(read_chunk(&mut reader).unwrap(), b"data: first\n\n");
    let left = Instant::now();
    drop(reader);
    let closed_at = closed
        .recv()
        .unwrap()
        .expect("the upstream connection stayed open");
    let delay = closed_at.duration_since(left);
    assert!(
        delay < Duration::from_secs(2),
        "the upstream was let go {delay:?} after"
    );
    proxy.assert_alive();
}
