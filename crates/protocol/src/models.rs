//! Items of a conversation as the Responses API carries them. The same items are the agent's
//! history, the `input` of every request and the `response_item` lines of a rollout file.

use serde::{Deserialize, Serialize};

/// One item of conversation history. Tagged by `type`, as on the wire.
///
/// Server-assigned `id`s and `status`es are accepted when reading (rollouts written by newer
/// Codex releases carry them) but never written: requests are stateless (`store: false`), so
/// the ids would point at nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseItem {
    /// A message from the user, the developer, or the assistant.
    Message {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// `user`, `assistant`, `developer` or `system`.
        role: String,
        /// The parts of the message.
        content: Vec<ContentItem>,
    },
    /// The model's reasoning: a summary for humans and an opaque blob to replay.
    Reasoning {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Summary parts, shown to the user.
        #[serde(default)]
        summary: Vec<ReasoningSummaryPart>,
        /// Raw reasoning text, when the provider sends it (Chat providers do).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Vec<ReasoningContent>>,
        /// Encrypted reasoning, replayed back so the model keeps its train of thought.
        #[serde(default)]
        encrypted_content: Option<String>,
    },
    /// A call of a function tool (`shell`, `update_plan`, MCP tools).
    FunctionCall {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments, as a JSON *string* (the model may produce invalid JSON).
        arguments: String,
        /// Ties the call to its output.
        call_id: String,
    },
    /// The result of a function call.
    FunctionCallOutput {
        /// The call this answers.
        call_id: String,
        /// What the model reads.
        output: String,
    },
    /// A call of a freeform tool (`apply_patch` with a grammar).
    CustomToolCall {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Server status; read, never written.
        #[serde(default, skip_serializing)]
        status: Option<String>,
        /// Ties the call to its output.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The raw input text.
        input: String,
    },
    /// The result of a freeform tool call.
    CustomToolCallOutput {
        /// The call this answers.
        call_id: String,
        /// What the model reads.
        output: String,
    },
    /// A call of the built-in `local_shell` tool, used by some models instead of `shell`.
    LocalShellCall {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Ties the call to its output.
        #[serde(default)]
        call_id: Option<String>,
        /// `completed`, `in_progress` or `incomplete`.
        status: String,
        /// What to run.
        action: LocalShellAction,
    },
    /// A server-side web search; recorded, never executed by us.
    WebSearchCall {
        /// Server id; read, never written.
        #[serde(default, skip_serializing)]
        id: Option<String>,
        /// Server status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// What was searched or opened.
        #[serde(default)]
        action: Option<serde_json::Value>,
    },
    /// Any item type this version does not know. Kept out of requests.
    #[serde(other)]
    Other,
}

impl ResponseItem {
    /// A user message with one text part.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::Message {
            id: None,
            role: "user".to_owned(),
            content: vec![ContentItem::InputText { text: text.into() }],
        }
    }

    /// An assistant message with one text part.
    pub fn assistant_text(text: impl Into<String>) -> Self {
        Self::Message {
            id: None,
            role: "assistant".to_owned(),
            content: vec![ContentItem::OutputText { text: text.into() }],
        }
    }

    /// The `call_id` of a tool call, if this item is one.
    pub fn tool_call_id(&self) -> Option<&str> {
        match self {
            Self::FunctionCall { call_id, .. } | Self::CustomToolCall { call_id, .. } => {
                Some(call_id)
            }
            // Older servers leave `call_id` out of local shell calls; their item id stands in.
            Self::LocalShellCall { call_id, id, .. } => call_id.as_deref().or(id.as_deref()),
            _ => None,
        }
    }

    /// The `call_id` answered, if this item is a tool output.
    pub fn tool_output_call_id(&self) -> Option<&str> {
        match self {
            Self::FunctionCallOutput { call_id, .. }
            | Self::CustomToolCallOutput { call_id, .. } => Some(call_id),
            _ => None,
        }
    }

    /// The concatenated text of a message, `None` for other items.
    pub fn message_text(&self) -> Option<String> {
        match self {
            Self::Message { content, .. } => Some(
                content
                    .iter()
                    .filter_map(ContentItem::text)
                    .collect::<Vec<_>>()
                    .join(""),
            ),
            _ => None,
        }
    }

    /// The role of a message, `None` for other items.
    pub fn role(&self) -> Option<&str> {
        match self {
            Self::Message { role, .. } => Some(role),
            _ => None,
        }
    }
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentItem {
    /// Text from the user or developer.
    InputText {
        /// The text.
        text: String,
    },
    /// An image from the user, as a URL (usually a `data:` URL).
    InputImage {
        /// Where the image is.
        image_url: String,
    },
    /// Text from the assistant.
    OutputText {
        /// The text.
        text: String,
    },
}

impl ContentItem {
    /// The text of a text part.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::InputText { text } | Self::OutputText { text } => Some(text),
            Self::InputImage { .. } => None,
        }
    }
}

/// One paragraph of a reasoning summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReasoningSummaryPart {
    /// Plain summary text.
    SummaryText {
        /// The text.
        text: String,
    },
}

/// Raw reasoning text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReasoningContent {
    /// Reasoning text from a Responses model.
    ReasoningText {
        /// The text.
        text: String,
    },
    /// Reasoning text from a Chat provider.
    Text {
        /// The text.
        text: String,
    },
}

/// What a `local_shell_call` asks to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LocalShellAction {
    /// Run a command.
    Exec {
        /// The argv.
        command: Vec<String>,
        /// Milliseconds before the command is killed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        /// Where to run it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        working_directory: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn reads_items_with_server_ids_and_writes_them_without() {
        let wire = r#"{"type":"function_call","status":"completed","id":"fc_1","name":"shell","arguments":"{}","call_id":"call_1"}"#;
        let item: ResponseItem = serde_json::from_str(wire).unwrap();
        assert_eq!(item.tool_call_id(), Some("call_1"));
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"type":"function_call","name":"shell","arguments":"{}","call_id":"call_1"}"#
        );
    }

    #[test]
    fn unknown_item_types_are_tolerated() {
        let item: ResponseItem =
            serde_json::from_str(r#"{"type":"ghost_snapshot","ghost_commit":{}}"#).unwrap();
        assert_eq!(item, ResponseItem::Other);
    }

    #[test]
    fn message_text_joins_parts() {
        let item = ResponseItem::Message {
            id: None,
            role: "assistant".into(),
            content: vec![
                ContentItem::OutputText { text: "a".into() },
                ContentItem::OutputText { text: "b".into() },
            ],
        };
        assert_eq!(item.message_text().as_deref(), Some("ab"));
    }
}
