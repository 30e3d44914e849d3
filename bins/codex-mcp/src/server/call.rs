//! One tool call: a prompt into a conversation, every event out as a notification, approvals
//! asked of the client, and the turn's final message as the result.

use codex_core::Conversation;
use codex_protocol::protocol::{Event, EventMsg, InputItem, Op};
use rmcp::model::{
    CallToolResult, ContentBlock, CustomNotification, ProgressNotificationParam, ProgressToken,
    RequestId, ServerNotification,
};
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::approval::{self, Ask};
use super::state::ReaderGuard;
use super::transport::request_id_json;

/// What a call needs to talk back to its client.
pub(crate) struct CallContext {
    /// The client.
    pub(crate) peer: Peer<RoleServer>,
    /// The `tools/call` request id.
    pub(crate) request_id: RequestId,
    /// The client's progress token, when it sent one.
    pub(crate) progress: Option<ProgressToken>,
    /// Cancelled when the client sends `notifications/cancelled` for this call.
    pub(crate) cancelled: CancellationToken,
    /// Cancelled when the client closed its side: nobody will answer an approval any more.
    pub(crate) input_closed: CancellationToken,
}

impl CallContext {
    /// The request id as the client sent it (number or string).
    pub(crate) fn request_id_json(&self) -> Value {
        request_id_json(&self.request_id)
    }

    /// Whether the client declared the elicitation capability.
    pub(crate) fn client_elicits(&self) -> bool {
        self.peer
            .peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some())
    }

    /// Sends one core event as `codex/event`, and as progress when the client asked for it.
    pub(crate) async fn forward(&self, thread_id: &str, event: &Event, sequence: u32) {
        let params = json!({
            "_meta": {"requestId": self.request_id_json(), "threadId": thread_id},
            "id": event.id,
            "msg": event.msg,
        });
        let notification = ServerNotification::CustomNotification(CustomNotification::new(
            "codex/event",
            Some(params),
        ));
        if let Err(error) = self.peer.send_notification(notification).await {
            tracing::debug!("cannot send codex/event: {error}");
        }
        if let Some(token) = &self.progress {
            let kind = serde_json::to_value(&event.msg)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            let param = ProgressNotificationParam::new(token.clone(), f64::from(sequence))
                .with_message(kind);
            if let Err(error) = self.peer.notify_progress(param).await {
                tracing::debug!("cannot send progress: {error}");
            }
        }
    }
}

/// Runs one turn of `conversation` on `prompt` and returns the tool result. `sequence` counts
/// the events already forwarded for this call (the session-configured event).
///
/// `claim` marks the conversation as read by this call. It is released before the turn's last
/// event goes out: a client that answers `task_complete` or `turn_aborted` with a
/// `codex-reply` at once must find the session free, not busy with a call that is only
/// sending its result.
pub(crate) async fn run_turn(
    cx: &CallContext,
    conversation: &Conversation,
    claim: ReaderGuard,
    prompt: String,
    mut sequence: u32,
) -> CallToolResult {
    let thread_id = conversation.id().to_owned();
    let submission = match conversation
        .submit(Op::UserInput {
            items: vec![InputItem::Text { text: prompt }],
        })
        .await
    {
        Ok(id) => id,
        Err(error) => return error_result(format!("the session {thread_id} ended: {error}")),
    };
    let mut claim = Some(claim);
    let mut notes: Vec<String> = Vec::new();
    let mut interrupted = false;
    loop {
        let event = tokio::select! {
            event = conversation.next_event() => event,
            () = cx.cancelled.cancelled(), if !interrupted => {
                interrupted = true;
                if let Err(error) = conversation.submit(Op::Interrupt).await {
                    return error_result(format!("the session {thread_id} ended: {error}"));
                }
                continue;
            }
        };
        let event = match event {
            Ok(event) => event,
            Err(error) => return error_result(format!("the session {thread_id} ended: {error}")),
        };
        // Leftovers of an earlier call on this conversation belong to nobody now.
        if !event.id.is_empty() && event.id != submission {
            tracing::debug!(id = %event.id, "dropping an event of an earlier submission");
            continue;
        }
        // The turn's last event decides the result; the claim goes before that event does.
        let result = final_result(&thread_id, &event.msg, &notes);
        if result.is_some() {
            drop(claim.take());
        }
        sequence += 1;
        cx.forward(&thread_id, &event, sequence).await;
        if let Some(result) = result {
            return result;
        }
        match &event.msg {
            EventMsg::ExecApprovalRequest(request) => {
                let answer =
                    approve(cx, &thread_id, &event.id, Ask::Exec(request), &mut notes).await;
                let op = Op::ExecApproval {
                    id: request.call_id.clone(),
                    decision: answer,
                };
                if let Err(error) = conversation.submit(op).await {
                    return error_result(format!("the session {thread_id} ended: {error}"));
                }
            }
            EventMsg::ApplyPatchApprovalRequest(request) => {
                let answer =
                    approve(cx, &thread_id, &event.id, Ask::Patch(request), &mut notes).await;
                let op = Op::PatchApproval {
                    id: request.call_id.clone(),
                    decision: answer,
                };
                if let Err(error) = conversation.submit(op).await {
                    return error_result(format!("the session {thread_id} ended: {error}"));
                }
            }
            _ => {}
        }
    }
}

/// The tool result when `msg` ends the turn; `None` for every other event.
fn final_result(thread_id: &str, msg: &EventMsg, notes: &[String]) -> Option<CallToolResult> {
    match msg {
        EventMsg::TaskComplete { last_agent_message } => {
            let content = last_agent_message.as_deref().unwrap_or_default();
            Some(success_result(thread_id, content, notes))
        }
        EventMsg::TurnAborted { reason } => Some(turn_error_result(
            thread_id,
            &format!("the turn was aborted ({})", reason.as_str()),
        )),
        EventMsg::Error { message, .. } => Some(turn_error_result(
            thread_id,
            &format!("the turn failed: {message}"),
        )),
        _ => None,
    }
}

async fn approve(
    cx: &CallContext,
    thread_id: &str,
    event_id: &str,
    what: Ask<'_>,
    notes: &mut Vec<String>,
) -> codex_protocol::ReviewDecision {
    let answer = tokio::select! {
        answer = approval::ask(cx, thread_id, event_id, what) => answer,
        // A cancelled call stops waiting; the turn is interrupted right after.
        () = cx.cancelled.cancelled() => return codex_protocol::ReviewDecision::Abort,
    };
    notes.extend(answer.note);
    answer.decision
}

/// The answer of a finished turn: the text, and `{threadId, content}` as structured content.
pub(crate) fn success_result(thread_id: &str, content: &str, notes: &[String]) -> CallToolResult {
    let mut blocks = vec![ContentBlock::text(content)];
    blocks.extend(notes.iter().map(|note| ContentBlock::text(note.clone())));
    let mut result = CallToolResult::success(blocks);
    result.structured_content = Some(json!({"threadId": thread_id, "content": content}));
    result
}

/// A turn that ended without an answer. The session lives on (a failed request may be
/// retried), so the result names it, in the text and as `threadId`, for `codex-reply`.
fn turn_error_result(thread_id: &str, message: &str) -> CallToolResult {
    let text = format!("{message}; continue the session with codex-reply and threadId {thread_id}");
    let mut result = CallToolResult::error(vec![ContentBlock::text(text.clone())]);
    result.structured_content = Some(json!({"threadId": thread_id, "content": text}));
    result
}

/// A failed call, as a result the client shows (not a JSON-RPC error).
pub(crate) fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}
