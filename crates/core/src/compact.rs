//! `Op::Compact`: the conversation so far is replaced by a summary the model writes, so a long
//! session frees its context window and goes on.
//!
//! The model gets the whole history plus a summarisation request (no tools). The new history
//! is the initial context (instructions, environment), then the most recent messages the user
//! typed (newest kept first, within a budget), then the summary as a user message. The rollout
//! records a `compacted` line carrying that replacement history, so a resumed session
//! continues from the summary too.

use std::sync::Arc;

use codex_model_client::Prompt;
use codex_protocol::ResponseItem;
use codex_protocol::protocol::{EventMsg, LimitCode};
use codex_protocol::rollout::{CompactedItem, RolloutItem};
use tokio_util::sync::CancellationToken;

use crate::session::Session;
use crate::turn::{TurnError, interrupted_end, limit_end, record_usage, stream_with_retries};

/// The request appended to the history for the summary.
const SUMMARIZATION_PROMPT: &str = include_str!("compact_prompt.md");
/// What precedes the summary in the new history, so the model knows what it is reading.
pub(crate) const SUMMARY_PREFIX: &str = "The conversation before this point was compacted. Summary of it, written for you to continue the work:";
/// Characters of earlier user messages kept verbatim (about 20,000 tokens, Codex's budget).
const KEPT_USER_CHARS: usize = 80_000;

/// Runs one compaction as a task of its own and reports it with events.
pub(crate) async fn run_compact(sess: Arc<Session>, sub_id: String, cancel: CancellationToken) {
    sess.send_event(&sub_id, EventMsg::TaskStarted);
    // The summary is a model request like any other: the spending caps hold for it too.
    if let Some(message) = sess.budget_exhausted() {
        limit_end(&sess, &sub_id, LimitCode::BudgetExceeded, message).await;
        return;
    }
    let make_prompt = |sess: &Session| {
        let mut input = sess.prompt_input();
        input.push(ResponseItem::user_text(SUMMARIZATION_PROMPT.to_owned()));
        Prompt {
            instructions: sess.base_instructions.clone(),
            input,
            tools: Vec::new(),
            parallel_tool_calls: false,
            output_schema: None,
            reasoning: sess.family.reasoning(
                sess.config.model_reasoning_effort,
                sess.config.model_reasoning_summary,
            ),
            verbosity: sess.family.verbosity(sess.config.model_verbosity),
            prompt_cache_key: Some(sess.conversation_id.clone()),
        }
    };
    let (items, usage) = match stream_with_retries(&sess, &sub_id, &cancel, &make_prompt).await {
        Ok(done) => done,
        Err(TurnError::Interrupted) => {
            interrupted_end(&sess, &sub_id).await;
            return;
        }
        Err(TurnError::Client(e)) => {
            sess.end_task();
            sess.send_event(
                &sub_id,
                EventMsg::Error {
                    message: format!(
                        "compacting the conversation failed: {e}; nothing was changed"
                    ),
                    code: None,
                },
            );
            return;
        }
    };
    record_usage(&sess, &sub_id, usage);
    let summary = items
        .iter()
        .rev()
        .filter(|item| item.role() == Some("assistant"))
        .find_map(ResponseItem::message_text)
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "(no summary available)".to_owned());
    let history = replacement_history(&sess, &summary);
    let replaced = sess.replace_history(history.clone());
    sess.persist(&[RolloutItem::Compacted(CompactedItem {
        message: summary.clone(),
        replacement_history: Some(history),
    })]);
    sess.flush().await;
    sess.send_event(&sub_id, EventMsg::AgentMessage { message: summary });
    sess.send_event(
        &sub_id,
        EventMsg::BackgroundEvent {
            message: format!(
                "Compacted the conversation: {replaced} history items replaced by the summary above."
            ),
        },
    );
    sess.send_event(
        &sub_id,
        EventMsg::TaskComplete {
            last_agent_message: None,
        },
    );
    // Input sent while the summary was written starts the next turn now.
    if !sess.finish_task_unless_input_waits() {
        Box::pin(crate::turn::run_task(sess, sub_id, Vec::new(), cancel)).await;
    }
}

/// Initial context, then the newest typed user messages within the budget (in their order),
/// then the summary.
fn replacement_history(sess: &Session, summary: &str) -> Vec<ResponseItem> {
    let mut history = crate::bootstrap::initial_context(&sess.config);
    let typed: Vec<ResponseItem> = sess
        .prompt_input()
        .into_iter()
        .filter(|item| {
            item.role() == Some("user")
                && item.message_text().is_some_and(|text| {
                    !text.trim().is_empty()
                        && !codex_rollout::is_injected_context(&text)
                        && !text.starts_with(SUMMARY_PREFIX)
                        && !text.starts_with("<turn_aborted>")
                })
        })
        .collect();
    let mut budget = KEPT_USER_CHARS;
    let mut kept = Vec::new();
    for item in typed.into_iter().rev() {
        let len = item.message_text().map_or(0, |t| t.chars().count());
        if len > budget {
            break;
        }
        budget -= len;
        kept.push(item);
    }
    kept.reverse();
    history.extend(kept);
    history.push(ResponseItem::user_text(format!(
        "{SUMMARY_PREFIX}\n{summary}"
    )));
    history
}
