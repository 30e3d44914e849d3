//! Writing a session and reading it back: layout, permissions, resume, damaged files.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use codex_protocol::rollout::{
    CompactedItem, EventMsg, RolloutItem, SessionSource, TokenUsageInfo,
};
use codex_protocol::{AskForApproval, ResponseItem, SandboxPolicy};
use codex_rollout::{RolloutError, RolloutRecorder, load_rollout, new_session_id};
use pretty_assertions::assert_eq;

use super::support::{Spec, local, meta, turn_context, write_session};

#[test]
fn file_appears_on_first_item_with_mode_0600_and_reads_back() {
    let home = tempfile::tempdir().unwrap();
    let id = new_session_id();
    let created = local(2025, 3, 9, 23, 59, 58);
    let mut recorder = RolloutRecorder::new_at(
        home.path(),
        meta(id, "/projects/a", "openai", SessionSource::Exec),
        created,
    )
    .unwrap();
    let path = recorder.path().to_path_buf();
    assert_eq!(
        path,
        home.path().join(format!(
            "sessions/2025/03/09/rollout-2025-03-09T23-59-58-{id}.jsonl"
        ))
    );
    assert!(!path.exists(), "nothing is written before the first item");
    recorder.record(&[]).unwrap();
    assert!(!path.exists());

    recorder
        .record(&[RolloutItem::TurnContext(turn_context("/projects/a"))])
        .unwrap();
    recorder
        .record_response_items(&[
            ResponseItem::user_text("<environment_context>x</environment_context>"),
            ResponseItem::user_text("fix the bug"),
            ResponseItem::Other,
        ])
        .unwrap();
    recorder
        .record(&[
            RolloutItem::EventMsg(EventMsg::UserMessage {
                message: "fix the bug".into(),
                images: None,
            }),
            RolloutItem::ResponseItem(ResponseItem::assistant_text("fixed")),
            RolloutItem::EventMsg(EventMsg::TokenCount {
                info: Some(TokenUsageInfo::default()),
                rate_limits: None,
            }),
        ])
        .unwrap();
    let said = EventMsg::AgentMessage {
        message: "fixed \"it\"\n".into(),
    };
    recorder.record_event(&said).unwrap();
    let syncer = recorder.syncer().unwrap().expect("the file exists");
    assert_eq!(syncer.path(), path);
    syncer.sync().unwrap();

    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'));
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "session_meta",
            "turn_context",
            "response_item",
            "response_item",
            "event_msg",
            "response_item",
            "event_msg",
            "event_msg"
        ]
    );
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let ts = first["timestamp"].as_str().unwrap();
    assert!(
        ts.ends_with('Z') && ts.len() == "2025-10-01T12:00:00.123Z".len(),
        "{ts}"
    );

    let session = load_rollout(&path).unwrap();
    assert_eq!(session.id(), id.to_string());
    assert_eq!(session.meta.source, SessionSource::Exec);
    assert_eq!(session.items.len(), 3);
    assert_eq!(session.items[1], ResponseItem::user_text("fix the bug"));
    assert_eq!(session.turn_contexts.len(), 1);
    assert_eq!(session.events.len(), 3);
    assert_eq!(
        session.events[2], said,
        "record_event writes what record would"
    );
    assert!(session.warnings.is_empty(), "{:?}", session.warnings);

    // The turn's settings come back as recorded.
    let ctx = session.turn_contexts.last().unwrap();
    assert_eq!(ctx.model, "gpt-turn");
    assert_eq!(ctx.approval_policy, Some(AskForApproval::Never));
    assert_eq!(ctx.sandbox_policy, Some(SandboxPolicy::workspace_write()));
    assert_eq!(ctx.cwd, std::path::Path::new("/projects/a"));
    assert_eq!(session.meta.model_provider.as_deref(), Some("openai"));
}

#[test]
fn a_session_id_must_be_a_uuid() {
    let home = tempfile::tempdir().unwrap();
    let mut bad = meta(new_session_id(), "/p", "openai", SessionSource::Cli);
    bad.id = "not-a-uuid".into();
    let err = RolloutRecorder::new(home.path(), bad).unwrap_err();
    assert!(
        matches!(err, RolloutError::InvalidSessionId { .. }),
        "{err}"
    );
}

#[test]
fn resume_appends_to_the_same_file() {
    let home = tempfile::tempdir().unwrap();
    let spec = Spec::new(local(2025, 6, 1, 8, 0, 0));
    let path = write_session(home.path(), &spec);
    let before = load_rollout(&path).unwrap();

    let mut recorder = RolloutRecorder::resume(&load_rollout(&path).unwrap()).unwrap();
    assert_eq!(recorder.session_id(), spec.id);
    assert!(recorder.is_created());
    recorder
        .record_response_items(&[ResponseItem::user_text("and now?")])
        .unwrap();

    let after = load_rollout(&path).unwrap();
    assert_eq!(after.items.len(), before.items.len() + 1);
    assert_eq!(
        after.items.last(),
        Some(&ResponseItem::user_text("and now?"))
    );
    let metas = fs::read_to_string(&path)
        .unwrap()
        .matches("\"session_meta\"")
        .count();
    assert_eq!(metas, 1, "resume must not write a second session_meta");
}

#[test]
fn a_torn_last_line_is_skipped_and_cut_off_on_resume() {
    let home = tempfile::tempdir().unwrap();
    let path = write_session(home.path(), &Spec::new(local(2025, 6, 1, 8, 0, 0)));
    let lines = fs::read_to_string(&path).unwrap().lines().count();
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(br#"{"timestamp":"2025-06-01T08:00:09.000Z","type":"response_item","payload":{"type":"mess"#)
        .unwrap();

    let session = load_rollout(&path).unwrap();
    assert_eq!(session.items.len(), 3);
    assert_eq!(session.warnings.len(), 1);
    assert_eq!(session.warnings[0].line, lines + 1);
    assert!(
        session.warnings[0]
            .to_string()
            .contains("incomplete last line"),
        "{}",
        session.warnings[0]
    );

    let mut recorder = RolloutRecorder::resume(&load_rollout(&path).unwrap()).unwrap();
    recorder
        .record_response_items(&[ResponseItem::user_text("again")])
        .unwrap();
    let session = load_rollout(&path).unwrap();
    assert!(session.warnings.is_empty(), "{:?}", session.warnings);
    assert_eq!(
        session.items.last(),
        Some(&ResponseItem::user_text("again"))
    );
}

#[test]
fn a_damaged_middle_line_is_an_error_naming_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let path = write_session(home.path(), &Spec::new(local(2025, 6, 1, 8, 0, 0)));
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{\"timestamp\":\"oops\" this is not json");
    fs::write(&path, lines.join("\n") + "\n").unwrap();

    let err = load_rollout(&path).unwrap_err();
    let RolloutError::Corrupt { line, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*line, 3);
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3: damaged session line", path.display())),
        "{err}"
    );
}

#[test]
fn unknown_lines_and_old_shapes_load() {
    let home = tempfile::tempdir().unwrap();
    let path = home
        .path()
        .join("rollout-2025-05-07-0196a2a8-1111-7000-8000-000000000000.jsonl");
    fs::write(
        &path,
        concat!(
            r#"{"id":"0196a2a8-1111-7000-8000-000000000000","timestamp":"2025-05-07T10:00:00.000Z","instructions":null,"git":{"branch":"old"}}"#, "\n",
            r#"{"record_type":"state"}"#, "\n",
            r#"{"type":"message","role":"user","content":[{"type":"input_text","text":"old prompt"}]}"#, "\n",
            r#"{"type":"ghost_snapshot","ghost_commit":{}}"#, "\n",
            r#"{"timestamp":"t","type":"world_state","payload":{"full":true}}"#, "\n",
            r#"{"timestamp":"t","type":"turn_context","payload":"not an object"}"#, "\n",
            r#"{"type":"message","role":"assistant","content":[{"type":"output_text","text":"old answer"}]}"#, "\n",
        ),
    )
    .unwrap();
    let session = load_rollout(&path).unwrap();
    assert_eq!(session.id(), "0196a2a8-1111-7000-8000-000000000000");
    assert_eq!(
        session.items,
        [
            ResponseItem::user_text("old prompt"),
            ResponseItem::assistant_text("old answer")
        ]
    );
    // The unknown `world_state` is silent; a known type in a shape we cannot read is reported.
    assert_eq!(session.warnings.len(), 1, "{:?}", session.warnings);
    assert_eq!(session.warnings[0].line, 6);
}

#[test]
fn a_file_without_session_meta_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("x.jsonl");
    fs::write(&path, "{\"timestamp\":\"t\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":\"user\",\"content\":[]}}\n").unwrap();
    let err = load_rollout(&path).unwrap_err();
    assert!(matches!(err, RolloutError::MissingMeta { .. }), "{err}");
    let missing = load_rollout(&home.path().join("nope.jsonl")).unwrap_err();
    assert!(missing.to_string().starts_with("cannot read "), "{missing}");
}

#[test]
fn compaction_replaces_history() {
    let home = tempfile::tempdir().unwrap();
    let path = write_session(home.path(), &Spec::new(local(2025, 6, 1, 8, 0, 0)));
    let mut recorder = RolloutRecorder::resume(&load_rollout(&path).unwrap()).unwrap();
    recorder
        .record(&[RolloutItem::Compacted(CompactedItem {
            message: "summary".into(),
            replacement_history: Some(vec![
                ResponseItem::user_text("hello"),
                ResponseItem::user_text("summary"),
            ]),
        })])
        .unwrap();
    recorder
        .record_response_items(&[ResponseItem::assistant_text("after")])
        .unwrap();
    let session = load_rollout(&path).unwrap();
    assert_eq!(
        session.items,
        [
            ResponseItem::user_text("hello"),
            ResponseItem::user_text("summary"),
            ResponseItem::assistant_text("after")
        ]
    );

    // Older writers recorded only the summary: keep what the user typed, then the summary.
    recorder
        .record(&[RolloutItem::Compacted(CompactedItem {
            message: "second".into(),
            replacement_history: None,
        })])
        .unwrap();
    let session = load_rollout(&path).unwrap();
    assert_eq!(
        session.items,
        [
            ResponseItem::user_text("hello"),
            ResponseItem::user_text("summary"),
            ResponseItem::user_text("second")
        ]
    );
}
