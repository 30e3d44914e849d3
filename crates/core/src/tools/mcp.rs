//! MCP tools: the ready servers' tools under `mcp__<server>__<tool>`, and the three resource
//! tools. Calls go through the approval policy (`untrusted` asks before every MCP call, since
//! what a third-party tool does is unknown), are reported as begin/end events, and their
//! results reach the model as Codex serializes them.

use std::fmt::Write as _;

use codex_mcp_client::{ToolCallError, sanitize_input_schema};
use codex_protocol::mcp_events::{McpInvocation, McpToolCallBeginEvent, McpToolCallEndEvent};
use codex_protocol::protocol::{EventMsg, ExecApprovalRequestEvent};
use codex_protocol::{AskForApproval, ReviewDecision};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use crate::session::Session;

const LIST_RESOURCES: &str = "list_mcp_resources";
const LIST_TEMPLATES: &str = "list_mcp_resource_templates";
const READ_RESOURCE: &str = "read_mcp_resource";
/// The `server` of resource-tool items when the model named none.
const NO_SERVER: &str = "codex";

/// Tool JSON for the model: every ready server's tools, then the resource tools (offered only
/// when the session has MCP servers, so sessions without any see Codex's usual list).
pub(crate) fn specs(sess: &Session) -> Vec<Value> {
    if sess.mcp.is_empty() {
        return Vec::new();
    }
    let mut specs: Vec<Value> = sess
        .mcp
        .tools()
        .into_iter()
        .map(|t| {
            // The model is told which tools run confined, so it knows why one cannot write.
            let mut description = t.tool.description.unwrap_or_default();
            if let Some(sandbox) = &t.sandbox {
                let _ = write!(description, "\n(Runs sandboxed: {sandbox}.)");
            }
            json!({
                "type": "function",
                "name": t.qualified_name,
                "description": description,
                "strict": false,
                "parameters": sanitize_input_schema(&t.tool.input_schema),
            })
        })
        .collect();
    let cursor =
        json!({"type": "string", "description": "Opaque cursor returned by a previous call."});
    let server = |what: &str| json!({"type": "string", "description": what});
    specs.push(json!({
        "type": "function",
        "name": LIST_RESOURCES,
        "description": "Lists resources provided by MCP servers. Resources give context such as files, database schemas or application data. Prefer them over web search when they may hold what you need.",
        "strict": false,
        "parameters": {"type": "object", "properties": {
            "server": server("Optional MCP server name. When omitted, lists resources from every configured server."),
            "cursor": cursor,
        }, "additionalProperties": false},
    }));
    specs.push(json!({
        "type": "function",
        "name": LIST_TEMPLATES,
        "description": "Lists resource templates provided by MCP servers: parameterized resources the server can read.",
        "strict": false,
        "parameters": {"type": "object", "properties": {
            "server": server("Optional MCP server name. When omitted, lists templates from every configured server."),
            "cursor": cursor,
        }, "additionalProperties": false},
    }));
    specs.push(json!({
        "type": "function",
        "name": READ_RESOURCE,
        "description": "Reads one resource from an MCP server, given the server's name and the resource URI.",
        "strict": false,
        "parameters": {"type": "object", "properties": {
            "server": server("MCP server name exactly as configured; must match the `server` field of list_mcp_resources."),
            "uri": {"type": "string", "description": "Resource URI to read; must be one of the URIs returned by list_mcp_resources."},
        }, "required": ["server", "uri"], "additionalProperties": false},
    }));
    specs
}

/// Runs the call when `name` is an MCP or resource tool; `None` leaves it to other handlers.
pub(crate) async fn handle(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    name: &str,
    arguments: &str,
    cancel: &CancellationToken,
) -> Option<String> {
    if sess.mcp.is_empty() {
        return None;
    }
    let parsed: Value = if arguments.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(arguments) {
            Ok(v) => v,
            Err(e) => return Some(format!("failed to parse the arguments of {name}: {e}")),
        }
    };
    if matches!(name, LIST_RESOURCES | LIST_TEMPLATES | READ_RESOURCE) {
        return Some(resource_call(sess, sub_id, call_id, name, parsed).await);
    }
    let (server, tool) = sess.mcp.resolve(name).await?;
    let invocation = McpInvocation {
        server: server.clone(),
        tool: tool.clone(),
        arguments: parsed.clone(),
    };
    let arguments = match parsed {
        Value::Object(map) => Some(map),
        Value::Null => None,
        other => {
            return Some(format!(
                "failed to parse the arguments of {name}: expected a JSON object, got {other}"
            ));
        }
    };
    if !approved(
        sess,
        sub_id,
        call_id,
        &server,
        &tool,
        &invocation.arguments,
        cancel,
    )
    .await
    {
        let message = format!("the user rejected the call of MCP tool `{server}/{tool}`");
        end(sess, sub_id, call_id, invocation, Err(message.clone()));
        return Some(message);
    }
    begin(sess, sub_id, call_id, &invocation);
    let outcome = tokio::select! {
        result = sess.mcp.call_tool(&server, &tool, arguments) => result,
        () = cancel.cancelled() => Err(ToolCallError { message: "aborted by user".to_owned() }),
    };
    let output = match &outcome {
        Ok(result) => result_for_model(result),
        Err(e) => e.message.clone(),
    };
    end(
        sess,
        sub_id,
        call_id,
        invocation,
        outcome.map_err(|e| e.message),
    );
    Some(output)
}

/// Codex's text for the model: the structured result alone when there is one, otherwise the
/// content blocks (error results too).
fn result_for_model(result: &Value) -> String {
    match result.get("structuredContent") {
        Some(structured) if !structured.is_null() => structured.to_string(),
        _ => result
            .get("content")
            .cloned()
            .unwrap_or_else(|| json!([]))
            .to_string(),
    }
}

async fn approved(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    server: &str,
    tool: &str,
    arguments: &Value,
    cancel: &CancellationToken,
) -> bool {
    if sess.config.approval_policy != AskForApproval::UnlessTrusted {
        return true;
    }
    let key = vec!["mcp".to_owned(), server.to_owned(), tool.to_owned()];
    if sess.with_approved_commands(|approved| approved.contains(&key)) {
        return true;
    }
    let request = EventMsg::ExecApprovalRequest(ExecApprovalRequestEvent {
        call_id: call_id.to_owned(),
        command: vec![format!("mcp:{server}/{tool}"), arguments.to_string()],
        cwd: sess.config.cwd.clone(),
        reason: Some(format!(
            "MCP server `{server}` wants to run its tool `{tool}`"
        )),
    });
    match sess
        .request_approval(sub_id, call_id, request, cancel)
        .await
    {
        ReviewDecision::Approved => true,
        ReviewDecision::ApprovedForSession => {
            sess.approve_for_session(&key);
            true
        }
        ReviewDecision::Denied => false,
        ReviewDecision::Abort => {
            cancel.cancel();
            false
        }
    }
}

fn begin(sess: &Session, sub_id: &str, call_id: &str, invocation: &McpInvocation) {
    sess.send_event(
        sub_id,
        EventMsg::McpToolCallBegin(McpToolCallBeginEvent {
            call_id: call_id.to_owned(),
            invocation: invocation.clone(),
        }),
    );
}

fn end(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    invocation: McpInvocation,
    outcome: Result<Value, String>,
) {
    let (result, error) = match outcome {
        Ok(result) => (Some(result), None),
        Err(message) => (None, Some(message)),
    };
    sess.send_event(
        sub_id,
        EventMsg::McpToolCallEnd(McpToolCallEndEvent {
            call_id: call_id.to_owned(),
            invocation,
            result,
            error,
        }),
    );
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResourceArgs {
    server: Option<String>,
    cursor: Option<String>,
    uri: Option<String>,
}

/// The resource tools. Their result text is JSON; they are reported as MCP tool calls.
async fn resource_call(
    sess: &Session,
    sub_id: &str,
    call_id: &str,
    name: &str,
    arguments: Value,
) -> String {
    let args: ResourceArgs = if arguments.is_null() {
        ResourceArgs::default()
    } else {
        match serde_json::from_value(arguments.clone()) {
            Ok(args) => args,
            Err(e) => return format!("failed to parse the arguments of {name}: {e}"),
        }
    };
    let invocation = McpInvocation {
        server: args.server.clone().unwrap_or_else(|| NO_SERVER.to_owned()),
        tool: name.to_owned(),
        arguments,
    };
    begin(sess, sub_id, call_id, &invocation);
    let outcome = match (name, args.server) {
        (READ_RESOURCE, Some(server)) => match args.uri {
            Some(uri) => sess
                .mcp
                .read_resource(&server, &uri)
                .await
                .map(|mut read| {
                    let contents = read.get_mut("contents").map(Value::take);
                    json!({"server": server, "uri": uri, "contents": contents.unwrap_or_else(|| json!([]))})
                })
                .map_err(|e| e.message),
            None => Err(format!("{READ_RESOURCE} needs `uri`")),
        },
        (READ_RESOURCE, None) => Err(format!("{READ_RESOURCE} needs `server` and `uri`")),
        (_, Some(server)) => list_one(sess, &server, args.cursor, name == LIST_TEMPLATES)
            .await
            .map(|(items, next)| {
                let mut out = json!({"server": server, key(name): items});
                if let Some(next) = next {
                    out["nextCursor"] = next;
                }
                out
            }),
        (_, None) => Ok(list_all(sess, name == LIST_TEMPLATES).await),
    };
    let output = match &outcome {
        Ok(value) => value.to_string(),
        Err(message) => message.clone(),
    };
    let result =
        outcome.map(|value| json!({"content": [{"type": "text", "text": value.to_string()}]}));
    end(sess, sub_id, call_id, invocation, result);
    output
}

fn key(name: &str) -> &'static str {
    if name == LIST_TEMPLATES {
        "resourceTemplates"
    } else {
        "resources"
    }
}

/// One server's page, each entry tagged with the server.
async fn list_one(
    sess: &Session,
    server: &str,
    cursor: Option<String>,
    templates: bool,
) -> Result<(Vec<Value>, Option<Value>), String> {
    let mut page = sess
        .mcp
        .list_resources(server, cursor, templates)
        .await
        .map_err(|e| e.message)?;
    let field = if templates {
        "resourceTemplates"
    } else {
        "resources"
    };
    let items = match page.get_mut(field).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let tagged = items
        .into_iter()
        .map(|mut item| {
            if let Value::Object(map) = &mut item {
                map.insert("server".to_owned(), Value::String(server.to_owned()));
            }
            item
        })
        .collect();
    Ok((
        tagged,
        page.get("nextCursor").cloned().filter(|c| !c.is_null()),
    ))
}

/// Every ready server's first page. Unlike Codex, servers that failed are named in
/// `errors` instead of vanishing, so the model does not conclude there are no servers.
async fn list_all(sess: &Session, templates: bool) -> Value {
    let mut items = Vec::new();
    let mut errors = Map::new();
    let servers: Vec<String> = sess.mcp.server_names().map(str::to_owned).collect();
    for server in servers {
        match list_one(sess, &server, None, templates).await {
            Ok((mut page, _)) => items.append(&mut page),
            // Servers without resources answer "method not found"; that is not an error.
            Err(message) if message.contains("-32601") => {}
            Err(message) => {
                errors.insert(server, Value::String(message));
            }
        }
    }
    let field = if templates {
        "resourceTemplates"
    } else {
        "resources"
    };
    let mut out = json!({ field: items });
    if !errors.is_empty() {
        out["errors"] = Value::Object(errors);
    }
    out
}
