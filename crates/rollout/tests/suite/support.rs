//! Building sessions on disk for the tests, through the public recorder.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};
use codex_protocol::rollout::{
    EventMsg, GitInfo, RolloutItem, SessionMeta, SessionSource, TurnContextItem,
};
use codex_protocol::{AskForApproval, ReasoningSummary, ResponseItem, SandboxPolicy};
use codex_rollout::{RolloutRecorder, now_timestamp};
use uuid::Uuid;

/// A session to write.
pub(super) struct Spec {
    pub(super) id: Uuid,
    pub(super) created: DateTime<Local>,
    pub(super) provider: &'static str,
    pub(super) cwd: &'static str,
    pub(super) source: SessionSource,
    pub(super) prompt: Option<String>,
}

impl Spec {
    pub(super) fn new(created: DateTime<Local>) -> Self {
        Self {
            id: Uuid::new_v4(),
            created,
            provider: "openai",
            cwd: "/projects/a",
            source: SessionSource::Exec,
            prompt: Some("hello".to_owned()),
        }
    }
}

pub(super) fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Local> {
    Local.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
}

pub(super) fn meta(id: Uuid, cwd: &str, provider: &str, source: SessionSource) -> SessionMeta {
    SessionMeta {
        id: id.to_string(),
        timestamp: now_timestamp(),
        cwd: PathBuf::from(cwd),
        originator: "codex_exec".into(),
        cli_version: "0.1.0".into(),
        source,
        model_provider: Some(provider.into()),
        git: Some(GitInfo {
            branch: Some("main".into()),
            commit_hash: Some("0123abcd".into()),
            repository_url: Some("https://example.invalid/r.git".into()),
        }),
        model: Some("gpt-test".into()),
        approval_policy: Some(AskForApproval::OnRequest),
        sandbox_policy: Some(SandboxPolicy::ReadOnly),
        ..SessionMeta::default()
    }
}

pub(super) fn turn_context(cwd: &str) -> TurnContextItem {
    TurnContextItem {
        cwd: cwd.into(),
        approval_policy: Some(AskForApproval::Never),
        sandbox_policy: Some(SandboxPolicy::workspace_write()),
        model: "gpt-turn".into(),
        effort: None,
        summary: Some(ReasoningSummary::Auto),
    }
}

/// Writes a session the way our core does: environment context, turn context, the prompt and
/// an answer. Returns its path.
pub(super) fn write_session(home: &Path, spec: &Spec) -> PathBuf {
    let mut meta = meta(spec.id, spec.cwd, spec.provider, spec.source.clone());
    meta.timestamp = spec
        .created
        .with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut recorder = RolloutRecorder::new_at(home, meta, spec.created).unwrap();
    let mut items = vec![
        RolloutItem::ResponseItem(ResponseItem::user_text(format!(
            "<environment_context>\n  <cwd>{}</cwd>\n</environment_context>",
            spec.cwd
        ))),
        RolloutItem::TurnContext(turn_context(spec.cwd)),
    ];
    if let Some(prompt) = &spec.prompt {
        items.push(RolloutItem::ResponseItem(ResponseItem::user_text(
            prompt.clone(),
        )));
        items.push(RolloutItem::EventMsg(EventMsg::UserMessage {
            message: prompt.clone(),
            images: None,
        }));
        items.push(RolloutItem::ResponseItem(ResponseItem::assistant_text(
            "done",
        )));
    }
    recorder.record(&items).unwrap();
    recorder.path().to_path_buf()
}
