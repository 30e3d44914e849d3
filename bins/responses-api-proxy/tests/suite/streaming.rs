//! Responses stream through as they arrive, in constant memory, and a client that leaves does
//! not hurt the proxy.

use std::io::BufReader;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::client::{connect, post, read_chunk, read_head, write_request};
use super::harness::Proxy;
use super::upstream::{Upstream, end_chunks, respond, start_sse, write_chunk};

const GAP: Duration = Duration::from_millis(150);

#[test]
fn sse_events_arrive_one_by_one_with_their_spacing() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&sent);
    let upstream = Upstream::start(move |_, stream| {
        start_sse(stream)?;
        for n in 0..3 {
            std::thread::sleep(GAP);
            log.lock().unwrap().push(Instant::now());
            write_chunk(
                stream,
                format!("event: tick\ndata: {{\"n\":{n}}}\n\n").as_bytes(),
            )?;
        }
        end_chunks(stream)
    });
    let proxy = Proxy::start(&upstream.url());

    let mut stream = connect(proxy.port);
    write_request(&mut stream, "POST", "/v1/responses", &[], b"{}");
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    assert_eq!(status, 200);
    assert!(headers.contains(&("content-type".into(), "text/event-stream".into())));
    let mut arrivals = Vec::new();
    while let Some(chunk) = read_chunk(&mut reader) {
        arrivals.push((Instant::now(), String::from_utf8(chunk).unwrap()));
    }

    let sent = sent.lock().unwrap().clone();
    assert_eq!(
        arrivals.len(),
        3,
        "each event should come as its own chunk: {arrivals:?}"
    );
    for (n, ((arrived, text), sent)) in arrivals.iter().zip(&sent).enumerate() {
        assert_eq!(text, &format!("event: tick\ndata: {{\"n\":{n}}}\n\n"));
        let delay = arrived.duration_since(*sent);
        assert!(
            // Generous for a loaded CI machine, still far below GAP: a buffering proxy holds
            // the first event until the others arrive (300 ms later).
            delay < Duration::from_millis(100),
            "event {n} arrived {delay:?} after it was sent"
        );
    }
    for pair in arrivals.windows(2) {
        let spacing = pair[1].0.duration_since(pair[0].0);
        assert!(
            spacing > Duration::from_millis(70),
            "events bunched: {spacing:?}"
        );
    }
}

#[test]
fn ten_megabytes_stream_through_in_flat_memory() {
    const PIECE: usize = 64 * 1024;
    const PIECES: usize = 160; // 10 MiB
    let upstream = Upstream::start(|request, stream| {
        if request.body != b"big" {
            return respond(stream, 200, &[], b"small");
        }
        start_sse(stream)?;
        let piece: Vec<u8> = (0..PIECE).map(|i| b'a' + (i % 26) as u8).collect();
        for _ in 0..PIECES {
            write_chunk(stream, &piece)?;
        }
        end_chunks(stream)
    });
    let proxy = Proxy::start(&upstream.url());
    // Warm up: the first request sets up the upstream connection and a request thread.
    assert_eq!(
        super::client::send(proxy.port, "POST", "/v1/responses", &[], b"small").status,
        200
    );
    let before = proxy.status_kib("VmHWM");

    let mut stream = connect(proxy.port);
    write_request(&mut stream, "POST", "/v1/responses", &[], b"big");
    let mut reader = BufReader::new(stream);
    assert_eq!(read_head(&mut reader).0, 200);
    let mut total = 0;
    while let Some(chunk) = read_chunk(&mut reader) {
        assert!(chunk.iter().all(u8::is_ascii_lowercase));
        total += chunk.len();
    }
    assert_eq!(total, PIECE * PIECES);

    let after = proxy.status_kib("VmHWM");
    let rss = proxy.status_kib("VmRSS");
    assert!(
        after.saturating_sub(before) < 3 * 1024,
        "peak RSS grew from {before} KiB to {after} KiB while streaming 10 MiB"
    );
    assert!(
        rss < before + 3 * 1024,
        "RSS {rss} KiB after the stream (peak before {before} KiB)"
    );
}

#[test]
fn a_client_leaving_mid_stream_ends_the_upstream_read_and_nothing_else() {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let upstream = Upstream::start(move |request, stream| {
        if request.body != b"slow" {
            return respond(stream, 200, &[], b"after");
        }
        start_sse(stream)?;
        for n in 0..250 {
            if let Err(err) = write_chunk(stream, format!("data: {n}\n\n").as_bytes()) {
                tx.lock().unwrap().send(n).unwrap();
                return Err(err);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        tx.lock().unwrap().send(usize::MAX).unwrap();
        end_chunks(stream)
    });
    let mut proxy = Proxy::start(&upstream.url());

    let mut stream = connect(proxy.port);
    write_request(&mut stream, "POST", "/v1/responses", &[], b"slow");
    let mut reader = BufReader::new(stream);
    assert_eq!(read_head(&mut reader).0, 200);
    assert_eq!(read_chunk(&mut reader).unwrap(), b"data: 0\n\n");
    drop(reader);

    let stopped_at = rx
        .recv_timeout(Duration::from_secs(4))
        .expect("the upstream kept streaming to nobody");
    assert!(
        stopped_at < 100,
        "the proxy read {stopped_at} events after the client left"
    );
    assert!(proxy.is_running());
    let reply = post(proxy.port, &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "after");
}

#[test]
fn a_long_stream_does_not_hold_up_other_requests() {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let upstream = Upstream::start(move |request, stream| {
        if request.body != b"hold" {
            return respond(stream, 200, &[], b"quick");
        }
        start_sse(stream)?;
        write_chunk(stream, b"data: first\n\n")?;
        let _ = release_rx
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(10));
        write_chunk(stream, b"data: last\n\n")?;
        end_chunks(stream)
    });
    let proxy = Proxy::start(&upstream.url());

    let mut holders = Vec::new();
    for _ in 0..3 {
        let mut stream = connect(proxy.port);
        write_request(&mut stream, "POST", "/v1/responses", &[], b"hold");
        let mut reader = BufReader::new(stream);
        assert_eq!(read_head(&mut reader).0, 200);
        assert_eq!(read_chunk(&mut reader).unwrap(), b"data: first\n\n");
        holders.push(reader);
    }
    let start = Instant::now();
    for _ in 0..3 {
        let reply = super::client::send(proxy.port, "POST", "/v1/responses", &[], b"other");
        assert_eq!(reply.text(), "quick");
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    for _ in &holders {
        release_tx.send(()).unwrap();
    }
    for mut reader in holders {
        assert_eq!(read_chunk(&mut reader).unwrap(), b"data: last\n\n");
        assert!(read_chunk(&mut reader).is_none());
    }
}
