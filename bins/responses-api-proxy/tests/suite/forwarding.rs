//! What the upstream receives and what the client gets back.

use std::io::BufReader;

use super::client::{connect, post, read_reply, send, write_request};
use super::harness::{KEY, Proxy};
use super::upstream::{Upstream, dead_url, end_chunks, respond, start_sse, write_chunk};

#[test]
fn upstream_sees_the_proxy_key_and_host_not_the_clients() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    let body = br#"{"model":"gpt-5","input":[{"role":"user","content":"hi"}],"stream":true}"#;
    let reply = send(
        proxy.port,
        "POST",
        "/v1/responses",
        &[
            ("Authorization", "Bearer client-secret"),
            ("Host", "evil.example"),
            ("Content-Type", "application/json"),
            ("OpenAI-Beta", "responses=experimental"),
            ("X-Custom", "kept"),
        ],
        body,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"{\"ok\":true}");
    assert_eq!(reply.header("x-request-id"), Some("req_1"));

    let seen = &upstream.requests()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.target, "/v1/responses");
    assert_eq!(seen.all("authorization"), vec![format!("Bearer {KEY}")]);
    assert_eq!(
        seen.header("host"),
        Some(format!("127.0.0.1:{}", upstream.port).as_str())
    );
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("openai-beta"), Some("responses=experimental"));
    assert_eq!(seen.header("x-custom"), Some("kept"));
    assert_eq!(
        seen.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(seen.body, body);
    let all = format!("{:?}", seen.headers);
    assert!(
        !all.contains("client-secret") && !all.contains("evil.example"),
        "{all}"
    );
    proxy.assert_key_not_printed();
}

#[test]
fn upstream_path_and_query_come_from_the_upstream_url() {
    let upstream = Upstream::json_ok();
    let url = format!(
        "http://127.0.0.1:{}/openai/responses?api-version=2025-04-01-preview",
        upstream.port
    );
    let proxy = Proxy::start(&url);
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert_eq!(
        upstream.requests()[0].target,
        "/openai/responses?api-version=2025-04-01-preview"
    );
}

#[test]
fn upstream_errors_are_passed_through_unchanged() {
    let upstream = Upstream::start(|_, stream| {
        respond(
            stream,
            429,
            &[("content-type", "application/json"), ("retry-after", "7")],
            b"{\"error\":{\"code\":\"rate_limit_exceeded\"}}",
        )
    });
    let proxy = Proxy::start(&upstream.url());
    let reply = post(proxy.port, &[]);
    assert_eq!(reply.status, 429);
    assert_eq!(reply.header("retry-after"), Some("7"));
    assert_eq!(
        reply.text(),
        "{\"error\":{\"code\":\"rate_limit_exceeded\"}}"
    );
}

#[test]
fn one_client_connection_carries_several_requests() {
    let upstream = Upstream::start(|request, stream| {
        start_sse(stream)?;
        write_chunk(stream, &request.body)?;
        end_chunks(stream)
    });
    let proxy = Proxy::start(&upstream.url());
    let mut stream = connect(proxy.port);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for round in 0..3 {
        let body = format!("round {round}");
        write_request(&mut stream, "POST", "/v1/responses", &[], body.as_bytes());
        let reply = read_reply(&mut reader);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("text/event-stream"));
        assert_eq!(reply.text(), body);
    }
    assert_eq!(upstream.requests().len(), 3);
}

#[test]
fn a_dead_upstream_gives_502_with_a_clear_body() {
    let url = dead_url();
    let proxy = Proxy::start(&url);
    let reply = post(proxy.port, &[("Authorization", "Bearer client-secret")]);
    assert_eq!(reply.status, 502);
    let text = reply.text();
    assert!(text.contains("could not be reached"), "{text}");
    assert!(text.contains(&url), "{text}");
    assert!(
        !text.contains(KEY) && !text.contains("client-secret"),
        "{text}"
    );
    proxy.wait_for_stderr("forwarding error");
    proxy.assert_key_not_printed();
}

#[test]
fn http10_clients_get_the_body_unchunked_until_the_close() {
    use std::io::{Read as _, Write as _};
    let upstream = Upstream::start(|_, stream| {
        start_sse(stream)?;
        write_chunk(stream, b"data: a\n\n")?;
        write_chunk(stream, b"data: b\n\n")?;
        end_chunks(stream)
    });
    let proxy = Proxy::start(&upstream.url());
    let mut stream = connect(proxy.port);
    stream
        .write_all(b"POST /v1/responses HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.contains("\r\nconnection: close\r\n"), "{raw}");
    assert!(
        !raw.contains("chunked") && !raw.contains("content-length"),
        "{raw}"
    );
    assert!(raw.ends_with("\r\n\r\ndata: a\n\ndata: b\n\n"), "{raw}");
}

#[test]
fn an_upstream_that_drops_idle_connections_is_reconnected_to() {
    // Answers, then closes without saying so (as servers do with idle keep-alive connections).
    let upstream = Upstream::start(|_, stream| {
        respond(stream, 200, &[], b"once")?;
        Err(std::io::ErrorKind::ConnectionAborted.into())
    });
    let proxy = Proxy::start(&upstream.url());
    for _ in 0..3 {
        let reply = post(proxy.port, &[]);
        assert_eq!((reply.status, reply.text().as_str()), (200, "once"));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn an_upstream_head_with_a_huge_line_gets_502_without_being_buffered() {
    use std::io::Write as _;
    let upstream = Upstream::start(|request, stream| {
        if request.body == b"{\"model\":\"m\",\"input\":[]}" {
            return respond(stream, 200, &[], b"fine");
        }
        stream.write_all(b"HTTP/1.1 200 OK\r\nx-big: ")?;
        let piece = vec![b'a'; 1 << 20];
        for _ in 0..32 {
            stream.write_all(&piece)?;
        }
        stream.write_all(b"\r\n\r\n")
    });
    let mut proxy = Proxy::start(&upstream.url());
    assert_eq!(post(proxy.port, &[]).status, 200);
    let before = proxy.status_kib("VmHWM");
    let reply = send(proxy.port, "POST", "/v1/responses", &[], b"big");
    assert_eq!(reply.status, 502, "{}", reply.text());
    let after = proxy.status_kib("VmHWM");
    assert!(
        after < before + 4096,
        "peak RSS went from {before} KiB to {after} KiB for a 32 MiB upstream header line"
    );
    proxy.assert_alive();
    assert_eq!(post(proxy.port, &[]).status, 200);
}
