//! Generates a CODEX_HOME with many sessions spread over many days, then times listing and
//! lookup on it. Run through `scripts/bench-sessions.sh` (release build).
//!
//! Usage: `bench_sessions [SESSIONS] [RUNS]` (defaults 10000 and 21). Exits 1 when the median
//! of the first page is over the 50 ms target.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{Local, SecondsFormat, TimeDelta, Utc};
use codex_protocol::rollout::{
    EventMsg, GitInfo, RolloutItem, SessionMeta, SessionSource, TurnContextItem,
};
use codex_protocol::{AskForApproval, ReasoningSummary, ResponseItem, SandboxPolicy};
use codex_rollout::{
    RolloutRecorder, SessionFilter, find_by_id, find_latest, list_sessions, new_session_id,
};

const TARGET_FIRST_PAGE: Duration = Duration::from_millis(50);
const PAGE: usize = 25;
const PROJECTS: usize = 20;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("bench_sessions: {error:#}");
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
    let ids = generate(home.path(), sessions)?;
    let bytes = du(&home.path().join("sessions"))?;
    println!(
        "generated {sessions} sessions ({:.1} MiB) over {} days in {:.1?}",
        bytes as f64 / (1024.0 * 1024.0),
        sessions.div_ceil(SESSIONS_PER_DAY),
        started.elapsed()
    );

    let all = SessionFilter::default();
    let in_project = SessionFilter {
        model_provider: Some("openai".into()),
        cwd: Some(project(7).into()),
        sources: Vec::new(),
    };
    let nowhere = SessionFilter {
        cwd: Some("/nowhere".into()),
        ..SessionFilter::default()
    };
    let second_cursor = list_sessions(home.path(), PAGE, None, &all)?.next_cursor;
    let oldest = ids.last().context("no sessions")?.clone();

    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "operation (warm cache)", "median", "min", "max"
    );
    let first_page = time(runs, "list first page (25)", || {
        let page = list_sessions(home.path(), PAGE, None, &all)?;
        anyhow::ensure!(page.items.len() == PAGE);
        Ok(())
    })?;
    time(runs, "list second page (25, from cursor)", || {
        list_sessions(home.path(), PAGE, second_cursor.as_ref(), &all)
            .map(drop)
            .map_err(Into::into)
    })?;
    time(runs, "list first page, one cwd + provider (25)", || {
        list_sessions(home.path(), PAGE, None, &in_project)
            .map(drop)
            .map_err(Into::into)
    })?;
    time(runs, "find_latest (--last --all)", || {
        find_latest(home.path(), &all)?.context("none")?;
        Ok(())
    })?;
    time(runs, "find_latest, one cwd + provider (--last)", || {
        find_latest(home.path(), &in_project)?.context("none")?;
        Ok(())
    })?;
    time(runs, "find_by_id, full id of the oldest session", || {
        find_by_id(home.path(), &oldest)
            .map(drop)
            .map_err(Into::into)
    })?;
    time(runs, "find_by_id, 30-char prefix", || {
        find_by_id(home.path(), &oldest[..30])
            .map(drop)
            .map_err(Into::into)
    })?;
    time(
        runs.min(5),
        "find_latest, no match (reads every head)",
        || {
            anyhow::ensure!(find_latest(home.path(), &nowhere)?.is_none());
            Ok(())
        },
    )?;

    let ok = first_page <= TARGET_FIRST_PAGE;
    println!(
        "first page median {first_page:.2?}: {} (target under {TARGET_FIRST_PAGE:?})",
        if ok { "ok" } else { "OVER TARGET" }
    );
    Ok(ok)
}

const SESSIONS_PER_DAY: usize = 25;

fn project(i: usize) -> String {
    format!("/home/dev/src/project-{i:02}")
}

/// Writes `count` sessions, newest first, `SESSIONS_PER_DAY` a day going back in time. Each
/// looks like a real one: meta with git info, environment context, turn context, a prompt, a
/// tool call and output, an answer, a token count.
fn generate(home: &Path, count: usize) -> Result<Vec<String>> {
    let now = Local::now();
    let minutes_apart = (24 * 60 / SESSIONS_PER_DAY) as i64;
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let created = now - TimeDelta::minutes(minutes_apart * i as i64 + 1);
        let id = new_session_id().to_string();
        let cwd = project(i % PROJECTS);
        let provider = if i % 10 == 9 { "ollama" } else { "openai" };
        let meta = SessionMeta {
            id: id.clone(),
            timestamp: created
                .with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            cwd: cwd.clone().into(),
            originator: "codex_exec".into(),
            cli_version: "0.1.0".into(),
            instructions: None,
            source: if i % 3 == 0 {
                SessionSource::Cli
            } else {
                SessionSource::Exec
            },
            model_provider: Some(provider.into()),
            git: Some(GitInfo {
                commit_hash: Some("0123456789abcdef0123456789abcdef01234567".into()),
                branch: Some(format!("feature-{}", i % 7)),
                repository_url: Some("git@example.com:team/project.git".into()),
            }),
            model: Some("gpt-5-codex".into()),
            approval_policy: Some(AskForApproval::OnRequest),
            sandbox_policy: Some(SandboxPolicy::workspace_write()),
            reasoning_effort: None,
        };
        let mut recorder = RolloutRecorder::new_at(home, meta, created)?;
        let prompt = format!(
            "Session {i}: make the flaky test in module {} deterministic",
            i % 50
        );
        recorder.record(&[
            RolloutItem::ResponseItem(ResponseItem::user_text(format!(
                "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>bash</shell>\n</environment_context>"
            ))),
            RolloutItem::TurnContext(TurnContextItem {
                cwd: cwd.clone().into(),
                approval_policy: Some(AskForApproval::OnRequest),
                sandbox_policy: Some(SandboxPolicy::workspace_write()),
                model: "gpt-5-codex".into(),
                effort: None,
                summary: Some(ReasoningSummary::Auto),
            }),
            RolloutItem::ResponseItem(ResponseItem::user_text(prompt.clone())),
            RolloutItem::EventMsg(EventMsg::UserMessage { message: prompt, images: None }),
            RolloutItem::ResponseItem(ResponseItem::FunctionCall {
                id: None,
                name: "shell".into(),
                arguments: r#"{"command":["bash","-lc","cargo test -p flaky"]}"#.into(),
                call_id: format!("call_{i}"),
            }),
            RolloutItem::ResponseItem(ResponseItem::FunctionCallOutput {
                call_id: format!("call_{i}"),
                output: "test result: ok. 12 passed\n".repeat(40),
            }),
            RolloutItem::ResponseItem(ResponseItem::assistant_text(
                "The test now seeds its random generator; it passed 200 runs in a row.",
            )),
            RolloutItem::EventMsg(EventMsg::TokenCount { info: None, rate_limits: None }),
        ])?;
        ids.push(id);
    }
    Ok(ids)
}

/// Runs `f` `runs` times and prints median, min and max.
fn time(runs: usize, label: &str, mut f: impl FnMut() -> Result<()>) -> Result<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f().with_context(|| label.to_owned())?;
        samples.push(start.elapsed());
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    println!(
        "{label:<48} {:>10} {:>10} {:>10}",
        format!("{median:.2?}"),
        format!("{:.2?}", samples[0]),
        format!("{:.2?}", samples[samples.len() - 1])
    );
    Ok(median)
}

/// Total size of the files under `dir`.
fn du(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            du(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
