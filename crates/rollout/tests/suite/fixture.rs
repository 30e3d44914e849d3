//! A rollout written by OpenAI's Codex CLI 0.169 loads, lists, resolves and resumes.

use std::fs;
use std::path::{Path, PathBuf};

use codex_protocol::rollout::SessionSource;
use codex_protocol::{AskForApproval, ResponseItem, SandboxMode};
use codex_rollout::{
    RolloutRecorder, SessionFilter, find_by_id, find_latest, list_sessions, load_rollout,
};
use pretty_assertions::assert_eq;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/codex-rollout-sample.jsonl"
);
const ID: &str = "01a20bc0-524e-7bb1-9bf5-edc478246d8a";

/// The fixture placed where Codex would have put it.
fn install(home: &Path) -> PathBuf {
    let dir = home.join("sessions/2026/11/24");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("rollout-2026-11-24T04-11-23-{ID}.jsonl"));
    fs::copy(FIXTURE, &path).unwrap();
    path
}

#[test]
fn codex_0_169_rollout_loads() {
    let session = load_rollout(Path::new(FIXTURE)).unwrap();
    assert!(session.warnings.is_empty(), "{:?}", session.warnings);
    assert_eq!(session.id(), ID);
    assert_eq!(session.meta.source, SessionSource::Exec);
    assert_eq!(session.meta.model_provider.as_deref(), Some("mock"));
    assert_eq!(session.meta.cwd, Path::new("/home/user/project"));

    let kinds: Vec<&str> = session
        .items
        .iter()
        .map(|item| match item {
            ResponseItem::Message { role, .. } => role.as_str(),
            ResponseItem::FunctionCall { .. } => "function_call",
            ResponseItem::FunctionCallOutput { .. } => "function_call_output",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "developer",
            "user",
            "user",
            "function_call",
            "function_call_output",
            "assistant"
        ]
    );
    assert_eq!(session.items[5].message_text().as_deref(), Some("hi"));

    let ctx = session.turn_contexts.last().unwrap();
    assert_eq!(ctx.model, "mock-model");
    assert_eq!(ctx.approval_policy, Some(AskForApproval::Never));
    assert_eq!(
        ctx.sandbox_policy
            .as_ref()
            .map(codex_protocol::SandboxPolicy::mode),
        Some(SandboxMode::WorkspaceWrite)
    );
    assert_eq!(session.meta.model_provider.as_deref(), Some("mock"));
}

#[test]
fn codex_0_169_rollout_is_found_listed_and_resumed() {
    let home = tempfile::tempdir().unwrap();
    let path = install(home.path());

    assert_eq!(find_by_id(home.path(), ID).unwrap(), path);
    assert_eq!(find_by_id(home.path(), "01a20bc0").unwrap(), path);

    let page = list_sessions(home.path(), 25, None, &SessionFilter::default()).unwrap();
    assert_eq!(page.items.len(), 1);
    let summary = &page.items[0];
    assert_eq!(summary.id, ID);
    assert_eq!(
        summary.preview, "run echo hi",
        "environment context is not a preview"
    );
    assert_eq!(
        summary.created.to_rfc3339(),
        "2026-11-24T04:11:23.090+00:00"
    );

    let filter = SessionFilter {
        model_provider: Some("mock".into()),
        cwd: Some("/home/user/project".into()),
        sources: vec![SessionSource::Exec],
    };
    assert_eq!(
        find_latest(home.path(), &filter).unwrap().map(|s| s.path),
        Some(path.clone())
    );

    let mut recorder = RolloutRecorder::resume(&load_rollout(&path).unwrap()).unwrap();
    recorder
        .record_response_items(&[ResponseItem::user_text("and again")])
        .unwrap();
    let session = load_rollout(&path).unwrap();
    assert_eq!(session.items.len(), 7);
}
