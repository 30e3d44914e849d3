//! `addConversationListener` / `removeConversationListener`: a task per subscription reads
//! the conversation's events and sends each as a `codex/event/<type>` notification with params
//! `{id, msg, conversationId}`, as Codex does. Events queued before the subscription arrive
//! first (core keeps them). Approvals the agent needs become `execCommandApproval` /
//! `applyPatchApproval` requests whose `{decision}` is handed back to the conversation.
//!
//! A conversation has one reader at a time (a tool call or a listener): two would each see
//! half of the events. When an idle conversation is closed, its listener ends; the next
//! message to it resumes it from its rollout and this connection's subscription picks it up
//! again ([`reattach`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use codex_core::Conversation;
use codex_protocol::ReviewDecision;
use codex_protocol::editor::{
    AddConversationListenerResponse, ApplyPatchApprovalParams, ConversationEventParams,
    ConversationIdParams, ExecCommandApprovalParams, RemoveConversationListenerParams,
};
use codex_protocol::protocol::{Event, EventMsg, Op};
use rmcp::ErrorData as McpError;
use rmcp::model::{CustomNotification, CustomRequest, ServerNotification, ServerRequest};
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::to_value;

/// How long a listener of a closed handle gets to finish before its successor starts.
const OLD_LISTENER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
use crate::server::approval::decision_from_reply;
use crate::server::handler::CodexServer;
use crate::server::state::{Found, Reader, ReaderGuard, Shared};

/// This connection's subscriptions. Dropping it (the client went away) stops their tasks.
#[derive(Default)]
pub(crate) struct Subscriptions {
    inner: Mutex<HashMap<String, Subscription>>,
}

struct Subscription {
    conversation_id: String,
    /// Cancelled to stop the task (remove, or the connection ended).
    stop: CancellationToken,
    /// The current task; finished when the conversation was closed for idleness.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Subscriptions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Subscription>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        for subscription in self.lock().values() {
            subscription.stop.cancel();
        }
    }
}

/// What a listener task needs.
struct Pump {
    shared: Arc<Shared>,
    peer: Peer<RoleServer>,
    conversation: Arc<Conversation>,
    stop: CancellationToken,
    input_closed: CancellationToken,
    _reader: ReaderGuard,
}

pub(super) fn add(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    params: &ConversationIdParams,
) -> Result<Value, McpError> {
    let id = &params.conversation_id;
    let reader = claim(&server.shared, id)?;
    let found = server
        .shared
        .conversation(id)
        .map_err(|message| McpError::invalid_request(message, None))?;
    let subscription_id = uuid::Uuid::new_v4().to_string();
    let stop = CancellationToken::new();
    let task = spawn(server, peer, reader, &found, stop.clone());
    server.subscriptions.lock().insert(
        subscription_id.clone(),
        Subscription {
            conversation_id: id.clone(),
            stop,
            task: Some(task),
        },
    );
    to_value(&AddConversationListenerResponse { subscription_id })
}

pub(super) fn remove(
    server: &CodexServer,
    params: &RemoveConversationListenerParams,
) -> Result<Value, McpError> {
    match server.subscriptions.lock().remove(&params.subscription_id) {
        Some(subscription) => {
            subscription.stop.cancel();
            Ok(json!({}))
        }
        None => Err(McpError::invalid_request(
            format!("subscription not found: {}", params.subscription_id),
            None,
        )),
    }
}

/// After `id` was resumed from its rollout: moves this connection's listener on it (the
/// first one) from the old handle, whose stream ends with the shutdown, to the new one.
pub(super) async fn reattach(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    id: &str,
    found: &Found,
) {
    let (subscription_id, stop, old) = {
        let mut subscriptions = server.subscriptions.lock();
        let Some((subscription_id, subscription)) = subscriptions
            .iter_mut()
            .find(|(_, s)| s.conversation_id == id && !s.stop.is_cancelled())
        else {
            return;
        };
        (
            subscription_id.clone(),
            subscription.stop.clone(),
            subscription.task.take(),
        )
    };
    if let Some(old) = old
        && tokio::time::timeout(OLD_LISTENER_GRACE, old).await.is_err()
    {
        tracing::warn!(%id, "the listener of the closed handle did not stop");
    }
    let Ok(reader) = server.shared.claim(id, Reader::Listener) else {
        tracing::debug!(%id, "another reader took the conversation meanwhile");
        return;
    };
    let task = spawn(server, peer, reader, found, stop);
    if let Some(subscription) = server.subscriptions.lock().get_mut(&subscription_id) {
        subscription.task = Some(task);
    } else {
        // Removed meanwhile.
        task.abort();
    }
}

fn claim(shared: &Arc<Shared>, id: &str) -> Result<ReaderGuard, McpError> {
    shared.claim(id, Reader::Listener).map_err(|reader| {
        let who = match reader {
            Reader::ToolCall => "a running `codex`/`codex-reply` tool call",
            Reader::Listener => "another listener (removeConversationListener it first)",
        };
        McpError::invalid_request(
            format!("conversation {id} already has a reader: {who}"),
            None,
        )
    })
}

fn spawn(
    server: &CodexServer,
    peer: &Peer<RoleServer>,
    reader: ReaderGuard,
    found: &Found,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let first = match found {
        Found::InMemory(_) => None,
        Found::Resumed(new) => Some(Event {
            id: String::new(),
            msg: EventMsg::SessionConfigured(new.session_configured.clone()),
        }),
    };
    let pump = Pump {
        shared: Arc::clone(&server.shared),
        peer: peer.clone(),
        conversation: Arc::clone(found.conversation()),
        stop,
        input_closed: server.input_closed.clone(),
        _reader: reader,
    };
    tokio::spawn(pump.run(first))
}

impl Pump {
    async fn run(self, first: Option<Event>) {
        let id = self.conversation.id().to_owned();
        if let Some(event) = first
            && !self.forward(&event).await
        {
            return;
        }
        loop {
            let event = tokio::select! {
                event = self.conversation.next_event() => event,
                () = self.stop.cancelled() => return,
            };
            let Ok(event) = event else {
                tracing::debug!(%id, "the conversation ended; its listener stops");
                self.shared.set_turn_running(&id, false);
                return;
            };
            let ends_turn = matches!(
                event.msg,
                EventMsg::TaskComplete { .. } | EventMsg::TurnAborted { .. }
            );
            match &event.msg {
                EventMsg::TaskStarted => self.shared.set_turn_running(&id, true),
                _ => self.shared.touch(&id),
            }
            let delivered = self.forward(&event).await;
            if ends_turn {
                // After the event went out: `interruptConversation` answers after `turn_aborted`.
                self.shared.set_turn_running(&id, false);
            }
            if !delivered {
                return;
            }
            if matches!(event.msg, EventMsg::ShutdownComplete) {
                // Closed (for idleness, or to be resumed elsewhere): nothing more will come.
                return;
            }
            let answer = match &event.msg {
                EventMsg::ExecApprovalRequest(request) => {
                    let params = ExecCommandApprovalParams {
                        conversation_id: id.clone(),
                        call_id: request.call_id.clone(),
                        command: request.command.clone(),
                        cwd: request.cwd.clone(),
                        reason: request.reason.clone(),
                    };
                    let decision = self.ask("execCommandApproval", &params).await;
                    Some(Op::ExecApproval {
                        id: request.call_id.clone(),
                        decision,
                    })
                }
                EventMsg::ApplyPatchApprovalRequest(request) => {
                    let params = ApplyPatchApprovalParams {
                        conversation_id: id.clone(),
                        call_id: request.call_id.clone(),
                        file_changes: crate::server::approval::file_changes(request),
                        reason: request.reason.clone(),
                        grant_root: None,
                    };
                    let decision = self.ask("applyPatchApproval", &params).await;
                    Some(Op::PatchApproval {
                        id: request.call_id.clone(),
                        decision,
                    })
                }
                _ => None,
            };
            if let Some(op) = answer
                && self.conversation.submit(op).await.is_err()
            {
                return;
            }
        }
    }

    /// Sends one event; `false` when the client is gone.
    async fn forward(&self, event: &Event) -> bool {
        let kind = serde_json::to_value(&event.msg)
            .ok()
            .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let params = ConversationEventParams {
            id: event.id.clone(),
            msg: event.msg.clone(),
            conversation_id: self.conversation.id().to_owned(),
        };
        let Ok(params) = serde_json::to_value(&params) else {
            return true;
        };
        let notification = ServerNotification::CustomNotification(CustomNotification::new(
            format!("codex/event/{kind}"),
            Some(params),
        ));
        match self.peer.send_notification(notification).await {
            Ok(()) => true,
            Err(error) => {
                tracing::debug!("the listener's client is gone: {error}");
                false
            }
        }
    }

    /// Asks the client; anything but a clear answer denies (nothing runs without a yes).
    async fn ask<T: serde::Serialize>(&self, method: &str, params: &T) -> ReviewDecision {
        let Ok(params) = serde_json::to_value(params) else {
            return ReviewDecision::Denied;
        };
        let request = ServerRequest::CustomRequest(CustomRequest::new(method, Some(params)));
        let reply = tokio::select! {
            reply = self.peer.send_request(request) => reply,
            () = self.stop.cancelled() => return ReviewDecision::Abort,
            () = self.input_closed.cancelled() => return ReviewDecision::Denied,
        };
        match reply {
            Ok(result) => decision_from_reply(&serde_json::to_value(&result).unwrap_or_default()),
            Err(error) => {
                tracing::warn!("{method} was answered with an error, denying: {error}");
                ReviewDecision::Denied
            }
        }
    }
}
