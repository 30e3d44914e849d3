//! A model server that misbehaves on purpose, against the real binary: it must not crash,
//! hang, or take over the user's terminal.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_assistant_message, ev_completed, ev_completed_with_usage, ev_function_call,
    ev_reasoning_item, ev_response_created,
};
use serde_json::{Value, json};

use super::harness::Env;

/// Every escape a hostile model might try: OSC 52 (clipboard), OSC 0 (title), CSI 2J (clear),
/// a DCS string, 8-bit C1 CSI and OSC, a bell, a backspace and a bidi override.
const NASTY: &str = "A\x1b]52;c;cm0gLXJmIH4=\x07B\x1b]0;pwned\x1b\\C\x1b[2JD\x1bP1$qm\x1b\\E\u{9b}31mF\u{9d}0;t\u{9c}G\x08H\u{202e}I";

/// Bytes a terminal would act on: ESC, BEL, BS, and C1 controls (UTF-8 encoded or raw).
fn terminal_controls(screen: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, pair) in screen.windows(2).enumerate() {
        let hit = matches!(pair[0], 0x1b | 0x07 | 0x08)
            || (pair[0] == 0xc2 && (0x80..=0x9f).contains(&pair[1]))
            || (pair[0] == 0xe2 && pair[1] == 0x80 && screen.get(i + 2) == Some(&0xae));
        if hit {
            let from = i.saturating_sub(20);
            found.push(
                String::from_utf8_lossy(&screen[from..(i + 20).min(screen.len())]).into_owned(),
            );
        }
    }
    found
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The model's text, its reasoning, its command line, the command's output, its plan and a
/// server error all carry escapes; on a terminal none of them is obeyed.
fn script_nasty_turn(env: &Env) {
    let plan = json!({"plan": [{"step": format!("step {NASTY}"), "status": "pending"}]});
    env.server.push(MockResponse::sse(&[
        ev_reasoning_item("rs1", &[&format!("thinking {NASTY}")], &[]),
        ev_function_call("c0", "update_plan", &plan.to_string()),
        ev_function_call(
            "c1",
            "shell",
            &json!({"command": ["printf", format!("%s{NASTY}"), "out:"]}).to_string(),
        ),
        ev_completed("r1"),
    ]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", &format!("answer {NASTY}")),
        ev_completed("r2"),
    ]));
}

/// Regression: OSC 52, OSC 0, CSI 2J, DCS and C1 reached the terminal raw.
#[test]
fn escapes_from_the_model_and_commands_are_shown_not_obeyed_on_a_terminal() {
    let env = Env::new();
    script_nasty_turn(&env);
    let run = env.exec_on_pty(&["--color", "never", "-s", "danger-full-access", "go"]);
    let screen = String::from_utf8_lossy(&run.screen);
    assert!(run.status.success(), "{screen}");
    let found = terminal_controls(&run.screen);
    assert!(
        found.is_empty(),
        "terminal controls reached the pty: {found:#?}\n{screen}"
    );
    // Shown visibly instead, in every place they came from.
    let visible = r"A\x1b]52;c;cm0gLXJmIH4=\x07B\x1b]0;pwned\x1b\C\x1b[2JD\x1bP1$qm\x1b\E\u{9b}31mF\u{9d}0;t\u{9c}G\x08H\u{202e}I";
    for place in ["thinking ", "step ", "out:", "answer "] {
        assert!(
            screen.contains(&format!("{place}{visible}")),
            "{place}: not shown visibly\n{screen}"
        );
    }
}

/// What a person sees on stderr for that turn: every escape visible, nothing obeyed.
#[test]
fn the_transcript_of_a_hostile_turn() {
    let env = Env::new();
    script_nasty_turn(&env);
    let out = env
        .exec()
        .args(["--color", "never", "-s", "danger-full-access", "go"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let workspace = env.ws().display().to_string();
    insta::with_settings!({filters => vec![
        (workspace.as_str(), "[WORKSPACE]"),
        (r"session id: [0-9a-f-]{36}", "session id: [ID]"),
        (r"codex-exec \d+\.\d+\.\d+", "codex-exec [VERSION]"),
        (r"in \d+ms", "in [N]ms"),
    ]}, {
        insta::assert_snapshot!(stderr);
    });
}

/// The same run with stdout piped: the answer is the model's bytes, exactly; and `--json`
/// carries every byte, JSON-escaped.
#[test]
fn piped_stdout_and_json_stay_exact() {
    let env = Env::new();
    script_nasty_turn(&env);
    let out = env
        .exec()
        .args(["-s", "danger-full-access", "go"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("answer {NASTY}\n")
    );
    assert!(
        terminal_controls(&out.stderr).is_empty(),
        "stderr is for people too"
    );

    let env = Env::new();
    script_nasty_turn(&env);
    let out = env
        .exec()
        .args(["--json", "-s", "danger-full-access", "go"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let raw = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!raw.contains('\x1b'), "JSON escapes control characters");
    let lines = json_lines(&out.stdout);
    let texts: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "item.completed")
        .filter_map(|l| {
            l["item"]["text"]
                .as_str()
                .or(l["item"]["aggregated_output"].as_str())
        })
        .collect();
    for want in [
        format!("thinking {NASTY}"),
        format!("out:{NASTY}"),
        format!("answer {NASTY}"),
    ] {
        assert!(
            texts.contains(&want.as_str()),
            "{want:?} not exact in {texts:#?}"
        );
    }
}

/// Regression: `Retry-After: 3600` slept for an hour in silence; a huge value panicked.
#[test]
fn an_hour_long_or_absurd_retry_after_fails_fast_with_the_reason() {
    for (value, shown) in [("3600", "1 h 0 min"), ("1e300", "more than 100 years")] {
        let env = Env::new();
        env.server.push(
            MockResponse::api_error(
                429,
                "rate_limit_exceeded",
                "Rate limit reached for mock-model",
            )
            .with_header("retry-after", value),
        );
        let start = Instant::now();
        let out = env
            .exec()
            .args(["-c", "model_providers.mock.request_max_retries=3", "hi"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{value}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(1), "{value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains("Rate limit reached for mock-model"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("asked to wait {shown}")),
            "{stderr}"
        );
        assert!(stderr.contains("max_retry_wait_ms"), "{stderr}");
        assert_eq!(env.server.request_count(), 1);
    }
}

/// Regression: a stream of `: keep-alive` comments kept the run waiting forever.
#[test]
fn a_stream_of_keep_alive_comments_times_out() {
    let env = Env::new();
    env.server.push(MockResponse::sse_then_keep_alive(
        &[ev_response_created("r1")],
        Duration::from_millis(50),
    ));
    let start = Instant::now();
    let out = env
        .exec()
        .args([
            "-c",
            "model_providers.mock.stream_idle_timeout_ms=500",
            "hi",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(start.elapsed() < Duration::from_secs(10), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no data from the model for 500 ms"),
        "{stderr}"
    );
}

/// Regression: an HTML page was retried and reported as "stream closed before completed".
#[test]
fn an_html_page_instead_of_a_stream_is_reported_after_one_attempt() {
    let env = Env::new();
    env.server.push(
        MockResponse::status(200)
            .with_header("content-type", "text/html")
            .with_body("<html><title>Login to the Wi-Fi</title>\x1b]0;pwned\x07</html>"),
    );
    let out = env
        .exec()
        .args([
            "-c",
            "model_providers.mock.request_max_retries=4",
            "-c",
            "model_providers.mock.stream_max_retries=4",
            "hi",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("answered HTTP 200 with content type `text/html`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("<html><title>Login to the Wi-Fi</title>"),
        "{stderr}"
    );
    assert!(terminal_controls(&out.stderr).is_empty(), "{stderr}");
    assert_eq!(env.server.request_count(), 1);
}

/// Regression: usage near `u64::MAX` wrapped when summed (or panicked in a debug build).
#[test]
fn absurd_usage_saturates_on_screen_and_in_json() {
    let huge = u64::MAX - 1;
    for json in [false, true] {
        let env = Env::new();
        env.server.push(MockResponse::sse(&[
            ev_function_call("c1", "shell", &json!({"command": ["true"]}).to_string()),
            ev_completed_with_usage("r1", huge, huge, huge, 0),
        ]));
        env.server.push(MockResponse::sse(&[
            ev_assistant_message("m2", "done"),
            ev_completed_with_usage("r2", huge, huge, huge, 0),
        ]));
        let mut cmd = env.exec();
        if json {
            cmd.arg("--json");
        }
        let out = cmd.arg("count").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if json {
            let lines = json_lines(&out.stdout);
            let done = lines
                .iter()
                .find(|l| l["type"] == "turn.completed")
                .unwrap();
            assert_eq!(done["usage"]["input_tokens"], u64::MAX);
            assert_eq!(done["usage"]["output_tokens"], u64::MAX);
        } else {
            assert!(
                stderr.contains(&format!("tokens used: {}", u64::MAX)),
                "{stderr}"
            );
        }
    }
}

/// A huge answer: the transcript shows a head and a tail with the size; stdout gets it all.
/// Escapes and multi-byte characters throughout, since a long item's text is unescaped in
/// pieces.
#[test]
fn a_huge_answer_is_cut_in_the_transcript_and_whole_on_stdout() {
    let env = Env::new();
    let answer = (0..200_000).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "line {i} \"é😀\t\\");
        s
    });
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", &answer),
        ev_completed("r1"),
    ]));
    let out = env.exec().arg("long").output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout.len(), answer.len() + 1);
    assert!(out.stdout.starts_with(answer.as_bytes()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.len() < 16 * 1024,
        "the transcript holds {} bytes",
        stderr.len()
    );
    assert!(
        stderr.contains("line 0 \"é😀\t\\\nline 1 \"é😀\t\\\n"),
        "{stderr}"
    );
    assert!(stderr.contains("line 199999"), "{stderr}");
    assert!(
        stderr.contains("in all; the final answer goes whole to stdout"),
        "{stderr}"
    );
    // --json carries it whole, and the session file keeps it (written in chunks).
    let env = Env::new();
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m1", &answer),
        ev_completed("r1"),
    ]));
    let out = env.exec().args(["--json", "long"]).output().unwrap();
    assert!(out.status.success());
    let lines = json_lines(&out.stdout);
    let item = lines
        .iter()
        .find(|l| l["type"] == "item.completed")
        .unwrap();
    assert_eq!(item["item"]["text"].as_str(), Some(answer.as_str()));
    let thread = lines[0]["thread_id"].as_str().unwrap();
    let sessions = env.home.path().join("sessions");
    let rollout = walk(&sessions)
        .into_iter()
        .find(|p| p.to_string_lossy().contains(thread))
        .unwrap();
    let text = std::fs::read_to_string(rollout).unwrap();
    let kept = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .fold((false, false), |(item, event), l| {
            (
                item || l["payload"]["content"][0]["text"].as_str() == Some(answer.as_str()),
                event
                    || (l["payload"]["type"] == "agent_message"
                        && l["payload"]["message"].as_str() == Some(answer.as_str())),
            )
        });
    assert_eq!(
        kept,
        (true, true),
        "the answer's item and event in the session file"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
