//! The tools offered to the model, as Responses API tool JSON. Declarative: the handlers live
//! beside this file.

use std::collections::BTreeMap;

use codex_model_client::{ApplyPatchTool, ModelFamily};
use serde_json::{Value, json};

/// Name of the shell tool.
pub(crate) const SHELL: &str = "shell";
/// Name of the patch tool.
pub(crate) const APPLY_PATCH: &str = "apply_patch";
/// Name of the plan tool.
pub(crate) const UPDATE_PLAN: &str = "update_plan";
/// Name of the image tool.
pub(crate) const VIEW_IMAGE: &str = "view_image";

/// The grammar of a patch, in the Lark syntax the Responses API takes for freeform tools: the
/// model's output is constrained to it, so the raw input is a patch.
const APPLY_PATCH_GRAMMAR: &str = include_str!("apply_patch.lark");

/// Which tools a session offers: the model family's preferences, with `[features]`
/// (`apply_patch_freeform`, `view_image_tool`) able to override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ToolChoice {
    pub(crate) apply_patch: ApplyPatchTool,
    pub(crate) view_image: bool,
}

impl ToolChoice {
    pub(crate) fn new(family: &ModelFamily, features: &BTreeMap<String, bool>) -> Self {
        let apply_patch = match features.get("apply_patch_freeform") {
            Some(true) => ApplyPatchTool::Freeform,
            Some(false) => ApplyPatchTool::Function,
            None => family.apply_patch,
        };
        let view_image = family.view_image && features.get("view_image_tool") != Some(&false);
        Self {
            apply_patch,
            view_image,
        }
    }
}

/// Every tool, in the order the model sees them.
pub(crate) fn all_tools(choice: ToolChoice) -> Vec<Value> {
    let mut tools = vec![shell()];
    tools.push(match choice.apply_patch {
        ApplyPatchTool::Function => apply_patch(),
        ApplyPatchTool::Freeform => apply_patch_freeform(),
    });
    tools.push(update_plan());
    if choice.view_image {
        tools.push(view_image());
    }
    tools
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

/// The freeform shape: the whole input is the patch, held to [`APPLY_PATCH_GRAMMAR`].
fn apply_patch_freeform() -> Value {
    json!({
        "type": "custom",
        "name": APPLY_PATCH,
        "description": "Edits files with a patch. Send the patch itself as the input, not JSON: it starts with `*** Begin Patch`, then each file is introduced by `*** Add File: <path>`, `*** Update File: <path>` (optionally followed by `*** Move to: <path>`) or `*** Delete File: <path>`, and it ends with `*** End Patch`. Paths are relative to the working directory, never absolute.",
        "format": {
            "type": "grammar",
            "syntax": "lark",
            "definition": APPLY_PATCH_GRAMMAR
        }
    })
}

fn view_image() -> Value {
    json!({
        "type": "function",
        "name": VIEW_IMAGE,
        "description": "Shows you an image file from disk (png, jpeg, gif or webp), such as a screenshot a command produced. The image is attached to the conversation after this call.",
        "strict": false,
        "parameters": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "The image's path, relative to the working directory or absolute."}
            },
            "required": ["path"],
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
