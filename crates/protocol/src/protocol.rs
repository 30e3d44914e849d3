//! The queue pair between a front end (exec, TUI, MCP server) and a running conversation:
//! front ends submit `Op`s and read `Event`s. Nothing here knows how events are shown.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{AskForApproval, ReviewDecision, SandboxPolicy, TokenUsage};

/// A request to the conversation, with an id that events about it carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Increasing integer as a string, unique within the conversation.
    pub id: String,
    /// What to do.
    pub op: Op,
}

/// What a front end can ask of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Op {
    /// Start a turn with this input (or queue it if a turn is running).
    UserInput {
        /// The parts of the user's message.
        items: Vec<InputItem>,
    },
    /// Stop the running turn. Every started tool call still gets an output.
    Interrupt,
    /// The answer to an `ExecApprovalRequest`.
    ExecApproval {
        /// The `call_id` of the request.
        id: String,
        /// The answer.
        decision: ReviewDecision,
    },
    /// The answer to an `ApplyPatchApprovalRequest`.
    PatchApproval {
        /// The `call_id` of the request.
        id: String,
        /// The answer.
        decision: ReviewDecision,
    },
    /// Replace the conversation so far with a summary the model writes (frees context).
    /// Runs as a task of its own (`TaskStarted` ... `TaskComplete`); refused with a
    /// `BackgroundEvent` while a turn runs.
    Compact,
    /// End the conversation; `ShutdownComplete` follows.
    Shutdown,
}

/// One part of user input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputItem {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image on disk, sent as a data URL.
    LocalImage {
        /// Its path.
        path: PathBuf,
    },
}

/// Something that happened in the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The id of the submission this is about (`""` for session-level events).
    pub id: String,
    /// What happened.
    pub msg: EventMsg,
}

/// Which limit ended a turn: a machine-readable code for scripts (`turn.failed` in
/// `exec --json` carries it as `error.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitCode {
    /// The turn made `limits.max_turns` model requests and wanted another.
    MaxTurns,
    /// The turn ran past `limits.turn_timeout_ms` (`--timeout`).
    TurnTimeout,
    /// The session's usage reached `limits.max_tokens` (`--max-tokens`) or
    /// `limits.max_spend_usd`; no further model request was sent.
    BudgetExceeded,
}

impl LimitCode {
    /// The code as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaxTurns => "max_turns",
            Self::TurnTimeout => "turn_timeout",
            Self::BudgetExceeded => "budget_exceeded",
        }
    }
}

impl std::fmt::Display for LimitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of events. Serialized snake_case by `type`, as Codex's legacy JSON stream did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventMsg {
    /// The conversation is ready; always the first event.
    SessionConfigured(SessionConfiguredEvent),
    /// What the user submitted, as typed (without the context the agent adds around it).
    UserMessage {
        /// The text.
        message: String,
        /// Attached images, as data URLs.
        images: Option<Vec<String>>,
    },
    /// A turn started working on user input.
    TaskStarted,
    /// The turn finished; the last assistant message, if any.
    TaskComplete {
        /// The final answer of the turn.
        last_agent_message: Option<String>,
    },
    /// The turn stopped early (interrupt, or a fatal error after output was shown).
    TurnAborted {
        /// Why.
        reason: TurnAbortReason,
    },
    /// A complete assistant message.
    AgentMessage {
        /// Its text.
        message: String,
    },
    /// A piece of an assistant message as it streams.
    AgentMessageDelta {
        /// The new text.
        delta: String,
    },
    /// A complete reasoning summary.
    AgentReasoning {
        /// Its text.
        text: String,
    },
    /// A command is about to run.
    ExecCommandBegin(ExecCommandBeginEvent),
    /// A command finished (or timed out, or was refused).
    ExecCommandEnd(ExecCommandEndEvent),
    /// The agent asks whether it may run a command.
    ExecApprovalRequest(ExecApprovalRequestEvent),
    /// The agent asks whether it may apply a patch.
    ApplyPatchApprovalRequest(ApplyPatchApprovalRequestEvent),
    /// A patch is about to be applied.
    PatchApplyBegin(PatchApplyBeginEvent),
    /// A patch was applied, or failed.
    PatchApplyEnd(PatchApplyEndEvent),
    /// The model updated its plan.
    PlanUpdate(UpdatePlanArgs),
    /// Token usage after a response.
    TokenCount {
        /// Usage of the conversation so far.
        total_token_usage: TokenUsage,
        /// Usage of the last response.
        last_token_usage: TokenUsage,
        /// The model's context window, when known.
        model_context_window: Option<u64>,
    },
    /// A model request failed and will be sent again after a pause the user sits through.
    Retrying(RetryingEvent),
    /// A retryable problem; the turn goes on (`Reconnecting... 1/5`).
    StreamError {
        /// What happened.
        message: String,
    },
    /// A non-fatal notice worth showing (a config warning, say).
    BackgroundEvent {
        /// The notice.
        message: String,
    },
    /// The turn failed.
    Error {
        /// What went wrong.
        message: String,
        /// Set when a configured limit ended the turn (our addition; absent otherwise, so
        /// the event reads as before).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<LimitCode>,
    },
    /// The conversation ended.
    ShutdownComplete,
    /// An MCP server's start-up progressed (sent with the session-level id `""`).
    McpStartupUpdate(crate::mcp_events::McpStartupUpdateEvent),
    /// An MCP tool call is about to run.
    McpToolCallBegin(crate::mcp_events::McpToolCallBeginEvent),
    /// An MCP tool call ended.
    McpToolCallEnd(crate::mcp_events::McpToolCallEndEvent),
}

/// A request that is about to be retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryingEvent {
    /// This retry's number, from 1.
    pub attempt: u64,
    /// How many retries are allowed in all.
    pub max_retries: u64,
    /// How long the agent waits before sending again, in milliseconds.
    pub delay_ms: u64,
    /// Why the request failed (`500 Internal Server Error`, a transport error, ...).
    pub reason: String,
}

impl EventMsg {
    /// Shows the event's persisted form ([`EventMsg::rollout_event`]) to `f`, without copying
    /// its text: the text is moved into the persisted form for the call and moved back after,
    /// so a 100 MB answer is not held a third time while its session line is written.
    pub fn lend_rollout_event<R>(
        &mut self,
        f: impl FnOnce(&crate::rollout::EventMsg) -> R,
    ) -> Option<R> {
        use crate::rollout::EventMsg as Persisted;
        match self {
            Self::AgentMessage { message } => {
                let persisted = Persisted::AgentMessage {
                    message: std::mem::take(message),
                };
                let result = f(&persisted);
                if let Persisted::AgentMessage { message: text } = persisted {
                    *message = text;
                }
                Some(result)
            }
            Self::UserMessage { message, images } => {
                let persisted = Persisted::UserMessage {
                    message: std::mem::take(message),
                    images: images.take(),
                };
                let result = f(&persisted);
                if let Persisted::UserMessage {
                    message: text,
                    images: urls,
                } = persisted
                {
                    *message = text;
                    *images = urls;
                }
                Some(result)
            }
            other => other.rollout_event().map(|persisted| f(&persisted)),
        }
    }

    /// The line this event leaves in the rollout file, for the events a session file keeps (so
    /// that a resumed session can show its transcript); `None` for the rest. Built here, and
    /// for the two kinds that carry long texts in [`EventMsg::lend_rollout_event`] too, whose
    /// test holds the two to the same shape.
    pub fn rollout_event(&self) -> Option<crate::rollout::EventMsg> {
        use crate::rollout::{EventMsg as Persisted, TokenUsageInfo};
        Some(match self {
            Self::UserMessage { message, images } => Persisted::UserMessage {
                message: message.clone(),
                images: images.clone(),
            },
            Self::AgentMessage { message } => Persisted::AgentMessage {
                message: message.clone(),
            },
            Self::AgentReasoning { text } => Persisted::AgentReasoning { text: text.clone() },
            Self::TokenCount {
                total_token_usage,
                last_token_usage,
                model_context_window,
            } => Persisted::TokenCount {
                info: Some(TokenUsageInfo {
                    total_token_usage: *total_token_usage,
                    last_token_usage: *last_token_usage,
                    model_context_window: *model_context_window,
                }),
                rate_limits: None,
            },
            Self::TurnAborted { reason } => Persisted::TurnAborted {
                reason: reason.as_str().to_owned(),
            },
            _ => return None,
        })
    }
}

/// Why a turn was aborted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnAbortReason {
    /// The user interrupted.
    Interrupted,
    /// A new turn replaced it.
    Replaced,
}

impl TurnAbortReason {
    /// The name Codex writes (`interrupted`, `replaced`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interrupted => "interrupted",
            Self::Replaced => "replaced",
        }
    }
}

/// Everything a front end needs to show about a new or resumed conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfiguredEvent {
    /// The conversation (thread) id.
    pub session_id: String,
    /// Model in use.
    pub model: String,
    /// Provider id in use.
    pub model_provider: String,
    /// Approval policy in force.
    pub approval_policy: AskForApproval,
    /// Sandbox policy in force.
    pub sandbox_policy: SandboxPolicy,
    /// Working directory.
    pub cwd: PathBuf,
    /// The rollout file, once it exists.
    pub rollout_path: Option<PathBuf>,
    /// Number of history items restored from a previous run (0 for a new conversation).
    pub resumed_items: usize,
}

/// A command about to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecCommandBeginEvent {
    /// The tool call.
    pub call_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Where it runs.
    pub cwd: PathBuf,
}

/// A finished command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecCommandEndEvent {
    /// The tool call.
    pub call_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Standard output (capped).
    pub stdout: String,
    /// Standard error (capped).
    pub stderr: String,
    /// Both streams in arrival order (capped).
    pub aggregated_output: String,
    /// Exit code; 124 on timeout, 128+N when killed by signal N, -1 when it never ran.
    pub exit_code: i32,
    /// Wall time in seconds.
    pub duration_seconds: f64,
    /// Whether the command was refused (policy or user) rather than run.
    pub declined: bool,
}

/// A request for permission to run a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecApprovalRequestEvent {
    /// The tool call; answer with `Op::ExecApproval { id: call_id, .. }`.
    pub call_id: String,
    /// The argv.
    pub command: Vec<String>,
    /// Where it would run.
    pub cwd: PathBuf,
    /// Why approval is needed, when there is more to say.
    pub reason: Option<String>,
}

/// A request for permission to apply a patch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyPatchApprovalRequestEvent {
    /// The tool call; answer with `Op::PatchApproval { id: call_id, .. }`.
    pub call_id: String,
    /// Files the patch touches.
    pub changes: BTreeMap<PathBuf, FileChangeKind>,
    /// Why approval is needed.
    pub reason: Option<String>,
    /// The patch as the model wrote it (`*** Begin Patch`, each file's `+`/`-` lines), so
    /// whoever approves sees the lines that change, not only the file names.
    #[serde(default)]
    pub patch: String,
    /// What the patch does to each file, in Codex's shape (contents and unified diffs), for
    /// approvers outside this process (the MCP server's elicitations and editor requests).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<PathBuf, FileChange>,
}

/// What a patch does to one file, as Codex tells an approver: the contents of a file added or
/// deleted, the unified diff (hunks only) of one edited and where it moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// A new file.
    Add {
        /// Its contents.
        content: String,
    },
    /// A removed file.
    Delete {
        /// What it held.
        content: String,
    },
    /// An edited file.
    Update {
        /// The change, as unified-diff hunks.
        unified_diff: String,
        /// Where the file moves, if it does.
        move_path: Option<PathBuf>,
    },
}

impl FileChange {
    /// A change known only by its kind (contents empty): what an approver is told when the
    /// details are missing.
    pub fn from_kind(kind: FileChangeKind) -> Self {
        match kind {
            FileChangeKind::Add => Self::Add {
                content: String::new(),
            },
            FileChangeKind::Delete => Self::Delete {
                content: String::new(),
            },
            FileChangeKind::Update => Self::Update {
                unified_diff: String::new(),
                move_path: None,
            },
        }
    }
}

/// A patch about to be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchApplyBeginEvent {
    /// The tool call.
    pub call_id: String,
    /// Whether it was applied without asking.
    pub auto_approved: bool,
    /// Files the patch touches.
    pub changes: BTreeMap<PathBuf, FileChangeKind>,
    /// The patch as the model wrote it, so a front end can show the lines that change also
    /// when nobody was asked (our addition; absent in older streams).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch: String,
}

/// A patch applied, or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchApplyEndEvent {
    /// The tool call.
    pub call_id: String,
    /// Whether every hunk applied.
    pub success: bool,
    /// The summary or the error.
    pub output: String,
    /// Files the patch touches.
    pub changes: BTreeMap<PathBuf, FileChangeKind>,
}

/// How a patch changes one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FileChangeKind {
    /// A new file.
    Add,
    /// A removed file.
    Delete,
    /// An edited (possibly moved) file.
    Update,
}

/// Arguments of the `update_plan` tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePlanArgs {
    /// Why the plan changed.
    #[serde(default)]
    pub explanation: Option<String>,
    /// The steps.
    pub plan: Vec<PlanItem>,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// What the step is.
    pub step: String,
    /// Where it stands.
    pub status: StepStatus,
}

/// Progress of a plan step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// Being worked on (at most one).
    InProgress,
    /// Done.
    Completed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn file_changes_serialize_in_codex_shape() {
        let changes = [
            FileChange::Add {
                content: "new\n".into(),
            },
            FileChange::Delete {
                content: "old\n".into(),
            },
            FileChange::Update {
                unified_diff: "@@ -1 +1 @@\n-a\n+b\n".into(),
                move_path: None,
            },
        ];
        assert_eq!(
            serde_json::to_value(changes).unwrap(),
            serde_json::json!([
                {"add": {"content": "new\n"}},
                {"delete": {"content": "old\n"}},
                {"update": {"unified_diff": "@@ -1 +1 @@\n-a\n+b\n", "move_path": null}},
            ])
        );
    }

    #[test]
    fn a_lent_rollout_event_is_the_rollout_event_and_the_event_comes_back_whole() {
        for event in [
            EventMsg::AgentMessage {
                message: "the answer".into(),
            },
            EventMsg::UserMessage {
                message: "the question".into(),
                images: Some(vec!["data:image/png;base64,AA==".into()]),
            },
            EventMsg::AgentReasoning {
                text: "thinking".into(),
            },
            EventMsg::TokenCount {
                total_token_usage: TokenUsage::default(),
                last_token_usage: TokenUsage::default(),
                model_context_window: Some(272_000),
            },
            EventMsg::TurnAborted {
                reason: TurnAbortReason::Interrupted,
            },
            EventMsg::BackgroundEvent {
                message: "not kept".into(),
            },
        ] {
            let mut lent = event.clone();
            let seen = lent.lend_rollout_event(Clone::clone);
            assert_eq!(seen, event.rollout_event());
            assert_eq!(lent, event);
        }
    }
}
