//! A 100 MB answer end to end: the mock model streams it as 64 KiB deltas and then the whole
//! item (as the Responses API does), and `codex-exec` writes it to stdout. Prints wall time,
//! peak RSS and the bytes on stdout and stderr, in human mode and with `--json`.
//!
//! Run through `scripts/bench-huge-answer.sh` (release build). Argument: `[MIB]` (default 100).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};

const PIECE: usize = 64 * 1024;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let pieces = mib * 1024 * 1024 / PIECE;
    let dir = codex_test_support::workspace_bin_dir();
    let exec = dir.join("codex-exec");
    assert!(exec.exists(), "build codex-exec first ({})", dir.display());

    let server = MockServer::start();
    server.set_fallback(Some(MockResponse::sse_generated(move || {
        Box::new(answer_body(pieces))
    })));
    let home = TestHome::new();
    home.write_config(&mock_provider_config(&server, MockWire::Responses));
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir(workspace.path().join(".git")).unwrap();
    std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let out_dir = tempfile::tempdir().unwrap();

    println!(
        "answer: {} MiB ({} deltas of {} KiB, then the whole item)",
        pieces * PIECE / (1024 * 1024),
        pieces,
        PIECE / 1024
    );
    for (name, args) in [
        ("human", &["-s", "danger-full-access", "write it"][..]),
        (
            "--json",
            &["-s", "danger-full-access", "--json", "write it"][..],
        ),
    ] {
        let stdout = out_dir.path().join("stdout");
        let stderr = out_dir.path().join("stderr");
        let (wall, rss_kib) =
            run_once(&exec, home.path(), workspace.path(), args, &stdout, &stderr);
        println!(
            "{name:<7} wall {:>7.2} s   peak RSS {:>7.1} MiB   stdout {:>11} bytes   stderr {:>7} bytes",
            wall.as_secs_f64(),
            rss_kib as f64 / 1024.0,
            std::fs::metadata(&stdout).unwrap().len(),
            std::fs::metadata(&stderr).unwrap().len(),
        );
    }
}

/// The SSE body: created, the deltas, the done item carrying the whole text, completed.
/// Generated lazily so the server holds one piece at a time.
fn answer_body(pieces: usize) -> impl Iterator<Item = Bytes> + Send {
    let piece: String = "0123456789abcdef".repeat(PIECE / 16 - 1) + "line end here!\n";
    let piece_json = serde_json::to_string(&piece).unwrap();
    let inner = piece_json[1..piece_json.len() - 1].to_owned();
    let delta = Bytes::from(format!(
        "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"delta\":{piece_json}}}\n\n"
    ));
    let text_piece = Bytes::from(inner);
    let head = Bytes::from_static(
        b"event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}\n\n",
    );
    let done_open = Bytes::from_static(
        b"event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"message\",\"role\":\"assistant\",\"id\":\"m1\",\"content\":[{\"type\":\"output_text\",\"text\":\"",
    );
    let done_close = Bytes::from_static(
        b"\"}]}}\n\nevent: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r1\"}}\n\n",
    );
    std::iter::once(head)
        .chain(std::iter::repeat_n(delta, pieces))
        .chain(std::iter::once(done_open))
        .chain(std::iter::repeat_n(text_piece, pieces))
        .chain(std::iter::once(done_close))
}

// The child is reaped with wait4 (for its rusage), not Child::wait.
#[allow(clippy::zombie_processes)]
fn run_once(
    exec: &Path,
    home: &Path,
    cwd: &Path,
    args: &[&str],
    stdout: &Path,
    stderr: &Path,
) -> (Duration, i64) {
    let start = Instant::now();
    let child = Command::new(exec)
        .args(args)
        .current_dir(cwd)
        .env("CODEX_HOME", home)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).unwrap())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills `usage`; `child` is not waited on elsewhere.
    let waited = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "codex-exec failed: {}",
        std::fs::read_to_string(stderr).unwrap_or_default()
    );
    (wall, usage.ru_maxrss)
}
