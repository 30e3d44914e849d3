//! Keystroke-to-frame latency of the chat (median, p99) while idle and while a long answer
//! streams, and frame time with a 2,000-line history. The real app and inline screen over
//! ratatui's test backend: everything the chat does for a key but the terminal's write.
//!
//! `cargo run --release -p codex-tui --example bench_tui [KEYS]` (scripts/bench-tui.sh).
#![allow(clippy::print_stdout, clippy::format_collect)]

use std::time::{Duration, Instant};

use codex_protocol::protocol::EventMsg;
use codex_tui::bench::Harness;
use crossterm::event::KeyCode;

fn main() {
    let keys: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);

    // Idle: type and erase, one frame per key.
    let mut h = Harness::new(120, 40);
    let idle = measure(keys, |i| {
        h.key(if i % 2 == 0 {
            KeyCode::Char('x')
        } else {
            KeyCode::Backspace
        });
        h.frame();
    });
    report("keystroke -> frame, idle", &idle);

    // Streaming: between keys, a delta arrives (and is drawn) as a fast model would send it;
    // the key and its frame are what is timed.
    let mut h = Harness::new(120, 40);
    h.core(EventMsg::TaskStarted);
    let mut line = 0usize;
    let mut timings = Vec::with_capacity(keys);
    for i in 0..keys {
        line += 1;
        let delta = if line.is_multiple_of(8) {
            format!("\n\n## Section {line}\n\n")
        } else if line.is_multiple_of(5) {
            format!("- item with `code` and a [link](https://example.test/{line})\n")
        } else {
            format!("streamed text number {line} with **bold** words and more words; ")
        };
        h.core(EventMsg::AgentMessageDelta { delta });
        h.frame();
        let start = Instant::now();
        h.key(if i % 2 == 0 {
            KeyCode::Char('x')
        } else {
            KeyCode::Backspace
        });
        h.frame();
        timings.push(start.elapsed());
    }
    report("keystroke -> frame, streaming", &timings);

    // A 2,000-line history: writing it, then frames on top of it.
    let mut h = Harness::new(120, 40);
    let answer: String = (1..=2000)
        .map(|i| format!("history line {i} with some words to wrap and style\n"))
        .collect();
    let start = Instant::now();
    h.core(EventMsg::AgentMessage { message: answer });
    h.frame();
    let insert = start.elapsed();
    println!(
        "{:<38} {:>9.2} ms",
        "writing a 2,000-line answer to history",
        ms(insert)
    );
    let frames = measure(keys, |i| {
        h.key(if i % 2 == 0 {
            KeyCode::Char('x')
        } else {
            KeyCode::Backspace
        });
        h.frame();
    });
    report("keystroke -> frame, 2,000-line history", &frames);
}

fn measure(n: usize, mut step: impl FnMut(usize)) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let start = Instant::now();
            step(i);
            start.elapsed()
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, timings: &[Duration]) {
    let mut sorted = timings.to_vec();
    sorted.sort();
    let pick = |q: f64| {
        let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        ms(sorted[i.min(sorted.len() - 1)])
    };
    println!(
        "{what:<38} median {:>7.3} ms   p99 {:>7.3} ms   ({} keys)",
        pick(0.5),
        pick(0.99),
        sorted.len()
    );
}
