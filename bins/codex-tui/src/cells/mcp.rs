//! MCP tool calls: `server.tool(arguments)` and the result's text.

use codex_protocol::mcp_events::{McpInvocation, McpToolCallEndEvent};
use ratatui::text::{Line, Span};

use crate::cells::exec::SPINNER;
use crate::cells::{safe, styles};

/// Arguments longer than this are cut in the header.
const MAX_ARGUMENT_CHARS: usize = 120;
/// Result lines shown.
const RESULT_LINES: usize = 6;

fn header(invocation: &McpInvocation) -> Vec<Span<'static>> {
    let args = if invocation.arguments.is_null() {
        String::new()
    } else {
        invocation.arguments.to_string()
    };
    let mut args = safe(&args);
    if args.chars().count() > MAX_ARGUMENT_CHARS {
        args = args.chars().take(MAX_ARGUMENT_CHARS).collect::<String>() + "…";
    }
    vec![
        Span::styled(
            format!("{}.{}", safe(&invocation.server), safe(&invocation.tool)),
            styles::accent(),
        ),
        Span::styled(format!("({args})"), styles::dim()),
    ]
}

/// A call still running.
pub(crate) fn mcp_running(invocation: &McpInvocation, spinner: usize) -> Vec<Line<'static>> {
    let mut spans = vec![
        Span::styled(
            format!("{} ", SPINNER[spinner % SPINNER.len()]),
            styles::accent(),
        ),
        Span::styled("Calling ", styles::bold()),
    ];
    spans.extend(header(invocation));
    vec![Line::from(spans)]
}

/// A finished call with its result text (or error).
pub(crate) fn mcp_finished(event: &McpToolCallEndEvent) -> Vec<Line<'static>> {
    let ok = event.is_success();
    let mut spans = vec![
        if ok {
            Span::styled("✓ ", styles::ok())
        } else {
            Span::styled("✗ ", styles::failed())
        },
        Span::styled("Called ", styles::bold()),
    ];
    spans.extend(header(&event.invocation));
    let mut lines = vec![Line::from(spans)];
    let body = match (&event.result, &event.error) {
        (_, Some(error)) => error.clone(),
        (Some(result), None) => result_text(result),
        (None, None) => String::new(),
    };
    let body = safe(&body);
    let body_lines: Vec<&str> = body.lines().collect();
    let style = if ok { styles::dim() } else { styles::error() };
    for (i, l) in body_lines.iter().take(RESULT_LINES).enumerate() {
        let lead = if i == 0 { "  └ " } else { "    " };
        lines.push(Line::from(Span::styled(format!("{lead}{l}"), style)));
    }
    if body_lines.len() > RESULT_LINES {
        lines.push(Line::from(Span::styled(
            format!("    … +{} lines", body_lines.len() - RESULT_LINES),
            styles::dim(),
        )));
    }
    lines
}

/// The text parts of an MCP result (`content[].text`), else its JSON.
fn result_text(result: &serde_json::Value) -> String {
    let texts: Vec<&str> = result
        .get("content")
        .and_then(serde_json::Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(serde_json::Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if texts.is_empty() {
        result.to_string()
    } else {
        texts.join("\n")
    }
}
