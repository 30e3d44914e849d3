//! MCP `inputSchema` -> function `parameters`: the subset both the Responses and the Chat
//! Completions tool formats accept (`boolean`, `string`, `number`, `array`, `object`), as
//! Codex reduces it, so a server's schema cannot make the API reject the whole request.
//! What cannot be expressed (`anyOf`, `$ref`, `enum`, bounds) is dropped rather than guessed.

use serde_json::{Map, Value, json};

const SUPPORTED: [&str; 5] = ["boolean", "string", "number", "array", "object"];

/// The sanitized root schema: always an object with `properties`.
pub fn sanitize_input_schema(schema: &Value) -> Value {
    let mut out = sanitize(schema, true);
    if out.get("type").and_then(Value::as_str) != Some("object") {
        out = json!({"type": "object", "properties": {}});
    }
    out
}

fn sanitize(schema: &Value, root: bool) -> Value {
    let Some(obj) = schema.as_object() else {
        return json!({"type": "string"});
    };
    let kind = declared_type(obj).unwrap_or_else(|| inferred_type(obj));
    let mut out = Map::new();
    out.insert("type".into(), Value::String(kind.to_owned()));
    if let Some(description) = obj.get("description").filter(|d| d.is_string()) {
        out.insert("description".into(), description.clone());
    }
    match kind {
        "object" => {
            let properties: Map<String, Value> = obj
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), sanitize(v, false)))
                        .collect()
                })
                .unwrap_or_default();
            out.insert("properties".into(), Value::Object(properties));
            if let Some(required) = obj.get("required").filter(|r| r.is_array()) {
                out.insert("required".into(), required.clone());
            }
            if !root && let Some(extra @ Value::Object(_)) = obj.get("additionalProperties") {
                out.insert("additionalProperties".into(), sanitize(extra, false));
            }
        }
        "array" => {
            let items = obj
                .get("items")
                .map_or_else(|| json!({"type": "string"}), |i| sanitize(i, false));
            out.insert("items".into(), items);
        }
        _ => {}
    }
    Value::Object(out)
}

/// The first supported member of `type` (`integer` counts as `number`).
fn declared_type(obj: &Map<String, Value>) -> Option<&'static str> {
    let candidates: Vec<&str> = match obj.get("type")? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    candidates.into_iter().find_map(|t| {
        let t = if t == "integer" { "number" } else { t };
        SUPPORTED.into_iter().find(|s| *s == t)
    })
}

fn inferred_type(obj: &Map<String, Value>) -> &'static str {
    let has = |keys: &[&str]| keys.iter().any(|k| obj.contains_key(*k));
    if has(&["properties", "required", "additionalProperties"]) {
        "object"
    } else if has(&["items", "prefixItems"]) {
        "array"
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        "number"
    } else {
        "string"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn reduces_to_codex_subset() {
        let input = json!({
            "type": "object",
            "$schema": "x",
            "additionalProperties": false,
            "properties": {
                "count": {"type": "integer", "minimum": 1, "default": 3},
                "either": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                "maybe": {"type": ["null", "string"]},
                "thing": {"$ref": "#/$defs/Thing"},
                "note": {"description": "free text"},
                "flag": true,
                "list": {"type": "array"},
                "obj": {"type": "object", "additionalProperties": {"type": "integer"}},
                "bounded": {"maximum": 3},
                "choice": {"enum": ["a", "b"], "title": "Choice"}
            },
            "required": ["count"],
            "$defs": {"Thing": {"type": "object"}}
        });
        assert_eq!(
            sanitize_input_schema(&input),
            json!({
                "type": "object",
                "properties": {
                    "count": {"type": "number"},
                    "either": {"type": "string"},
                    "maybe": {"type": "string"},
                    "thing": {"type": "string"},
                    "note": {"type": "string", "description": "free text"},
                    "flag": {"type": "string"},
                    "list": {"type": "array", "items": {"type": "string"}},
                    "obj": {"type": "object", "properties": {}, "additionalProperties": {"type": "number"}},
                    "bounded": {"type": "number"},
                    "choice": {"type": "string"}
                },
                "required": ["count"]
            })
        );
    }

    #[test]
    fn root_without_properties_gets_them() {
        assert_eq!(
            sanitize_input_schema(&json!({"type": "object"})),
            json!({"type": "object", "properties": {}})
        );
        assert_eq!(
            sanitize_input_schema(&json!({"type": "string"})),
            json!({"type": "object", "properties": {}})
        );
    }
}
