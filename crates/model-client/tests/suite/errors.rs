//! Failure codes in the stream and HTTP error statuses become typed errors that say whether
//! a retry can help.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use codex_model_client::{
    AuthError, AuthHeaders, AuthProvider, BearerSource, ClientError, ModelClient, ResponseEvent,
};
use codex_protocol::WireApi;
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};
use futures::future::BoxFuture;
use serde_json::json;

use super::common::*;

async fn failed_with(code: &str, message: &str) -> ClientError {
    let server = MockServer::start();
    server.push(MockResponse::sse(&[
        ev_response_created("r"),
        ev_failed("r", code, message),
    ]));
    let client = client(&server, WireApi::Responses);
    let (events, error) = events_then_error(&client, &prompt("hi")).await;
    assert_eq!(events, vec![ResponseEvent::Created]);
    error
}

#[tokio::test]
async fn response_failed_codes_map_to_typed_errors() {
    let e = failed_with("context_length_exceeded", "too long").await;
    assert!(matches!(e, ClientError::ContextWindowExceeded), "{e:?}");
    assert!(!e.is_retryable());

    let e = failed_with("insufficient_quota", "no money").await;
    assert!(matches!(e, ClientError::QuotaExceeded), "{e:?}");
    assert!(!e.is_retryable());

    let e = failed_with("usage_not_included", "plan").await;
    assert!(matches!(e, ClientError::UsageNotIncluded), "{e:?}");
    assert!(!e.is_retryable());

    let e = failed_with("usage_limit_reached", "come back later").await;
    assert!(
        matches!(&e, ClientError::UsageLimitReached { message, .. } if message == "come back later"),
        "{e:?}"
    );
    assert!(!e.is_retryable());

    let e = failed_with("invalid_prompt", "prompt flagged").await;
    assert!(
        matches!(&e, ClientError::BadRequest { message } if message == "prompt flagged"),
        "{e:?}"
    );
    assert!(!e.is_retryable());

    let e = failed_with(
        "rate_limit_exceeded",
        "Rate limit reached for gpt-5. Please try again in 1.5s.",
    )
    .await;
    assert!(matches!(e, ClientError::Stream { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(e.retry_delay(), Some(Duration::from_millis(1500)));

    let e = failed_with("server_error", "oops").await;
    assert!(e.is_retryable(), "{e:?}");
    assert_eq!(e.retry_delay(), None);
    assert_eq!(e.to_string(), "server_error: oops");
}

#[tokio::test]
async fn incomplete_and_error_events() {
    let server = MockServer::start();
    server.push(MockResponse::sse(&[json!({
        "type": "response.incomplete",
        "response": {"id": "r", "incomplete_details": {"reason": "max_output_tokens"}}
    })]));
    server.push(MockResponse::sse(&[json!({
        "type": "error", "code": "context_length_exceeded", "message": "too long"
    })]));
    let client = client(&server, WireApi::Responses);
    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    assert!(
        matches!(&e, ClientError::Incomplete { reason } if reason == "max_output_tokens"),
        "{e:?}"
    );
    let (_, e) = events_then_error(&client, &prompt("hi")).await;
    assert!(matches!(e, ClientError::ContextWindowExceeded), "{e:?}");
}

async fn status_error(response: MockResponse, retries: u64) -> (ClientError, usize) {
    let server = MockServer::start();
    server.push(response);
    let mut provider = provider(&server, WireApi::Responses);
    provider.request_max_retries = Some(retries);
    let client = ModelClient::new(config_for(provider)).unwrap();
    let error = client.stream(&prompt("hi")).await.unwrap_err();
    (error, server.request_count())
}

#[tokio::test]
async fn http_error_statuses_map_to_typed_errors_and_are_not_retried() {
    // With retries allowed, each of these must still be sent exactly once.
    let (e, n) = status_error(
        MockResponse::api_error(
            400,
            "context_length_exceeded",
            "Your input exceeds the context window",
        ),
        3,
    )
    .await;
    assert!(matches!(e, ClientError::ContextWindowExceeded), "{e:?}");
    assert_eq!(n, 1);

    let (e, n) = status_error(
        MockResponse::api_error(429, "insufficient_quota", "quota"),
        3,
    )
    .await;
    assert!(matches!(e, ClientError::QuotaExceeded), "{e:?}");
    assert_eq!(n, 1);

    let (e, n) = status_error(
        MockResponse::json(
            429,
            &json!({"error": {"type": "usage_limit_reached", "message": "limit", "resets_in_seconds": 60}}),
        ),
        3,
    )
    .await;
    assert!(
        matches!(&e, ClientError::UsageLimitReached { resets_in: Some(d), .. } if *d == Duration::from_mins(1)),
        "{e:?}"
    );
    assert_eq!(n, 1);

    let (e, n) = status_error(
        MockResponse::api_error(
            400,
            "invalid_request_error",
            "Invalid schema for function 'shell'",
        ),
        3,
    )
    .await;
    match &e {
        ClientError::BadRequest { message } => {
            assert!(
                message.contains("Invalid schema for function 'shell'"),
                "{message}"
            );
            assert!(message.contains("HTTP 400"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(n, 1);

    let (e, n) = status_error(MockResponse::status(404).with_body("no such route"), 3).await;
    assert!(
        matches!(&e, ClientError::BadRequest { message } if message.contains("no such route")),
        "{e:?}"
    );
    assert_eq!(n, 1);
}

#[tokio::test]
async fn unauthorized_names_where_the_key_came_from() {
    let server = MockServer::start();
    server.push(MockResponse::api_error(
        401,
        "invalid_api_key",
        "Incorrect API key provided",
    ));
    let mut provider = provider(&server, WireApi::Responses);
    provider.experimental_bearer_token = Some("sk-bad".into());
    provider.request_max_retries = Some(3);
    let client = ModelClient::new(config_for(provider)).unwrap();
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    assert!(!e.is_retryable());
    let text = e.to_string();
    assert!(
        text.contains("HTTP 401") && text.contains("Incorrect API key provided"),
        "{text}"
    );
    assert!(text.contains("experimental_bearer_token"), "{text}");
    assert!(text.contains(&server.base_url()), "{text}");
    assert_eq!(server.request_count(), 1);
}

/// An auth source whose token is refreshed after a 401.
struct RotatingAuth {
    refreshes: AtomicUsize,
    can_refresh: bool,
}

impl AuthProvider for RotatingAuth {
    fn auth_headers(&self) -> BoxFuture<'_, Result<Option<AuthHeaders>, AuthError>> {
        let n = self.refreshes.load(Ordering::SeqCst);
        Box::pin(async move {
            Ok(Some(AuthHeaders {
                bearer: format!("token-{n}"),
                account_id: Some("acct-1".into()),
            }))
        })
    }

    fn refresh_after_unauthorized(&self) -> BoxFuture<'_, Result<bool, AuthError>> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let can = self.can_refresh;
        Box::pin(async move { Ok(can) })
    }
}

#[tokio::test]
async fn a_401_refreshes_the_auth_source_once() {
    let server = MockServer::start();
    server.push(MockResponse::status(401).with_body("expired"));
    server.push(MockResponse::sse_body(sse_assistant_turn("r", "hi")));
    let auth = Arc::new(RotatingAuth {
        refreshes: AtomicUsize::new(0),
        can_refresh: true,
    });
    let mut cfg = config(&server, WireApi::Responses);
    cfg.bearer = BearerSource::Provider(auth.clone());
    let client = ModelClient::new(cfg).unwrap();
    let events = events(&client, &prompt("hi")).await;
    assert_eq!(text_deltas(&events), "");
    assert_eq!(done_items(&events).len(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("authorization"), Some("Bearer token-0"));
    assert_eq!(requests[1].header("authorization"), Some("Bearer token-1"));
    assert_eq!(requests[1].header("chatgpt-account-id"), Some("acct-1"));

    // A second 401 after the refresh is final.
    let server = MockServer::start();
    server.push(MockResponse::status(401));
    server.push(MockResponse::status(401));
    let mut cfg = config(&server, WireApi::Responses);
    cfg.bearer = BearerSource::Provider(Arc::new(RotatingAuth {
        refreshes: AtomicUsize::new(0),
        can_refresh: true,
    }));
    let client = ModelClient::new(cfg).unwrap();
    let e = client.stream(&prompt("hi")).await.unwrap_err();
    assert!(
        matches!(e, ClientError::Unauthorized { status: 401, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("codex login"), "{e}");
    assert_eq!(server.request_count(), 2);

    // An auth source that cannot refresh: one request.
    let server = MockServer::start();
    server.push(MockResponse::status(401));
    let mut cfg = config(&server, WireApi::Responses);
    cfg.bearer = BearerSource::Provider(Arc::new(RotatingAuth {
        refreshes: AtomicUsize::new(0),
        can_refresh: false,
    }));
    let client = ModelClient::new(cfg).unwrap();
    assert!(client.stream(&prompt("hi")).await.is_err());
    assert_eq!(server.request_count(), 1);
}
