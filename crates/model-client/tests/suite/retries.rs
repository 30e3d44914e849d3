//! Request-level retries: counts, backoff, and the server's hints winning over backoff.

use std::time::{Duration, Instant};

use codex_model_client::{ClientError, ModelClient, backoff};
use codex_protocol::WireApi;
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};

use super::common::*;

fn client_with_retries(server: &MockServer, retries: u64) -> ModelClient {
    let mut provider = provider(server, WireApi::Responses);
    provider.request_max_retries = Some(retries);
    ModelClient::new(config_for(provider)).unwrap()
}

#[tokio::test]
async fn five_hundreds_are_retried_until_success() {
    let server = MockServer::start();
    server.push(MockResponse::server_error());
    server.push(MockResponse::status(503).with_body("busy"));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "finally")));
    let client = client_with_retries(&server, 2);
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(done_items(&events).len(), 1);
    assert_eq!(server.request_count(), 3);
    server.assert_all_used();
}

#[tokio::test]
async fn retries_stop_at_request_max_retries() {
    let server = MockServer::start();
    for _ in 0..3 {
        server.push(MockResponse::server_error());
    }
    let client = client_with_retries(&server, 2);
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    match &e {
        ClientError::RetryLimit { attempts, last } => {
            assert_eq!(*attempts, 3);
            assert!(
                matches!(**last, ClientError::UnexpectedStatus { status: 500, .. }),
                "{last:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !e.is_retryable(),
        "the turn loop must not retry what the request layer gave up on"
    );
    assert_eq!(server.request_count(), 3);

    // With retries off the error itself comes back, still marked retryable for the turn loop.
    let server = MockServer::start();
    server.push(MockResponse::server_error());
    let e = client_with_retries(&server, 0)
        .stream(&prompt("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ClientError::UnexpectedStatus { status: 500, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn retry_after_header_is_honoured() {
    let server = MockServer::start();
    server.push(MockResponse::rate_limited(1));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
    let client = client_with_retries(&server, 1);
    let start = Instant::now();
    events(&client, &prompt("hi")).await;
    let elapsed = start.elapsed();
    // The backoff base is 1 ms: only Retry-After explains a wait of a second.
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn try_again_hints_and_retry_after_ms_are_honoured() {
    let server = MockServer::start();
    server.push(MockResponse::api_error(
        429,
        "rate_limit_exceeded",
        "Rate limit reached. Please try again in 300ms.",
    ));
    server.push(MockResponse::server_error().with_header("retry-after-ms", "200"));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "ok")));
    let client = client_with_retries(&server, 2);
    let start = Instant::now();
    events(&client, &prompt("hi")).await;
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(480), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn transport_errors_are_retried() {
    // A port that was just bound and released: connections are refused.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let server = MockServer::start();
    let mut provider = provider(&server, WireApi::Responses);
    provider.base_url = Some(format!("http://127.0.0.1:{port}/v1"));
    provider.request_max_retries = Some(2);
    let client = ModelClient::new(config_for(provider)).unwrap();
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    match &e {
        ClientError::RetryLimit { attempts: 3, last } => {
            assert!(matches!(**last, ClientError::Transport { .. }), "{last:?}");
            assert!(
                last.to_string().contains(&format!("127.0.0.1:{port}")),
                "{last}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn backoff_grows_exponentially() {
    let base = Duration::from_millis(200);
    let d1 = backoff(base, 1);
    let d4 = backoff(base, 4);
    assert!(
        d1 >= Duration::from_millis(180) && d1 < Duration::from_millis(220),
        "{d1:?}"
    );
    assert!(
        d4 >= Duration::from_millis(1440) && d4 < Duration::from_millis(1760),
        "{d4:?}"
    );
}
