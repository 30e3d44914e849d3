//! A hostile client cannot knock the proxy over: oversized heads, slow heads, descriptor floods,
//! and a pool of keep-alive clients all get answers, and the proxy keeps serving.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::client::{connect, post, read_reply, write_request};
use super::harness::{Proxy, as_nobody, can_switch_users};
use super::upstream::Upstream;

/// Writes `head` on a thread (the proxy may answer before reading it all) and reads the reply.
fn send_raw_head(port: u16, head: Vec<u8>) -> u16 {
    let stream = connect(port);
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&head);
    });
    let reply = read_reply(&mut BufReader::new(stream));
    let _ = sender.join();
    reply.status
}

#[test]
fn a_flood_of_distinct_header_names_gets_431_not_a_crash() {
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::start(&upstream.url());
    // What took the old proxy down: 24,576 distinct names overflow http::HeaderMap.
    let mut head = b"POST /v1/responses HTTP/1.1\r\nHost: x\r\n".to_vec();
    for n in 0..24_576 {
        head.extend_from_slice(format!("x-flood-{n}: v\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    assert_eq!(send_raw_head(proxy.port, head), 431);

    // Just over the header count, in a small head.
    let mut head = b"GET / HTTP/1.1\r\n".to_vec();
    for n in 0..101 {
        head.extend_from_slice(format!("x-{n}: v\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    assert_eq!(send_raw_head(proxy.port, head), 431);

    proxy.assert_alive();
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert!(
        upstream.requests().len() == 1,
        "a flood reached the upstream"
    );
}

#[test]
fn a_huge_header_line_is_refused_without_being_buffered() {
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::start(&upstream.url());
    assert_eq!(post(proxy.port, &[]).status, 200);
    let before = proxy.status_kib("VmHWM");
    let mut head = b"POST /v1/responses HTTP/1.1\r\nX-Big: ".to_vec();
    head.resize(head.len() + 8 * 1024 * 1024, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    assert_eq!(send_raw_head(proxy.port, head), 431);
    let after = proxy.status_kib("VmHWM");
    assert!(
        after < before + 2048,
        "peak RSS went from {before} KiB to {after} KiB for an 8 MiB header line"
    );
    proxy.assert_alive();
    assert_eq!(post(proxy.port, &[]).status, 200);
}

#[test]
fn a_head_that_trickles_in_gets_408_after_the_header_timeout() {
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::builder(&upstream.url())
        .arg("--header-timeout")
        .arg("1")
        .start();
    let mut stream = connect(proxy.port);
    let start = Instant::now();
    stream
        .write_all(b"POST /v1/responses HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let dripper = std::thread::spawn(move || {
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(b"X").is_err() {
                return;
            }
        }
    });
    let reply = read_reply(&mut BufReader::new(stream));
    let waited = start.elapsed();
    assert_eq!(reply.status, 408);
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    let _ = dripper.join();

    // A connection that sends nothing is closed after the same time.
    let mut idle = connect(proxy.port);
    let start = Instant::now();
    let mut answer = String::new();
    idle.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    proxy.assert_alive();
}

#[test]
fn a_descriptor_flood_from_another_user_under_a_low_limit_gets_503s_then_service_resumes() {
    if !can_switch_users() {
        return;
    }
    let upstream = Upstream::json_ok();
    // 64 descriptors: the proxy derives a cap of 20 connections from it.
    let mut proxy = Proxy::builder(&upstream.url())
        .nofile(64)
        .arg("--header-timeout")
        .arg("2")
        .start();
    let script = format!(
        "for i in $(seq 300); do exec {{fd}}<>/dev/tcp/127.0.0.1/{port} || true; done 2>/dev/null; \
         echo opened; sleep 6",
        port = proxy.port
    );
    let mut flooder = Command::new("setpriv")
        .args(as_nobody())
        .args(["bash", "-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(flooder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "opened");

    proxy.assert_alive();
    assert!(
        proxy.open_descriptors() <= 64,
        "{} descriptors open",
        proxy.open_descriptors()
    );
    let busy = post(proxy.port, &[]);
    assert_eq!(busy.status, 503, "{}", busy.text());
    assert!(
        busy.text().contains("too many connections"),
        "{}",
        busy.text()
    );

    // The flood's idle connections time out; the proxy serves again while the flooder still runs.
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let status = post(proxy.port, &[]).status;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503);
        assert!(Instant::now() < deadline, "still refusing after the flood");
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = flooder.kill();
    let _ = flooder.wait();
    proxy.assert_alive();
    proxy.assert_key_not_printed();
}

#[test]
fn eight_pooled_keep_alive_clients_are_all_served_run_after_run() {
    const CLIENTS: usize = 8;
    const REQUESTS: usize = 100;
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::start(&upstream.url());
    for run in 0..5 {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let port = proxy.port;
                std::thread::spawn(move || {
                    let mut stream = connect(port);
                    stream
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    for _ in 0..REQUESTS {
                        write_request(&mut stream, "POST", "/v1/responses", &[], b"{}");
                        assert_eq!(read_reply(&mut reader).status, 200);
                    }
                })
            })
            .collect();
        for (n, client) in clients.into_iter().enumerate() {
            assert!(client.join().is_ok(), "run {run}: connection {n} stalled");
        }
    }
    assert_eq!(upstream.requests().len(), 5 * CLIENTS * REQUESTS);
    proxy.assert_alive();
}
