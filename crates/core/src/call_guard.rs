//! The tool calls of one response, checked before anything runs: a `call_id` used before,
//! calls beyond `limits.max_tool_calls_per_response`, and arguments over
//! `limits.max_tool_argument_bytes` are refused with an output that tells the model why and
//! what to do instead. History stays valid for the API: every call keeps a unique id and
//! gets exactly one output, and oversized arguments are replaced by a short note so they are
//! not sent back with every later request.

use std::collections::HashSet;

use codex_config::Limits;
use codex_protocol::ResponseItem;

/// One call of a response and what to do with it.
pub(crate) enum Planned {
    /// Run it.
    Run(ResponseItem),
    /// Do not run it; answer with this text.
    Refuse(ResponseItem, String),
}

/// The items of a response as they go into history, and its calls in order.
pub(crate) struct Vetted {
    pub(crate) items: Vec<ResponseItem>,
    pub(crate) calls: Vec<Planned>,
    /// One line for people, when something was refused.
    pub(crate) summary: Option<String>,
}

/// Checks the calls among `items`. `seen` holds every `call_id` already in the history and
/// gains the ids of this response.
pub(crate) fn vet(items: Vec<ResponseItem>, seen: &mut HashSet<String>, limits: &Limits) -> Vetted {
    let mut out = Vec::with_capacity(items.len());
    let mut calls = Vec::new();
    let (mut duplicates, mut over_count, mut oversized) = (0usize, 0usize, 0usize);
    // Calls with a fresh id, in order: the bound counts these.
    let mut counted = 0usize;
    for mut item in items {
        let Some(id) = item.tool_call_id().map(str::to_owned) else {
            out.push(item);
            continue;
        };
        let fresh = seen.insert(id.clone());
        if fresh {
            counted += 1;
        }
        let refusal = if !fresh {
            duplicates += 1;
            let renamed = unique_id(&id, seen);
            set_call_id(&mut item, &renamed);
            Some(format!(
                "not run: call_id `{id}` was already used by an earlier call, and every call needs its own; this call is kept in the history as `{renamed}`. Send it again with a new call_id if it is still needed."
            ))
        } else if counted > limits.max_tool_calls_per_response {
            over_count += 1;
            Some(format!(
                "not run: this response made more than {} tool calls, the most that run from one response (limits.max_tool_calls_per_response). The first {} ran; ask for the rest in the next response.",
                limits.max_tool_calls_per_response, limits.max_tool_calls_per_response
            ))
        } else if let Some(size) =
            argument_bytes(&item).filter(|&n| n > limits.max_tool_argument_bytes)
        {
            oversized += 1;
            omit_arguments(&mut item, size);
            Some(format!(
                "not run: the arguments are {size} bytes, more than the {} allowed for one call (limits.max_tool_argument_bytes), and were left out of the history. Split the work into smaller calls (write a large file in parts, say).",
                limits.max_tool_argument_bytes
            ))
        } else {
            None
        };
        out.push(item.clone());
        calls.push(match refusal {
            Some(text) => Planned::Refuse(item, text),
            None => Planned::Run(item),
        });
    }
    let mut parts = Vec::new();
    if duplicates > 0 {
        parts.push(format!("{duplicates} with a call_id used before"));
    }
    if over_count > 0 {
        parts.push(format!(
            "{over_count} beyond the {} per response",
            limits.max_tool_calls_per_response
        ));
    }
    if oversized > 0 {
        parts.push(format!(
            "{oversized} with arguments over {} bytes",
            limits.max_tool_argument_bytes
        ));
    }
    let summary = (!parts.is_empty()).then(|| {
        format!(
            "refused tool calls from the model ({}); the model was told why",
            parts.join(", ")
        )
    });
    Vetted {
        items: out,
        calls,
        summary,
    }
}

/// Every `call_id` of the calls in `history`.
pub(crate) fn call_ids(history: &[ResponseItem]) -> HashSet<String> {
    history
        .iter()
        .filter_map(ResponseItem::tool_call_id)
        .map(str::to_owned)
        .collect()
}

/// `id~2`, `id~3`, ...: the first not yet in `seen`, which then holds it.
fn unique_id(id: &str, seen: &mut HashSet<String>) -> String {
    let mut n = 2u64;
    loop {
        let candidate = format!("{id}~{n}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        n = n.saturating_add(1);
    }
}

fn set_call_id(item: &mut ResponseItem, new: &str) {
    match item {
        ResponseItem::FunctionCall { call_id, .. }
        | ResponseItem::CustomToolCall { call_id, .. } => {
            new.clone_into(call_id);
        }
        ResponseItem::LocalShellCall { call_id, .. } => *call_id = Some(new.to_owned()),
        _ => {}
    }
}

fn argument_bytes(item: &ResponseItem) -> Option<usize> {
    match item {
        ResponseItem::FunctionCall { arguments, .. } => Some(arguments.len()),
        ResponseItem::CustomToolCall { input, .. } => Some(input.len()),
        _ => None,
    }
}

fn omit_arguments(item: &mut ResponseItem, size: usize) {
    let note = format!("arguments of {size} bytes left out: over limits.max_tool_argument_bytes");
    match item {
        ResponseItem::FunctionCall { arguments, .. } => {
            *arguments = serde_json::json!({ "omitted": note }).to_string();
        }
        ResponseItem::CustomToolCall { input, .. } => *input = format!("({note})"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: &str, arguments: &str) -> ResponseItem {
        ResponseItem::FunctionCall {
            id: None,
            name: "shell".into(),
            arguments: arguments.into(),
            call_id: id.into(),
        }
    }

    fn refused(calls: &[Planned]) -> Vec<(String, &str)> {
        calls
            .iter()
            .filter_map(|p| match p {
                Planned::Refuse(item, text) => Some((
                    item.tool_call_id().unwrap_or_default().to_owned(),
                    text.as_str(),
                )),
                Planned::Run(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_repeated_call_id_is_renamed_and_refused() {
        let mut seen = HashSet::from(["old".to_owned()]);
        let vetted = vet(
            vec![call("a", "{}"), call("a", "{}"), call("old", "{}")],
            &mut seen,
            &Limits::default(),
        );
        let ids: Vec<_> = vetted
            .items
            .iter()
            .filter_map(ResponseItem::tool_call_id)
            .collect();
        assert_eq!(ids, ["a", "a~2", "old~2"]);
        let refused = refused(&vetted.calls);
        assert_eq!(refused.len(), 2);
        assert!(refused[0].1.contains("call_id `a` was already used"));
        assert!(
            vetted
                .summary
                .unwrap()
                .contains("2 with a call_id used before")
        );
    }

    #[test]
    fn calls_beyond_the_bound_and_oversized_arguments_are_refused() {
        let limits = Limits {
            max_tool_calls_per_response: 2,
            max_tool_argument_bytes: 10,
            ..Limits::default()
        };
        let big = format!("{{\"x\":\"{}\"}}", "y".repeat(100));
        let vetted = vet(
            vec![
                call("1", "{}"),
                call("2", &big),
                call("3", "{}"),
                call("4", "{}"),
            ],
            &mut HashSet::new(),
            &limits,
        );
        let refused = refused(&vetted.calls);
        assert_eq!(
            refused.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["2", "3", "4"]
        );
        assert!(refused[0].1.contains("the arguments are 108 bytes"));
        assert!(refused[1].1.contains("more than 2 tool calls"));
        let ResponseItem::FunctionCall { arguments, .. } = &vetted.items[1] else {
            panic!()
        };
        assert!(
            arguments.len() < 100 && arguments.contains("omitted"),
            "{arguments}"
        );
    }
}
