//! Applying what `/model` and `/approvals` chose.
//!
//! Core fixes a conversation's model and policies when it starts, so a change takes effect by
//! continuing the same session (same id, same rollout file, same history) on the changed
//! config: the app shuts the old conversation down and resumes it through the one door
//! (`ConversationManager::new_conversation` with `ResumeTarget::Path`).

use std::path::PathBuf;

use codex_config::Config;
use codex_core::{
    ConversationManager, ConversationOptions, CoreError, NewConversation, ResumeTarget,
};
use codex_protocol::{SandboxMode, SandboxPolicy};

use super::approvals::ApprovalPreset;
use super::model::{ModelChoice, effort_name};

/// A change of settings for the rest of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsChange {
    /// From `/model`.
    Model(ModelChoice),
    /// From `/approvals`.
    Approvals(ApprovalPreset),
}

impl SettingsChange {
    /// Applies the change to `config`. Returns the line the history shows about it, or `None`
    /// when nothing changes (the conversation need not restart).
    pub fn apply(&self, config: &mut Config) -> Option<String> {
        match self {
            Self::Model(choice) => {
                let effort = choice.effort.or(config.model_reasoning_effort);
                if config.model == choice.model && config.model_reasoning_effort == effort {
                    return None;
                }
                config.model.clone_from(&choice.model);
                config.model_reasoning_effort = effort;
                Some(match choice.effort {
                    Some(effort) => format!(
                        "Model changed to {} with {} reasoning effort",
                        choice.model,
                        effort_name(effort)
                    ),
                    None => format!("Model changed to {}", choice.model),
                })
            }
            Self::Approvals(preset) => {
                if config.approval_policy == preset.approval
                    && config.sandbox_policy.mode() == preset.sandbox
                {
                    return None;
                }
                config.approval_policy = preset.approval;
                config.sandbox_policy = policy_for(preset.sandbox, &config.sandbox_policy);
                Some(format!(
                    "Permissions set to {} (approval {}, sandbox {})",
                    preset.label,
                    preset.approval.as_str(),
                    preset.sandbox.as_str()
                ))
            }
        }
    }
}

/// Continues the session recorded at `rollout_path` on `config` (after
/// [`SettingsChange::apply`]): same id, same history, the new model and policies. The caller
/// then shuts the old conversation down and reads events from the new one.
pub fn continue_with(
    manager: &ConversationManager,
    config: Config,
    rollout_path: PathBuf,
) -> Result<NewConversation, CoreError> {
    manager.new_conversation(
        config,
        ConversationOptions {
            resume: Some(ResumeTarget::Path(rollout_path)),
            ..ConversationOptions::default()
        },
    )
}

/// The policy for `mode`; switching back to workspace-write keeps the roots and network
/// setting already configured.
fn policy_for(mode: SandboxMode, current: &SandboxPolicy) -> SandboxPolicy {
    match mode {
        SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
        SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
        SandboxMode::WorkspaceWrite => match current {
            SandboxPolicy::WorkspaceWrite { .. } => current.clone(),
            _ => SandboxPolicy::workspace_write(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slash::approvals::APPROVAL_PRESETS;
    use codex_protocol::{AskForApproval, ReasoningEffort};

    #[test]
    fn keeps_workspace_roots_when_returning_to_auto() {
        let custom = SandboxPolicy::WorkspaceWrite {
            writable_roots: vec!["/data".into()],
            network_access: true,
            exclude_tmpdir_env_var: false,
            exclude_slash_tmp: false,
        };
        assert_eq!(policy_for(SandboxMode::WorkspaceWrite, &custom), custom);
        assert_eq!(
            policy_for(SandboxMode::WorkspaceWrite, &SandboxPolicy::ReadOnly),
            SandboxPolicy::workspace_write()
        );
        assert_eq!(
            policy_for(SandboxMode::ReadOnly, &custom),
            SandboxPolicy::ReadOnly
        );
    }

    /// Events of `conversation` until its task completes.
    async fn finish_turn(conversation: &codex_core::Conversation) {
        loop {
            let event = tokio::time::timeout(
                std::time::Duration::from_secs(20),
                conversation.next_event(),
            )
            .await
            .unwrap()
            .unwrap();
            match event.msg {
                codex_protocol::protocol::EventMsg::TaskComplete { .. } => return,
                codex_protocol::protocol::EventMsg::Error { message, .. } => panic!("{message}"),
                _ => {}
            }
        }
    }

    #[tokio::test]
    async fn a_changed_model_continues_the_same_session() {
        use codex_protocol::protocol::{InputItem, Op};
        use codex_test_support::responses::{ev_assistant_message, ev_completed};
        use codex_test_support::{MockResponse, MockServer, TestHome};

        let server = MockServer::start();
        for id in ["r1", "r2"] {
            server.push(MockResponse::sse(&[
                ev_assistant_message("m", &format!("answer {id}")),
                ev_completed(id),
            ]));
        }
        let home = TestHome::for_mock(&server);
        let workspace = tempfile::tempdir().unwrap();
        let mut config = Config::load(codex_config::ConfigOverrides {
            codex_home: Some(home.path().to_owned()),
            cwd: Some(workspace.path().to_owned()),
            sandbox_mode: Some(SandboxMode::DangerFullAccess),
            ..Default::default()
        })
        .unwrap();
        let manager = ConversationManager::from_config(
            &config,
            codex_core::ManagerOptions {
                source: codex_protocol::rollout::SessionSource::Cli,
                originator: "codex_tui_tests".to_owned(),
            },
        );
        let first = manager
            .new_conversation(config.clone(), ConversationOptions::default())
            .unwrap();
        let say = |text: &str| Op::UserInput {
            items: vec![InputItem::Text {
                text: text.to_owned(),
            }],
        };
        first.conversation.submit(say("before")).await.unwrap();
        finish_turn(&first.conversation).await;

        let change = SettingsChange::Model(ModelChoice {
            model: "gpt-5".to_owned(),
            effort: Some(ReasoningEffort::Low),
        });
        change.apply(&mut config).unwrap();
        let rollout = first.session_configured.rollout_path.clone().unwrap();
        let second = continue_with(&manager, config, rollout).unwrap();
        first.conversation.submit(Op::Shutdown).await.unwrap();
        assert_eq!(second.conversation_id, first.conversation_id);
        assert_eq!(second.session_configured.model, "gpt-5");
        second.conversation.submit(say("after")).await.unwrap();
        finish_turn(&second.conversation).await;

        let requests = server.requests();
        let body = requests[1].body_json();
        assert_eq!(body["model"], "gpt-5");
        assert_eq!(body["reasoning"]["effort"], "low");
        let said = requests[1].message_input_texts("user");
        assert!(said.iter().any(|t| t == "before"), "{said:?}");
        assert!(said.iter().any(|t| t == "after"), "{said:?}");
    }

    #[test]
    fn applies_to_a_loaded_config() {
        let home = tempfile::tempdir().unwrap();
        let mut config = Config::load(codex_config::ConfigOverrides {
            codex_home: Some(home.path().to_owned()),
            cwd: Some(home.path().to_owned()),
            ..Default::default()
        })
        .unwrap();
        let change = SettingsChange::Model(ModelChoice {
            model: "gpt-5.1".to_owned(),
            effort: Some(ReasoningEffort::High),
        });
        assert!(change.apply(&mut config).is_some());
        assert_eq!(config.model, "gpt-5.1");
        assert_eq!(config.model_reasoning_effort, Some(ReasoningEffort::High));
        assert_eq!(change.apply(&mut config), None, "no change the second time");
        // A model without reasoning leaves the configured effort alone.
        let plain = SettingsChange::Model(ModelChoice {
            model: "gpt-4.1".to_owned(),
            effort: None,
        });
        assert_eq!(
            plain.apply(&mut config).as_deref(),
            Some("Model changed to gpt-4.1")
        );
        assert_eq!(config.model_reasoning_effort, Some(ReasoningEffort::High));
        assert_eq!(
            plain.apply(&mut config),
            None,
            "choosing it again changes nothing"
        );
        let full = SettingsChange::Approvals(APPROVAL_PRESETS[2]);
        let note = full.apply(&mut config).unwrap();
        assert!(note.contains("Full Access"), "{note}");
        assert_eq!(config.approval_policy, AskForApproval::Never);
        assert_eq!(config.sandbox_policy, SandboxPolicy::DangerFullAccess);
    }
}
