//! Resuming through the one door: a session named with `/rename` is found by its name, and the
//! resumed conversation hands back the events a front end replays as the transcript.

use codex_config::{Config, ConfigOverrides};
use codex_core::{ConversationManager, ConversationOptions, ManagerOptions, ResumeTarget};
use codex_protocol::ResponseItem;
use codex_protocol::rollout::{EventMsg, RolloutItem, SessionMeta, SessionSource};
use codex_rollout::{RolloutRecorder, new_session_id, now_timestamp, set_session_name};
use codex_test_support::{MockServer, TestHome};

fn record_session(home: &std::path::Path, prompt: &str, answer: &str) -> String {
    let id = new_session_id().to_string();
    let meta = SessionMeta {
        id: id.clone(),
        timestamp: now_timestamp(),
        cwd: "/somewhere".into(),
        source: SessionSource::Cli,
        model_provider: Some("mock".into()),
        ..SessionMeta::default()
    };
    let mut recorder = RolloutRecorder::new(home, meta).unwrap();
    recorder
        .record(&[
            RolloutItem::ResponseItem(ResponseItem::user_text(prompt)),
            RolloutItem::EventMsg(EventMsg::UserMessage {
                message: prompt.into(),
                images: None,
            }),
            RolloutItem::ResponseItem(ResponseItem::assistant_text(answer)),
            RolloutItem::EventMsg(EventMsg::AgentMessage {
                message: answer.into(),
            }),
        ])
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_session_resumes_by_name_with_its_events() {
    let server = MockServer::start();
    let home = TestHome::for_mock(&server);
    let named = record_session(home.path(), "the named task", "named answer");
    let _other = record_session(home.path(), "another task", "other answer");
    set_session_name(home.path(), &named, "fix ci").unwrap();

    let config = Config::load(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        raw_overrides: vec!["sandbox_mode=\"danger-full-access\"".into()],
        ..ConfigOverrides::default()
    })
    .unwrap();
    let manager = ConversationManager::from_config(
        &config,
        ManagerOptions {
            source: SessionSource::Cli,
            originator: "codex_core_tests".to_owned(),
        },
    );
    let new = manager
        .new_conversation(
            config,
            ConversationOptions {
                resume: Some(ResumeTarget::Id("fix ci".into())),
                ..ConversationOptions::default()
            },
        )
        .unwrap();
    assert_eq!(new.conversation_id, named);
    assert!(new.resumed_from.is_some());
    assert_eq!(
        new.resumed_events,
        vec![
            EventMsg::UserMessage {
                message: "the named task".into(),
                images: None,
            },
            EventMsg::AgentMessage {
                message: "named answer".into(),
            },
        ]
    );
}
