//! The arguments of the two tools, and the configuration a `codex` call runs with.
//!
//! Error texts follow Codex's (`Failed to parse configuration for Codex tool: ...`), so that
//! scripts matching them keep working.

use std::path::PathBuf;

use codex_cli::ConfigArgs;
use codex_config::{Config, ConfigOverrides};
use codex_protocol::{AskForApproval, SandboxMode};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Arguments of the `codex` tool.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CodexArgs {
    pub(crate) prompt: String,
    pub(crate) model: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) approval_policy: Option<AskForApproval>,
    pub(crate) sandbox: Option<SandboxMode>,
    pub(crate) config: Option<Map<String, Value>>,
    pub(crate) base_instructions: Option<String>,
    pub(crate) developer_instructions: Option<String>,
}

/// Arguments of the `codex-reply` tool.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReplyArgs {
    pub(crate) thread_id: Option<String>,
    pub(crate) conversation_id: Option<String>,
    pub(crate) prompt: String,
}

impl ReplyArgs {
    /// The session to continue; `threadId` wins over the older `conversationId`.
    pub(crate) fn thread(&self) -> Result<&str, String> {
        self.thread_id
            .as_deref()
            .or(self.conversation_id.as_deref())
            .ok_or_else(|| "either threadId or conversationId must be provided".to_owned())
    }
}

/// Parses a tool's `arguments` object.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    tool: &str,
    arguments: Option<Map<String, Value>>,
) -> Result<T, String> {
    let Some(arguments) = arguments else {
        return Err(format!(
            "Missing arguments for {tool} tool-call; the `prompt` field is required."
        ));
    };
    serde_json::from_value(Value::Object(arguments))
        .map_err(|e| format!("Failed to parse configuration for Codex tool: {e}"))
}

/// The configuration of the server as started: `-c` and `-p`, and nothing of a call.
pub(crate) fn startup_config(args: &ConfigArgs) -> Result<Config, String> {
    Config::load(ConfigOverrides {
        profile: args.profile.clone(),
        raw_overrides: args.raw_overrides(),
        ..ConfigOverrides::default()
    })
    .map_err(|e| e.to_string())
}

/// The configuration one `codex` call runs with: config.toml, the server's `-c`/`-p`, then
/// the call's options (its `config` object last among the overrides, so it wins).
pub(crate) fn call_config(startup: &ConfigArgs, args: &CodexArgs) -> Result<Config, String> {
    let mut raw_overrides = startup.raw_overrides();
    if let Some(config) = &args.config {
        for (key, value) in config {
            raw_overrides.push(format!("{key}={}", toml_value(key, value)?));
        }
    }
    let mut config = Config::load(ConfigOverrides {
        profile: args.profile.clone().or_else(|| startup.profile.clone()),
        raw_overrides,
        cwd: args.cwd.clone(),
        model: args.model.clone(),
        sandbox_mode: args.sandbox,
        approval_policy: args.approval_policy,
        ..ConfigOverrides::default()
    })
    .map_err(|e| format!("Failed to load Codex configuration from overrides: {e}"))?;
    if let Some(text) = &args.base_instructions {
        config.base_instructions_override = Some(text.clone());
    }
    if let Some(text) = &args.developer_instructions {
        config.developer_instructions = Some(text.clone());
    }
    Ok(config)
}

/// A JSON value as the TOML text `-c key=value` takes.
fn toml_value(key: &str, value: &Value) -> Result<String, String> {
    let converted = toml::Value::try_from(value).map_err(|e| {
        format!("Failed to load Codex configuration from overrides: `config.{key}`: {e} (null has no TOML form; leave the key out)")
    })?;
    Ok(converted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_overrides_become_toml_text() {
        assert_eq!(toml_value("k", &json!("o3")).unwrap(), "\"o3\"");
        assert_eq!(toml_value("k", &json!([1, 2])).unwrap(), "[1, 2]");
        assert!(toml_value("k", &Value::Null).is_err());
    }

    #[test]
    fn reply_prefers_thread_id() {
        let args: ReplyArgs =
            serde_json::from_value(json!({"threadId": "a", "conversationId": "b", "prompt": "p"}))
                .unwrap();
        assert_eq!(args.thread().unwrap(), "a");
    }

    #[test]
    fn bad_enum_names_the_field_values() {
        let err = parse::<CodexArgs>(
            "codex",
            json!({"prompt": "p", "sandbox": "nope"})
                .as_object()
                .cloned(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("Failed to parse configuration for Codex tool:"),
            "{err}"
        );
    }
}
