//! The conversation's submission loop: takes the front end's `Op`s in order, starts a task for
//! user input (or hands the input to the running one), routes approvals, interrupts and shuts
//! down.

use std::path::Path;
use std::sync::Arc;

use codex_protocol::protocol::{EventMsg, InputItem, Op, Submission};
use codex_protocol::{ContentItem, ResponseItem};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::session::Session;

/// Appends `text` to `history.jsonl` on the blocking pool: the append waits for other
/// processes' file locks (with short sleeps) and may trim the whole file, which must not stall
/// a runtime thread. Awaited, so prompts are saved in the order they came.
async fn save_to_history(sess: &Session, text: &str) -> Result<(), String> {
    let codex_home = sess.config.codex_home.clone();
    let conversation_id = sess.conversation_id.clone();
    let text = text.to_owned();
    let max_bytes = sess.config.history_max_bytes;
    tokio::task::spawn_blocking(move || {
        codex_rollout::append_history_bounded(&codex_home, &conversation_id, &text, max_bytes)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Receives submissions until shutdown. Runs at most one task at a time; input arriving
/// while one runs joins it at its next model request.
pub(crate) async fn submission_loop(sess: Arc<Session>, mut rx_sub: mpsc::Receiver<Submission>) {
    let mut running: Option<(tokio::task::JoinHandle<()>, CancellationToken)> = None;
    while let Some(Submission { id, op }) = rx_sub.recv().await {
        match op {
            Op::UserInput { items } => {
                let input = user_input_items(&items, &sess.config.cwd);
                let text = text_of(&items);
                if sess.config.history_enabled
                    && let Err(problem) = save_to_history(&sess, &text).await
                {
                    sess.send_event(
                        &id,
                        EventMsg::BackgroundEvent {
                            message: format!(
                                "could not save the prompt to history.jsonl: {problem}"
                            ),
                        },
                    );
                }
                sess.send_event(
                    &id,
                    EventMsg::UserMessage {
                        message: text,
                        images: None,
                    },
                );
                // Input is either picked up by the running task or starts a new one: never
                // lost between the two.
                if sess.queue_or_start(&input) {
                    let cancel = CancellationToken::new();
                    let task =
                        tokio::spawn(supervise_task(Arc::clone(&sess), id, input, cancel.clone()));
                    running = Some((task, cancel));
                }
            }
            Op::Compact => {
                // A compaction is a task of its own; it never joins a running turn.
                if sess.queue_or_start(&[]) {
                    let cancel = CancellationToken::new();
                    let task = tokio::spawn(crate::compact::run_compact(
                        Arc::clone(&sess),
                        id,
                        cancel.clone(),
                    ));
                    running = Some((task, cancel));
                } else {
                    sess.send_event(
                        &id,
                        EventMsg::BackgroundEvent {
                            message: "not compacted: a turn is running; compact after it ends"
                                .to_owned(),
                        },
                    );
                }
            }
            Op::Interrupt => {
                if let Some((_, cancel)) = &running {
                    cancel.cancel();
                }
            }
            Op::ExecApproval {
                id: call_id,
                decision,
            }
            | Op::PatchApproval {
                id: call_id,
                decision,
            } => {
                sess.notify_approval(&call_id, decision);
            }
            Op::Shutdown => {
                if let Some((task, cancel)) = running.take() {
                    cancel.cancel();
                    let _ = task.await;
                }
                sess.flush().await;
                sess.send_event(&id, EventMsg::ShutdownComplete);
                return;
            }
            _ => {}
        }
    }
    // Every handle was dropped without a shutdown: nobody can answer approvals or read
    // events, so stop the work rather than let commands run unattended.
    if let Some((_, cancel)) = running {
        cancel.cancel();
    }
    sess.flush().await;
}

/// Runs a task and turns a panic into an `Error` event, so a front end waiting for the end of
/// the turn is never left hanging.
async fn supervise_task(
    sess: Arc<Session>,
    id: String,
    input: Vec<ResponseItem>,
    cancel: CancellationToken,
) {
    let task = tokio::spawn(crate::turn::run_task(
        Arc::clone(&sess),
        id.clone(),
        input,
        cancel,
    ));
    if let Err(e) = task.await
        && e.is_panic()
    {
        sess.end_task();
        sess.send_event(
            &id,
            EventMsg::Error {
                message: "internal error: the turn stopped unexpectedly; the session file keeps everything up to this point".to_owned(),
                code: None,
            },
        );
    }
}

/// The user's message as history items: one message, text and images in order.
fn user_input_items(items: &[InputItem], cwd: &Path) -> Vec<ResponseItem> {
    let content = items
        .iter()
        .map(|item| match item {
            InputItem::Text { text } => ContentItem::InputText { text: text.clone() },
            InputItem::LocalImage { path } => match crate::images::data_url(&cwd.join(path)) {
                Ok(url) => ContentItem::InputImage { image_url: url },
                Err(e) => ContentItem::InputText {
                    text: format!("[image {} could not be attached: {e}]", path.display()),
                },
            },
        })
        .collect();
    vec![ResponseItem::Message {
        id: None,
        role: "user".to_owned(),
        content,
    }]
}

fn text_of(items: &[InputItem]) -> String {
    items
        .iter()
        .filter_map(|i| match i {
            InputItem::Text { text } => Some(text.as_str()),
            InputItem::LocalImage { .. } => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}
