//! The approval x sandbox decision table for commands and patches, as pure functions.
//!
//! Inputs are everything the decision depends on (policy, session approvals, whether a
//! platform sandbox exists); no I/O, so every cell is unit-tested.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use codex_protocol::{AskForApproval, SandboxPolicy};

use crate::dangerous::command_might_be_dangerous;
use crate::safe::is_known_safe_command;

/// Reject reason when `never` meets a command that would need a sandbox we do not have.
pub const REASON_NOT_ON_TRUSTED_LIST: &str = "auto-rejected because command is not on trusted list";

/// Reject reason for a patch with no files.
pub const REASON_EMPTY_PATCH: &str = "empty patch";

/// Reject reason for a patch writing outside the writable roots under `never`.
pub const REASON_PATCH_OUTSIDE_PROJECT: &str =
    "writing outside of the project; rejected by user approval settings";

/// What to do with a command or patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetyCheck {
    /// Run it without asking; `sandboxed` says whether inside the platform sandbox.
    AutoApprove {
        /// Run under the sandbox (true) or directly (false).
        sandboxed: bool,
    },
    /// Ask the human first. A human-approved command or patch runs without the sandbox.
    AskUser,
    /// Do not run it; `reason` goes back to the model.
    Reject {
        /// Text for the model.
        reason: String,
    },
}

/// The text the model receives when it asks for escalated permissions under a policy other
/// than `on-request`.
pub fn escalation_rejection_message(approval: AskForApproval) -> String {
    format!(
        "approval policy is {approval:?}; reject command — you should not ask for escalated \
         permissions if the approval policy is {approval:?}"
    )
}

/// Decides how to run `command` (Codex's classic table), in this order:
///
/// 0. `with_escalated_permissions` under any policy but `on-request` → Reject (see
///    [`escalation_rejection_message`]).
/// 1. [`command_might_be_dangerous`] and not approved for the session → AskUser, under every
///    policy (under `never` the caller has no one to ask and should treat it as a rejection).
/// 2. [`is_known_safe_command`] or approved for the session → AutoApprove without sandbox.
/// 3. Otherwise by policy:
///
/// | approval \ sandbox | danger-full-access | read-only / workspace-write |
/// |---|---|---|
/// | untrusted  | AskUser | AskUser |
/// | on-failure | AutoApprove unsandboxed | sandboxed; no sandbox → AskUser |
/// | on-request | AutoApprove unsandboxed | escalated → AskUser; else sandboxed; no sandbox → AskUser |
/// | never      | AutoApprove unsandboxed | sandboxed; no sandbox → Reject |
pub fn assess_command_safety<S: BuildHasher>(
    command: &[String],
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    approved_for_session: &HashSet<Vec<String>, S>,
    with_escalated_permissions: bool,
    sandbox_available: bool,
) -> SafetyCheck {
    if with_escalated_permissions && approval != AskForApproval::OnRequest {
        return SafetyCheck::Reject {
            reason: escalation_rejection_message(approval),
        };
    }
    let session_approved = approved_for_session.contains(command);
    if command_might_be_dangerous(command) && !session_approved {
        return SafetyCheck::AskUser;
    }
    if session_approved || is_known_safe_command(command) {
        return SafetyCheck::AutoApprove { sandboxed: false };
    }
    assess_untrusted_command(
        approval,
        sandbox,
        with_escalated_permissions,
        sandbox_available,
    )
}

/// Step 3 of [`assess_command_safety`]: a command that is neither safe nor pre-approved.
pub fn assess_untrusted_command(
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    with_escalated_permissions: bool,
    sandbox_available: bool,
) -> SafetyCheck {
    use AskForApproval::{Never, OnFailure, OnRequest, UnlessTrusted};
    let full_access = matches!(sandbox, SandboxPolicy::DangerFullAccess);
    match approval {
        UnlessTrusted => SafetyCheck::AskUser,
        OnFailure | OnRequest | Never if full_access => {
            SafetyCheck::AutoApprove { sandboxed: false }
        }
        OnRequest if with_escalated_permissions => SafetyCheck::AskUser,
        _ if sandbox_available => SafetyCheck::AutoApprove { sandboxed: true },
        OnFailure | OnRequest => SafetyCheck::AskUser,
        Never => SafetyCheck::Reject {
            reason: REASON_NOT_ON_TRUSTED_LIST.to_owned(),
        },
    }
}

/// Decides how to apply a patch touching `paths` (absolute, lexically normalised; move
/// destinations included). `is_writable` answers "is this path inside a writable root and not
/// in a read-only subpath" for the current policy; under `danger-full-access` every path is
/// writable whatever it says.
///
/// - no paths → Reject "empty patch"; `untrusted` → AskUser;
/// - all paths writable, or `on-failure` → AutoApprove (unsandboxed under danger-full-access,
///   otherwise sandboxed; no sandbox available → AskUser);
/// - otherwise `never` → Reject, else AskUser.
///
/// Patches a human approved run unsandboxed.
pub fn assess_patch_safety(
    paths: &[PathBuf],
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    is_writable: impl Fn(&Path) -> bool,
    sandbox_available: bool,
) -> SafetyCheck {
    if paths.is_empty() {
        return SafetyCheck::Reject {
            reason: REASON_EMPTY_PATCH.to_owned(),
        };
    }
    if approval == AskForApproval::UnlessTrusted {
        return SafetyCheck::AskUser;
    }
    let full_access = matches!(sandbox, SandboxPolicy::DangerFullAccess);
    let constrained = full_access || paths.iter().all(|p| is_writable(p));
    if constrained || approval == AskForApproval::OnFailure {
        return if full_access {
            SafetyCheck::AutoApprove { sandboxed: false }
        } else if sandbox_available {
            SafetyCheck::AutoApprove { sandboxed: true }
        } else {
            SafetyCheck::AskUser
        };
    }
    if approval == AskForApproval::Never {
        SafetyCheck::Reject {
            reason: REASON_PATCH_OUTSIDE_PROJECT.to_owned(),
        }
    } else {
        SafetyCheck::AskUser
    }
}

#[cfg(test)]
mod tests;
