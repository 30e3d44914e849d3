//! Every cell of the command and patch tables, written out rather than recomputed.

use super::*;
use AskForApproval::{Never, OnFailure, OnRequest, UnlessTrusted};
use pretty_assertions::assert_eq;

#[derive(Debug, Clone, Copy)]
enum Class {
    /// On the known-safe list.
    Safe,
    /// Neither safe nor dangerous.
    Plain,
    /// `git reset --hard`.
    Dangerous,
    /// A plain command with `with_escalated_permissions`.
    Escalated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// AutoApprove, no sandbox.
    Direct,
    /// AutoApprove in the sandbox.
    Sandboxed,
    Ask,
    /// Reject: not on the trusted list.
    RejectUntrusted,
    /// Reject: escalation under the wrong policy.
    RejectEscalation,
}

fn argv(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn check(
    class: Class,
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    available: bool,
) -> SafetyCheck {
    let (command, escalated) = match class {
        Class::Safe => (argv(&["ls", "-la"]), false),
        Class::Plain => (argv(&["cargo", "build"]), false),
        Class::Dangerous => (argv(&["git", "reset", "--hard"]), false),
        Class::Escalated => (argv(&["cargo", "build"]), true),
    };
    assess_command_safety(
        &command,
        approval,
        sandbox,
        &HashSet::new(),
        escalated,
        available,
    )
}

fn expected(want: Want, approval: AskForApproval) -> SafetyCheck {
    match want {
        Want::Direct => SafetyCheck::AutoApprove { sandboxed: false },
        Want::Sandboxed => SafetyCheck::AutoApprove { sandboxed: true },
        Want::Ask => SafetyCheck::AskUser,
        Want::RejectUntrusted => SafetyCheck::Reject {
            reason: REASON_NOT_ON_TRUSTED_LIST.into(),
        },
        Want::RejectEscalation => SafetyCheck::Reject {
            reason: escalation_rejection_message(approval),
        },
    }
}

/// (approval, class, danger-full-access, restricted with sandbox, restricted without sandbox)
const COMMAND_TABLE: &[(AskForApproval, Class, Want, Want, Want)] = {
    use Class::{Dangerous, Escalated, Plain, Safe};
    use Want::{Ask, Direct, RejectEscalation, RejectUntrusted, Sandboxed};
    &[
        (UnlessTrusted, Safe, Direct, Sandboxed, Ask),
        (UnlessTrusted, Plain, Ask, Ask, Ask),
        (UnlessTrusted, Dangerous, Ask, Ask, Ask),
        (
            UnlessTrusted,
            Escalated,
            RejectEscalation,
            RejectEscalation,
            RejectEscalation,
        ),
        (OnFailure, Safe, Direct, Sandboxed, Ask),
        (OnFailure, Plain, Direct, Sandboxed, Ask),
        (OnFailure, Dangerous, Ask, Ask, Ask),
        (
            OnFailure,
            Escalated,
            RejectEscalation,
            RejectEscalation,
            RejectEscalation,
        ),
        (OnRequest, Safe, Direct, Sandboxed, Ask),
        (OnRequest, Plain, Direct, Sandboxed, Ask),
        (OnRequest, Dangerous, Ask, Ask, Ask),
        (OnRequest, Escalated, Direct, Ask, Ask),
        (Never, Safe, Direct, Sandboxed, RejectUntrusted),
        (Never, Plain, Direct, Sandboxed, RejectUntrusted),
        (Never, Dangerous, Ask, Ask, Ask),
        (
            Never,
            Escalated,
            RejectEscalation,
            RejectEscalation,
            RejectEscalation,
        ),
    ]
};

#[test]
fn every_cell_of_the_command_table() {
    assert_eq!(COMMAND_TABLE.len(), 16, "4 approvals x 4 classes");
    let restricted = [SandboxPolicy::ReadOnly, SandboxPolicy::workspace_write()];
    for &(approval, class, full, with_sandbox, without_sandbox) in COMMAND_TABLE {
        for available in [true, false] {
            assert_eq!(
                check(class, approval, &SandboxPolicy::DangerFullAccess, available),
                expected(full, approval),
                "{approval} x danger-full-access x {class:?} (sandbox available: {available})"
            );
        }
        for policy in &restricted {
            assert_eq!(
                check(class, approval, policy, true),
                expected(with_sandbox, approval),
                "{approval} x {} x {class:?} with a sandbox",
                policy.mode()
            );
            assert_eq!(
                check(class, approval, policy, false),
                expected(without_sandbox, approval),
                "{approval} x {} x {class:?} without a sandbox",
                policy.mode()
            );
        }
    }
}

#[test]
fn escalation_message_names_the_policy() {
    assert_eq!(
        escalation_rejection_message(Never),
        "approval policy is Never; reject command — you should not ask for escalated \
         permissions if the approval policy is Never"
    );
    assert_eq!(
        escalation_rejection_message(UnlessTrusted),
        "approval policy is UnlessTrusted; reject command — you should not ask for escalated \
         permissions if the approval policy is UnlessTrusted"
    );
}

#[test]
fn escalated_safe_command_under_on_request_asks() {
    // Escalation asks to leave the sandbox: a safe-looking argv does not grant that.
    let got = assess_command_safety(
        &argv(&["ls"]),
        OnRequest,
        &SandboxPolicy::ReadOnly,
        &HashSet::new(),
        true,
        true,
    );
    assert_eq!(got, SafetyCheck::AskUser);
}

#[test]
fn known_safe_commands_stay_in_the_sandbox() {
    // Regression (issue 12, cause 1): git runs config-driven programs, `cat` reads deny_read
    // files, and PATH may hold a planted binary; none of that is safe unconfined.
    let none = HashSet::new();
    for command in [
        argv(&["git", "status"]),
        argv(&["cat", "/home/me/.ssh/id_ed25519"]),
        argv(&["bash", "-lc", "git log | head"]),
    ] {
        for approval in AskForApproval::ALL {
            for policy in [SandboxPolicy::ReadOnly, SandboxPolicy::workspace_write()] {
                assert_eq!(
                    assess_command_safety(&command, approval, &policy, &none, false, true),
                    SafetyCheck::AutoApprove { sandboxed: true },
                    "{approval} {command:?}"
                );
            }
        }
    }
}

#[test]
fn approved_commands_run_sandboxed_unless_escalated() {
    let ww = SandboxPolicy::workspace_write();
    assert!(sandboxed_after_approval(&ww, false, true));
    assert!(!sandboxed_after_approval(&ww, true, true));
    assert!(!sandboxed_after_approval(&ww, false, false));
    assert!(!sandboxed_after_approval(
        &SandboxPolicy::DangerFullAccess,
        false,
        true
    ));
}

#[test]
fn session_approval_skips_the_table_and_the_danger_check_not_the_sandbox() {
    let plain = argv(&["cargo", "build"]);
    let dangerous = argv(&["rm", "-rf", "target"]);
    let approved: HashSet<Vec<String>> = [plain.clone(), dangerous.clone()].into_iter().collect();
    for approval in AskForApproval::ALL {
        for command in [&plain, &dangerous] {
            for (available, sandboxed) in [(true, true), (false, false)] {
                let got = assess_command_safety(
                    command,
                    approval,
                    &SandboxPolicy::ReadOnly,
                    &approved,
                    false,
                    available,
                );
                assert_eq!(
                    got,
                    SafetyCheck::AutoApprove { sandboxed },
                    "{approval} {command:?} (sandbox available: {available})"
                );
            }
        }
    }
    // Approval is per exact argv.
    let other = argv(&["rm", "-rf", "src"]);
    let got = assess_command_safety(
        &other,
        Never,
        &SandboxPolicy::ReadOnly,
        &approved,
        false,
        true,
    );
    assert_eq!(got, SafetyCheck::AskUser);
}

#[test]
fn safe_and_unsafe_bash_scripts_are_both_sandboxed() {
    let policy = SandboxPolicy::workspace_write();
    let none = HashSet::new();
    let safe = argv(&["bash", "-lc", "git status && ls -la | head"]);
    let unsafe_script = argv(&["bash", "-lc", "ls > listing.txt"]);
    assert_eq!(
        assess_command_safety(&safe, OnRequest, &policy, &none, false, true),
        SafetyCheck::AutoApprove { sandboxed: true }
    );
    assert_eq!(
        assess_command_safety(&safe, OnRequest, &policy, &none, false, false),
        SafetyCheck::AskUser
    );
    assert_eq!(
        assess_command_safety(&unsafe_script, OnRequest, &policy, &none, false, true),
        SafetyCheck::AutoApprove { sandboxed: true }
    );
    assert_eq!(
        assess_command_safety(
            &argv(&["bash", "-lc", "rm -rf build"]),
            Never,
            &policy,
            &none,
            false,
            true
        ),
        SafetyCheck::AskUser
    );
}

// ---- patches ----

#[derive(Debug, Clone, Copy)]
enum Paths {
    Inside,
    Outside,
}

fn patch_check(
    paths: Paths,
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    available: bool,
) -> SafetyCheck {
    let files = match paths {
        Paths::Inside => vec![
            PathBuf::from("/project/a.txt"),
            PathBuf::from("/project/sub/b.txt"),
        ],
        Paths::Outside => vec![
            PathBuf::from("/project/a.txt"),
            PathBuf::from("/etc/passwd"),
        ],
    };
    let writable = |p: &Path| {
        matches!(sandbox, SandboxPolicy::WorkspaceWrite { .. }) && p.starts_with("/project")
    };
    assess_patch_safety(&files, approval, sandbox, writable, available)
}

fn patch_expected(want: Want) -> SafetyCheck {
    match want {
        Want::RejectUntrusted => SafetyCheck::Reject {
            reason: REASON_PATCH_OUTSIDE_PROJECT.into(),
        },
        other => expected(other, Never),
    }
}

/// (approval, paths, policy, with sandbox, without sandbox); `RejectUntrusted` stands for the
/// "writing outside of the project" rejection here.
fn patch_table() -> Vec<(AskForApproval, Paths, SandboxPolicy, Want, Want)> {
    use Paths::{Inside, Outside};
    use Want::{Ask, Direct, RejectUntrusted as Outside_, Sandboxed};
    let full = SandboxPolicy::DangerFullAccess;
    let ro = SandboxPolicy::ReadOnly;
    let ww = SandboxPolicy::workspace_write();
    vec![
        (UnlessTrusted, Inside, full.clone(), Ask, Ask),
        (UnlessTrusted, Inside, ww.clone(), Ask, Ask),
        (UnlessTrusted, Outside, ro.clone(), Ask, Ask),
        (OnFailure, Inside, full.clone(), Direct, Direct),
        (OnFailure, Outside, full.clone(), Direct, Direct),
        (OnFailure, Inside, ww.clone(), Sandboxed, Ask),
        // Codex auto-approves this one; a patch has no sandbox to fail in.
        (OnFailure, Outside, ww.clone(), Ask, Ask),
        (OnFailure, Outside, ro.clone(), Ask, Ask),
        (OnFailure, Inside, ro.clone(), Ask, Ask),
        (OnRequest, Inside, full.clone(), Direct, Direct),
        (OnRequest, Outside, full.clone(), Direct, Direct),
        (OnRequest, Inside, ww.clone(), Sandboxed, Ask),
        (OnRequest, Outside, ww.clone(), Ask, Ask),
        (OnRequest, Inside, ro.clone(), Ask, Ask),
        (Never, Inside, full.clone(), Direct, Direct),
        (Never, Outside, full, Direct, Direct),
        (Never, Inside, ww.clone(), Sandboxed, Ask),
        (Never, Outside, ww, Outside_, Outside_),
        (Never, Inside, ro, Outside_, Outside_),
    ]
}

#[test]
fn every_cell_of_the_patch_table() {
    for (approval, paths, policy, with_sandbox, without_sandbox) in patch_table() {
        for (available, want) in [(true, with_sandbox), (false, without_sandbox)] {
            assert_eq!(
                patch_check(paths, approval, &policy, available),
                patch_expected(want),
                "{approval} x {} x {paths:?} (sandbox available: {available})",
                policy.mode()
            );
        }
    }
}

#[test]
fn empty_patch_is_rejected_under_every_policy() {
    for approval in AskForApproval::ALL {
        let got = assess_patch_safety(
            &[],
            approval,
            &SandboxPolicy::DangerFullAccess,
            |_| true,
            true,
        );
        assert_eq!(
            got,
            SafetyCheck::Reject {
                reason: REASON_EMPTY_PATCH.into()
            }
        );
    }
}
