//! The JSON lines `codex-exec --json` prints: Codex's `thread.* / turn.* / item.*` events,
//! field for field, plus an additive `schema_version` on the first line.

use serde::{Deserialize, Serialize};

/// Version of this event schema, printed on the first line. Bumped on any change a consumer
/// could notice; additions of optional fields do not bump it.
pub const EXEC_EVENTS_SCHEMA_VERSION: u32 = 1;

/// One line of `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type")]
pub enum ThreadEvent {
    /// First line: the thread id to pass to `resume`.
    #[serde(rename = "thread.started")]
    ThreadStarted {
        /// The session (thread) id.
        thread_id: String,
        /// Our addition: the version of this schema.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        schema_version: Option<u32>,
    },
    /// The turn began.
    #[serde(rename = "turn.started")]
    TurnStarted,
    /// The turn ended well; usage is cumulative for the thread, as in Codex.
    #[serde(rename = "turn.completed")]
    TurnCompleted {
        /// Tokens used so far.
        usage: Usage,
    },
    /// The turn failed.
    #[serde(rename = "turn.failed")]
    TurnFailed {
        /// What went wrong.
        error: ThreadError,
    },
    /// An item began.
    #[serde(rename = "item.started")]
    ItemStarted {
        /// The item.
        item: ThreadItem,
    },
    /// An item changed (plans).
    #[serde(rename = "item.updated")]
    ItemUpdated {
        /// The item.
        item: ThreadItem,
    },
    /// An item finished.
    #[serde(rename = "item.completed")]
    ItemCompleted {
        /// The item.
        item: ThreadItem,
    },
    /// A stream-level notice, such as a retry.
    #[serde(rename = "error")]
    Error {
        /// The notice.
        message: String,
    },
}

/// Token usage as `turn.completed` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Prompt tokens served from cache.
    pub cached_input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
}

/// The error of a failed turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadError {
    /// What went wrong.
    pub message: String,
    /// Which limit ended the turn (`max_turns`, `turn_timeout`, `budget_exceeded`); our
    /// addition, absent when the turn failed for another reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An item with its per-process id (`item_0`, `item_1`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadItem {
    /// `item_N`.
    pub id: String,
    /// The item's type and fields, flattened beside the id.
    #[serde(flatten)]
    pub details: ThreadItemDetails,
}

/// The kinds of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThreadItemDetails {
    /// An assistant message (a JSON string when an output schema was given).
    AgentMessage {
        /// Its text.
        text: String,
    },
    /// A reasoning summary.
    Reasoning {
        /// Its text.
        text: String,
    },
    /// A command run by the agent.
    CommandExecution {
        /// The command, shell-quoted into one string.
        command: String,
        /// Both output streams.
        aggregated_output: String,
        /// `null` while running.
        exit_code: Option<i32>,
        /// Where it stands.
        status: CommandExecutionStatus,
    },
    /// Files changed by a patch.
    FileChange {
        /// The changes.
        changes: Vec<FileUpdateChange>,
        /// Where it stands.
        status: PatchApplyStatus,
    },
    /// The model's plan.
    TodoList {
        /// The steps.
        items: Vec<TodoItem>,
    },
    /// A call of an MCP server's tool (also the resource tools, with `server` = the server
    /// asked, or `codex` when none was named).
    McpToolCall {
        /// The server's name.
        server: String,
        /// The tool's name on that server.
        tool: String,
        /// The arguments the model gave.
        arguments: serde_json::Value,
        /// The result; `null` while running or when the call produced none.
        result: Option<McpToolCallItemResult>,
        /// Why there is no result; `null` otherwise.
        error: Option<McpToolCallItemError>,
        /// Where it stands.
        status: McpToolCallStatus,
    },
    /// A non-fatal error.
    Error {
        /// What went wrong.
        message: String,
    },
}

/// What an MCP tool returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpToolCallItemResult {
    /// The content blocks, in MCP wire shape.
    pub content: Vec<serde_json::Value>,
    /// The structured result, when the tool gave one.
    pub structured_content: Option<serde_json::Value>,
}

/// Why an MCP tool call produced no result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct McpToolCallItemError {
    /// What went wrong.
    pub message: String,
}

/// Progress of an MCP tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum McpToolCallStatus {
    /// Running.
    InProgress,
    /// Returned a result.
    Completed,
    /// Returned an error result, or none.
    Failed,
}

/// Progress of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommandExecutionStatus {
    /// Running.
    InProgress,
    /// Exited 0.
    Completed,
    /// Exited non-zero or timed out.
    Failed,
    /// Refused by policy or the user.
    Declined,
}

/// One changed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileUpdateChange {
    /// The path.
    pub path: String,
    /// The kind of change.
    pub kind: crate::protocol::FileChangeKind,
}

/// Progress of a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PatchApplyStatus {
    /// Being applied.
    InProgress,
    /// Applied.
    Completed,
    /// Not applied, or only partly.
    Failed,
}

/// One plan step as a to-do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TodoItem {
    /// The step.
    pub text: String,
    /// Whether it is done.
    pub completed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn lines_match_codex() {
        let started = ThreadEvent::ItemStarted {
            item: ThreadItem {
                id: "item_1".into(),
                details: ThreadItemDetails::CommandExecution {
                    command: "/bin/bash -lc 'echo hi'".into(),
                    aggregated_output: String::new(),
                    exit_code: None,
                    status: CommandExecutionStatus::InProgress,
                },
            },
        };
        assert_eq!(
            serde_json::to_string(&started).unwrap(),
            r#"{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'echo hi'","aggregated_output":"","exit_code":null,"status":"in_progress"}}"#
        );
        assert_eq!(
            serde_json::to_string(&ThreadEvent::TurnStarted).unwrap(),
            r#"{"type":"turn.started"}"#
        );
        let first = ThreadEvent::ThreadStarted {
            thread_id: "t".into(),
            schema_version: Some(1),
        };
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            r#"{"type":"thread.started","thread_id":"t","schema_version":1}"#
        );
    }

    #[test]
    fn codex_fixture_lines_parse() {
        let line = r#"{"type":"turn.completed","usage":{"input_tokens":24,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":6,"reasoning_output_tokens":0}}"#;
        let event: ThreadEvent = serde_json::from_str(line).unwrap();
        assert!(matches!(event, ThreadEvent::TurnCompleted { usage } if usage.input_tokens == 24));
    }
}
