//! Tool calls from the model: parsing their arguments and running the right handler. Every
//! call produces exactly one output item, errors included, so history stays well-formed.

mod apply_patch;
mod mcp;
mod plan;
mod shell;
pub(crate) mod spec;
mod view_image;

use codex_protocol::ResponseItem;
use codex_protocol::models::LocalShellAction;
use tokio_util::sync::CancellationToken;

use crate::session::Session;

/// Every tool offered in the next request: the built-in ones, then the MCP tools of the
/// servers ready now.
pub(crate) fn all_tools(sess: &Session) -> Vec<serde_json::Value> {
    let mut tools = spec::all_tools(sess.tool_choice);
    tools.extend(mcp::specs(sess));
    tools
}

/// Runs one tool call and returns its output item.
pub(crate) async fn handle_call(
    sess: &Session,
    sub_id: &str,
    call: &ResponseItem,
    cancel: &CancellationToken,
) -> ResponseItem {
    match call {
        ResponseItem::FunctionCall {
            name,
            arguments,
            call_id,
            ..
        } => {
            let output = match name.as_str() {
                spec::SHELL => match serde_json::from_str::<shell::ShellArgs>(arguments) {
                    Ok(args) => shell::handle(sess, sub_id, call_id, args, cancel).await,
                    Err(e) => bad_arguments(name, &e),
                },
                spec::APPLY_PATCH => {
                    match serde_json::from_str::<apply_patch::ApplyPatchArgs>(arguments) {
                        Ok(args) => {
                            apply_patch::handle(
                                sess,
                                sub_id,
                                call_id,
                                &args.input,
                                &sess.config.cwd,
                                cancel,
                            )
                            .await
                        }
                        Err(e) => bad_arguments(name, &e),
                    }
                }
                spec::UPDATE_PLAN => plan::handle(sess, sub_id, arguments),
                spec::VIEW_IMAGE if sess.tool_choice.view_image => {
                    match serde_json::from_str::<view_image::ViewImageArgs>(arguments) {
                        Ok(args) => view_image::handle(sess, &args),
                        Err(e) => bad_arguments(name, &e),
                    }
                }
                other => mcp::handle(sess, sub_id, call_id, other, arguments, cancel)
                    .await
                    .unwrap_or_else(|| format!("unsupported call: {other}")),
            };
            ResponseItem::FunctionCallOutput {
                call_id: call_id.clone(),
                output,
            }
        }
        ResponseItem::CustomToolCall {
            name,
            input,
            call_id,
            ..
        } => {
            let output = if name == spec::APPLY_PATCH {
                apply_patch::handle(sess, sub_id, call_id, input, &sess.config.cwd, cancel).await
            } else {
                format!("unsupported custom tool call: {name}")
            };
            ResponseItem::CustomToolCallOutput {
                call_id: call_id.clone(),
                output,
            }
        }
        ResponseItem::LocalShellCall { action, .. } => {
            let call_id = call.tool_call_id().unwrap_or_default().to_owned();
            let LocalShellAction::Exec {
                command,
                timeout_ms,
                working_directory,
            } = action;
            let args = shell::ShellArgs {
                command: command.clone(),
                workdir: working_directory.clone(),
                timeout_ms: *timeout_ms,
                with_escalated_permissions: None,
                justification: None,
            };
            let output = shell::handle(sess, sub_id, &call_id, args, cancel).await;
            ResponseItem::FunctionCallOutput { call_id, output }
        }
        other => ResponseItem::FunctionCallOutput {
            call_id: other.tool_call_id().unwrap_or_default().to_owned(),
            output: "unsupported call".to_owned(),
        },
    }
}

/// The output given to calls that never ran because the user interrupted the turn.
pub(crate) fn aborted_output(call: &ResponseItem) -> ResponseItem {
    output_without_running(call, "aborted by user before it ran".to_owned())
}

/// An output answering `call` that did not run, saying why.
pub(crate) fn output_without_running(call: &ResponseItem, output: String) -> ResponseItem {
    let call_id = call.tool_call_id().unwrap_or_default().to_owned();
    match call {
        ResponseItem::CustomToolCall { .. } => {
            ResponseItem::CustomToolCallOutput { call_id, output }
        }
        _ => ResponseItem::FunctionCallOutput { call_id, output },
    }
}

fn bad_arguments(tool: &str, err: &serde_json::Error) -> String {
    format!("failed to parse the arguments of {tool}: {err}")
}
