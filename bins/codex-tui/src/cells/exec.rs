//! A command the agent runs: its command line and cwd, a spinner while it runs, then its exit
//! code, time and the tail of its output.

use std::path::Path;
use std::time::Instant;

use codex_protocol::protocol::{ExecCommandBeginEvent, ExecCommandEndEvent};
use ratatui::text::{Line, Span};

use crate::cells::{safe, styles};

/// Output lines shown in full; longer output keeps its last [`TAIL_LINES`].
const FULL_OUTPUT_LINES: usize = 8;
/// How many of the last output lines a long output shows.
const TAIL_LINES: usize = 5;
/// Spinner frames (the static frame is used with animations off).
pub(crate) const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// One command, running or finished.
#[derive(Debug, Clone)]
pub(crate) struct ExecCell {
    /// The tool call it belongs to.
    pub(crate) call_id: String,
    command: String,
    cwd: String,
    started: Instant,
    result: Option<ExecResult>,
}

#[derive(Debug, Clone)]
struct ExecResult {
    exit_code: i32,
    duration_seconds: f64,
    output: String,
    declined: bool,
}

impl ExecCell {
    /// A command that just started.
    pub(crate) fn begin(event: &ExecCommandBeginEvent) -> Self {
        Self {
            call_id: event.call_id.clone(),
            command: command_line(&event.command),
            cwd: cwd_text(&event.cwd),
            started: Instant::now(),
            result: None,
        }
    }

    /// Records how it ended.
    pub(crate) fn end(&mut self, event: &ExecCommandEndEvent) {
        let output = if event.aggregated_output.is_empty() {
            format!("{}{}", event.stdout, event.stderr)
        } else {
            event.aggregated_output.clone()
        };
        self.result = Some(ExecResult {
            exit_code: event.exit_code,
            duration_seconds: event.duration_seconds,
            output: safe(&output),
            declined: event.declined,
        });
    }

    /// A command that ended without a begin event (refused before it started).
    pub(crate) fn ended(event: &ExecCommandEndEvent) -> Self {
        let mut cell = Self {
            call_id: event.call_id.clone(),
            command: command_line(&event.command),
            cwd: String::new(),
            started: Instant::now(),
            result: None,
        };
        cell.end(event);
        cell
    }

    /// The cell's lines; `spinner` picks the running frame.
    pub(crate) fn lines(&self, spinner: usize) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let Some(result) = &self.result else {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} ", SPINNER[spinner % SPINNER.len()]),
                    styles::accent(),
                ),
                Span::styled("Running ", styles::bold()),
                Span::raw(self.command.clone()),
            ]));
            let secs = self.started.elapsed().as_secs();
            let place = if self.cwd.is_empty() {
                String::new()
            } else {
                format!("in {} · ", self.cwd)
            };
            lines.push(Line::from(Span::styled(
                format!("  └ {place}{}", crate::bottom::status::elapsed(secs)),
                styles::dim(),
            )));
            return lines;
        };
        let (mark, mark_style, verb) = if result.declined {
            ("✗ ", styles::failed(), "Not run ")
        } else if result.exit_code == 0 {
            ("✓ ", styles::ok(), "Ran ")
        } else {
            ("✗ ", styles::failed(), "Ran ")
        };
        lines.push(Line::from(vec![
            Span::styled(mark, mark_style),
            Span::styled(verb, styles::bold()),
            Span::raw(self.command.clone()),
        ]));
        let mut status = vec![Span::styled("  └ ", styles::dim())];
        if !self.cwd.is_empty() {
            status.push(Span::styled(format!("in {} · ", self.cwd), styles::dim()));
        }
        if result.declined {
            status.push(Span::styled("declined", styles::error()));
        } else {
            let code_style = if result.exit_code == 0 {
                styles::dim()
            } else {
                styles::error()
            };
            status.push(Span::styled(
                format!("exit {}", result.exit_code),
                code_style,
            ));
            status.push(Span::styled(
                format!(" · {}", duration(result.duration_seconds)),
                styles::dim(),
            ));
        }
        lines.push(Line::from(status));
        let output: Vec<&str> = result.output.trim_end_matches('\n').split('\n').collect();
        if result.output.trim().is_empty() {
            if !result.declined {
                lines.push(Line::from(Span::styled("    (no output)", styles::dim())));
            }
        } else if output.len() <= FULL_OUTPUT_LINES {
            lines.extend(output.iter().map(|l| output_line(l)));
        } else {
            lines.push(Line::from(Span::styled(
                format!("    … +{} lines", output.len() - TAIL_LINES),
                styles::dim(),
            )));
            lines.extend(
                output[output.len() - TAIL_LINES..]
                    .iter()
                    .map(|l| output_line(l)),
            );
        }
        lines
    }
}

fn output_line(line: &str) -> Line<'static> {
    Line::from(Span::styled(format!("    {line}"), styles::dim()))
}

/// `1.2s`, `35ms`, `2m 05s`.
fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "?".to_owned();
    }
    if seconds < 1.0 {
        format!("{:.0}ms", seconds * 1000.0)
    } else if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        let whole = seconds.round();
        format!("{}m {:02}s", (whole / 60.0).floor(), whole % 60.0)
    }
}

fn cwd_text(cwd: &Path) -> String {
    safe(&cwd.display().to_string())
}

/// The command as a person would type it: the script of `bash -lc <script>`, else the argv
/// joined with quotes where a shell would need them.
pub(crate) fn command_line(argv: &[String]) -> String {
    if let [shell, flag, script] = argv
        && matches!(
            shell.as_str(),
            "bash" | "sh" | "zsh" | "/bin/bash" | "/bin/sh"
        )
        && matches!(flag.as_str(), "-lc" | "-c")
    {
        return safe(script);
    }
    let joined: Vec<String> = argv.iter().map(|a| quote(a)).collect();
    safe(&joined.join(" "))
}

fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    fn end(code: i32, output: &str) -> ExecCommandEndEvent {
        ExecCommandEndEvent {
            call_id: "c1".into(),
            command: vec!["bash".into(), "-lc".into(), "echo hi".into()],
            stdout: String::new(),
            stderr: String::new(),
            aggregated_output: output.into(),
            exit_code: code,
            duration_seconds: 0.25,
            declined: false,
        }
    }

    #[test]
    fn command_lines() {
        assert_eq!(
            command_line(&["bash".into(), "-lc".into(), "ls -la".into()]),
            "ls -la"
        );
        assert_eq!(
            command_line(&["echo".into(), "a b".into(), "it's".into()]),
            "echo 'a b' 'it'\\''s'"
        );
    }

    #[test]
    fn long_output_is_folded_to_its_tail() {
        let output: String = (1..=20).fold(String::new(), |acc, i| acc + &format!("line {i}\n"));
        let mut cell = ExecCell::begin(&ExecCommandBeginEvent {
            call_id: "c1".into(),
            command: vec!["bash".into(), "-lc".into(), "echo hi".into()],
            cwd: "/w".into(),
        });
        cell.end(&end(0, &output));
        assert_eq!(
            plain(&cell.lines(0)),
            [
                "✓ Ran echo hi",
                "  └ in /w · exit 0 · 250ms",
                "    … +15 lines",
                "    line 16",
                "    line 17",
                "    line 18",
                "    line 19",
                "    line 20",
            ]
        );
    }

    #[test]
    fn output_escapes_are_shown() {
        let cell = ExecCell::ended(&end(1, "\x1b]0;pwned\x07"));
        assert!(plain(&cell.lines(0))[2].contains("\\x1b]0;pwned"));
    }
}
