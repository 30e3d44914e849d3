//! After a sandboxed command fails: was it the sandbox, and may we ask to run it without one?

use codex_protocol::AskForApproval;

/// Reason shown when asking to re-run a command outside the sandbox after a denial.
pub const RETRY_WITHOUT_SANDBOX_REASON: &str = "command failed; retry without sandbox?";

/// Tool output when a human declines (denied or aborted) a command.
pub const EXEC_REJECTED_BY_USER: &str = "exec command rejected by user";

/// Lower-case fragments of output that the sandbox (or the kernel under it) produces.
const DENIAL_KEYWORDS: &[&str] = &[
    "operation not permitted",
    "permission denied",
    "read-only file system",
    "seccomp",
    "sandbox",
    "landlock",
    "failed to write file",
];

/// Exit codes that mean "usage error", "not executable", "not found": the program's own
/// failure, not the sandbox's.
const NOT_A_DENIAL_EXIT_CODES: &[i32] = &[2, 126, 127];

/// `SIGSYS`, the signal seccomp's kill action delivers (31 on every Linux architecture we
/// build for).
const SIGSYS: i32 = 31;

/// Guesses whether a failed command was stopped by the sandbox. `outputs` are the texts to
/// search (stdout, stderr, and the interleaved output, as available).
///
/// False when the command was not sandboxed or exited 0. True when any output mentions a
/// denial (see the keyword list). Otherwise false for exit codes 2, 126 and 127, and true only
/// for a death by `SIGSYS` (exit `128 + 31`) under the Linux seccomp filter.
pub fn is_likely_sandbox_denied(sandboxed: bool, exit_code: i32, outputs: &[&str]) -> bool {
    if !sandboxed || exit_code == 0 {
        return false;
    }
    let mentions_denial = outputs.iter().any(|text| {
        let lower = text.to_lowercase();
        DENIAL_KEYWORDS.iter().any(|k| lower.contains(k))
    });
    if mentions_denial {
        return true;
    }
    if NOT_A_DENIAL_EXIT_CODES.contains(&exit_code) {
        return false;
    }
    cfg!(target_os = "linux") && exit_code == 128 + SIGSYS
}

/// Whether a sandbox denial may be turned into a question "run it without the sandbox?".
///
/// Only `on-failure` and `untrusted` ask; under `on-request` and `never` the denial (with the
/// command's output) goes back to the model. Timeouts are never retried this way; that is the
/// caller's check. On approval the command re-runs unsandboxed (approved-for-session adds the
/// argv to the session set); on denial the model gets [`EXEC_REJECTED_BY_USER`].
pub const fn may_retry_without_sandbox(approval: AskForApproval) -> bool {
    matches!(
        approval,
        AskForApproval::OnFailure | AskForApproval::UnlessTrusted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_sandboxed_or_success_is_never_a_denial() {
        assert!(!is_likely_sandbox_denied(false, 1, &["Permission denied"]));
        assert!(!is_likely_sandbox_denied(true, 0, &["Permission denied"]));
    }

    #[test]
    fn keywords_in_any_output_case_insensitively() {
        for text in [
            "touch: cannot touch 'x': Permission denied",
            "mkdir: Read-only file system",
            "OPERATION NOT PERMITTED",
            "blocked by seccomp",
            "landlock refused",
            "error: failed to write file `target/x`",
            "the sandbox said no",
        ] {
            assert!(is_likely_sandbox_denied(true, 1, &["", text]), "{text}");
        }
        // Keywords win even over "not a denial" exit codes.
        assert!(is_likely_sandbox_denied(true, 126, &["permission denied"]));
    }

    #[test]
    fn exit_codes_without_keywords() {
        assert!(!is_likely_sandbox_denied(true, 1, &["compile error"]));
        for code in [2, 126, 127] {
            assert!(!is_likely_sandbox_denied(true, code, &["oops"]));
        }
        assert_eq!(
            is_likely_sandbox_denied(true, 159, &[""]),
            cfg!(target_os = "linux")
        );
    }

    #[test]
    fn retry_only_where_the_policy_asks_on_failure() {
        assert!(may_retry_without_sandbox(AskForApproval::OnFailure));
        assert!(may_retry_without_sandbox(AskForApproval::UnlessTrusted));
        assert!(!may_retry_without_sandbox(AskForApproval::OnRequest));
        assert!(!may_retry_without_sandbox(AskForApproval::Never));
    }
}
