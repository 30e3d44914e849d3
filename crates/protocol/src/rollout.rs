//! Lines of a rollout file (`CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`): one JSON object
//! per line, `{"timestamp":…,"type":…,"payload":{…}}`.
//!
//! We write the shapes of Codex's mid-2025-to-early-2026 releases and read what every release
//! wrote: newer files carry extra fields (`ordinal`, `base_instructions`, policies tagged by
//! `type`) and line types we do not know; older ones name the id `session_id` or
//! `conversation_id`. Unknown line types and event types are kept as raw JSON instead of failing,
//! so one new kind of line never makes a whole conversation unreadable.
//!
//! Our additions are optional fields (`model`, `approval_policy`, `sandbox_policy`,
//! `reasoning_effort` on `session_meta`), so Codex still reads our files and we read its files.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::{
    AskForApproval, ReasoningEffort, ReasoningSummary, ResponseItem, SandboxPolicy, TokenUsage,
};

/// One line of a rollout file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutLine {
    /// When the line was written: RFC 3339 in UTC with milliseconds (`2025-10-01T12:00:00.123Z`).
    #[serde(default)]
    pub timestamp: String,
    /// What the line records.
    #[serde(flatten)]
    pub item: RolloutItem,
}

/// What a rollout line records, tagged by `type` with the data under `payload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum RolloutItem {
    /// The first line: who wrote the session, where, and with which settings.
    SessionMeta(SessionMeta),
    /// One item of conversation history, as sent to or received from the model.
    ResponseItem(ResponseItem),
    /// The settings a turn ran with; resume restores the last one.
    TurnContext(TurnContextItem),
    /// A persisted event (what the user typed, what the agent said, token counts).
    EventMsg(EventMsg),
    /// History was compacted: the summary and, since mid-2025, the history that replaced it.
    Compacted(CompactedItem),
    /// A line type this version does not know, or a known type whose payload does not fit;
    /// the whole object (`type`, `payload` and any extra keys) is kept as it was.
    #[serde(untagged)]
    Unknown(Value),
}

impl RolloutItem {
    /// The `type` tag of this line, as written in the file.
    pub fn kind(&self) -> &str {
        match self {
            Self::SessionMeta(_) => "session_meta",
            Self::ResponseItem(_) => "response_item",
            Self::TurnContext(_) => "turn_context",
            Self::EventMsg(_) => "event_msg",
            Self::Compacted(_) => "compacted",
            Self::Unknown(value) => value.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

/// The `type` tags of the line kinds this version understands.
pub const KNOWN_ROLLOUT_KINDS: [&str; 5] = [
    "session_meta",
    "response_item",
    "turn_context",
    "event_msg",
    "compacted",
];

/// The first line of a session: identity, origin and the run configuration.
///
/// Reading accepts the id under `id`, `session_id` or `conversation_id` (Codex releases used all
/// three; 0.169 writes both `id` and `session_id`), and `base_instructions` in place of
/// `instructions`. Fields that do not parse are dropped rather than failing the line.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "SessionMetaWire")]
pub struct SessionMeta {
    /// The session (conversation) id, a UUID; also the last part of the file name.
    pub id: String,
    /// When the session started, RFC 3339 UTC.
    pub timestamp: String,
    /// The working directory of the session.
    pub cwd: PathBuf,
    /// Which client wrote the file (`codex_exec`, `codex_cli_rs`, …).
    pub originator: String,
    /// The version of the client that wrote the file.
    pub cli_version: String,
    /// Base instructions the session was started with; `null` when the model's default.
    pub instructions: Option<String>,
    /// Which front end started the session.
    pub source: SessionSource,
    /// The model provider id (`openai`, `ollama`, a `[model_providers]` key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_provider: Option<String>,
    /// The git state of `cwd` when the session started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitInfo>,
    /// Ours: the model the session started with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Ours: the approval policy the session started with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_policy: Option<AskForApproval>,
    /// Ours: the sandbox policy the session started with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_policy: Option<SandboxPolicy>,
    /// Ours: the reasoning effort the session started with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
}

/// What every Codex release may have written in a `session_meta` payload.
#[derive(Deserialize)]
struct SessionMetaWire {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    cwd: PathBuf,
    #[serde(default)]
    originator: String,
    #[serde(default)]
    cli_version: String,
    #[serde(default, deserialize_with = "lenient")]
    instructions: Option<String>,
    #[serde(default)]
    base_instructions: Option<Value>,
    #[serde(default)]
    source: SessionSource,
    #[serde(default, deserialize_with = "lenient")]
    model_provider: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    git: Option<GitInfo>,
    #[serde(default, deserialize_with = "lenient")]
    model: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    approval_policy: Option<AskForApproval>,
    #[serde(default, deserialize_with = "lenient_sandbox_policy")]
    sandbox_policy: Option<SandboxPolicy>,
    #[serde(default, deserialize_with = "lenient")]
    reasoning_effort: Option<ReasoningEffort>,
}

impl From<SessionMetaWire> for SessionMeta {
    fn from(wire: SessionMetaWire) -> Self {
        // Newer releases replaced `instructions` with `base_instructions: {text, …}`.
        let instructions = wire.instructions.or_else(|| match wire.base_instructions {
            Some(Value::String(text)) => Some(text),
            Some(Value::Object(map)) => map.get("text").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        });
        Self {
            id: wire
                .id
                .or(wire.session_id)
                .or(wire.conversation_id)
                .unwrap_or_default(),
            timestamp: wire.timestamp,
            cwd: wire.cwd,
            originator: wire.originator,
            cli_version: wire.cli_version,
            instructions,
            source: wire.source,
            model_provider: wire.model_provider,
            git: wire.git,
            model: wire.model,
            approval_policy: wire.approval_policy,
            sandbox_policy: wire.sandbox_policy,
            reasoning_effort: wire.reasoning_effort,
        }
    }
}

/// Which front end started a session. Codex filters `--last` and its picker by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SessionSource {
    /// The interactive terminal UI.
    Cli,
    /// An editor extension; Codex's default for files that do not say.
    #[default]
    VsCode,
    /// The non-interactive `exec` runner.
    Exec,
    /// The MCP server.
    Mcp,
    /// Anything else (`subagent`, future sources), by its name.
    Other(String),
}

impl SessionSource {
    /// The spelling in the file.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Cli => "cli",
            Self::VsCode => "vscode",
            Self::Exec => "exec",
            Self::Mcp => "mcp",
            Self::Other(name) => name,
        }
    }

    /// Reads the spelling in the file; unknown names become [`SessionSource::Other`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "cli" => Self::Cli,
            "vscode" => Self::VsCode,
            "exec" => Self::Exec,
            "mcp" => Self::Mcp,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Sources a person typed into, which Codex's `--last` and picker show by default.
    pub fn is_interactive(&self) -> bool {
        matches!(self, Self::Cli | Self::VsCode)
    }
}

impl Serialize for SessionSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A string for the plain sources; newer releases write `{"subagent": {…}}`.
        Ok(match Value::deserialize(deserializer)? {
            Value::String(name) => Self::from_name(&name),
            Value::Object(map) => map
                .keys()
                .next()
                .map_or_else(Self::default, |key| Self::Other(key.clone())),
            _ => Self::default(),
        })
    }
}

/// The git state of a session's working directory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GitInfo {
    /// `HEAD`'s commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_hash: Option<String>,
    /// The checked-out branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The `origin` remote's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
}

/// The settings one turn ran with.
///
/// Codex requires `approval_policy`, `sandbox_policy` and `summary` when it reads a file, so
/// writers should always fill them; reading leaves them `None` when missing or in a shape this
/// version does not know.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TurnContextItem {
    /// The working directory of the turn.
    #[serde(default)]
    pub cwd: PathBuf,
    /// When to ask before running commands.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub approval_policy: Option<AskForApproval>,
    /// What commands may touch. Also read from newer files that tag it with `type`.
    #[serde(
        default,
        deserialize_with = "lenient_sandbox_policy",
        skip_serializing_if = "Option::is_none"
    )]
    pub sandbox_policy: Option<SandboxPolicy>,
    /// The model.
    #[serde(default)]
    pub model: String,
    /// Reasoning effort, when the model reasons.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub effort: Option<ReasoningEffort>,
    /// Reasoning summary setting.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<ReasoningSummary>,
}

/// The persisted subset of the agent's events. Other event types (Codex writes many more) are
/// kept as raw JSON in [`EventMsg::Other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventMsg {
    /// What the user submitted, without the context we add around it.
    UserMessage {
        /// The text.
        message: String,
        /// Attached images, as URLs.
        #[serde(default)]
        images: Option<Vec<String>>,
    },
    /// A message from the agent.
    AgentMessage {
        /// The text.
        message: String,
    },
    /// A reasoning summary from the agent.
    AgentReasoning {
        /// The text.
        text: String,
    },
    /// Token usage after a response.
    TokenCount {
        /// Totals and the last response's usage; `null` before the first response.
        #[serde(default)]
        info: Option<TokenUsageInfo>,
        /// Rate-limit snapshot, kept as sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate_limits: Option<Value>,
    },
    /// A turn stopped before it finished.
    TurnAborted {
        /// `interrupted`, `replaced`, …
        reason: String,
    },
    /// Any other event, as written.
    #[serde(untagged)]
    Other(Value),
}

/// Token counts as persisted in `token_count` events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsageInfo {
    /// Summed over the session.
    #[serde(default)]
    pub total_token_usage: TokenUsage,
    /// The last response alone.
    #[serde(default)]
    pub last_token_usage: TokenUsage,
    /// The model's context window, when known.
    #[serde(default)]
    pub model_context_window: Option<u64>,
}

/// A compaction: `message` summarises the history it replaced.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CompactedItem {
    /// The summary.
    pub message: String,
    /// The full history after compaction, when the writer recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_history: Option<Vec<ResponseItem>>,
}

/// `Some(value)` when the field parses, `None` when it is missing, `null` or of another shape:
/// one field from a newer release must not make the whole line unreadable.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(value.and_then(|value| serde_json::from_value(value).ok()))
}

/// Like [`lenient`], and also reads policies tagged `type` (newer releases) as well as `mode`.
fn lenient_sandbox_policy<'de, D>(deserializer: D) -> Result<Option<SandboxPolicy>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(mut value) = Option::<Value>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Value::Object(map) = &mut value
        && !map.contains_key("mode")
        && let Some(kind) = map.remove("type")
    {
        map.insert("mode".to_owned(), kind);
    }
    Ok(serde_json::from_value(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ContentItem;
    use pretty_assertions::assert_eq;

    fn line(json: &str) -> RolloutLine {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn session_meta_round_trips_in_codex_shape() {
        let json = r#"{"timestamp":"2025-10-01T12:00:00.123Z","type":"session_meta","payload":{"id":"0199a213-81c0-7800-8aa1-bbab2a035a53","timestamp":"2025-10-01T12:00:00.120Z","cwd":"/repo","originator":"codex_cli_rs","cli_version":"0.46.0","instructions":null,"source":"cli","model_provider":"openai","git":{"commit_hash":"abc123","branch":"main","repository_url":"git@github.com:o/r.git"}}}"#;
        let parsed = line(json);
        let RolloutItem::SessionMeta(meta) = &parsed.item else {
            panic!("{parsed:?}")
        };
        assert_eq!(meta.id, "0199a213-81c0-7800-8aa1-bbab2a035a53");
        assert_eq!(meta.source, SessionSource::Cli);
        assert_eq!(meta.git.as_ref().unwrap().branch.as_deref(), Some("main"));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }

    #[test]
    fn our_run_configuration_is_additive() {
        let meta = SessionMeta {
            id: "x".into(),
            model: Some("gpt-5".into()),
            approval_policy: Some(AskForApproval::Never),
            sandbox_policy: Some(SandboxPolicy::ReadOnly),
            ..SessionMeta::default()
        };
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(json["instructions"], Value::Null);
        assert_eq!(json["source"], "vscode");
        assert_eq!(json["sandbox_policy"]["mode"], "read-only");
        let back: SessionMeta = serde_json::from_value(json).unwrap();
        assert_eq!(back, meta);
    }

    #[test]
    fn older_and_newer_id_fields_are_accepted() {
        for key in ["session_id", "conversation_id"] {
            let meta: SessionMeta =
                serde_json::from_str(&format!(r#"{{"{key}":"abc","timestamp":"t"}}"#)).unwrap();
            assert_eq!(meta.id, "abc");
        }
        // 0.169 writes both `id` and `session_id`.
        let meta: SessionMeta =
            serde_json::from_str(r#"{"id":"a","session_id":"a","base_instructions":{"text":"be brief"},"source":{"subagent":"review"}}"#)
                .unwrap();
        assert_eq!(meta.id, "a");
        assert_eq!(meta.instructions.as_deref(), Some("be brief"));
        assert_eq!(meta.source, SessionSource::Other("subagent".into()));
    }

    #[test]
    fn unknown_line_types_and_extra_keys_are_kept() {
        let parsed =
            line(r#"{"timestamp":"t","ordinal":4,"type":"world_state","payload":{"full":true}}"#);
        assert_eq!(parsed.item.kind(), "world_state");
        assert!(matches!(parsed.item, RolloutItem::Unknown(_)));
        let parsed = line(
            r#"{"timestamp":"t","ordinal":7,"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}],"metadata":{}}}"#,
        );
        assert_eq!(
            parsed.item,
            RolloutItem::ResponseItem(ResponseItem::user_text("hi"))
        );
    }

    #[test]
    fn turn_context_reads_type_tagged_policies() {
        let parsed = line(
            r#"{"timestamp":"t","type":"turn_context","payload":{"cwd":"/p","approval_policy":"never","sandbox_policy":{"type":"workspace-write","network_access":true},"model":"m","summary":"none","permission_profile":{}}}"#,
        );
        let RolloutItem::TurnContext(ctx) = parsed.item else {
            panic!()
        };
        assert_eq!(ctx.approval_policy, Some(AskForApproval::Never));
        assert!(ctx.sandbox_policy.unwrap().has_full_network_access());
        assert_eq!(ctx.summary, Some(ReasoningSummary::None));
        assert_eq!(ctx.effort, None);
    }

    #[test]
    fn events_keep_unknown_types_raw() {
        let parsed = line(
            r#"{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"Fix it","images":null}}"#,
        );
        assert_eq!(
            parsed.item,
            RolloutItem::EventMsg(EventMsg::UserMessage {
                message: "Fix it".into(),
                images: None
            })
        );
        let raw = r#"{"type":"task_started","turn_id":"1"}"#;
        let event: EventMsg = serde_json::from_str(raw).unwrap();
        assert!(matches!(event, EventMsg::Other(_)));
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::from_str::<Value>(raw).unwrap()
        );
        let tokens: EventMsg = serde_json::from_str(
            r#"{"type":"token_count","info":{"total_token_usage":{"input_tokens":3,"total_tokens":3},"last_token_usage":{},"model_context_window":272000}}"#,
        )
        .unwrap();
        let EventMsg::TokenCount {
            info: Some(info), ..
        } = tokens
        else {
            panic!()
        };
        assert_eq!(info.total_token_usage.input_tokens, 3);
    }

    #[test]
    fn compacted_with_replacement_history() {
        let item = RolloutItem::Compacted(CompactedItem {
            message: "summary".into(),
            replacement_history: Some(vec![ResponseItem::Message {
                id: None,
                role: "user".into(),
                content: vec![ContentItem::InputText { text: "a".into() }],
            }]),
        });
        let line = RolloutLine {
            timestamp: "t".into(),
            item,
        };
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(
            json,
            r#"{"timestamp":"t","type":"compacted","payload":{"message":"summary","replacement_history":[{"type":"message","role":"user","content":[{"type":"input_text","text":"a"}]}]}}"#
        );
        assert_eq!(serde_json::from_str::<RolloutLine>(&json).unwrap(), line);
    }
}
