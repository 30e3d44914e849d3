//! A server that misbehaves on purpose: absurd retry hints, streams kept warm with comments
//! only, and pages that are not event streams. Each must end quickly with the reason.

use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_model_client::{ClientError, ModelClient};
use codex_protocol::WireApi;
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};

use super::common::*;

fn client_with(server: &MockServer, retries: u64, idle_ms: u64) -> ModelClient {
    let mut provider = provider(server, WireApi::Responses);
    provider.request_max_retries = Some(retries);
    provider.stream_idle_timeout_ms = Some(idle_ms);
    ModelClient::new(config_for(provider)).unwrap()
}

/// Regression: `Retry-After: 1e300` panicked converting to a `Duration`; `3600` slept for an
/// hour in silence. Both now fail at once, naming the server's reason and the wait it asked.
#[tokio::test]
async fn absurd_and_long_retry_after_fail_fast_with_the_reason() {
    for (header, shown) in [
        ("3600", "1 h 0 min"),
        ("1e300", "more than 100 years"),
        ("18446744073709551616", "more than 100 years"),
    ] {
        let server = MockServer::start();
        server.push(
            MockResponse::api_error(429, "rate_limit_exceeded", "Rate limit reached for gpt-x")
                .with_header("retry-after", header),
        );
        let client = client_with(&server, 4, 5_000);
        let start = Instant::now();
        let e = client.stream(&prompt("hi")).await.unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(3), "{header}");
        assert!(matches!(e, ClientError::WaitTooLong { .. }), "{e:?}");
        assert!(!e.is_retryable());
        let message = e.to_string();
        assert!(
            message.contains("Rate limit reached for gpt-x"),
            "{message}"
        );
        assert!(message.contains(shown), "{message}");
        assert!(message.contains("max_retry_wait_ms"), "{message}");
        assert_eq!(
            server.request_count(),
            1,
            "{header}: no retry after refusing"
        );
    }
}

#[tokio::test]
async fn try_again_in_a_huge_number_fails_fast() {
    let server = MockServer::start();
    server.push(MockResponse::api_error(
        429,
        "rate_limit_exceeded",
        &format!("Please try again in {}s.", "9".repeat(40)),
    ));
    let e = client_with(&server, 2, 5_000)
        .stream(&prompt("hi"))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::WaitTooLong { .. }), "{e:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_wait_within_the_maximum_is_still_honoured() {
    let server = MockServer::start();
    server.push(MockResponse::rate_limited(1));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
    let mut provider = provider(&server, WireApi::Responses);
    provider.request_max_retries = Some(1);
    provider.max_retry_wait_ms = Some(1_500);
    let client = ModelClient::new(config_for(provider)).unwrap();
    let start = Instant::now();
    events(&client, &prompt("hi")).await;
    assert!(start.elapsed() >= Duration::from_millis(950));
    // And the turn loop's check refuses a stream error's hint over the maximum.
    let hinted = ClientError::Stream {
        message: "overloaded".into(),
        retry_after: Some(Duration::from_secs(2)),
    };
    let refused = client.retry_delay(&hinted, 1).unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("overloaded; the server asked to wait 2 s"),
        "{refused}"
    );
}

/// Regression: a stream of `: keep-alive` comments reset the idle timer forever.
#[tokio::test]
async fn comment_only_stream_times_out() {
    let server = MockServer::start();
    server.push(MockResponse::sse_then_keep_alive(
        &[ev_response_created("r")],
        Duration::from_millis(50),
    ));
    let client = client_with(&server, 0, 400);
    let start = Instant::now();
    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    let elapsed = start.elapsed();
    assert!(e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("400 ms"), "{e}");
    assert!(elapsed >= Duration::from_millis(380), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

/// Event data that arrives slowly, byte by byte, is progress: no timeout.
#[tokio::test]
async fn slow_event_data_keeps_the_stream_alive() {
    let server = MockServer::start();
    let body = sse_assistant_turn("r", "slow but steady");
    let chunks: Vec<Bytes> = body
        .as_bytes()
        .chunks(40)
        .map(Bytes::copy_from_slice)
        .collect();
    server.push(MockResponse::sse_raw_chunks(
        chunks,
        Duration::from_millis(60),
        false,
    ));
    let client = client_with(&server, 0, 300);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(text_of(&events), "slow but steady");
}

fn text_of(events: &[codex_model_client::ResponseEvent]) -> String {
    done_items(events)
        .iter()
        .filter_map(codex_protocol::ResponseItem::message_text)
        .collect()
}

/// Regression: an HTML page with 200 was retried five times and reported as a stream that
/// closed early.
#[tokio::test]
async fn html_instead_of_an_event_stream_is_reported_once() {
    let server = MockServer::start();
    server.push(
        MockResponse::status(200)
            .with_header("content-type", "text/html; charset=utf-8")
            .with_body(
                "<html><body>Captive portal. Your token: sk-live-abcdefghijklmnopqrstuvwxyz</body></html>",
            ),
    );
    let e = client_with(&server, 4, 5_000)
        .stream(&prompt("hi"))
        .await
        .unwrap_err();
    assert!(!e.is_retryable());
    let message = e.to_string();
    assert!(message.contains("HTTP 200"), "{message}");
    assert!(message.contains("`text/html; charset=utf-8`"), "{message}");
    assert!(message.contains("<html><body>Captive portal."), "{message}");
    assert!(
        !message.contains("abcdefghijklmnop"),
        "a secret leaked: {message}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn json_instead_of_an_event_stream_is_reported_once() {
    let server = MockServer::start();
    server.push(MockResponse::json(
        200,
        &serde_json::json!({"id": "resp_1", "output": []}),
    ));
    let e = client_with(&server, 4, 5_000)
        .stream(&prompt("hi"))
        .await
        .unwrap_err();
    let message = e.to_string();
    assert!(
        matches!(e, ClientError::NotEventStream { status: 200, .. }),
        "{e:?}"
    );
    assert!(message.contains("`application/json`"), "{message}");
    assert!(message.contains(r#"{\"id\":\"resp_1\""#), "{message}");
    assert_eq!(server.request_count(), 1);
}

/// Chat Completions goes through the same checks.
#[tokio::test]
async fn chat_wire_gets_the_same_protection() {
    let server = MockServer::start();
    server.push(
        MockResponse::status(200)
            .with_header("content-type", "text/html")
            .with_body("<html>proxy login</html>"),
    );
    server.push(MockResponse::sse_then_keep_alive(
        &[],
        Duration::from_millis(50),
    ));
    let mut provider = provider(&server, WireApi::Chat);
    provider.stream_idle_timeout_ms = Some(300);
    let client = ModelClient::new(config_for(provider)).unwrap();
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    assert!(matches!(e, ClientError::NotEventStream { .. }), "{e:?}");
    let start = Instant::now();
    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    assert!(matches!(e, ClientError::Timeout { .. }), "{e:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
}
