//! `update_plan`: the model's to-do list, shown to the user; nothing runs.

use codex_protocol::protocol::{EventMsg, StepStatus, UpdatePlanArgs};

use crate::session::Session;

pub(super) fn handle(sess: &Session, sub_id: &str, arguments: &str) -> String {
    let args: UpdatePlanArgs = match serde_json::from_str(arguments) {
        Ok(args) => args,
        Err(e) => return format!("failed to parse the arguments of update_plan: {e}"),
    };
    let max_steps = sess.config.limits.max_plan_steps;
    if args.plan.len() > max_steps {
        return format!(
            "plan rejected: it has {} steps, more than the {max_steps} allowed (limits.max_plan_steps); group the work into fewer, larger steps",
            args.plan.len()
        );
    }
    let in_progress = args
        .plan
        .iter()
        .filter(|s| s.status == StepStatus::InProgress)
        .count();
    if in_progress > 1 {
        return format!("plan rejected: {in_progress} steps are in_progress; at most one may be");
    }
    sess.send_event(sub_id, EventMsg::PlanUpdate(args));
    "Plan updated".to_owned()
}
