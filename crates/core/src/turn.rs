//! One task: the user's input, then model requests and tool calls until the model answers
//! without calling a tool.
//!
//! Tool calls run after their response has completed, in call order. A response that breaks
//! off mid-stream is retried as a whole, and since nothing it asked for has run yet, a retry
//! can never run a command twice.

use std::sync::Arc;

use codex_model_client::{ClientError, Prompt, ResponseEvent, RetryNotice};
use codex_protocol::protocol::{EventMsg, LimitCode, RetryingEvent, TurnAbortReason};
use codex_protocol::rollout::{RolloutItem, TurnContextItem};
use codex_protocol::{ResponseItem, TokenUsage};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::call_guard::Planned;
use crate::session::Session;
use crate::{notify, tools};

/// Why a turn stopped early.
pub(crate) enum TurnError {
    /// The user interrupted (or the turn deadline cancelled it; see [`Deadline`]).
    Interrupted,
    /// The model client failed for good.
    Client(ClientError),
}

/// `limits.turn_timeout_ms`: cancels the turn's token when it passes, and remembers that it
/// did, so the end is reported as the limit and not as the user's interrupt.
struct Deadline {
    fired: Arc<std::sync::atomic::AtomicBool>,
    timer: Option<tokio::task::JoinHandle<()>>,
    timeout: Option<std::time::Duration>,
}

impl Deadline {
    /// A token cancelled by the user's `cancel` or by the deadline, whichever comes first.
    fn start(timeout_ms: Option<u64>, cancel: &CancellationToken) -> (Self, CancellationToken) {
        let token = cancel.child_token();
        let fired = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let timeout = timeout_ms.map(std::time::Duration::from_millis);
        let timer = timeout.map(|timeout| {
            let token = token.clone();
            let fired = Arc::clone(&fired);
            tokio::spawn(async move {
                tokio::time::sleep(timeout).await;
                fired.store(true, std::sync::atomic::Ordering::SeqCst);
                token.cancel();
            })
        });
        (
            Self {
                fired,
                timer,
                timeout,
            },
            token,
        )
    }

    fn passed(&self) -> bool {
        self.fired.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
    }
}

/// Runs a task to its end and reports it with events.
pub(crate) async fn run_task(
    sess: Arc<Session>,
    sub_id: String,
    input: Vec<ResponseItem>,
    cancel: CancellationToken,
) {
    sess.send_event(&sub_id, EventMsg::TaskStarted);
    // A `required` MCP server that failed to start makes every turn fail with its error.
    if let Err(message) = sess.mcp.wait_required().await {
        sess.end_task();
        sess.send_event(
            &sub_id,
            EventMsg::Error {
                message,
                code: None,
            },
        );
        return;
    }
    sess.persist(&[RolloutItem::TurnContext(turn_context(&sess))]);
    sess.record_items(&input);
    let limits = sess.config.limits.clone();
    let (deadline, cancel) = Deadline::start(limits.turn_timeout_ms, &cancel);
    let mut seen_call_ids = sess.call_ids_in_history();
    let mut requests: u64 = 0;
    sess.set_turn_requests(0);
    // The last answer is read back from the history when the task ends, rather than kept
    // here as a third copy while the task goes on.
    let mut has_agent_message = false;
    loop {
        let pending = sess.take_pending_input();
        if !pending.is_empty() {
            sess.record_items(&pending);
        }
        if requests >= limits.max_turns {
            let message = format!(
                "stopped after {requests} model requests in this turn, the limit (limits.max_turns; --max-turns); the model kept calling tools. Raise the limit to let it go on"
            );
            limit_end(&sess, &sub_id, LimitCode::MaxTurns, message).await;
            return;
        }
        if let Some(message) = sess.budget_exhausted() {
            limit_end(&sess, &sub_id, LimitCode::BudgetExceeded, message).await;
            return;
        }
        requests += 1;
        sess.set_turn_requests(requests);
        let (items, usage) = match stream_with_retries(&sess, &sub_id, &cancel, &build_prompt).await
        {
            Ok(done) => done,
            Err(TurnError::Interrupted) => {
                stopped_end(&sess, &sub_id, &deadline).await;
                return;
            }
            Err(TurnError::Client(e)) => {
                sess.end_task();
                sess.send_event(
                    &sub_id,
                    EventMsg::Error {
                        message: e.to_string(),
                        code: None,
                    },
                );
                return;
            }
        };
        let vetted = crate::call_guard::vet(items, &mut seen_call_ids, &limits);
        // What people are shown is taken out before the items move into the history, so a
        // huge answer exists once there and once in its event, not also here.
        let mut shown = Vec::new();
        for item in &vetted.items {
            match item {
                ResponseItem::Message { role, .. } if role == "assistant" => {
                    shown.push(EventMsg::AgentMessage {
                        message: item.message_text().unwrap_or_default(),
                    });
                    has_agent_message = true;
                }
                _ => {}
            }
        }
        sess.record_items_owned(vetted.items);
        if let Some(summary) = vetted.summary {
            sess.send_event(&sub_id, EventMsg::BackgroundEvent { message: summary });
        }
        for msg in shown {
            sess.send_event(&sub_id, msg);
        }
        // Usage is reported after the response's own items, so front ends show it last.
        record_usage(&sess, &sub_id, usage);
        let calls = vetted.calls;
        if calls.is_empty() {
            // Flushed while the task still runs, so input arriving meanwhile joins it rather
            // than start a task whose events would precede this one's end; and before the
            // answer is copied for `TaskComplete` (see `Session::flush`).
            sess.flush().await;
            // Input that arrived meanwhile continues this task; otherwise the task ends.
            if sess.finish_task_unless_input_waits() {
                break;
            }
            continue;
        }
        // Every call gets an output, in call order, even when the turn is interrupted.
        let mut interrupted = false;
        for planned in &calls {
            let output = match planned {
                Planned::Refuse(call, text) => tools::output_without_running(call, text.clone()),
                Planned::Run(call) if interrupted || cancel.is_cancelled() => {
                    interrupted = true;
                    tools::aborted_output(call)
                }
                Planned::Run(call) => tools::handle_call(&sess, &sub_id, call, &cancel).await,
            };
            sess.record_items(std::slice::from_ref(&output));
        }
        if interrupted || cancel.is_cancelled() {
            stopped_end(&sess, &sub_id, &deadline).await;
            return;
        }
    }
    let last_agent_message = if has_agent_message {
        sess.last_assistant_text()
    } else {
        None
    };
    if let Some(argv) = &sess.config.notify {
        let input_messages: Vec<String> = input
            .iter()
            .filter_map(ResponseItem::message_text)
            .collect();
        let summary = notify::TurnSummary {
            thread_id: &sess.conversation_id,
            turn_id: &sub_id,
            cwd: &sess.config.cwd,
            input_messages: &input_messages,
            last_assistant_message: last_agent_message.as_deref(),
        };
        if let Err(message) = notify::turn_complete(argv, &summary) {
            sess.send_event(&sub_id, EventMsg::BackgroundEvent { message });
        }
    }
    sess.send_event(&sub_id, EventMsg::TaskComplete { last_agent_message });
}

/// Ends a task whose token was cancelled: by the user, or by the turn deadline.
async fn stopped_end(sess: &Session, sub_id: &str, deadline: &Deadline) {
    if !deadline.passed() {
        interrupted_end(sess, sub_id).await;
        return;
    }
    let timeout = deadline.timeout.unwrap_or_default();
    let message = format!(
        "the turn ran out of time after {} (limits.turn_timeout_ms; --timeout); what it did so far is kept in the session",
        codex_model_client::describe_wait(timeout)
    );
    limit_end(sess, sub_id, LimitCode::TurnTimeout, message).await;
}

/// Ends the task because a configured limit was reached.
pub(crate) async fn limit_end(sess: &Session, sub_id: &str, code: LimitCode, message: String) {
    sess.flush().await;
    sess.end_task();
    sess.send_event(
        sub_id,
        EventMsg::Error {
            message,
            code: Some(code),
        },
    );
}

/// What the model reads of an interrupt at the start of the next turn (Codex's
/// `<turn_aborted>` marker): an answer cut short or a call never run is not mistaken for done.
const TURN_ABORTED: &str = "<turn_aborted>\nThe user interrupted the previous turn. Whatever you were saying or doing then is incomplete; tool calls that did not finish did not take effect.\n</turn_aborted>";

/// Ends the task because the user interrupted it; the model is told in its history.
pub(crate) async fn interrupted_end(sess: &Session, sub_id: &str) {
    // What the user sent during the turn came before the interrupt.
    let waiting = sess.take_pending_input();
    if !waiting.is_empty() {
        sess.record_items(&waiting);
    }
    sess.record_items(&[ResponseItem::Message {
        id: None,
        role: "user".to_owned(),
        content: vec![codex_protocol::ContentItem::InputText {
            text: TURN_ABORTED.to_owned(),
        }],
    }]);
    sess.flush().await;
    sess.end_task();
    sess.send_event(
        sub_id,
        EventMsg::TurnAborted {
            reason: TurnAbortReason::Interrupted,
        },
    );
}

/// One model response to the prompt `make_prompt` builds, retried while the error allows it.
pub(crate) async fn stream_with_retries(
    sess: &Session,
    sub_id: &str,
    cancel: &CancellationToken,
    make_prompt: &(dyn Fn(&Session) -> Prompt + Sync),
) -> Result<(Vec<ResponseItem>, TokenUsage), TurnError> {
    let max_retries = sess.client.stream_max_retries();
    let mut retries = 0;
    loop {
        let prompt = make_prompt(sess);
        match stream_once(sess, sub_id, &prompt, cancel).await {
            Ok(items) => return Ok(items),
            Err(TurnError::Client(e)) if e.is_retryable() && retries < max_retries => {
                retries += 1;
                let delay = sess
                    .client
                    .retry_delay(&e, retries)
                    .map_err(TurnError::Client)?;
                sess.send_event(
                    sub_id,
                    EventMsg::StreamError {
                        message: format!(
                            "Reconnecting... {retries}/{max_retries} in {} ({e})",
                            codex_model_client::describe_wait(delay)
                        ),
                    },
                );
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancel.cancelled() => return Err(TurnError::Interrupted),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

async fn stream_once(
    sess: &Session,
    sub_id: &str,
    prompt: &Prompt,
    cancel: &CancellationToken,
) -> Result<(Vec<ResponseItem>, TokenUsage), TurnError> {
    let on_retry = |notice: RetryNotice| {
        sess.send_event(
            sub_id,
            EventMsg::Retrying(RetryingEvent {
                attempt: notice.attempt,
                max_retries: notice.max_retries,
                delay_ms: u64::try_from(notice.delay.as_millis()).unwrap_or(u64::MAX),
                reason: notice.reason,
            }),
        );
    };
    let mut stream = tokio::select! {
        stream = sess.client.stream_observed(prompt, &on_retry) => stream.map_err(TurnError::Client)?,
        () = cancel.cancelled() => return Err(TurnError::Interrupted),
    };
    let mut items = Vec::new();
    loop {
        let event = tokio::select! {
            event = stream.next() => event,
            () = cancel.cancelled() => return Err(TurnError::Interrupted),
        };
        match event {
            Some(Ok(ResponseEvent::OutputItemDone(item))) => {
                // Reasoning is shown as soon as it is complete, before the answer that follows
                // it streams (shown after the response, it landed below the answer).
                if let ResponseItem::Reasoning { summary, .. } = &item {
                    for codex_protocol::ReasoningSummaryPart::SummaryText { text } in summary {
                        if !text.trim().is_empty() {
                            sess.send_event(
                                sub_id,
                                EventMsg::AgentReasoning { text: text.clone() },
                            );
                        }
                    }
                }
                items.push(item);
            }
            Some(Ok(ResponseEvent::OutputTextDelta(delta))) => {
                sess.send_event(sub_id, EventMsg::AgentMessageDelta { delta });
            }
            Some(Ok(ResponseEvent::Completed { token_usage, .. })) => {
                return Ok((items, token_usage.unwrap_or_default()));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(TurnError::Client(e)),
            None => {
                return Err(TurnError::Client(ClientError::Stream {
                    message: "the response stream closed before it completed".to_owned(),
                    retry_after: None,
                }));
            }
        }
    }
}

pub(crate) fn record_usage(sess: &Session, sub_id: &str, last: TokenUsage) {
    let total = sess.add_usage(&last);
    sess.send_event(
        sub_id,
        EventMsg::TokenCount {
            total_token_usage: total,
            last_token_usage: last,
            model_context_window: sess.context_window(),
        },
    );
}

fn build_prompt(sess: &Session) -> Prompt {
    Prompt {
        instructions: sess.base_instructions.clone(),
        input: sess.prompt_input(),
        tools: tools::all_tools(sess),
        parallel_tool_calls: false,
        output_schema: sess.output_schema.clone(),
        reasoning: sess.family.reasoning(
            sess.config.model_reasoning_effort,
            sess.config.model_reasoning_summary,
        ),
        verbosity: sess.family.verbosity(sess.config.model_verbosity),
        prompt_cache_key: Some(sess.conversation_id.clone()),
    }
}

fn turn_context(sess: &Session) -> TurnContextItem {
    let config = &sess.config;
    TurnContextItem {
        cwd: config.cwd.clone(),
        approval_policy: Some(config.approval_policy),
        sandbox_policy: Some(config.sandbox_policy.clone()),
        model: config.model.clone(),
        effort: config.model_reasoning_effort,
        summary: config.model_reasoning_summary,
    }
}
