//! Applying what `/model` and `/approvals` chose.
//!
//! Core fixes a conversation's model and policies when it starts, so a change takes effect by
//! continuing the same session (same id, same rollout file, same history) on the changed
//! config: the app shuts the old conversation down and resumes it through the one door
//! (`ConversationManager::new_conversation` with `ResumeTarget::Path`).

use codex_config::Config;
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
                if config.model == choice.model
                    && config.model_reasoning_effort == Some(choice.effort)
                {
                    return None;
                }
                config.model.clone_from(&choice.model);
                config.model_reasoning_effort = Some(choice.effort);
                Some(format!(
                    "Model changed to {} with {} reasoning effort",
                    choice.model,
                    effort_name(choice.effort)
                ))
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
            effort: ReasoningEffort::High,
        });
        assert!(change.apply(&mut config).is_some());
        assert_eq!(config.model, "gpt-5.1");
        assert_eq!(config.model_reasoning_effort, Some(ReasoningEffort::High));
        assert_eq!(change.apply(&mut config), None, "no change the second time");
        let full = SettingsChange::Approvals(APPROVAL_PRESETS[2]);
        let note = full.apply(&mut config).unwrap();
        assert!(note.contains("Full Access"), "{note}");
        assert_eq!(config.approval_policy, AskForApproval::Never);
        assert_eq!(config.sandbox_policy, SandboxPolicy::DangerFullAccess);
    }
}
