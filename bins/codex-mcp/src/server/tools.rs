//! The two tools this server offers, as `tools/list` shows them: a declarative table, apart
//! from the code that runs them. Names and property spellings are Codex's (kebab-case options,
//! camelCase ids) so that clients written for `codex mcp-server` work unchanged.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool};
use serde_json::{Value, json};

/// Name of the tool that starts a conversation.
pub(crate) const CODEX: &str = "codex";
/// Name of the tool that continues one.
pub(crate) const CODEX_REPLY: &str = "codex-reply";

/// Both tools, in the order `tools/list` gives them.
pub(crate) fn all() -> Vec<Tool> {
    vec![
        tool(
            CODEX,
            "Codex",
            "Run a Codex session: the agent works on the prompt until it has an answer. Accepts configuration parameters matching the Codex config.",
            &codex_input(),
        ),
        tool(
            CODEX_REPLY,
            "Codex Reply",
            "Continue a Codex session by its threadId (from an earlier result's structuredContent), also after this server restarted.",
            &reply_input(),
        ),
    ]
}

fn tool(name: &'static str, title: &str, description: &'static str, input: &Value) -> Tool {
    Tool::new(name, description, Arc::new(object(input)))
        .with_title(title)
        .with_raw_output_schema(Arc::new(object(&output_schema())))
}

fn object(value: &Value) -> JsonObject {
    value.as_object().cloned().unwrap_or_default()
}

fn codex_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "description": "The first user message: what the agent should do."},
            "model": {"type": "string", "description": "Model to use instead of the configured one, e.g. `gpt-5-codex`."},
            "profile": {"type": "string", "description": "A `[profiles.<name>]` of config.toml to apply."},
            "cwd": {"type": "string", "description": "Working directory of the session; a relative path is taken from the server's working directory."},
            "approval-policy": {
                "type": "string",
                "enum": ["untrusted", "on-failure", "on-request", "never"],
                "description": "When to ask the client before running a command."
            },
            "sandbox": {
                "type": "string",
                "enum": ["read-only", "workspace-write", "danger-full-access"],
                "description": "What commands run by the agent may touch."
            },
            "config": {
                "type": "object",
                "additionalProperties": true,
                "description": "config.toml keys to override for this session, like `-c key=value` (dotted keys reach nested tables)."
            },
            "base-instructions": {"type": "string", "description": "Replace the built-in instructions of the agent."},
            "developer-instructions": {"type": "string", "description": "Extra instructions, sent as a developer message."}
        },
        "required": ["prompt"]
    })
}

fn reply_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "threadId": {"type": "string", "description": "The session to continue: `structuredContent.threadId` of an earlier result."},
            "conversationId": {"type": "string", "description": "Older name of `threadId`, still accepted."},
            "prompt": {"type": "string", "description": "The next user message."}
        },
        "required": ["prompt"]
    })
}

/// What both tools return in `structuredContent`.
fn output_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "threadId": {"type": "string", "description": "The session id, for `codex-reply`."},
            "content": {"type": "string", "description": "The agent's final message."}
        },
        "required": ["threadId", "content"]
    })
}
