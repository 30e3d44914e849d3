//! `notify = ["prog", "arg", ...]`: after each turn, the user's program runs with a JSON
//! description of the turn appended as its last argument (Codex's payload, byte for byte in
//! its keys), so desktop notifiers and scripts written for Codex keep working.
//!
//! The program is the user's own choice from config.toml, not the model's, so it runs outside
//! the sandbox; the model's words reach it only as one argv element, never through a shell.

use std::path::Path;
use std::process::Stdio;

use serde::Serialize;

/// The payload Codex sends; `type` is always `agent-turn-complete`.
#[derive(Serialize)]
struct TurnComplete<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "thread-id")]
    thread_id: &'a str,
    #[serde(rename = "turn-id")]
    turn_id: &'a str,
    cwd: &'a Path,
    #[serde(rename = "input-messages")]
    input_messages: &'a [String],
    #[serde(rename = "last-assistant-message")]
    last_assistant_message: Option<&'a str>,
}

/// What one finished turn tells the program.
pub(crate) struct TurnSummary<'a> {
    pub(crate) thread_id: &'a str,
    pub(crate) turn_id: &'a str,
    pub(crate) cwd: &'a Path,
    pub(crate) input_messages: &'a [String],
    pub(crate) last_assistant_message: Option<&'a str>,
}

/// Starts `argv` with the payload and does not wait for it: a slow notifier must not hold up
/// the next turn. Returns why it could not start, for the front end to show.
pub(crate) fn turn_complete(argv: &[String], turn: &TurnSummary<'_>) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Ok(());
    };
    let payload = TurnComplete {
        kind: "agent-turn-complete",
        thread_id: turn.thread_id,
        turn_id: turn.turn_id,
        cwd: turn.cwd,
        input_messages: turn.input_messages,
        last_assistant_message: turn.last_assistant_message,
    };
    let json = serde_json::to_string(&payload).map_err(|e| e.to_string())?;
    tokio::process::Command::new(program)
        .args(args)
        .arg(json)
        .current_dir(turn.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("could not run the `notify` program `{program}`: {e}"))
}
