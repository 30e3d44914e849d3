//! A 10 MB answer streams through in bounded memory. Peak RSS is per process, so the
//! measurement runs in a child process of its own.

use bytes::Bytes;
use codex_model_client::ResponseEvent;
use codex_protocol::WireApi;
use codex_test_support::responses::*;
use codex_test_support::{MockResponse, MockServer};
use futures::StreamExt;

use super::common::*;

const DELTA_BYTES: usize = 10 * 1024;
const DELTAS: usize = 1024; // 10 MiB of text in all

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn ten_megabytes_stream_in_flat_memory() {
    if !in_child("suite::memory::ten_megabytes_stream_in_flat_memory", &[]) {
        return;
    }
    let server = MockServer::start();
    // Warm-up: runtime, connection pool and buffers exist before the baseline.
    server.push(MockResponse::sse_body(sse_assistant_turn("warm", "up")));
    server.push(MockResponse::sse_generated(|| {
        let delta = "x".repeat(DELTA_BYTES);
        let head = std::iter::once(Bytes::from(sse(&[ev_response_created("big")])));
        let body = (0..DELTAS).map(move |_| Bytes::from(sse(&[ev_output_text_delta(&delta)])));
        let tail = std::iter::once(Bytes::from(sse(&[
            ev_assistant_message("m", "(long answer)"),
            ev_completed("big"),
        ])));
        Box::new(head.chain(body).chain(tail))
    }));
    let client = client(&server, WireApi::Responses);
    events(&client, &prompt("warm up")).await;

    let before = peak_rss_kib();
    let mut stream = client.stream(&prompt("write a lot")).await.unwrap();
    let mut text_bytes = 0usize;
    let mut completed = false;
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            ResponseEvent::OutputTextDelta(t) => text_bytes += t.len(),
            ResponseEvent::Completed { .. } => completed = true,
            _ => {}
        }
    }
    let after = peak_rss_kib();
    assert!(completed);
    assert_eq!(text_bytes, DELTA_BYTES * DELTAS);
    let growth_kib = after.saturating_sub(before);
    eprintln!("peak RSS {before} KiB -> {after} KiB (+{growth_kib} KiB) for 10 MiB streamed");
    assert!(
        growth_kib < 5 * 1024,
        "peak RSS grew by {growth_kib} KiB while streaming 10 MiB: the body is being held"
    );
}
