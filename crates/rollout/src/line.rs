//! Reading one line of a rollout file, whatever release wrote it.
//!
//! Current lines are `{"timestamp","type","payload"}`. Files from before September 2025 start
//! with a bare meta object (`{"id","timestamp","instructions"}`), then hold bare response items
//! and `{"record_type":"state"}` markers; those are read too.

use codex_protocol::ResponseItem;
use codex_protocol::rollout::{RolloutItem, RolloutLine, SessionMeta};
use serde_json::Value;

/// The item a line records; `Ok(None)` for lines that record nothing we use (old state markers,
/// blank lines). `Err` carries why the line is not a JSON object.
pub(crate) fn parse_line(bytes: &[u8]) -> Result<Option<RolloutItem>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let Value::Object(map) = &value else {
        return Err("not a JSON object".to_owned());
    };
    if map.contains_key("record_type") {
        return Ok(None);
    }
    if map.contains_key("payload") {
        // `Unknown` catches every shape, so this only fails on a non-string timestamp.
        return serde_json::from_value::<RolloutLine>(value)
            .map(|line| Some(line.item))
            .map_err(|e| e.to_string());
    }
    if map.contains_key("type") {
        return Ok(Some(
            match serde_json::from_value::<ResponseItem>(value.clone()) {
                Ok(item) => RolloutItem::ResponseItem(item),
                Err(_) => RolloutItem::Unknown(value),
            },
        ));
    }
    if map.contains_key("id") || map.contains_key("session_id") {
        return Ok(Some(
            match serde_json::from_value::<SessionMeta>(value.clone()) {
                Ok(meta) => RolloutItem::SessionMeta(meta),
                Err(_) => RolloutItem::Unknown(value),
            },
        ));
    }
    Ok(Some(RolloutItem::Unknown(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_current_and_old_shapes() {
        let current = br#"{"timestamp":"t","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}"#;
        assert_eq!(
            parse_line(current).unwrap(),
            Some(RolloutItem::ResponseItem(ResponseItem::user_text("hi")))
        );
        let old_item =
            br#"{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}"#;
        assert_eq!(
            parse_line(old_item).unwrap(),
            Some(RolloutItem::ResponseItem(ResponseItem::user_text("hi")))
        );
        let old_meta = br#"{"id":"0196a2a8-1111-7000-8000-000000000000","timestamp":"2025-05-07T10:00:00Z","instructions":null}"#;
        let Some(RolloutItem::SessionMeta(meta)) = parse_line(old_meta).unwrap() else {
            panic!()
        };
        assert_eq!(meta.id, "0196a2a8-1111-7000-8000-000000000000");
        assert_eq!(parse_line(br#"{"record_type":"state"}"#).unwrap(), None);
        assert_eq!(parse_line(b"  ").unwrap(), None);
    }

    #[test]
    fn rejects_non_objects_and_broken_json() {
        assert!(parse_line(b"[1,2]").is_err());
        assert!(parse_line(br#"{"timestamp":"t","type":"resp"#).is_err());
    }
}
