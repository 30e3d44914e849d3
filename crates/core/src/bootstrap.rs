//! What a new or resumed session is made of, gathered before its first turn: the sandbox
//! helper, the session meta, and the context sent ahead of the first prompt.

use std::path::PathBuf;

use codex_config::Config;
use codex_protocol::rollout::{SessionMeta, SessionSource};
use codex_protocol::{ContentItem, ResponseItem, SandboxPolicy, TokenUsage};

use crate::{CoreError, environment_context, project_doc};

/// The sandbox helper, when the policy needs one: a missing helper stops the session before
/// its first command rather than at it.
pub(crate) fn locate_sandbox(config: &Config) -> Result<Option<PathBuf>, CoreError> {
    if matches!(config.sandbox_policy, SandboxPolicy::DangerFullAccess) {
        return Ok(None);
    }
    if let Some(exe) = &config.sandbox_exe {
        return Ok(Some(exe.clone()));
    }
    codex_sandbox::find_sandbox_exe()
        .map(Some)
        .map_err(|e| CoreError::SandboxHelperMissing {
            mode: config.sandbox_policy.mode().to_string(),
            reason: e.to_string(),
        })
}

/// The first line of a new session's rollout file.
pub(crate) fn session_meta(
    id: &str,
    config: &Config,
    source: &SessionSource,
    originator: &str,
) -> SessionMeta {
    SessionMeta {
        id: id.to_owned(),
        timestamp: codex_rollout::now_timestamp(),
        cwd: config.cwd.clone(),
        originator: originator.to_owned(),
        cli_version: env!("CARGO_PKG_VERSION").to_owned(),
        instructions: None,
        source: source.clone(),
        model_provider: Some(config.model_provider_id.clone()),
        git: codex_rollout::collect_git_info(&config.cwd),
        model: Some(config.model.clone()),
        approval_policy: Some(config.approval_policy),
        sandbox_policy: Some(config.sandbox_policy.clone()),
        reasoning_effort: config.model_reasoning_effort,
    }
}

/// Developer instructions, AGENTS.md and the environment context, sent before the first
/// user message.
pub(crate) fn initial_context(config: &Config) -> Vec<ResponseItem> {
    let mut items = Vec::new();
    if let Some(text) = &config.developer_instructions {
        items.push(ResponseItem::Message {
            id: None,
            role: "developer".to_owned(),
            content: vec![ContentItem::InputText { text: text.clone() }],
        });
    }
    if let Some(docs) = project_doc::user_instructions(
        &config.codex_home,
        &config.cwd,
        config.project_doc_max_bytes,
        &config.project_doc_fallback_filenames,
    ) {
        items.push(ResponseItem::user_text(format!(
            "<user_instructions>\n\n{docs}\n\n</user_instructions>"
        )));
    }
    items.push(ResponseItem::user_text(current_environment_context(config)));
    items
}

/// The `<environment_context>` text for the session's settings.
fn current_environment_context(config: &Config) -> String {
    let roots: Vec<PathBuf> = codex_sandbox::named_roots(&config.sandbox_policy, &config.cwd);
    environment_context::environment_context(
        &config.cwd,
        config.approval_policy,
        &config.sandbox_policy,
        &roots,
        environment_context::user_shell().as_deref(),
    )
}

/// For a resumed session: a fresh `<environment_context>`, when the settings it runs with
/// (directory, approvals, sandbox) are not the ones the history last told the model about,
/// as after a change of approval mode, or a resume with other flags. Without it the model
/// would go on believing the old ones.
pub(crate) fn changed_context(config: &Config, history: &[ResponseItem]) -> Option<ResponseItem> {
    let current = current_environment_context(config);
    let last = history.iter().rev().find_map(|item| match item {
        ResponseItem::Message { role, content, .. } if role == "user" => content
            .iter()
            .filter_map(ContentItem::text)
            .find(|text| text.starts_with(environment_context::OPENING_TAG)),
        _ => None,
    });
    (last != Some(current.as_str())).then(|| ResponseItem::user_text(current))
}

/// For a resumed session: the usage total it last recorded, so that totals and spending caps
/// go on from there rather than from zero.
pub(crate) fn recorded_usage(events: &[codex_protocol::rollout::EventMsg]) -> TokenUsage {
    events
        .iter()
        .rev()
        .find_map(|event| match event {
            codex_protocol::rollout::EventMsg::TokenCount {
                info: Some(info), ..
            } => Some(info.total_token_usage),
            _ => None,
        })
        .unwrap_or_default()
}
