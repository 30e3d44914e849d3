//! `history.jsonl` with several threads and processes appending at once.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::thread;

use codex_rollout::{append_history, read_history};

const PER_WRITER: usize = 150;
const CHILD_ENV_HOME: &str = "CODEX_ROLLOUT_TEST_HISTORY_HOME";
const CHILD_ENV_WRITER: &str = "CODEX_ROLLOUT_TEST_HISTORY_WRITER";

/// Long lines make a torn or interleaved write show up if locking or O_APPEND were missing.
fn text(writer: &str, seq: usize) -> String {
    format!("{writer}#{seq}#{}", "x".repeat(8 * 1024))
}

fn append_many(home: &std::path::Path, writer: &str) {
    for seq in 0..PER_WRITER {
        append_history(home, writer, &text(writer, seq)).unwrap();
    }
}

#[test]
fn concurrent_appenders_never_interleave_lines() {
    let home = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "suite::history::child_appender",
                    "--ignored",
                    "--quiet",
                ])
                .env(CHILD_ENV_HOME, home.path())
                .env(CHILD_ENV_WRITER, format!("process{i}"))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    thread::scope(|scope| {
        for i in 0..4 {
            let home = home.path();
            scope.spawn(move || append_many(home, &format!("thread{i}")));
        }
    });
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }

    let raw = std::fs::read_to_string(codex_rollout::history_path(home.path())).unwrap();
    assert_eq!(raw.lines().count(), 7 * PER_WRITER);
    let entries = read_history(home.path()).unwrap();
    assert_eq!(entries.len(), 7 * PER_WRITER, "every line parses");
    let mut seen = HashSet::new();
    for entry in &entries {
        let (writer, rest) = entry.text.split_once('#').unwrap();
        let seq: usize = rest.split_once('#').unwrap().0.parse().unwrap();
        assert_eq!(entry.session_id, writer);
        assert_eq!(entry.text, text(writer, seq));
        assert!(seen.insert((writer.to_owned(), seq)));
    }
}

/// Run by `concurrent_appenders_never_interleave_lines` as a separate process.
#[test]
#[ignore = "a child process of concurrent_appenders_never_interleave_lines"]
fn child_appender() {
    let (Some(home), Some(writer)) = (
        std::env::var_os(CHILD_ENV_HOME),
        std::env::var(CHILD_ENV_WRITER).ok(),
    ) else {
        return;
    };
    append_many(std::path::Path::new(&home), &writer);
}
