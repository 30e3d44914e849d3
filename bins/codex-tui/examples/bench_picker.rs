//! How fast the resume picker opens over many sessions: generates a CODEX_HOME with SESSIONS
//! sessions (25 a day going back in time, half in the directory the picker opens in), then
//! times, from nothing to the first frame with rows, the picker's real path: the loader
//! thread, the first page, the draw. Also times a search that matches nothing, which reads
//! every session's head page by page. Run through `scripts/bench-picker.sh`.
//!
//! Usage: `bench_picker [SESSIONS] [RUNS]` (defaults 10000 and 21). Exits 1 when the median
//! first frame is over the 50 ms target.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{Local, SecondsFormat, TimeDelta, Utc};
use codex_protocol::ResponseItem;
use codex_protocol::rollout::{EventMsg, GitInfo, RolloutItem, SessionMeta, SessionSource};
use codex_rollout::{RolloutRecorder, new_session_id};
use codex_tui::entry::picker::{Picker, PickerMessage, spawn_loader};
use codex_tui::entry::screen::{Screen, key};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::unbounded_channel;

const TARGET_FIRST_FRAME: Duration = Duration::from_millis(50);
const SESSIONS_PER_DAY: usize = 25;
const PROJECT: &str = "/projects/picked";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("bench_picker: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let mut args = std::env::args().skip(1);
    let sessions: usize = args
        .next()
        .map_or(Ok(10_000), |a| a.parse())
        .context("SESSIONS")?;
    let runs: usize = args.next().map_or(Ok(21), |a| a.parse()).context("RUNS")?;
    let home = tempfile::tempdir()?;
    let started = Instant::now();
    generate(home.path(), sessions)?;
    println!(
        "generated {sessions} sessions in {:.1?}; timing {runs} runs (warm cache)",
        started.elapsed()
    );

    let mut first_frames = Vec::new();
    let mut searches = Vec::new();
    for run in 0..runs {
        let (first_frame, search) = open_picker(home.path(), run == 0 || runs < 5)?;
        first_frames.push(first_frame);
        if let Some(search) = search {
            searches.push(search);
        }
    }
    let median = report("open picker -> first frame with rows", &mut first_frames);
    report("search matching nothing (every head read)", &mut searches);
    let ok = median <= TARGET_FIRST_FRAME;
    println!(
        "target: first frame under {TARGET_FIRST_FRAME:?}: {}",
        if ok { "met" } else { "MISSED" }
    );
    Ok(ok)
}

/// One picker open: returns the time to the first frame with rows and, when asked, the time a
/// search that matches nothing takes to read every page.
fn open_picker(home: &Path, with_search: bool) -> Result<(Duration, Option<Duration>)> {
    let started = Instant::now();
    let (tx, mut rx) = unbounded_channel();
    let loader = spawn_loader(home.to_path_buf(), tx)?;
    let names = codex_rollout::session_names(home)?;
    let mut picker = Picker::new(PROJECT.into(), "openai".into(), false, names, Some(loader));
    let mut terminal = Terminal::new(TestBackend::new(100, 30))?;
    loop {
        let message = rx.blocking_recv().context("the loader stopped")?;
        let is_page = matches!(message, PickerMessage::Page { .. });
        picker.handle_message(message);
        if is_page {
            break;
        }
    }
    terminal.draw(|frame| picker.render(frame.area(), frame.buffer_mut()))?;
    let first_frame = started.elapsed();
    anyhow::ensure!(picker.loaded() > 0, "the first page is empty");
    if !with_search {
        return Ok((first_frame, None));
    }
    let search_started = Instant::now();
    for c in "no such session anywhere".chars() {
        picker.handle_key(key(KeyCode::Char(c)));
    }
    while picker.is_loading() || !picker.is_exhausted() {
        let message = rx.blocking_recv().context("the loader stopped")?;
        picker.handle_message(message);
    }
    Ok((first_frame, Some(search_started.elapsed())))
}

fn report(label: &str, times: &mut [Duration]) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{label:<48} median {median:>9.2?}  min {:>9.2?}  max {:>9.2?}",
        times[0],
        times[times.len() - 1]
    );
    median
}

/// Writes `count` sessions the way the TUI records them: 25 a day back in time, every other one
/// in [`PROJECT`], each with a prompt, an answer and a few turns of events.
fn generate(home: &Path, count: usize) -> Result<()> {
    let now = Local::now();
    let mut names = HashMap::new();
    for i in 0..count {
        let created = now
            - TimeDelta::days((i / SESSIONS_PER_DAY) as i64)
            - TimeDelta::minutes((i % SESSIONS_PER_DAY) as i64 * 20);
        let id = new_session_id().to_string();
        let cwd = if i % 2 == 0 {
            PROJECT.to_owned()
        } else {
            format!("/projects/other-{}", i % 7)
        };
        let meta = SessionMeta {
            id: id.clone(),
            timestamp: created
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            cwd: cwd.into(),
            originator: "codex_cli_rs".into(),
            cli_version: "0.1.0".into(),
            source: SessionSource::Cli,
            model_provider: Some("openai".into()),
            git: Some(GitInfo {
                branch: Some(format!("feature/{}", i % 11)),
                ..GitInfo::default()
            }),
            ..SessionMeta::default()
        };
        let mut recorder = RolloutRecorder::new_at(home, meta, created)?;
        let mut items = vec![RolloutItem::ResponseItem(ResponseItem::user_text(
            "<environment_context>\n  <cwd>/projects</cwd>\n</environment_context>",
        ))];
        for turn in 0..3 {
            let prompt = format!("session {i} turn {turn}: please look at module {}", i % 97);
            items.push(RolloutItem::ResponseItem(ResponseItem::user_text(
                prompt.clone(),
            )));
            items.push(RolloutItem::EventMsg(EventMsg::UserMessage {
                message: prompt,
                images: None,
            }));
            let answer = "Done. ".repeat(40);
            items.push(RolloutItem::ResponseItem(ResponseItem::assistant_text(
                answer.clone(),
            )));
            items.push(RolloutItem::EventMsg(EventMsg::AgentMessage {
                message: answer,
            }));
        }
        recorder.record(&items)?;
        if i % 50 == 0 {
            names.insert(id, format!("named {i}"));
        }
    }
    for (id, name) in names {
        codex_rollout::set_session_name(home, &id, &name)?;
    }
    Ok(())
}
