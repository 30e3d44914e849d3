//! Benchmarks: SSE parsing throughput, and the cost of one request against the local mock
//! (our client next to a bare reqwest POST of the same body, so the difference is ours).
//!
//! `cargo bench -p codex-model-client` (add `-- --quick` for a short run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use codex_model_client::{ModelClient, ModelClientConfig, Prompt, SseDecoder, parse};
use codex_protocol::{ModelProviderInfo, ResponseItem, WireApi};
use codex_test_support::responses::{
    ev_assistant_message, ev_completed, ev_output_text_delta, ev_response_created, sse,
    sse_assistant_turn,
};
use codex_test_support::{MockResponse, MockServer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

/// A Responses body of about `target` bytes made of `delta_len`-byte text deltas, cut into
/// 16 KiB network reads.
fn body(target: usize, delta_len: usize) -> (Vec<Bytes>, usize) {
    let delta = "lorem ipsum ".repeat(delta_len / 12 + 1)[..delta_len].to_owned();
    let one = sse(&[ev_output_text_delta(&delta)]);
    let mut text = sse(&[ev_response_created("r")]);
    while text.len() < target {
        text.push_str(&one);
    }
    text.push_str(&sse(&[
        ev_assistant_message("m", "done"),
        ev_completed("r"),
    ]));
    let len = text.len();
    let bytes = Bytes::from(text);
    let chunks = (0..len)
        .step_by(16 * 1024)
        .map(|i| bytes.slice(i..(i + 16 * 1024).min(len)))
        .collect();
    (chunks, len)
}

fn sse_parsing(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("sse_parse");
    for (name, delta_len) in [("small_deltas_40B", 40), ("large_deltas_4KiB", 4096)] {
        let (chunks, len) = body(4 * 1024 * 1024, delta_len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(format!("responses_events/{name}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut events = Box::pin(parse::responses_events(chunks.clone()));
                    let mut n = 0usize;
                    while let Some(e) = events.next().await {
                        black_box(e.unwrap());
                        n += 1;
                    }
                    n
                })
            });
        });
        group.bench_function(format!("decoder_only/{name}"), |b| {
            b.iter(|| {
                let mut decoder = SseDecoder::new();
                let mut n = 0usize;
                for chunk in &chunks {
                    decoder.push(chunk);
                    while let Some(data) = decoder.next_data() {
                        black_box(data);
                        n += 1;
                    }
                }
                n
            });
        });
    }
    group.finish();
}

fn request_overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = MockServer::start();
    server.set_fallback(Some(MockResponse::sse_body(sse_assistant_turn(
        "r", "Hello!",
    ))));
    let provider = ModelProviderInfo {
        name: "mock".into(),
        base_url: Some(server.base_url()),
        wire_api: WireApi::Responses,
        request_max_retries: Some(0),
        ..ModelProviderInfo::default()
    };
    let client = ModelClient::new(ModelClientConfig::new("mock", provider, "mock-model")).unwrap();
    // A prompt of about 40 KB, like Codex's first request.
    let prompt = Prompt {
        instructions: "You are a coding agent. ".repeat(1_500),
        input: vec![ResponseItem::user_text("say hi")],
        ..Prompt::default()
    };
    let body = serde_json::to_vec(&serde_json::json!({
        "model": "mock-model", "instructions": prompt.instructions, "input": prompt.input,
        "stream": true, "store": false,
    }))
    .unwrap();
    let raw = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/responses", server.base_url());

    let mut group = c.benchmark_group("request");
    group.bench_function("model_client_40KB_prompt", |b| {
        b.iter(|| {
            rt.block_on(async {
                let stream = client.stream(&prompt).await.unwrap();
                stream.count().await
            })
        });
    });
    group.bench_function("bare_reqwest_40KB_body", |b| {
        b.iter(|| {
            rt.block_on(async {
                let response = raw
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                response.bytes().await.unwrap().len()
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = sse_parsing, request_overhead
}
criterion_main!(benches);
