//! Human output: progress on stderr, only the final answer on stdout.

use std::fmt::Write as _;
use std::io::Write as _;

use codex_core::exec::join_command;
use codex_protocol::protocol::{EventMsg, RetryingEvent, SessionConfiguredEvent, StepStatus};

use crate::output::{EventSink, Style};

/// Writes events as text for a person watching the terminal.
pub(crate) struct HumanOutput {
    style: Style,
    last_message: Option<String>,
    hide_reasoning: bool,
}

impl HumanOutput {
    pub(crate) fn new(style: Style, hide_reasoning: bool) -> Self {
        Self {
            style,
            last_message: None,
            hide_reasoning,
        }
    }

    fn heading(&self, word: &str) -> String {
        self.style.paint(word, "1;35")
    }
}

impl EventSink for HumanOutput {
    fn session_configured(&mut self, event: &SessionConfiguredEvent, prompt: &str) {
        let dim = |s: &str| self.style.paint(s, "2");
        let mut lines = vec![
            format!("codex-exec {}", env!("CARGO_PKG_VERSION")),
            dim("--------"),
            format!("{} {}", dim("workdir:"), event.cwd.display()),
            format!("{} {}", dim("model:"), event.model),
            format!("{} {}", dim("provider:"), event.model_provider),
            format!("{} {}", dim("approval:"), event.approval_policy),
            format!(
                "{} {}",
                dim("sandbox:"),
                describe_sandbox(&event.sandbox_policy)
            ),
            format!("{} {}", dim("session id:"), event.session_id),
        ];
        if event.resumed_items > 0 {
            lines.push(format!(
                "{} {} earlier items",
                dim("resumed:"),
                event.resumed_items
            ));
        }
        lines.push(dim("--------"));
        lines.push(self.heading("user"));
        lines.push(prompt.to_owned());
        err(&lines.join("\n"));
    }

    fn event(&mut self, msg: &EventMsg) {
        match msg {
            EventMsg::AgentMessage { message } => {
                err(&format!("{}\n{message}", self.heading("codex")));
                self.last_message = Some(message.clone());
            }
            EventMsg::AgentReasoning { text } if !self.hide_reasoning => {
                err(&format!(
                    "{}\n{}",
                    self.style.paint("thinking", "3;35"),
                    self.style.paint(text, "3")
                ));
            }
            EventMsg::ExecCommandBegin(begin) => {
                err(&format!(
                    "{} {} in {}",
                    self.heading("exec"),
                    self.style.paint(&join_command(&begin.command), "1"),
                    begin.cwd.display()
                ));
            }
            EventMsg::ExecCommandEnd(end) => {
                let verdict = if end.declined {
                    self.style.paint("declined", "31")
                } else if end.exit_code == 0 {
                    self.style.paint(
                        &format!("succeeded in {:.0}ms", end.duration_seconds * 1000.0),
                        "32",
                    )
                } else {
                    self.style.paint(
                        &format!(
                            "exited {} in {:.0}ms",
                            end.exit_code,
                            end.duration_seconds * 1000.0
                        ),
                        "31",
                    )
                };
                let preview: Vec<&str> = end.aggregated_output.lines().take(20).collect();
                let more = end
                    .aggregated_output
                    .lines()
                    .count()
                    .saturating_sub(preview.len());
                let mut text =
                    format!("{verdict}:\n{}", self.style.paint(&preview.join("\n"), "2"));
                if more > 0 {
                    let _ = write!(text, "\n... {more} more lines");
                }
                err(&text);
            }
            EventMsg::PatchApplyBegin(begin) => {
                let files: Vec<String> = begin
                    .changes
                    .iter()
                    .map(|(p, k)| format!("{} {}", kind_word(*k), p.display()))
                    .collect();
                err(&format!(
                    "{}\n{}",
                    self.heading("apply_patch"),
                    files.join("\n")
                ));
            }
            EventMsg::PatchApplyEnd(end) => {
                let verdict = if end.success {
                    self.style.paint("patch applied", "32")
                } else {
                    self.style.paint("patch failed", "31")
                };
                err(&format!("{verdict}: {}", end.output.trim_end()));
            }
            EventMsg::PlanUpdate(plan) => {
                let steps: Vec<String> = plan
                    .plan
                    .iter()
                    .map(|s| {
                        let mark = match s.status {
                            StepStatus::Completed => "[x]",
                            StepStatus::InProgress => "[>]",
                            StepStatus::Pending => "[ ]",
                        };
                        format!("  {mark} {}", s.step)
                    })
                    .collect();
                err(&format!("{}\n{}", self.heading("plan"), steps.join("\n")));
            }
            EventMsg::TokenCount {
                total_token_usage, ..
            } => {
                err(&format!(
                    "{} {}",
                    self.style.paint("tokens used:", "2"),
                    total_token_usage.input_plus_output()
                ));
            }
            EventMsg::StreamError { message } => err(&self.style.paint(message, "33")),
            EventMsg::Retrying(retry) => {
                err(&self.style.paint(&describe_retry(retry), "33"));
            }
            EventMsg::BackgroundEvent { message } => {
                err(&self.style.paint(&format!("note: {message}"), "33"));
            }
            EventMsg::Error { message } => {
                err(&self.style.paint(&format!("ERROR: {message}"), "31"));
            }
            EventMsg::TurnAborted { .. } => err(&self.style.paint("turn interrupted", "33")),
            _ => {}
        }
    }

    fn finish(&mut self, _failed: bool) {
        if let Some(message) = &self.last_message {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{message}");
        }
    }
}

/// `retrying in 2 s (1/4): 500 Internal Server Error`: the wait first, since that is what the
/// user sits through.
fn describe_retry(retry: &RetryingEvent) -> String {
    let wait = if retry.delay_ms < 1000 {
        format!("{} ms", retry.delay_ms)
    } else {
        format!("{:.0} s", retry.delay_ms as f64 / 1000.0)
    };
    format!(
        "retrying in {wait} ({}/{}): {}",
        retry.attempt, retry.max_retries, retry.reason
    )
}

fn describe_sandbox(policy: &codex_protocol::SandboxPolicy) -> String {
    use codex_protocol::SandboxPolicy;
    match policy {
        SandboxPolicy::DangerFullAccess => "danger-full-access (no sandbox)".to_owned(),
        SandboxPolicy::ReadOnly => "read-only".to_owned(),
        SandboxPolicy::WorkspaceWrite {
            writable_roots,
            network_access,
            ..
        } => {
            let mut roots = vec!["workdir".to_owned()];
            roots.extend(writable_roots.iter().map(|r| r.display().to_string()));
            let network = if *network_access {
                " (network access enabled)"
            } else {
                ""
            };
            format!("workspace-write [{}]{network}", roots.join(", "))
        }
    }
}

/// Progress goes to stderr; a closed stderr is no reason to stop the run.
fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

fn kind_word(kind: codex_protocol::protocol::FileChangeKind) -> &'static str {
    use codex_protocol::protocol::FileChangeKind;
    match kind {
        FileChangeKind::Add => "add",
        FileChangeKind::Delete => "delete",
        FileChangeKind::Update => "update",
    }
}
