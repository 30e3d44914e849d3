//! Request bodies stream upstream as they arrive: a 200 MB body passes in flat memory, chunked
//! bodies are decoded, and a client that stalls mid-body does not pin the proxy.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use super::client::{connect, read_reply};
use super::harness::Proxy;

/// An upstream that reads each request body without keeping it and answers with its length
/// and how it was framed (`length` or `chunked`).
fn counting_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let _ = count_one(stream);
            });
        }
    });
    port
}

fn count_one(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let (mut length, mut chunked) = (0u64, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_ascii_lowercase();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "transfer-encoding: chunked" {
            chunked = true;
        }
    }
    let total = if chunked {
        let mut total = 0;
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = u64::from_str_radix(size.trim_end(), 16).unwrap_or(0);
            std::io::copy(&mut (&mut reader).take(size + 2), &mut std::io::sink())?;
            if size == 0 {
                break total;
            }
            total += size;
        }
    } else {
        std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink())?
    };
    let body = format!("{} {total}", if chunked { "chunked" } else { "length" });
    write!(
        writer,
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn a_200_mb_body_streams_upstream_in_flat_memory() {
    const PIECE: usize = 256 * 1024;
    const PIECES: usize = 800; // 200 MiB
    let port = counting_upstream();
    let mut proxy = Proxy::start(&format!("http://127.0.0.1:{port}/v1/responses"));
    let warm = super::client::send(proxy.port, "POST", "/v1/responses", &[], b"warm");
    assert_eq!(warm.text(), "length 4");
    let before = proxy.status_kib("VmHWM");

    let mut stream = connect(proxy.port);
    let total = PIECE * PIECES;
    write!(
        stream,
        "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n"
    )
    .unwrap();
    let piece = vec![b'z'; PIECE];
    let mut samples = Vec::new();
    for n in 0..PIECES {
        stream.write_all(&piece).unwrap();
        if n % 80 == 0 {
            samples.push(proxy.status_kib("VmRSS"));
        }
    }
    let reply = read_reply(&mut BufReader::new(stream));
    assert_eq!(reply.text(), format!("length {total}"));
    let after = proxy.status_kib("VmHWM");
    println!("RSS samples while sending 200 MiB (KiB): {samples:?}; peak {before} -> {after}");
    assert!(
        after < before + 8 * 1024,
        "peak RSS went from {before} KiB to {after} KiB for a 200 MiB body: {samples:?}"
    );
    proxy.assert_alive();
}

#[test]
fn a_chunked_body_is_decoded_and_streamed_upstream() {
    let port = counting_upstream();
    let proxy = Proxy::start(&format!("http://127.0.0.1:{port}/v1/responses"));
    let mut stream = connect(proxy.port);
    let mut request =
        b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let mut sent = 0;
    for size in [1usize, 4096, 70_000, 3] {
        request.extend_from_slice(format!("{size:x};ext=1\r\n").as_bytes());
        request.extend(std::iter::repeat_n(b'q', size));
        request.extend_from_slice(b"\r\n");
        sent += size;
    }
    request.extend_from_slice(b"0\r\nX-Trailer: t\r\n\r\n");
    stream.write_all(&request).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    assert_eq!(read_reply(&mut reader).text(), format!("chunked {sent}"));

    // The connection is still in step: a second request on it works.
    stream
        .write_all(b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        .unwrap();
    assert_eq!(read_reply(&mut reader).text(), "length 2");
}

#[test]
fn a_client_that_stalls_mid_body_is_dropped_after_the_idle_timeout() {
    let port = counting_upstream();
    let mut proxy = Proxy::builder(&format!("http://127.0.0.1:{port}/v1/responses"))
        .arg("--idle-timeout")
        .arg("1")
        .start();
    let mut stream = connect(proxy.port);
    stream
        .write_all(
            b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly this",
        )
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    proxy.assert_alive();
}

#[test]
fn expect_100_continue_gets_its_interim_answer_before_the_body_is_sent() {
    let port = counting_upstream();
    let proxy = Proxy::start(&format!("http://127.0.0.1:{port}/v1/responses"));
    let mut stream = connect(proxy.port);
    stream
        .write_all(b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    reader.read_line(&mut line).unwrap();
    stream.write_all(b"hello").unwrap();
    assert_eq!(read_reply(&mut reader).text(), "length 5");
}

#[test]
fn pipelined_requests_are_answered_in_order_and_framing_is_kept() {
    let port = counting_upstream();
    let proxy = Proxy::start(&format!("http://127.0.0.1:{port}/v1/responses"));
    let mut stream = connect(proxy.port);
    // Three requests in one write: a sized body, a refused one with a body, and one after it
    // that must not be read as part of the refused one's body.
    stream
        .write_all(
            b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
              POST /v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n\
              GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .unwrap();
    let mut reader = BufReader::new(stream);
    assert_eq!(read_reply(&mut reader).text(), "length 3");
    assert_eq!(read_reply(&mut reader).text(), "chunked 2");
    assert_eq!(read_reply(&mut reader).status, 403);
}
