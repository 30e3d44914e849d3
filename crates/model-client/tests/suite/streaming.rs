//! Stream behaviour over time: idle timeouts, disconnects, early ends, slow streams.

use std::time::{Duration, Instant};

use codex_model_client::{ClientError, ModelClient, ResponseEvent};
use codex_protocol::{TokenUsage, WireApi};
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};
use futures::StreamExt;

use super::common::*;

fn client_with_idle(server: &MockServer, idle_ms: u64) -> ModelClient {
    let mut provider = provider(server, WireApi::Responses);
    provider.stream_idle_timeout_ms = Some(idle_ms);
    ModelClient::new(config_for(provider)).unwrap()
}

#[tokio::test]
async fn a_silent_stream_hits_the_idle_timeout() {
    let server = MockServer::start();
    server.push(MockResponse::sse_then_hang(&[
        ev_response_created("r"),
        ev_output_text_delta("partial"),
    ]));
    let client = client_with_idle(&server, 200);
    let start = Instant::now();
    let (events, e) = events_then_error(&client, &prompt("hi")).await;
    let elapsed = start.elapsed();
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("partial".into())
        ]
    );
    assert!(
        matches!(e, ClientError::Timeout { idle } if idle == Duration::from_millis(200)),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert!(e.to_string().contains("stream_idle_timeout_ms"), "{e}");
    assert!(
        elapsed >= Duration::from_millis(190) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_server_that_stalls_after_completed_still_completes() {
    let server = MockServer::start();
    server.push(MockResponse::sse_then_hang(&[
        ev_response_created("r"),
        ev_completed("r"),
    ]));
    let client = client_with_idle(&server, 150);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(
        events.last(),
        Some(&ResponseEvent::Completed {
            response_id: "r".into(),
            token_usage: Some(TokenUsage::default())
        })
    );
}

#[tokio::test]
async fn a_disconnect_mid_stream_is_a_retryable_error() {
    let server = MockServer::start();
    server.push(MockResponse::sse_then_disconnect(&[
        ev_response_created("r"),
        ev_output_text_delta("half an ans"),
    ]));
    let client = client(&server, WireApi::Responses);
    let (events, e) = events_then_error(&client, &prompt("hi")).await;
    assert_eq!(
        events,
        vec![
            ResponseEvent::Created,
            ResponseEvent::OutputTextDelta("half an ans".into())
        ]
    );
    assert!(matches!(e, ClientError::Stream { .. }), "{e:?}");
    assert!(e.to_string().contains("the response stream broke"), "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_stream_that_ends_without_completed_is_a_retryable_error() {
    let server = MockServer::start();
    server.push(MockResponse::sse(&[
        ev_response_created("r"),
        ev_assistant_message("m", "hi"),
    ]));
    let client = client(&server, WireApi::Responses);
    let (events, e) = events_then_error(&client, &prompt("hi")).await;
    assert_eq!(events.len(), 2);
    assert!(e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("response.completed"), "{e}");
}

#[tokio::test]
async fn slow_streams_are_delivered_as_they_arrive() {
    let server = MockServer::start();
    server.push(MockResponse::sse_slow(
        &[
            ev_response_created("r"),
            ev_output_text_delta("a"),
            ev_output_text_delta("b"),
            ev_completed("r"),
        ],
        Duration::from_millis(150),
    ));
    let client = client(&server, WireApi::Responses);
    let start = Instant::now();
    let mut stream = client.stream(&prompt("hi")).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    let first_at = start.elapsed();
    assert_eq!(first, ResponseEvent::Created);
    let rest: Vec<_> = stream.collect().await;
    let total = start.elapsed();
    assert_eq!(rest.len(), 3);
    assert!(
        first_at < Duration::from_millis(140),
        "first event after {first_at:?}"
    );
    assert!(total >= Duration::from_millis(440), "{total:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_hits_the_idle_timeout() {
    let server = MockServer::start();
    server.push(MockResponse::sse(&[ev_completed("r")]).with_delay(Duration::from_secs(3)));
    let client = client_with_idle(&server, 200);
    let start = Instant::now();
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    assert!(matches!(e, ClientError::Timeout { .. }), "{e:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}
