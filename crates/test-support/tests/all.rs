//! The mock server itself: usable from blocking code, strict about its script, quick.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use codex_test_support::responses::sse_assistant_turn;
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome};

fn raw_post(server: &MockServer, path: &str, body: &str) -> String {
    let mut tcp = TcpStream::connect(server.addr()).unwrap();
    write!(
        tcp,
        "POST {path}?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Test: yes\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serves_blocking_clients_in_script_order_and_records_requests() {
    let server = MockServer::start();
    server.push(MockResponse::sse_body(sse_assistant_turn("r1", "first")));
    server.push(MockResponse::rate_limited(7));
    let first = raw_post(&server, "/v1/responses", r#"{"input":[]}"#);
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(first.contains("content-type: text/event-stream"), "{first}");
    assert!(first.contains("\"text\":\"first\""), "{first}");
    let second = raw_post(&server, "/v1/chat/completions", "{}");
    assert!(second.starts_with("HTTP/1.1 429"), "{second}");
    assert!(second.contains("retry-after: 7"), "{second}");

    let requests = server.wait_for_requests(2, Duration::from_secs(5));
    assert_eq!(requests[0].path, "/v1/responses");
    assert_eq!(requests[0].query_param("x"), Some("1"));
    assert_eq!(requests[0].header("X-Test"), Some("yes"));
    assert_eq!(requests[0].body_json()["input"], serde_json::json!([]));
    assert_eq!(requests[1].path, "/v1/chat/completions");
    server.assert_all_used();
}

#[test]
fn an_unscripted_request_fails_loudly() {
    let server = MockServer::start();
    let response = raw_post(&server, "/v1/responses", "{}");
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(
        response.contains("no scripted response is left"),
        "{response}"
    );
    assert_eq!(server.problems().len(), 1);
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(server)));
    assert!(
        dropped.is_err(),
        "dropping a server that saw problems must panic"
    );
}

#[test]
fn the_fallback_serves_any_number_of_requests() {
    let server = MockServer::start();
    server.set_fallback(Some(MockResponse::status(204)));
    for _ in 0..3 {
        assert!(raw_post(&server, "/v1/responses", "{}").starts_with("HTTP/1.1 204"));
    }
    assert!(server.problems().is_empty());
}

#[tokio::test]
async fn keep_alive_requests_do_not_stall() {
    // A response written in two pieces without TCP_NODELAY stalls ~40 ms on loopback.
    let server = MockServer::start();
    server.set_fallback(Some(MockResponse::sse_body(sse_assistant_turn("r", "hi"))));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/responses", server.base_url());
    let start = Instant::now();
    for _ in 0..20 {
        let body = client
            .post(&url)
            .body("{}")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(!body.is_empty());
    }
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_millis(600),
        "20 requests took {elapsed:?}"
    );
}

#[test]
fn test_home_points_the_mock_provider_at_the_server() {
    let server = MockServer::start();
    let home = TestHome::for_mock_wire(&server, MockWire::Chat);
    let config = std::fs::read_to_string(home.config_path()).unwrap();
    assert!(config.contains("model_provider = \"mock\""), "{config}");
    assert!(
        config.contains(&format!("base_url = \"{}\"", server.base_url())),
        "{config}"
    );
    assert!(config.contains("wire_api = \"chat\""), "{config}");
    home.append_config("[sandbox]\ndeny_read = []\n");
    let config = std::fs::read_to_string(home.config_path()).unwrap();
    assert!(config.ends_with("[sandbox]\ndeny_read = []\n"), "{config}");
    let path = home.path().to_owned();
    drop(home);
    assert!(!path.exists());
}
