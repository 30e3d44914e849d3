//! A small stand-in for hyperfine, used by `scripts/bench-startup.sh` when
//! hyperfine is not installed: runs a command many times (stdin, stdout and
//! stderr on /dev/null) and prints the median wall time in nanoseconds.
//! Built with rustc by the script; not part of the workspace.
//!
//! Usage: spawn_median RUNS WARMUP PROGRAM [ARGS...]

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(runs), Some(warmup), Some(program)) = (
        args.first().and_then(|s| s.parse::<usize>().ok()),
        args.get(1).and_then(|s| s.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: spawn_median RUNS WARMUP PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    let rest = &args[3..];
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for i in 0..warmup + runs.max(1) {
        let start = Instant::now();
        let status = Command::new(program)
            .args(rest)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let elapsed = start.elapsed();
        if let Err(err) = status {
            eprintln!("spawn_median: cannot run {program}: {err}");
            return ExitCode::from(1);
        }
        if i >= warmup {
            times.push(elapsed);
        }
    }
    times.sort_unstable();
    println!("{}", times[times.len() / 2].as_nanos());
    ExitCode::SUCCESS
}
