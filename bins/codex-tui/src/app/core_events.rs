//! Core events into history cells, the status line and modals.

use codex_protocol::mcp_events::McpStartupStatus;
use codex_protocol::protocol::{EventMsg, TurnAbortReason};

use crate::app::App;
use crate::bottom::approval::ApprovalModal;
use crate::bottom::status::TurnStatus;
use crate::cells::exec::ExecCell;
use crate::cells::mcp::mcp_finished;
use crate::cells::patch::patch_cell;
use crate::cells::plan::plan_cell;
use crate::cells::{self, safe};
use crate::markdown::render_markdown;

impl App {
    /// Applies one event from the conversation.
    pub(crate) fn handle_core(&mut self, msg: EventMsg) {
        self.extras.tracker.observe(&msg);
        match msg {
            EventMsg::SessionConfigured(event) => {
                self.session_id = Some(event.session_id.clone());
                self.cwd.clone_from(&event.cwd);
                self.push_cell(cells::session_header(&event));
            }
            EventMsg::UserMessage { message, .. } => {
                if self.answer_open || !self.stream.is_empty() {
                    self.queued.push(message);
                } else {
                    self.push_cell(cells::user_message(&message));
                }
            }
            EventMsg::TaskStarted => self.turn = Some(TurnStatus::new()),
            EventMsg::AgentMessageDelta { delta } => {
                let lines = self.stream.push(&delta);
                self.push_answer_lines(lines);
            }
            EventMsg::AgentMessage { message } => {
                if self.stream.is_empty() && !self.answer_open {
                    let lines = render_markdown(&safe(&message));
                    self.push_cell(cells::answer_lines(lines, true));
                }
                self.close_answer();
            }
            EventMsg::AgentReasoning { text } if !self.settings.hide_reasoning => {
                self.push_cell(cells::reasoning(&text));
            }
            EventMsg::ExecCommandBegin(event) => {
                self.close_answer();
                self.running_execs.push(ExecCell::begin(&event));
            }
            EventMsg::ExecCommandEnd(event) => {
                let cell = match self
                    .running_execs
                    .iter()
                    .position(|c| c.call_id == event.call_id)
                {
                    Some(i) => {
                        let mut cell = self.running_execs.remove(i);
                        cell.end(&event);
                        cell
                    }
                    None => ExecCell::ended(&event),
                };
                self.push_cell(cell.lines(0));
            }
            EventMsg::ExecApprovalRequest(event) => {
                self.close_answer();
                self.open_modal(ApprovalModal::exec(&event));
                self.notify(
                    self.settings.notify_approval,
                    "Approval requested: the agent wants to run a command",
                );
            }
            EventMsg::ApplyPatchApprovalRequest(event) => {
                self.close_answer();
                self.patches
                    .push((event.call_id.clone(), event.patch.clone()));
                let modal = ApprovalModal::patch(&event, &self.cwd);
                self.open_modal(modal);
                self.notify(
                    self.settings.notify_approval,
                    "Approval requested: the agent wants to edit files",
                );
            }
            EventMsg::PatchApplyBegin(event) if !event.patch.is_empty() => {
                self.patches.retain(|(id, _)| *id != event.call_id);
                self.patches.push((event.call_id, event.patch));
            }
            EventMsg::PatchApplyEnd(event) => {
                let patch = self
                    .patches
                    .iter()
                    .position(|(id, _)| *id == event.call_id)
                    .map(|i| self.patches.remove(i).1);
                let lines = patch_cell(
                    patch.as_deref(),
                    &event.changes,
                    event.success,
                    &event.output,
                    &self.cwd,
                );
                self.push_cell(lines);
            }
            EventMsg::PlanUpdate(args) => self.push_cell(plan_cell(&args)),
            EventMsg::TokenCount {
                total_token_usage, ..
            } => self.usage = total_token_usage,
            EventMsg::Retrying(retry) => {
                if let Some(turn) = &mut self.turn {
                    turn.header = format!("Reconnecting {}/{}", retry.attempt, retry.max_retries);
                }
                self.push_cell(cells::warning(&format!(
                    "Retrying {}/{} in {:.1}s: {}",
                    retry.attempt,
                    retry.max_retries,
                    retry.delay_ms as f64 / 1000.0,
                    retry.reason
                )));
            }
            EventMsg::StreamError { message } => self.push_cell(cells::warning(&message)),
            EventMsg::BackgroundEvent { message } => self.push_cell(cells::info(&message)),
            EventMsg::McpStartupUpdate(update) => {
                if let McpStartupStatus::Failed { error } = update.status {
                    self.push_cell(cells::warning(&format!(
                        "MCP server {} is not available: {error}",
                        update.server
                    )));
                }
            }
            EventMsg::McpToolCallBegin(event) => {
                self.close_answer();
                self.running_mcp.push((event.call_id, event.invocation));
            }
            EventMsg::McpToolCallEnd(event) => {
                self.running_mcp.retain(|(id, _)| *id != event.call_id);
                self.push_cell(mcp_finished(&event));
            }
            EventMsg::Error { message, .. } => {
                self.end_turn();
                self.push_cell(cells::error(&message));
            }
            EventMsg::TurnAborted { reason } => {
                self.end_turn();
                if reason == TurnAbortReason::Interrupted {
                    self.push_cell(cells::error(
                        "Interrupted. Tell the model what to do differently.",
                    ));
                }
            }
            EventMsg::TaskComplete { .. } => {
                self.end_turn();
                self.notify(self.settings.notify_turn_complete, "Turn complete");
            }
            EventMsg::ShutdownComplete => {
                self.close_answer();
                self.ended = true;
            }
            _ => {}
        }
    }

    /// The turn is over: the answer is committed, running cells are written as they stand,
    /// open questions go.
    fn end_turn(&mut self) {
        self.close_answer();
        for cell in std::mem::take(&mut self.running_execs) {
            self.push_cell(cell.lines(0));
        }
        self.running_mcp.clear();
        self.modal = None;
        self.waiting_modals.clear();
        self.turn = None;
    }

    fn open_modal(&mut self, modal: ApprovalModal) {
        #[cfg(test)]
        let modal = modal.armed();
        if self.modal.is_some() {
            self.waiting_modals.push(modal);
        } else {
            self.modal = Some(modal);
        }
    }
}
