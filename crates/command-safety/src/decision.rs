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
    /// Ask the human first. What an approved command runs in is [`sandboxed_after_approval`]'s
    /// answer: the sandbox, unless the model asked to escalate or there is none.
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
/// 2. Not escalated, and [`is_known_safe_command`] or approved for the session → AutoApprove,
///    *in the sandbox* unless the policy is `danger-full-access`. "Safe" and "approved" only
///    skip the question, never the sandbox: the model controls the files a safe command reads
///    (git's config-driven programs, a planted executable on `PATH`, a `deny_read` file). With
///    no sandbox available a session-approved command runs directly (the human said yes), a
///    known-safe one goes on to step 3.
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
    let full_access = matches!(sandbox, SandboxPolicy::DangerFullAccess);
    if !with_escalated_permissions && (session_approved || is_known_safe_command(command)) {
        if full_access || (session_approved && !sandbox_available) {
            return SafetyCheck::AutoApprove { sandboxed: false };
        }
        if sandbox_available {
            return SafetyCheck::AutoApprove { sandboxed: true };
        }
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

/// Whether a command the human approved (after [`SafetyCheck::AskUser`]) runs in the sandbox:
/// yes, unless the policy is `danger-full-access`, there is no sandbox, or the model asked for
/// escalated permissions (which is what the human then approved). A human approving `make`
/// approves running it, not whatever a sandboxed step planted in the Makefile.
pub fn sandboxed_after_approval(
    sandbox: &SandboxPolicy,
    with_escalated_permissions: bool,
    sandbox_available: bool,
) -> bool {
    !matches!(sandbox, SandboxPolicy::DangerFullAccess)
        && sandbox_available
        && !with_escalated_permissions
}

/// Decides how to apply a patch touching `paths` (absolute, lexically normalised; move
/// destinations included). `is_writable` answers "is this path inside a writable root and not
/// in a read-only subpath" for the current policy; under `danger-full-access` every path is
/// writable whatever it says.
///
/// - no paths → Reject "empty patch"; `untrusted` → AskUser;
/// - all paths writable → AutoApprove (unsandboxed under danger-full-access, otherwise
///   sandboxed; no sandbox available → AskUser);
/// - otherwise `never` → Reject, else AskUser. Unlike Codex, `on-failure` does not
///   auto-approve a patch outside the roots: a patch has no sandbox to fail in, so "run it and
///   ask if it fails" would write it unconfined.
///
/// The caller passes paths with symlinks resolved (a dangling link included), so `is_writable`
/// judges where the bytes would land. Patches a human approved are written as approved.
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
    if constrained {
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
