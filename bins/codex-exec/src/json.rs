//! `--json`: Codex's JSON lines on stdout, one `ThreadEvent` per line.

use std::io::Write;

use codex_core::exec::join_command;
use codex_protocol::exec_events::{
    CommandExecutionStatus, EXEC_EVENTS_SCHEMA_VERSION, FileUpdateChange, McpToolCallItemError,
    McpToolCallItemResult, McpToolCallStatus, PatchApplyStatus, ThreadError, ThreadEvent,
    ThreadItem, ThreadItemDetails, TodoItem, Usage,
};
use codex_protocol::mcp_events::{McpInvocation, McpStartupStatus};
use codex_protocol::protocol::{EventMsg, SessionConfiguredEvent, StepStatus, UpdatePlanArgs};
use serde_json::Value;
use std::collections::HashMap;

use crate::output::EventSink;

/// Translates core events into thread/turn/item lines.
#[derive(Default)]
pub(crate) struct JsonOutput {
    next_item: u64,
    /// Running commands: call id -> (item id, command line).
    running: HashMap<String, (String, String)>,
    /// Running MCP calls: call id -> item id.
    mcp_running: HashMap<String, String>,
    /// The plan's item, while the turn runs.
    todo: Option<(String, Vec<TodoItem>)>,
    usage: Usage,
    turn_open: bool,
    /// Why the turn failed, and the limit code when a limit ended it.
    failed: Option<(String, Option<String>)>,
}

impl JsonOutput {
    fn emit(event: &ThreadEvent) {
        // Straight into stdout: a line carrying a 100 MB answer is not built in memory first.
        let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        if let Err(e) = serde_json::to_writer(&mut stdout, event) {
            if e.is_io() {
                // A closed pipe means nobody reads; the run still finishes and records its
                // session.
                return;
            }
            let _ = serde_json::to_writer(
                &mut stdout,
                &serde_json::json!({"type": "error", "message": format!("failed to serialize exec json event: {e}")}),
            );
        }
        let _ = stdout.write_all(b"\n");
        let _ = stdout.flush();
    }

    fn item_id(&mut self) -> String {
        let id = format!("item_{}", self.next_item);
        self.next_item += 1;
        id
    }

    fn completed(&mut self, details: ThreadItemDetails) {
        let id = self.item_id();
        Self::emit(&ThreadEvent::ItemCompleted {
            item: ThreadItem { id, details },
        });
    }

    fn plan(&mut self, plan: &UpdatePlanArgs) {
        let items: Vec<TodoItem> = plan
            .plan
            .iter()
            .map(|s| TodoItem {
                text: s.step.clone(),
                completed: s.status == StepStatus::Completed,
            })
            .collect();
        // The first plan of a turn starts the to-do item; later ones update it.
        let (id, started) = match self.todo.take() {
            Some((id, _)) => (id, true),
            None => (self.item_id(), false),
        };
        let item = ThreadItem {
            id: id.clone(),
            details: ThreadItemDetails::TodoList {
                items: items.clone(),
            },
        };
        Self::emit(&if started {
            ThreadEvent::ItemUpdated { item }
        } else {
            ThreadEvent::ItemStarted { item }
        });
        self.todo = Some((id, items));
    }

    fn close_turn(&mut self) {
        if let Some((id, items)) = self.todo.take() {
            Self::emit(&ThreadEvent::ItemCompleted {
                item: ThreadItem {
                    id,
                    details: ThreadItemDetails::TodoList { items },
                },
            });
        }
        if !self.turn_open {
            return;
        }
        self.turn_open = false;
        match self.failed.take() {
            Some((message, code)) => Self::emit(&ThreadEvent::TurnFailed {
                error: ThreadError { message, code },
            }),
            None => Self::emit(&ThreadEvent::TurnCompleted { usage: self.usage }),
        }
    }
}

impl EventSink for JsonOutput {
    fn session_configured(&mut self, event: &SessionConfiguredEvent, _prompt: &str) {
        Self::emit(&ThreadEvent::ThreadStarted {
            thread_id: event.session_id.clone(),
            schema_version: Some(EXEC_EVENTS_SCHEMA_VERSION),
        });
    }

    fn event(&mut self, msg: EventMsg) {
        // The answer moves into its item rather than being copied (it may be huge).
        let msg = match msg {
            EventMsg::AgentMessage { message } => {
                self.completed(ThreadItemDetails::AgentMessage { text: message });
                return;
            }
            other => other,
        };
        match &msg {
            EventMsg::TaskStarted => {
                self.turn_open = true;
                Self::emit(&ThreadEvent::TurnStarted);
            }
            EventMsg::AgentReasoning { text } => {
                self.completed(ThreadItemDetails::Reasoning { text: text.clone() });
            }
            EventMsg::ExecCommandBegin(begin) => {
                let id = self.item_id();
                let command = join_command(&begin.command);
                Self::emit(&ThreadEvent::ItemStarted {
                    item: ThreadItem {
                        id: id.clone(),
                        details: ThreadItemDetails::CommandExecution {
                            command: command.clone(),
                            aggregated_output: String::new(),
                            exit_code: None,
                            status: CommandExecutionStatus::InProgress,
                        },
                    },
                });
                self.running.insert(begin.call_id.clone(), (id, command));
            }
            EventMsg::ExecCommandEnd(end) => {
                let (id, command) = self
                    .running
                    .remove(&end.call_id)
                    .unwrap_or_else(|| (self.item_id(), join_command(&end.command)));
                let status = if end.declined {
                    CommandExecutionStatus::Declined
                } else if end.exit_code == 0 {
                    CommandExecutionStatus::Completed
                } else {
                    CommandExecutionStatus::Failed
                };
                Self::emit(&ThreadEvent::ItemCompleted {
                    item: ThreadItem {
                        id,
                        details: ThreadItemDetails::CommandExecution {
                            command,
                            aggregated_output: end.aggregated_output.clone(),
                            exit_code: Some(end.exit_code),
                            status,
                        },
                    },
                });
            }
            EventMsg::PatchApplyEnd(end) => {
                let changes = end
                    .changes
                    .iter()
                    .map(|(path, kind)| FileUpdateChange {
                        path: path.display().to_string(),
                        kind: *kind,
                    })
                    .collect();
                let status = if end.success {
                    PatchApplyStatus::Completed
                } else {
                    PatchApplyStatus::Failed
                };
                self.completed(ThreadItemDetails::FileChange { changes, status });
            }
            EventMsg::PlanUpdate(plan) => self.plan(plan),
            EventMsg::TokenCount {
                total_token_usage, ..
            } => {
                self.usage = Usage {
                    input_tokens: total_token_usage.input_tokens,
                    cached_input_tokens: total_token_usage.cached_input_tokens,
                    output_tokens: total_token_usage.output_tokens,
                };
            }
            EventMsg::StreamError { message } => Self::emit(&ThreadEvent::Error {
                message: message.clone(),
            }),
            EventMsg::BackgroundEvent { message } => self.completed(ThreadItemDetails::Error {
                message: message.clone(),
            }),
            EventMsg::Error { message, code } => {
                // As Codex: the error as an event of its own, then the turn's failure.
                Self::emit(&ThreadEvent::Error {
                    message: message.clone(),
                });
                self.failed = Some((message.clone(), code.map(|c| c.as_str().to_owned())));
                self.close_turn();
            }
            EventMsg::TurnAborted { .. } => {
                self.failed = Some(("the turn was interrupted".to_owned(), None));
                self.close_turn();
            }
            EventMsg::TaskComplete { .. } => self.close_turn(),
            EventMsg::McpStartupUpdate(update) => {
                if let McpStartupStatus::Failed { error } = &update.status {
                    Self::emit(&ThreadEvent::Error {
                        message: error.clone(),
                    });
                }
            }
            EventMsg::McpToolCallBegin(begin) => {
                let id = self.item_id();
                self.mcp_running.insert(begin.call_id.clone(), id.clone());
                Self::emit(&ThreadEvent::ItemStarted {
                    item: ThreadItem {
                        id,
                        details: mcp_item(
                            &begin.invocation,
                            None,
                            None,
                            McpToolCallStatus::InProgress,
                        ),
                    },
                });
            }
            EventMsg::McpToolCallEnd(end) => {
                let id = self
                    .mcp_running
                    .remove(&end.call_id)
                    .unwrap_or_else(|| self.item_id());
                let status = if end.is_success() {
                    McpToolCallStatus::Completed
                } else {
                    McpToolCallStatus::Failed
                };
                let result = end.result.as_ref().map(|r| McpToolCallItemResult {
                    content: r
                        .get("content")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    structured_content: r.get("structuredContent").cloned(),
                });
                let error = end.error.as_ref().map(|message| McpToolCallItemError {
                    message: message.clone(),
                });
                Self::emit(&ThreadEvent::ItemCompleted {
                    item: ThreadItem {
                        id,
                        details: mcp_item(&end.invocation, result, error, status),
                    },
                });
            }
            _ => {}
        }
    }

    fn finish(&mut self, _failed: bool) {
        self.close_turn();
    }
}

fn mcp_item(
    invocation: &McpInvocation,
    result: Option<McpToolCallItemResult>,
    error: Option<McpToolCallItemError>,
    status: McpToolCallStatus,
) -> ThreadItemDetails {
    ThreadItemDetails::McpToolCall {
        server: invocation.server.clone(),
        tool: invocation.tool.clone(),
        arguments: invocation.arguments.clone(),
        result,
        error,
        status,
    }
}
