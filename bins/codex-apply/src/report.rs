//! What `codex-apply` prints: a summary of the files changed on stdout (or one JSON object
//! with `--json`), errors on stderr.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use codex_cli::apply::{ApplyCli, exit};
use serde_json::{Value, json};

use crate::Success;
use crate::apply::{Change, Method};
use crate::failure::Failure;

/// Prints the outcome and returns the exit status.
pub(crate) fn print(cli: &ApplyCli, outcome: &Result<Success, Failure>) -> ExitCode {
    let code = match outcome {
        Ok(_) => exit::APPLIED,
        Err(failure) => failure.kind.exit_code(),
    };
    if cli.json {
        let object = match outcome {
            Ok(success) => success_json(&cli.task_id, success),
            Err(failure) => failure_json(&cli.task_id, failure),
        };
        out(&format!("{object}\n"));
    } else if let Ok(success) = outcome {
        out(&printable(&success_text(&cli.task_id, success)));
    }
    if let Err(failure) = outcome {
        err(&printable(&failure_text(failure)));
    }
    ExitCode::from(code)
}

/// A warning that did not stop the run (an unknown config key, ...).
pub(crate) fn warn(message: &str) {
    err(&printable(&format!("warning: {message}\n")));
}

/// Text for a terminal: paths and messages come from the diff and the backend, so control
/// characters (escape sequences) are shown as `?` instead of reaching the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

fn success_text(task_id: &str, success: &Success) -> String {
    let how = match success.applied.method {
        Method::ThreeWay => "changes staged",
        Method::WorkTree => "work tree only: the index did not match it",
    };
    let mut text = format!(
        "Applied task {task_id} to {} ({how}):\n",
        success.repo_root.display()
    );
    let (mut added, mut removed) = (0, 0);
    for file in &success.applied.files {
        let stat = &file.stat;
        let path = match &stat.old_path {
            Some(old) => format!("{old} -> {}", stat.path),
            None => stat.path.clone(),
        };
        let counts = match (stat.additions, stat.deletions) {
            (Some(a), Some(d)) => {
                added += a;
                removed += d;
                format!("+{a} -{d}")
            }
            _ => "binary".to_owned(),
        };
        let _ = writeln!(text, "  {} {path} ({counts})", file.change.letter());
    }
    let files = success.applied.files.len();
    let _ = writeln!(
        text,
        "{files} file{} changed, {added} insertion{}(+), {removed} deletion{}(-)",
        plural(files as u64),
        plural(added),
        plural(removed)
    );
    text
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn failure_text(failure: &Failure) -> String {
    let mut text = format!("Error: {}\n", failure.message);
    if !failure.failed_files.is_empty() {
        text.push_str("Files that failed:\n");
        for file in &failure.failed_files {
            let _ = writeln!(text, "  {}: {}", file.path, file.reasons.join("; "));
        }
    }
    text
}

fn success_json(task_id: &str, success: &Success) -> Value {
    let files: Vec<Value> = success
        .applied
        .files
        .iter()
        .map(|file| {
            let mut entry = json!({
                "path": file.stat.path,
                "status": file.change.as_str(),
                "additions": file.stat.additions,
                "deletions": file.stat.deletions,
            });
            if let (Some(old), Change::Renamed) = (&file.stat.old_path, file.change) {
                entry["old_path"] = json!(old);
            }
            entry
        })
        .collect();
    json!({
        "task_id": task_id,
        "applied": true,
        "repo_root": success.repo_root,
        "method": success.applied.method.as_str(),
        "staged": success.applied.method == Method::ThreeWay,
        "title": success.task.title,
        "base_commit_sha": success.task.base_commit_sha,
        "files": files,
    })
}

fn failure_json(task_id: &str, failure: &Failure) -> Value {
    let failed: Vec<Value> = failure
        .failed_files
        .iter()
        .map(|f| json!({"path": f.path, "reasons": f.reasons}))
        .collect();
    json!({
        "task_id": task_id,
        "applied": false,
        "error": {
            "kind": failure.kind.as_str(),
            "exit_code": failure.kind.exit_code(),
            "message": failure.message,
        },
        "failed_files": failed,
    })
}

/// Writes to stdout; a closed pipe (`| head`) is not worth a panic.
fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_peers_do_not_reach_the_terminal() {
        assert_eq!(
            printable("  M evil\u{1b}[2J.txt (+1 -0)\n\r\tdone\n"),
            "  M evil?[2J.txt (+1 -0)\n??done\n"
        );
    }
}
