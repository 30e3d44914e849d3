//! One task: the user's input, then model requests and tool calls until the model answers
//! without calling a tool.
//!
//! Tool calls run after their response has completed, in call order. A response that breaks
//! off mid-stream is retried as a whole, and since nothing it asked for has run yet, a retry
//! can never run a command twice.

use std::sync::Arc;

use codex_model_client::{ClientError, Prompt, ResponseEvent, RetryNotice};
use codex_protocol::protocol::{EventMsg, RetryingEvent, TurnAbortReason};
use codex_protocol::rollout::{RolloutItem, TurnContextItem};
use codex_protocol::{ResponseItem, TokenUsage};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::session::Session;
use crate::{notify, tools};

/// Why a turn stopped early.
enum TurnError {
    /// The user interrupted.
    Interrupted,
    /// The model client failed for good.
    Client(ClientError),
}

/// Runs a task to its end and reports it with events.
pub(crate) async fn run_task(
    sess: Arc<Session>,
    sub_id: String,
    input: Vec<ResponseItem>,
    cancel: CancellationToken,
) {
    sess.send_event(&sub_id, EventMsg::TaskStarted);
    sess.persist(&[RolloutItem::TurnContext(turn_context(&sess))]);
    sess.record_items(&input);
    let mut last_agent_message = None;
    loop {
        let pending = sess.take_pending_input();
        if !pending.is_empty() {
            sess.record_items(&pending);
        }
        let (items, usage) = match stream_with_retries(&sess, &sub_id, &cancel).await {
            Ok(done) => done,
            Err(TurnError::Interrupted) => {
                interrupted_end(&sess, &sub_id);
                return;
            }
            Err(TurnError::Client(e)) => {
                sess.end_task();
                sess.send_event(
                    &sub_id,
                    EventMsg::Error {
                        message: e.to_string(),
                    },
                );
                return;
            }
        };
        sess.record_items(&items);
        let mut calls = Vec::new();
        for item in &items {
            match item {
                ResponseItem::Message { role, .. } if role == "assistant" => {
                    let text = item.message_text().unwrap_or_default();
                    sess.send_event(
                        &sub_id,
                        EventMsg::AgentMessage {
                            message: text.clone(),
                        },
                    );
                    last_agent_message = Some(text);
                }
                ResponseItem::Reasoning { summary, .. } => {
                    for part in summary {
                        let codex_protocol::ReasoningSummaryPart::SummaryText { text } = part;
                        if !text.trim().is_empty() {
                            sess.send_event(
                                &sub_id,
                                EventMsg::AgentReasoning { text: text.clone() },
                            );
                        }
                    }
                }
                call if call.tool_call_id().is_some() => calls.push(call.clone()),
                _ => {}
            }
        }
        // Usage is reported after the response's own items, so front ends show it last.
        record_usage(&sess, &sub_id, usage);
        if calls.is_empty() {
            // Input that arrived meanwhile continues this task; otherwise the task ends.
            if sess.finish_task_unless_input_waits() {
                break;
            }
            continue;
        }
        // Every call gets an output, in call order, even when the turn is interrupted.
        let mut interrupted = false;
        for call in &calls {
            let output = if interrupted || cancel.is_cancelled() {
                interrupted = true;
                tools::aborted_output(call)
            } else {
                tools::handle_call(&sess, &sub_id, call, &cancel).await
            };
            sess.record_items(std::slice::from_ref(&output));
        }
        if interrupted || cancel.is_cancelled() {
            interrupted_end(&sess, &sub_id);
            return;
        }
    }
    sess.flush();
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

/// Ends the task because the user interrupted it.
fn interrupted_end(sess: &Session, sub_id: &str) {
    sess.end_task();
    sess.flush();
    sess.send_event(
        sub_id,
        EventMsg::TurnAborted {
            reason: TurnAbortReason::Interrupted,
        },
    );
}

/// One model response, retried while the error allows it.
async fn stream_with_retries(
    sess: &Session,
    sub_id: &str,
    cancel: &CancellationToken,
) -> Result<(Vec<ResponseItem>, TokenUsage), TurnError> {
    let max_retries = sess.client.stream_max_retries();
    let mut retries = 0;
    loop {
        let prompt = build_prompt(sess);
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
                        message: format!("Reconnecting... {retries}/{max_retries} ({e})"),
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
            Some(Ok(ResponseEvent::OutputItemDone(item))) => items.push(item),
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

fn record_usage(sess: &Session, sub_id: &str, last: TokenUsage) {
    let total = sess.add_usage(&last);
    sess.send_event(
        sub_id,
        EventMsg::TokenCount {
            total_token_usage: total,
            last_token_usage: last,
            model_context_window: sess.config.model_context_window,
        },
    );
}

fn build_prompt(sess: &Session) -> Prompt {
    Prompt {
        instructions: sess.base_instructions.clone(),
        input: sess.prompt_input(),
        tools: tools::spec::all_tools(),
        parallel_tool_calls: false,
        output_schema: sess.output_schema.clone(),
        reasoning: crate::client::reasoning(&sess.config),
        verbosity: sess.config.model_verbosity,
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
