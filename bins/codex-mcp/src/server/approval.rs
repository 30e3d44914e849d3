//! Approvals the agent needs, asked of the client with `elicitation/create`.
//!
//! The request carries Codex's `codex_*` fields (so Codex-aware clients can show the command or
//! the changes) and an empty `requestedSchema` (so spec clients can show a yes/no). Both reply
//! shapes count: Codex's `{decision}` and the MCP spec's `{action, content}`, where `accept`
//! approves, `decline` denies and `cancel` aborts the turn (Codex reads every spec reply as a
//! denial). Anything else, or an error reply, denies: nothing runs without a clear yes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use codex_protocol::ReviewDecision;
use codex_protocol::protocol::{
    ApplyPatchApprovalRequestEvent, ExecApprovalRequestEvent, FileChange,
};
use rmcp::model::{CustomRequest, ServerRequest};
use serde_json::{Value, json};

use super::call::CallContext;

/// What the agent wants to do.
pub(crate) enum Ask<'a> {
    /// Run a command.
    Exec(&'a ExecApprovalRequestEvent),
    /// Apply a patch.
    Patch(&'a ApplyPatchApprovalRequestEvent),
}

impl Ask<'_> {
    fn describe(&self) -> String {
        match self {
            Ask::Exec(request) => format!(
                "run `{}` in {}",
                shell_words(&request.command),
                request.cwd.display()
            ),
            Ask::Patch(request) => format!(
                "apply changes to {}",
                request
                    .changes
                    .keys()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The answer, and a sentence for the tool result when the client could not be asked.
pub(crate) struct Answer {
    pub(crate) decision: ReviewDecision,
    pub(crate) note: Option<String>,
}

/// Asks the client, or applies the safe default (deny) when it cannot be asked.
pub(crate) async fn ask(
    cx: &CallContext,
    thread_id: &str,
    event_id: &str,
    what: Ask<'_>,
) -> Answer {
    if !cx.client_elicits() {
        return Answer {
            decision: ReviewDecision::Denied,
            note: Some(format!(
                "The agent asked to {}; this client does not support elicitation, so it was denied (the safe default). Use approval-policy `never` with a sandbox to let it run unattended.",
                what.describe()
            )),
        };
    }
    let params = request_params(cx, thread_id, event_id, &what);
    let request =
        ServerRequest::CustomRequest(CustomRequest::new("elicitation/create", Some(params)));
    let reply = tokio::select! {
        reply = cx.peer.send_request(request) => reply,
        // A closed input never brings the answer; waiting would keep the process alive.
        () = cx.input_closed.cancelled() => {
            return Answer {
                decision: ReviewDecision::Denied,
                note: Some(format!(
                    "The agent asked to {}; the client closed its input before answering, so it was denied.",
                    what.describe()
                )),
            };
        }
    };
    match reply {
        Ok(result) => {
            let reply = serde_json::to_value(&result).unwrap_or(Value::Null);
            let decision = decision_from_reply(&reply);
            tracing::debug!(?reply, ?decision, "elicitation answered");
            Answer {
                decision,
                note: None,
            }
        }
        Err(error) => Answer {
            decision: ReviewDecision::Denied,
            note: Some(format!(
                "The agent asked to {}; the client answered the approval request with an error ({error}), so it was denied.",
                what.describe()
            )),
        },
    }
}

fn request_params(cx: &CallContext, thread_id: &str, event_id: &str, what: &Ask<'_>) -> Value {
    let call_id = match &cx.request_id_json() {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut params = json!({
        "message": format!("Allow Codex to {}?", what.describe()),
        "requestedSchema": {"type": "object", "properties": {}},
        "threadId": thread_id,
        "codex_mcp_tool_call_id": call_id,
        "codex_event_id": event_id,
    });
    let extra = match what {
        Ask::Exec(request) => json!({
            "codex_elicitation": "exec-approval",
            "codex_call_id": request.call_id,
            "codex_command": request.command,
            "codex_cwd": request.cwd,
            "codex_reason": request.reason,
        }),
        Ask::Patch(request) => json!({
            "codex_elicitation": "patch-approval",
            "codex_call_id": request.call_id,
            "codex_changes": file_changes(request),
            "codex_patch": request.patch,
            "codex_reason": request.reason,
        }),
    };
    if let (Some(params), Value::Object(extra)) = (params.as_object_mut(), extra) {
        params.extend(extra.into_iter().filter(|(_, v)| !v.is_null()));
    }
    params
}

/// Each file of the patch in Codex's shape (contents, unified diffs), as approvers outside
/// this process are told of it; a file without details gets its kind alone.
pub(crate) fn file_changes(
    request: &ApplyPatchApprovalRequestEvent,
) -> BTreeMap<PathBuf, FileChange> {
    request
        .changes
        .iter()
        .map(|(path, kind)| {
            let change = request
                .details
                .get(path)
                .cloned()
                .unwrap_or_else(|| FileChange::from_kind(*kind));
            (path.clone(), change)
        })
        .collect()
}

/// Reads either reply shape; anything unclear denies.
pub(crate) fn decision_from_reply(reply: &Value) -> ReviewDecision {
    if let Some(decision) = reply.get("decision").and_then(Value::as_str) {
        return match decision {
            "approved" => ReviewDecision::Approved,
            "approved_for_session" => ReviewDecision::ApprovedForSession,
            "abort" => ReviewDecision::Abort,
            _ => ReviewDecision::Denied,
        };
    }
    match reply.get("action").and_then(Value::as_str) {
        Some("accept") => ReviewDecision::Approved,
        Some("cancel") => ReviewDecision::Abort,
        _ => ReviewDecision::Denied,
    }
}

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            if !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
            {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_reply_shapes_are_read() {
        let cases = [
            (json!({"decision": "approved"}), ReviewDecision::Approved),
            (
                json!({"decision": "approved_for_session"}),
                ReviewDecision::ApprovedForSession,
            ),
            (json!({"decision": "denied"}), ReviewDecision::Denied),
            (json!({"decision": "abort"}), ReviewDecision::Abort),
            (
                json!({"action": "accept", "content": {}}),
                ReviewDecision::Approved,
            ),
            (json!({"action": "decline"}), ReviewDecision::Denied),
            (json!({"action": "cancel"}), ReviewDecision::Abort),
            (json!({"something": "else"}), ReviewDecision::Denied),
        ];
        for (reply, want) in cases {
            assert_eq!(decision_from_reply(&reply), want, "{reply}");
        }
    }

    #[test]
    fn commands_are_shown_shell_quoted() {
        let argv = ["bash", "-lc", "touch it's"].map(String::from);
        assert_eq!(shell_words(&argv), r"bash -lc 'touch it'\''s'");
    }
}
