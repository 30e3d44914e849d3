//! The `apply_patch` tool: parse and verify the patch, check it against the policy, apply it.
//! Patches are applied in-process; the policy check (every resolved path inside a writable
//! root and outside its protected `.git`/`.codex`, else a human's approval) stands in for the
//! sandbox.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codex_apply_patch::ChangeKind;
use codex_command_safety::{SafetyCheck, assess_patch_safety};
use codex_protocol::ReviewDecision;
use codex_protocol::protocol::{
    ApplyPatchApprovalRequestEvent, EventMsg, FileChange, FileChangeKind, PatchApplyBeginEvent,
    PatchApplyEndEvent,
};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::session::Session;

/// Arguments of an `apply_patch` function call.
#[derive(Debug, Deserialize)]
pub(crate) struct ApplyPatchArgs {
    pub(crate) input: String,
}

pub(crate) async fn handle(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    patch_text: &str,
    cwd: &Path,
    cancel: &CancellationToken,
) -> String {
    let patch = match codex_apply_patch::parse_patch(patch_text) {
        Ok(patch) => patch,
        Err(e) => return format!("apply_patch verification failed: {e}"),
    };
    let planned = match codex_apply_patch::verify_patch(&patch, cwd) {
        Ok(changes) => changes,
        Err(e) => return format!("apply_patch verification failed: {e}"),
    };
    let changes: BTreeMap<PathBuf, FileChangeKind> = planned
        .iter()
        .map(|c| (c.path.clone(), kind_of(c.kind)))
        .collect();
    // Judge where the writes would really land: through symlinks (dangling ones too), as the
    // kernel would; the write then goes to exactly these paths, never through a symlink.
    let paths = codex_apply_patch::write_targets(&patch, cwd);
    let roots = codex_sandbox::writable_roots(&sess.config.sandbox_policy, &sess.config.cwd);
    let writable = |p: &Path| {
        sess.config.sandbox_policy.has_full_disk_write_access()
            || roots.iter().any(|r| r.is_path_writable(p))
    };
    let check = assess_patch_safety(
        &paths,
        sess.config.approval_policy,
        &sess.config.sandbox_policy,
        writable,
        sess.sandbox_exe.is_some(),
    );
    let auto_approved = match check {
        SafetyCheck::AutoApprove { .. } => true,
        SafetyCheck::Reject { reason } => return format!("patch rejected: {reason}"),
        SafetyCheck::AskUser => {
            let request = EventMsg::ApplyPatchApprovalRequest(ApplyPatchApprovalRequestEvent {
                call_id: call_id.to_owned(),
                changes: changes.clone(),
                reason: None,
                patch: patch_text.to_owned(),
                details: planned.iter().map(detail_of).collect(),
            });
            match sess
                .request_approval(sub_id, call_id, request, cancel)
                .await
            {
                ReviewDecision::Approved | ReviewDecision::ApprovedForSession => false,
                ReviewDecision::Abort => {
                    cancel.cancel();
                    return "patch rejected by user; the turn was stopped".to_owned();
                }
                ReviewDecision::Denied => {
                    return "patch rejected by user".to_owned();
                }
            }
        }
    };
    sess.send_event(
        sub_id,
        EventMsg::PatchApplyBegin(PatchApplyBeginEvent {
            call_id: call_id.to_owned(),
            auto_approved,
            changes: changes.clone(),
            patch: patch_text.to_owned(),
        }),
    );
    let (success, output) = match codex_apply_patch::apply_parsed_patch(&patch, cwd) {
        Ok(applied) => (true, applied.summary),
        Err(e) => (false, format!("apply_patch failed: {e}")),
    };
    sess.send_event(
        sub_id,
        EventMsg::PatchApplyEnd(PatchApplyEndEvent {
            call_id: call_id.to_owned(),
            success,
            output: output.clone(),
            changes,
        }),
    );
    output
}

fn kind_of(kind: ChangeKind) -> FileChangeKind {
    match kind {
        ChangeKind::Add => FileChangeKind::Add,
        ChangeKind::Delete => FileChangeKind::Delete,
        ChangeKind::Update => FileChangeKind::Update,
    }
}

/// One planned change in Codex's shape for approvers.
fn detail_of(change: &codex_apply_patch::FileChange) -> (PathBuf, FileChange) {
    let detail = match change.kind {
        ChangeKind::Add => FileChange::Add {
            content: change.new_content.clone().unwrap_or_default(),
        },
        ChangeKind::Delete => FileChange::Delete {
            content: change.old_content.clone().unwrap_or_default(),
        },
        ChangeKind::Update => FileChange::Update {
            unified_diff: change.unified_diff.clone().unwrap_or_default(),
            move_path: change.move_path.clone(),
        },
    };
    (change.path.clone(), detail)
}
