//! Human output: progress on stderr, only the final answer on stdout.
//!
//! Everything that came from the model, a command or a server passes through
//! [`codex_safe_text`] before it reaches the terminal (via [`Style::paint`] or [`safe`]), so
//! escape sequences are shown, not obeyed. Long texts are cut to a head and a tail
//! ([`crate::excerpt`]). The final answer goes to stdout whole, exactly as the model sent it
//! when stdout is a file or a pipe, and sanitised when it is a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};

use codex_core::exec::join_command;
use codex_protocol::mcp_events::{McpInvocation, McpStartupStatus};
use codex_protocol::protocol::{EventMsg, RetryingEvent, SessionConfiguredEvent, StepStatus};
use codex_safe_text::{Sanitizer, sanitize};

use crate::excerpt::{group, head_and_tail, size};
use crate::output::{EventSink, Style};

/// Lines of a command's output shown in the transcript.
const OUTPUT_LINES: usize = 20;
/// Longest line of command output, plan step or file path shown in the transcript.
const LINE_BYTES: usize = 400;
/// Plan steps and changed files listed in the transcript.
const LIST_ITEMS: usize = 20;

/// Writes events as text for a person watching the terminal.
pub(crate) struct HumanOutput {
    style: Style,
    hide_reasoning: bool,
}

impl HumanOutput {
    pub(crate) fn new(style: Style, hide_reasoning: bool) -> Self {
        Self {
            style,
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
            format!(
                "{} {}",
                dim("workdir:"),
                safe(&event.cwd.display().to_string())
            ),
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
        lines.push(safe(&head_and_tail(prompt, "the whole prompt was sent")).into_owned());
        err(&lines.join("\n"));
    }

    fn event(&mut self, msg: EventMsg) {
        match &msg {
            EventMsg::AgentMessage { message } => {
                let shown = head_and_tail(message, "the final answer goes whole to stdout");
                err(&format!("{}\n{}", self.heading("codex"), safe(&shown)));
            }
            EventMsg::AgentReasoning { text } if !self.hide_reasoning => {
                err(&format!(
                    "{}\n{}",
                    self.style.paint("thinking", "3;35"),
                    self.style
                        .paint(&head_and_tail(text, "the rest is in the session file"), "3")
                ));
            }
            EventMsg::ExecCommandBegin(begin) => {
                err(&format!(
                    "{} {} in {}",
                    self.heading("exec"),
                    self.style
                        .paint(&short_line(&join_command(&begin.command)), "1"),
                    safe(&begin.cwd.display().to_string())
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
                let preview: Vec<Cow<'_, str>> = end
                    .aggregated_output
                    .lines()
                    .take(OUTPUT_LINES)
                    .map(short_line)
                    .collect();
                let more = end
                    .aggregated_output
                    .lines()
                    .count()
                    .saturating_sub(preview.len());
                let mut text =
                    format!("{verdict}:\n{}", self.style.paint(&preview.join("\n"), "2"));
                if more > 0 {
                    let _ = write!(text, "\n... {} more lines", group(more));
                }
                err(&text);
            }
            EventMsg::PatchApplyBegin(begin) => {
                let mut files: Vec<String> = begin
                    .changes
                    .iter()
                    .take(LIST_ITEMS)
                    .map(|(p, k)| {
                        format!(
                            "{} {}",
                            kind_word(*k),
                            safe(&short_line(&p.display().to_string()))
                        )
                    })
                    .collect();
                if begin.changes.len() > LIST_ITEMS {
                    files.push(format!(
                        "... {} more files",
                        group(begin.changes.len() - LIST_ITEMS)
                    ));
                }
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
                err(&format!(
                    "{verdict}: {}",
                    safe(&head_and_tail(
                        end.output.trim_end(),
                        "the model got all of it"
                    ))
                ));
            }
            EventMsg::PlanUpdate(plan) => {
                let mut steps: Vec<String> = plan
                    .plan
                    .iter()
                    .take(LIST_ITEMS)
                    .map(|s| {
                        let mark = match s.status {
                            StepStatus::Completed => "[x]",
                            StepStatus::InProgress => "[>]",
                            StepStatus::Pending => "[ ]",
                        };
                        format!("  {mark} {}", safe(&short_line(&s.step)))
                    })
                    .collect();
                if plan.plan.len() > LIST_ITEMS {
                    steps.push(format!(
                        "  ... {} more steps",
                        group(plan.plan.len() - LIST_ITEMS)
                    ));
                }
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
            EventMsg::Error { message, .. } => {
                err(&self.style.paint(&format!("ERROR: {message}"), "31"));
            }
            EventMsg::TurnAborted { .. } => err(&self.style.paint("turn interrupted", "33")),
            EventMsg::TaskComplete {
                last_agent_message: Some(message),
            } => print_answer(message),
            EventMsg::McpStartupUpdate(update) => match &update.status {
                McpStartupStatus::Failed { error } => {
                    err(&self.style.paint(&format!("ERROR: {error}"), "31"));
                }
                McpStartupStatus::Ready { tools, sandbox } => {
                    let confinement = sandbox.as_deref().map_or_else(
                        || "not sandboxed".to_owned(),
                        |mode| format!("sandbox {mode}"),
                    );
                    err(&self.style.paint(
                        &format!(
                            "mcp: `{}` ready ({tools} tools, {confinement})",
                            update.server
                        ),
                        "2",
                    ));
                }
                McpStartupStatus::Starting => {}
            },
            EventMsg::McpToolCallBegin(begin) => {
                err(&format!(
                    "{} {}",
                    self.heading("tool"),
                    self.style.paint(&mcp_call_line(&begin.invocation), "1")
                ));
            }
            EventMsg::McpToolCallEnd(end) => {
                let line = mcp_call_line(&end.invocation);
                let verdict = if end.is_success() {
                    self.style.paint(&format!("{line} success"), "32")
                } else {
                    self.style.paint(&format!("{line} failed"), "31")
                };
                let detail = end.error.clone().unwrap_or_else(|| {
                    end.result
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                });
                let detail: String = detail.chars().take(2000).collect();
                err(&format!("{verdict}:\n{}", self.style.paint(&detail, "2")));
            }
            _ => {}
        }
    }

    fn finish(&mut self, _failed: bool) {}
}

/// Untrusted text made safe for the terminal.
pub(crate) fn safe(text: &str) -> Cow<'_, str> {
    sanitize(text)
}

/// One line, cut to [`LINE_BYTES`] with its full size when longer.
fn short_line(line: &str) -> Cow<'_, str> {
    if line.len() <= LINE_BYTES {
        return Cow::Borrowed(line);
    }
    let mut end = LINE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… ({} in all)", &line[..end], size(line.len())))
}

/// The final answer on stdout, whole: the model's bytes when stdout is a file or a pipe,
/// sanitised when it is a terminal. Written from the event in pieces, so the answer is not
/// copied again however large it is.
fn print_answer(message: &str) {
    const PIECE: usize = 64 * 1024;
    let mut stdout = std::io::stdout().lock();
    if !std::io::stdout().is_terminal() {
        let _ = stdout.write_all(message.as_bytes());
        let _ = stdout.write_all(b"\n");
        let _ = stdout.flush();
        return;
    }
    let mut sanitizer = Sanitizer::new();
    let mut out = String::with_capacity(PIECE + 64);
    let mut rest = message;
    while !rest.is_empty() {
        let mut end = PIECE.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        sanitizer.push(&rest[..end], &mut out);
        let _ = stdout.write_all(out.as_bytes());
        out.clear();
        rest = &rest[end..];
    }
    sanitizer.finish(&mut out);
    out.push('\n');
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
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

/// `server.tool({"arg":1})`, as Codex shows an MCP call.
fn mcp_call_line(invocation: &McpInvocation) -> String {
    let args = if invocation.arguments.is_null() {
        String::new()
    } else {
        invocation.arguments.to_string()
    };
    format!("{}.{}({args})", invocation.server, invocation.tool)
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
