//! Reading an output item from the JSON of its `response.output_item.*` event.
//!
//! An item is read straight from the event's text, like any other JSON, except for one
//! shape: a large assistant message. The Responses API repeats a whole answer in the
//! `output_item.done` event after streaming it, so a 100 MB answer arrives as one 100 MB
//! line. Read through serde as usual, its text would be held three times at once: the line,
//! serde_json's unescaping buffer (which grows by doubling, to 128 MiB) and the `String` it
//! is copied into. Here the text of each `output_text` part is unescaped piece by piece
//! (each piece by serde_json) straight into its final `String`, so it is held twice: the
//! line and the result.

use std::borrow::Cow;
use std::fmt;

use codex_protocol::{ContentItem, ResponseItem};
use serde::Deserialize;
use serde::de::{Deserializer as _, Visitor};
use serde_json::value::RawValue;

/// Items shorter than this are read the plain way: the copies do not matter there.
const LARGE: usize = 1024 * 1024;

/// How much escaped text one piece holds: at least this, at most 11 bytes more (a piece ends
/// after a whole escape, or a whole surrogate pair written as two).
const PIECE: usize = 64 * 1024;

/// Reads one output item: the item `serde_json::from_str::<ResponseItem>(raw.get())` gives,
/// and its error for an item it refuses. One difference: inside a large message, fields we
/// ignore are skipped without serde_json's limit on nesting.
pub(crate) fn read_item(raw: &RawValue) -> serde_json::Result<ResponseItem> {
    read_item_with(raw, LARGE, PIECE)
}

fn read_item_with(raw: &RawValue, large: usize, piece: usize) -> serde_json::Result<ResponseItem> {
    if raw.get().len() >= large
        && let Some(item) = read_message(raw, piece)
    {
        return Ok(item);
    }
    serde_json::from_str(raw.get())
}

/// The fields of a message item, its parts left as raw JSON.
#[derive(Deserialize)]
struct MessageShape<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default)]
    id: Option<String>,
    role: String,
    #[serde(borrow)]
    content: Vec<&'a RawValue>,
}

/// The fields of a content part that tell a text part, its text left as raw JSON.
#[derive(Deserialize)]
struct PartShape<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    text: Option<&'a RawValue>,
}

/// The item, when it is a message all of whose parts read; `None` sends the caller to the
/// plain way, which then reports whatever is wrong exactly as it always does.
fn read_message(raw: &RawValue, piece: usize) -> Option<ResponseItem> {
    let message: MessageShape<'_> = serde_json::from_str(raw.get()).ok()?;
    if message.kind != "message" {
        return None;
    }
    let content = message
        .content
        .iter()
        .map(|part| read_part(part, piece))
        .collect::<Option<Vec<_>>>()?;
    Some(ResponseItem::Message {
        id: message.id,
        role: message.role,
        content,
    })
}

fn read_part(raw: &RawValue, piece: usize) -> Option<ContentItem> {
    let part: PartShape<'_> = serde_json::from_str(raw.get()).ok()?;
    match (part.kind.as_ref(), part.text) {
        ("output_text", Some(text)) => Some(ContentItem::OutputText {
            text: unescape(text.get(), piece).ok()?,
        }),
        _ => serde_json::from_str(raw.get()).ok(),
    }
}

/// The text of the JSON string literal `literal` (quotes included), unescaped in pieces of
/// about `piece` bytes into one `String` sized for it up front (and trimmed after: escapes
/// make the text shorter than the literal).
fn unescape(literal: &str, piece: usize) -> serde_json::Result<String> {
    let Some(inner) = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        // Not a string: let serde_json say so.
        return serde_json::from_str(literal);
    };
    let bytes = inner.as_bytes();
    let mut text = String::with_capacity(inner.len());
    let mut quoted = String::with_capacity(piece + 16);
    let mut start = 0;
    while start < bytes.len() {
        let end = piece_end(bytes, start, piece.max(1));
        quoted.clear();
        quoted.push('"');
        quoted.push_str(&inner[start..end]);
        quoted.push('"');
        let mut de = serde_json::Deserializer::from_str(&quoted);
        de.deserialize_str(AppendTo(&mut text))?;
        de.end()?;
        start = end;
    }
    text.shrink_to_fit();
    Ok(text)
}

/// Where the piece of the escaped text `bytes` that begins at `start` (a token boundary)
/// ends: at the first token boundary at least `piece` bytes on that is also the start of a
/// UTF-8 character. A token is a character, an escape (`\n`, `\\`, `\uXXXX`), or a surrogate
/// pair written as two `\u` escapes, which must be unescaped together.
fn piece_end(bytes: &[u8], start: usize, piece: usize) -> usize {
    let mut at = start;
    while at < bytes.len() {
        if at - start >= piece && (bytes[at] as i8) >= -0x40 {
            return at;
        }
        at += match bytes[at..] {
            [b'\\', b'u', ref rest @ ..]
                if is_high_surrogate(rest) && rest.get(4..6) == Some(&b"\\u"[..]) =>
            {
                12
            }
            [b'\\', b'u', ..] => 6,
            [b'\\', ..] => 2,
            _ => 1,
        };
    }
    bytes.len()
}

/// Whether `hex` starts with `D800`..`DBFF`, the first half of a surrogate pair.
fn is_high_surrogate(hex: &[u8]) -> bool {
    match hex {
        [d, c, ..] => {
            d.eq_ignore_ascii_case(&b'd') && matches!(c.to_ascii_lowercase(), b'8'..=b'b')
        }
        _ => false,
    }
}

/// Appends the string serde_json hands over (borrowed or from its own buffer) to a `String`.
struct AppendTo<'a>(&'a mut String);

impl Visitor<'_> for AppendTo<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<(), E> {
        self.0.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::fmt::Write as _;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    /// Texts whose escapes land on every offset of a small piece: short escapes, `\u`
    /// escapes, surrogate pairs written as escapes, runs of backslashes, multi-byte UTF-8.
    fn awkward_texts() -> Vec<String> {
        let atoms = [
            "a", "\n", "\\", "\"", "é", "€", "😀", "\u{1}", "\t", "/", "\\\\n", "x\u{7f}",
        ];
        let mut texts = vec![String::new()];
        let mut seed = 7_u64;
        for len in [1, 2, 5, 13, 40, 200] {
            for _ in 0..20 {
                let mut text = String::new();
                for _ in 0..len {
                    // A small LCG: the same texts on every run.
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let pick = usize::try_from(seed >> 33).unwrap() % atoms.len();
                    text.push_str(atoms[pick]);
                }
                texts.push(text);
            }
        }
        texts
    }

    /// Every way serde_json may write a text: its own escaping and `\u` escapes for all
    /// but ASCII letters (surrogate pairs for emoji), upper- and lowercase hex.
    fn literals(text: &str) -> Vec<String> {
        let mut all_escaped = String::from("\"");
        let mut upper = String::from("\"");
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                all_escaped.push(c);
                upper.push(c);
                continue;
            }
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(all_escaped, "\\u{unit:04x}");
                let _ = write!(upper, "\\u{unit:04X}");
            }
        }
        all_escaped.push('"');
        upper.push('"');
        vec![serde_json::to_string(text).unwrap(), all_escaped, upper]
    }

    #[test]
    fn unescaping_in_pieces_gives_what_serde_json_gives_whole() {
        for text in awkward_texts() {
            for literal in literals(&text) {
                let whole: String = serde_json::from_str(&literal).unwrap();
                assert_eq!(whole, text);
                for piece in [1, 2, 3, 5, 6, 7, 11, 64] {
                    assert_eq!(
                        unescape(&literal, piece).unwrap(),
                        text,
                        "{literal} in pieces of {piece}"
                    );
                }
            }
        }
    }

    #[test]
    fn pieces_stay_small_whatever_the_text() {
        for text in [
            "\\".repeat(1000),
            "\n".repeat(1000),
            "😀".repeat(300),
            "é".repeat(999),
        ] {
            let literal = serde_json::to_string(&text).unwrap();
            for literal in [literal, literals(&text)[1].clone()] {
                let inner = &literal.as_bytes()[1..literal.len() - 1];
                let mut start = 0;
                while start < inner.len() {
                    let end = piece_end(inner, start, 64);
                    assert!(end - start <= 64 + 11, "a piece of {} bytes", end - start);
                    start = end;
                }
                assert_eq!(unescape(&literal, 64).unwrap(), text);
            }
        }
    }

    #[test]
    fn lone_surrogates_are_refused_in_pieces_as_whole() {
        for literal in [
            r#""ab\ud83dcd""#,
            r#""\ude00""#,
            r#""x\ud83d\u0041""#,
            r#""\ud83d""#,
        ] {
            assert!(
                serde_json::from_str::<String>(literal).is_err(),
                "{literal}"
            );
            for piece in [1, 2, 3, 7] {
                assert!(
                    unescape(literal, piece).is_err(),
                    "{literal} in pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn a_large_message_reads_as_the_plain_way_reads_it() {
        for text in awkward_texts() {
            let json = serde_json::json!({
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": text, "annotations": []},
                    {"type": "input_text", "text": "also"},
                ],
            })
            .to_string();
            let item = raw(&json);
            let plain: ResponseItem = serde_json::from_str(&json).unwrap();
            assert!(read_message(&item, 3).is_some(), "{json}");
            assert_eq!(read_item_with(&item, 0, 3).unwrap(), plain);
        }
    }

    #[test]
    fn other_items_and_broken_messages_take_the_plain_way() {
        for json in [
            r#"{"type":"function_call","name":"shell","arguments":"{\"a\":\"\\n\"}","call_id":"c"}"#,
            r#"{"type":"message","content":[{"type":"output_text","text":"no role"}]}"#,
            r#"{"type":"message","role":"assistant","content":[{"type":"output_text","text":7}]}"#,
            r#"{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"no"}]}"#,
            r#"{"type":"reasoning","summary":[]}"#,
        ] {
            let plain = serde_json::from_str::<ResponseItem>(json).map_err(|e| e.to_string());
            let ours = read_item_with(&raw(json), 0, 2).map_err(|e| e.to_string());
            assert_eq!(ours, plain, "{json}");
        }
    }
}
