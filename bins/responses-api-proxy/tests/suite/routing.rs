//! Only the exact `POST /v1/responses` reaches the upstream.

use super::client::{post, send};
use super::harness::Proxy;
use super::upstream::Upstream;

#[test]
fn everything_but_the_exact_post_is_refused_with_403() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    for (method, target) in [
        ("GET", "/v1/responses"),
        ("PUT", "/v1/responses"),
        ("DELETE", "/v1/responses"),
        ("POST", "/v1/responses?stream=true"),
        ("POST", "/v1/responses?"),
        ("POST", "/v1/responses/"),
        ("POST", "/v1/responses/abc"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/responses"),
        ("POST", "/V1/RESPONSES"),
        ("GET", "/shutdown"),
        ("GET", "/"),
    ] {
        let reply = send(proxy.port, method, target, &[], b"{}");
        assert_eq!(reply.status, 403, "{method} {target}");
        assert!(reply.body.is_empty(), "{method} {target}: {}", reply.text());
    }
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());

    let reply = post(proxy.port, &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(upstream.requests().len(), 1);
    assert!(proxy_still_up(&proxy));
}

fn proxy_still_up(proxy: &Proxy) -> bool {
    send(proxy.port, "GET", "/", &[], b"").status == 403
}

#[test]
fn a_websocket_upgrade_on_the_responses_path_gets_426() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    // What Codex's clients send first; they fall back to HTTP at once only on 426.
    let reply = send(
        proxy.port,
        "GET",
        "/v1/responses",
        &[
            ("Connection", "Upgrade"),
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Authorization", "Bearer client-secret"),
        ],
        b"",
    );
    assert_eq!(reply.status, 426);
    assert!(reply.header("upgrade").is_none(), "{:?}", reply.headers);
    // Elsewhere an upgrade is just another refused request.
    let elsewhere = send(
        proxy.port,
        "GET",
        "/v1/models",
        &[("Connection", "Upgrade"), ("Upgrade", "websocket")],
        b"",
    );
    assert_eq!(elsewhere.status, 403);
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
    assert_eq!(post(proxy.port, &[]).status, 200);
}

#[test]
fn ambiguous_body_framing_is_refused_with_400_before_anything_is_forwarded() {
    use std::io::{Read as _, Write as _};
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    for head in [
        "POST /v1/responses HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /v1/responses HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\n",
        "POST /v1/responses HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
        "POST /v1/responses HTTP/1.1\r\nHost : x\r\n\r\n",
    ] {
        let mut stream = super::client::connect(proxy.port);
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 400 "), "{head:?}: {answer:?}");
    }
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
}
