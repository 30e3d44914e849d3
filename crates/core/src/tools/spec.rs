//! The tools offered to the model, as Responses API tool JSON. Declarative: the handlers live
//! beside this file.

use serde_json::{Value, json};

/// Name of the shell tool.
pub(crate) const SHELL: &str = "shell";
/// Name of the patch tool.
pub(crate) const APPLY_PATCH: &str = "apply_patch";
/// Name of the plan tool.
pub(crate) const UPDATE_PLAN: &str = "update_plan";

/// Every tool, in the order the model sees them.
pub(crate) fn all_tools() -> Vec<Value> {
    vec![shell(), apply_patch(), update_plan()]
}

fn shell() -> Value {
    json!({
        "type": "function",
        "name": SHELL,
        "description": "Runs a command and returns its output. Pass the argv as an array; for shell syntax use [\"bash\", \"-lc\", \"<script>\"]. Set `workdir` instead of using `cd`.",
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The command and its arguments."},
                "workdir": {"type": "string", "description": "Directory to run in, relative to the session's working directory."},
                "timeout_ms": {"type": "number", "description": "Kill the command after this many milliseconds (default 10000)."},
                "with_escalated_permissions": {"type": "boolean", "description": "Ask to run outside the sandbox. Only when the approval policy is on-request, and only if the command cannot work sandboxed."},
                "justification": {"type": "string", "description": "With with_escalated_permissions: one sentence on why the command needs it."}
            },
            "required": ["command"],
            "additionalProperties": false
        }
    })
}

fn apply_patch() -> Value {
    json!({
        "type": "function",
        "name": APPLY_PATCH,
        "description": "Edits files with a patch. The input starts with `*** Begin Patch` and ends with `*** End Patch`; each file is introduced by `*** Add File: <path>`, `*** Update File: <path>` (optionally followed by `*** Move to: <path>`) or `*** Delete File: <path>`. In updates, `@@ <context>` lines locate a hunk, and lines start with ` ` (context), `-` (remove) or `+` (add). Added files list every line with `+`. Paths are relative to the working directory, never absolute.",
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "input": {"type": "string", "description": "The whole patch, from *** Begin Patch to *** End Patch."}
            },
            "required": ["input"],
            "additionalProperties": false
        }
    })
}

fn update_plan() -> Value {
    json!({
        "type": "function",
        "name": UPDATE_PLAN,
        "description": "Records your plan for the task as a list of steps with their status. At most one step may be in_progress.",
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "explanation": {"type": "string"},
                "plan": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "step": {"type": "string"},
                            "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}
                        },
                        "required": ["step", "status"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["plan"],
            "additionalProperties": false
        }
    })
}
