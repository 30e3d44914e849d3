//! Approval and sandbox policies, in the JSON shapes Codex uses on the command line, in
//! config.toml, in rollout files and in the argv of `codex-linux-sandbox`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// When the agent must ask a human before running a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AskForApproval {
    /// Ask for everything except the known-safe read-only commands.
    #[serde(rename = "untrusted")]
    UnlessTrusted,
    /// Run sandboxed without asking; ask only to retry a command the sandbox blocked.
    OnFailure,
    /// Run sandboxed without asking; the model may request escalation, which is asked.
    #[default]
    OnRequest,
    /// Never ask: failures go back to the model.
    Never,
}

impl AskForApproval {
    /// Every value, in the order `--help` lists them.
    pub const ALL: [Self; 4] = [
        Self::UnlessTrusted,
        Self::OnFailure,
        Self::OnRequest,
        Self::Never,
    ];

    /// The spelling used on the command line and in config.toml.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnlessTrusted => "untrusted",
            Self::OnFailure => "on-failure",
            Self::OnRequest => "on-request",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for AskForApproval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AskForApproval {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new(s, Self::ALL.map(Self::as_str)))
    }
}

/// The sandbox mode as chosen by a user (`-s`, `sandbox_mode`); details of workspace-write
/// come from `[sandbox_workspace_write]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Read anywhere, write nowhere, no network.
    #[default]
    ReadOnly,
    /// Read anywhere, write in the workspace and temp dirs.
    WorkspaceWrite,
    /// No sandbox at all.
    DangerFullAccess,
}

impl SandboxMode {
    /// Every value, in the order `--help` lists them.
    pub const ALL: [Self; 3] = [Self::ReadOnly, Self::WorkspaceWrite, Self::DangerFullAccess];

    /// The spelling used on the command line and in config.toml.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read-only",
            Self::WorkspaceWrite => "workspace-write",
            Self::DangerFullAccess => "danger-full-access",
        }
    }
}

impl fmt::Display for SandboxMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SandboxMode {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVariant::new(s, Self::ALL.map(Self::as_str)))
    }
}

/// A value that is not one of an enum's spellings; the message lists the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariant {
    /// What the user wrote.
    pub value: String,
    /// What would have been accepted.
    pub allowed: Vec<&'static str>,
}

impl UnknownVariant {
    fn new<const N: usize>(value: &str, allowed: [&'static str; N]) -> Self {
        Self {
            value: value.to_owned(),
            allowed: allowed.to_vec(),
        }
    }
}

impl fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not one of: {}",
            self.value,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownVariant {}

/// What a command run by the agent may touch. The JSON form (`{"mode":"workspace-write",...}`)
/// is exactly what `codex-linux-sandbox --sandbox-policy` receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum SandboxPolicy {
    /// No restrictions.
    DangerFullAccess,
    /// Reads anywhere; no writes, no network.
    ReadOnly,
    /// Reads anywhere; writes under the policy cwd, the extra roots and (unless excluded) the
    /// temp dirs; network only when allowed.
    WorkspaceWrite {
        /// Extra writable directories besides the cwd.
        #[serde(default)]
        writable_roots: Vec<PathBuf>,
        /// Whether outbound network is allowed.
        #[serde(default)]
        network_access: bool,
        /// Leave `$TMPDIR` out of the writable roots.
        #[serde(default)]
        exclude_tmpdir_env_var: bool,
        /// Leave `/tmp` out of the writable roots.
        #[serde(default)]
        exclude_slash_tmp: bool,
    },
}

impl SandboxPolicy {
    /// A workspace-write policy with Codex's defaults: cwd and temp dirs, no network.
    pub const fn workspace_write() -> Self {
        Self::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmpdir_env_var: false,
            exclude_slash_tmp: false,
        }
    }

    /// The user-facing mode this policy belongs to.
    pub const fn mode(&self) -> SandboxMode {
        match self {
            Self::DangerFullAccess => SandboxMode::DangerFullAccess,
            Self::ReadOnly => SandboxMode::ReadOnly,
            Self::WorkspaceWrite { .. } => SandboxMode::WorkspaceWrite,
        }
    }

    /// Whether commands may reach the network.
    pub const fn has_full_network_access(&self) -> bool {
        match self {
            Self::DangerFullAccess => true,
            Self::ReadOnly => false,
            Self::WorkspaceWrite { network_access, .. } => *network_access,
        }
    }

    /// Whether commands may write anywhere.
    pub const fn has_full_disk_write_access(&self) -> bool {
        matches!(self, Self::DangerFullAccess)
    }
}

/// A human's answer to an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Run it this once.
    Approved,
    /// Run it, and the same command again without asking for the rest of the session.
    ApprovedForSession,
    /// Do not run it; the model is told and carries on.
    Denied,
    /// Do not run it, and stop the turn.
    Abort,
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn sandbox_policy_json_matches_codex() {
        let json = serde_json::to_string(&SandboxPolicy::workspace_write()).unwrap();
        assert_eq!(
            json,
            r#"{"mode":"workspace-write","writable_roots":[],"network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":false}"#
        );
        assert_eq!(
            serde_json::to_string(&SandboxPolicy::ReadOnly).unwrap(),
            r#"{"mode":"read-only"}"#
        );
        assert_eq!(
            serde_json::to_string(&SandboxPolicy::DangerFullAccess).unwrap(),
            r#"{"mode":"danger-full-access"}"#
        );
    }

    #[test]
    fn workspace_write_fields_default_when_missing() {
        let policy: SandboxPolicy =
            serde_json::from_str(r#"{"mode":"workspace-write","network_access":true}"#).unwrap();
        assert!(policy.has_full_network_access());
        assert_eq!(policy.mode(), SandboxMode::WorkspaceWrite);
    }

    #[test]
    fn approval_spellings_round_trip() {
        for value in AskForApproval::ALL {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{value}\""));
            assert_eq!(value.as_str().parse::<AskForApproval>().unwrap(), value);
        }
        let err = "sometimes".parse::<AskForApproval>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`sometimes` is not one of: untrusted, on-failure, on-request, never"
        );
    }
}
