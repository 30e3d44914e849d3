//! Helpers shared by the suites: a provider pointed at the mock, and stream collection.

use std::time::Duration;

use codex_model_client::{ClientError, ModelClient, ModelClientConfig, Prompt, ResponseEvent};
use codex_protocol::{ModelProviderInfo, ResponseItem, WireApi};
use codex_test_support::MockServer;
use futures::StreamExt;

/// A provider for the mock: no retries, a 5 s idle timeout.
pub(super) fn provider(server: &MockServer, wire_api: WireApi) -> ModelProviderInfo {
    ModelProviderInfo {
        name: "mock".into(),
        base_url: Some(server.base_url()),
        wire_api,
        request_max_retries: Some(0),
        stream_max_retries: Some(0),
        stream_idle_timeout_ms: Some(5_000),
        ..ModelProviderInfo::default()
    }
}

/// A config for the mock with a 1 ms backoff base, so retry tests stay quick.
pub(super) fn config(server: &MockServer, wire_api: WireApi) -> ModelClientConfig {
    config_for(provider(server, wire_api))
}

pub(super) fn config_for(provider: ModelProviderInfo) -> ModelClientConfig {
    let mut cfg = ModelClientConfig::new("mock", provider, "mock-model");
    cfg.retry_base_delay = Duration::from_millis(1);
    cfg
}

pub(super) fn client(server: &MockServer, wire_api: WireApi) -> ModelClient {
    ModelClient::new(config(server, wire_api)).unwrap()
}

pub(super) fn prompt(text: &str) -> Prompt {
    Prompt {
        instructions: "You are a test.".into(),
        input: vec![ResponseItem::user_text(text)],
        ..Prompt::default()
    }
}

/// Every item of a stream, errors included.
pub(super) async fn collect(
    client: &ModelClient,
    prompt: &Prompt,
) -> Result<Vec<Result<ResponseEvent, ClientError>>, ClientError> {
    let stream = client.stream(prompt).await?;
    Ok(stream.collect().await)
}

/// The events of a stream that must succeed.
pub(super) async fn events(client: &ModelClient, prompt: &Prompt) -> Vec<ResponseEvent> {
    collect(client, prompt)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.unwrap())
        .collect()
}

/// The events before the error that must end the stream, and that error.
pub(super) async fn events_then_error(
    client: &ModelClient,
    prompt: &Prompt,
) -> (Vec<ResponseEvent>, ClientError) {
    let mut items = collect(client, prompt).await.unwrap();
    let last = items.pop().expect("an empty stream");
    let error = last.expect_err("the stream should end with an error");
    let events = items.into_iter().map(|e| e.unwrap()).collect();
    (events, error)
}

pub(super) fn done_items(events: &[ResponseEvent]) -> Vec<ResponseItem> {
    events
        .iter()
        .filter_map(|e| match e {
            ResponseEvent::OutputItemDone(item) => Some(item.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn text_deltas(events: &[ResponseEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ResponseEvent::OutputTextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// Runs the named test of this binary in a child process with extra environment variables
/// (the tests never change their own environment). Returns true in the child, where the
/// caller then runs the real test body.
pub(super) fn in_child(test: &str, envs: &[(&str, &str)]) -> bool {
    const MARK: &str = "CODEX_MODEL_CLIENT_TEST_CHILD";
    if std::env::var_os(MARK).is_some() {
        return true;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(MARK, "1")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child run of {test} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    false
}
