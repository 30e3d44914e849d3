//! The `shell` tool: decide (policy, approval), run (sandboxed or not), report.

use std::time::Duration;

use codex_command_safety::{
    SafetyCheck, assess_command_safety, is_likely_sandbox_denied, may_retry_without_sandbox,
    sandboxed_after_approval,
};
use codex_protocol::ReviewDecision;
use codex_protocol::protocol::{
    EventMsg, ExecApprovalRequestEvent, ExecCommandBeginEvent, ExecCommandEndEvent,
};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::exec::{self, DEFAULT_TIMEOUT_MS, ExecOutput, ExecParams, SandboxLaunch};
use crate::session::Session;
use crate::truncate::truncate_for_model;

/// Arguments of a `shell` call.
#[derive(Debug, Deserialize)]
pub(crate) struct ShellArgs {
    pub(crate) command: Vec<String>,
    #[serde(default)]
    pub(crate) workdir: Option<String>,
    #[serde(default, alias = "timeout")]
    pub(crate) timeout_ms: Option<u64>,
    #[serde(default)]
    pub(crate) with_escalated_permissions: Option<bool>,
    #[serde(default)]
    pub(crate) justification: Option<String>,
}

pub(super) async fn handle(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    args: ShellArgs,
    cancel: &CancellationToken,
) -> String {
    if args.command.is_empty() {
        return "the command is empty: pass an argv array such as [\"ls\", \"-la\"]".to_owned();
    }
    let cwd = exec::resolve_workdir(&sess.config.cwd, args.workdir.as_deref());
    // Models often send patches through the shell; treat them as the patch tool would.
    if let codex_apply_patch::MaybeApplyPatch::Body(patch) =
        codex_apply_patch::maybe_parse_apply_patch(&args.command)
    {
        let dir = patch
            .workdir
            .as_ref()
            .map_or_else(|| cwd.clone(), |w| cwd.join(w));
        return super::apply_patch::handle(sess, sub_id, call_id, &patch.patch, &dir, cancel).await;
    }
    let config = &sess.config;
    let report = CommandReport {
        sess,
        sub_id,
        call_id,
        command: &args.command,
        cwd: &cwd,
    };
    let escalated = args.with_escalated_permissions.unwrap_or(false);
    let check = sess.with_approved_commands(|approved| {
        assess_command_safety(
            &args.command,
            config.approval_policy,
            &config.sandbox_policy,
            approved,
            escalated,
            sess.sandbox_exe.is_some(),
        )
    });
    let sandboxed = match check {
        SafetyCheck::AutoApprove { sandboxed } => sandboxed,
        SafetyCheck::Reject { reason } => {
            return declined(&report, &format!("exec command rejected: {reason}"));
        }
        SafetyCheck::AskUser => {
            let reason = args.justification.clone().filter(|_| escalated);
            match ask(sess, sub_id, call_id, &args.command, &cwd, reason, cancel).await {
                Some(()) => sandboxed_after_approval(
                    &config.sandbox_policy,
                    escalated,
                    sess.sandbox_exe.is_some(),
                ),
                None => {
                    return declined(&report, REJECTED_BY_USER);
                }
            }
        }
    };
    let timeout = Duration::from_millis(
        args.timeout_ms
            .or(config.shell_timeout_ms)
            .unwrap_or(DEFAULT_TIMEOUT_MS),
    );
    let launch = if sandboxed {
        sess.sandbox_launch()
    } else {
        SandboxLaunch::None
    };
    let first = run_reported(&report, timeout, &launch, cancel).await;
    let output = match first {
        Ok(out)
            if sandboxed
                && !out.timed_out
                && is_likely_sandbox_denied(
                    true,
                    out.exit_code,
                    &[&out.stdout, &out.stderr, &out.aggregated],
                )
                && may_retry_without_sandbox(config.approval_policy) =>
        {
            let reason = Some(
                "the sandbox blocked this command; run it again without the sandbox?".to_owned(),
            );
            match ask(sess, sub_id, call_id, &args.command, &cwd, reason, cancel).await {
                Some(()) => run_reported(&report, timeout, &SandboxLaunch::None, cancel).await,
                None => return REJECTED_BY_USER.to_owned(),
            }
        }
        other => other,
    };
    match output {
        Ok(out) => format_for_model(&out, timeout),
        Err(e) => format!("execution error: {e}"),
    }
}

/// What the model reads when the user says no.
const REJECTED_BY_USER: &str = "exec command rejected by user";

/// Asks the user; `Some` when approved. Approval for the session is remembered; `Abort` also
/// stops the turn.
async fn ask(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    command: &[String],
    cwd: &std::path::Path,
    reason: Option<String>,
    cancel: &CancellationToken,
) -> Option<()> {
    let request = EventMsg::ExecApprovalRequest(ExecApprovalRequestEvent {
        call_id: call_id.to_owned(),
        command: command.to_vec(),
        cwd: cwd.to_owned(),
        reason,
    });
    match sess
        .request_approval(sub_id, call_id, request, cancel)
        .await
    {
        ReviewDecision::Approved => Some(()),
        ReviewDecision::ApprovedForSession => {
            sess.approve_for_session(command);
            Some(())
        }
        ReviewDecision::Denied => None,
        ReviewDecision::Abort => {
            cancel.cancel();
            None
        }
    }
}

/// The begin/end events of one command, as front ends show it.
struct CommandReport<'a> {
    sess: &'a Session,
    sub_id: &'a str,
    call_id: &'a str,
    command: &'a [String],
    cwd: &'a std::path::Path,
}

impl CommandReport<'_> {
    fn begin(&self) {
        self.sess.send_event(
            self.sub_id,
            EventMsg::ExecCommandBegin(ExecCommandBeginEvent {
                call_id: self.call_id.to_owned(),
                command: self.command.to_vec(),
                cwd: self.cwd.to_owned(),
            }),
        );
    }

    fn end(&self, out: Option<&ExecOutput>, problem: &str, declined: bool) {
        let end = ExecCommandEndEvent {
            call_id: self.call_id.to_owned(),
            command: self.command.to_vec(),
            stdout: out.map(|o| o.stdout.clone()).unwrap_or_default(),
            stderr: out.map_or_else(|| problem.to_owned(), |o| o.stderr.clone()),
            aggregated_output: out.map_or_else(|| problem.to_owned(), |o| o.aggregated.clone()),
            exit_code: out.map_or(-1, |o| o.exit_code),
            duration_seconds: out.map_or(0.0, |o| o.duration.as_secs_f64()),
            declined,
        };
        self.sess
            .send_event(self.sub_id, EventMsg::ExecCommandEnd(end));
    }
}

/// Runs the command with its begin/end events around it.
async fn run_reported(
    report: &CommandReport<'_>,
    timeout: Duration,
    launch: &SandboxLaunch,
    cancel: &CancellationToken,
) -> Result<ExecOutput, exec::ExecError> {
    report.begin();
    let mut env = crate::session::command_env(&report.sess.config);
    let mut command = report.command.to_vec();
    // `bash -lc` runs against the session's snapshot of the login environment instead of
    // reading the profile again; without one (failed, or not taken yet) it runs as sent.
    if let Some(snapshot) = &report.sess.shell_snapshot
        && crate::shell_snapshot::is_bash_login(&command)
        && let Some(path) = snapshot.ready()
        && let Some((argv, (key, value))) = crate::shell_snapshot::rewrite(&command, path)
    {
        command = argv;
        env.insert(key, value);
    }
    let params = ExecParams {
        command,
        cwd: report.cwd.to_owned(),
        timeout,
        env,
    };
    let result = exec::run(params, launch, cancel).await;
    match &result {
        Ok(out) => report.end(Some(out), "", false),
        Err(e) => report.end(None, &e.to_string(), false),
    }
    result
}

/// Reports a command that was not run, and returns what the model reads.
fn declined(report: &CommandReport<'_>, message: &str) -> String {
    report.begin();
    report.end(None, message, true);
    message.to_owned()
}

/// The JSON string the model reads: output (truncated) and metadata.
fn format_for_model(out: &ExecOutput, timeout: Duration) -> String {
    let mut text = truncate_for_model(&out.aggregated);
    if out.timed_out {
        text = format!(
            "command timed out after {} milliseconds\n{text}",
            timeout.as_millis()
        );
    }
    if out.interrupted {
        text = format!("{text}\naborted by user");
    }
    let duration = (out.duration.as_secs_f64() * 10.0).round() / 10.0;
    json!({"output": text, "metadata": {"exit_code": out.exit_code, "duration_seconds": duration}})
        .to_string()
}
