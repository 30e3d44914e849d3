//! Times `codex-exec` end to end against the local mock model: a plain turn, a turn with one
//! sandboxed shell call, and turns of `bash -lc` calls under a login profile that costs about
//! 100 ms (a version manager, say), with the shell snapshot on and off. Prints median wall
//! time, CPU time and peak RSS of the child.
//!
//! Run through `scripts/bench-exec.sh` (release build). Arguments: `[RUNS]` (default 30).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use codex_test_support::responses::{ev_assistant_message, ev_completed, ev_function_call};
use codex_test_support::{MockResponse, MockServer, MockWire, TestHome, mock_provider_config};

struct Sample {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let dir = codex_test_support::workspace_bin_dir();
    let exec = dir.join("codex-exec");
    let sandbox = dir.join("codex-linux-sandbox");
    assert!(
        exec.exists() && sandbox.exists(),
        "build codex-exec and codex-linux-sandbox first ({})",
        dir.display()
    );

    let server = MockServer::start();
    let home = TestHome::new();
    home.write_config(&format!(
        "sandbox_exe = \"{}\"\n{}",
        sandbox.display(),
        mock_provider_config(&server, MockWire::Responses)
    ));
    let workspace = tempfile::tempdir().unwrap();
    std::fs::create_dir(workspace.path().join(".git")).unwrap();
    std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();

    let plain = measure(runs, || {
        server.push(MockResponse::sse(&[
            ev_assistant_message("m", "hi"),
            ev_completed("r"),
        ]));
        run_once(&exec, home.path(), workspace.path(), &["say hi"])
    });
    let tool = measure(runs, || {
        let args = serde_json::json!({"command": ["echo", "hi"]}).to_string();
        server.push(MockResponse::sse(&[
            ev_function_call("c1", "shell", &args),
            ev_completed("r1"),
        ]));
        server.push(MockResponse::sse(&[
            ev_assistant_message("m", "done"),
            ev_completed("r2"),
        ]));
        run_once(
            &exec,
            home.path(),
            workspace.path(),
            &["-s", "workspace-write", "run echo"],
        )
    });
    // A login profile as slow as a version manager's.
    let user_home = tempfile::tempdir().unwrap();
    std::fs::write(
        user_home.path().join(".bash_profile"),
        "sleep 0.1\nexport FROM_PROFILE=1\n",
    )
    .unwrap();
    let shell_turn = |calls: usize, login: bool, snapshot: bool| {
        let flag = if login { "-lc" } else { "-c" };
        let args = serde_json::json!({"command": ["bash", flag, "echo hi"]}).to_string();
        let mut events: Vec<_> = (0..calls)
            .map(|i| ev_function_call(&format!("c{i}"), "shell", &args))
            .collect();
        events.push(ev_completed("r1"));
        server.push(MockResponse::sse(&events));
        server.push(MockResponse::sse(&[
            ev_assistant_message("m", "done"),
            ev_completed("r2"),
        ]));
        let mut argv = vec!["-s", "workspace-write"];
        if !snapshot {
            argv.extend(["--disable", "shell_snapshot"]);
        }
        argv.push("run echo");
        run_once_with_home(
            &exec,
            home.path(),
            workspace.path(),
            &argv,
            user_home.path(),
        )
    };
    let bash_c = measure(runs, || shell_turn(1, false, true));
    let lc_before = measure(runs, || shell_turn(1, true, false));
    let lc_after = measure(runs, || shell_turn(1, true, true));
    let lc5_before = measure(runs, || shell_turn(5, true, false));
    let lc5_after = measure(runs, || shell_turn(5, true, true));

    report("plain turn", &plain);
    report("tool turn (one sandboxed command)", &tool);
    report("bash -c turn (no profile read)", &bash_c);
    report("bash -lc turn, snapshot off", &lc_before);
    report("bash -lc turn, snapshot on", &lc_after);
    report("5 x bash -lc turn, snapshot off", &lc5_before);
    report("5 x bash -lc turn, snapshot on", &lc5_after);
}

fn measure(runs: usize, mut once: impl FnMut() -> Sample) -> Vec<Sample> {
    once(); // warm the page cache
    (0..runs).map(|_| once()).collect()
}

fn run_once(exec: &Path, home: &Path, cwd: &Path, args: &[&str]) -> Sample {
    let user_home = std::env::var_os("HOME").unwrap_or_default();
    run_once_with_home(exec, home, cwd, args, Path::new(&user_home))
}

// The child is reaped with wait4 (for its rusage), not Child::wait.
#[allow(clippy::zombie_processes)]
fn run_once_with_home(
    exec: &Path,
    home: &Path,
    cwd: &Path,
    args: &[&str],
    user_home: &Path,
) -> Sample {
    let start = Instant::now();
    let child = Command::new(exec)
        .args(args)
        .env("HOME", user_home)
        .current_dir(cwd)
        .env("CODEX_HOME", home)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
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
        "codex-exec failed"
    );
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Sample {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    }
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

fn report(name: &str, samples: &[Sample]) {
    let wall = median(samples.iter().map(|s| s.wall).collect());
    let cpu = median(samples.iter().map(|s| s.cpu).collect());
    let rss = median(samples.iter().map(|s| s.max_rss_kib).collect());
    println!(
        "{name:<38} median wall {:>7.2} ms   cpu {:>6.2} ms   peak RSS {:>6.2} MiB   ({} runs)",
        wall.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0,
        rss as f64 / 1024.0,
        samples.len()
    );
}
