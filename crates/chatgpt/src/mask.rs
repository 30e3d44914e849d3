//! Turning a backend's error body into one short line that is safe to show: the message
//! field when the body is JSON, secrets masked, length bounded.

use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::Value;

/// Longest message shown, in characters.
const MAX_MESSAGE_CHARS: usize = 400;

/// The message a person should see for an error `body`; `secret` (the bearer token sent)
/// and anything shaped like a JWT, an API key or a bearer header is replaced by `***`.
pub(crate) fn error_message(body: &str, secret: &str) -> String {
    let text = message_field(body).unwrap_or_else(|| body.trim().to_owned());
    let text = if secret.is_empty() {
        text
    } else {
        text.replace(secret, "***")
    };
    // The pattern is fixed and tested; should it ever fail to compile, show nothing rather
    // than something unmasked.
    let Some(pattern) = secret_pattern() else {
        return "(message withheld)".to_owned();
    };
    let text = pattern.replace_all(&text, "***");
    let one_line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if one_line.is_empty() {
        return "(no message)".to_owned();
    }
    if one_line.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = one_line.chars().take(MAX_MESSAGE_CHARS).collect();
        return format!("{cut}...");
    }
    one_line
}

/// `detail`, `error.message`, `error` or `message` of a JSON body.
fn message_field(body: &str) -> Option<String> {
    let json: Value = serde_json::from_str(body).ok()?;
    let pick = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Object(map) => map
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        }
    };
    ["detail", "error", "message"]
        .iter()
        .find_map(|key| json.get(key).and_then(pick))
}

fn secret_pattern() -> Option<&'static Regex> {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    PATTERN
        .get_or_init(|| {
            Regex::new(
                r"(?i:bearer\s+[^\s,;]+)|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?|sk-[A-Za-z0-9_-]{8,}",
            )
            .ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn json_detail_is_preferred_and_secrets_are_masked() {
        let body = r#"{"detail": "token eyJhbGciOi.eyJzdWIiOjF9.sig is bad, key sk-abcdefghijkl"}"#;
        assert_eq!(error_message(body, ""), "token *** is bad, key ***");
        let body = r#"{"error": {"message": "denied for my-secret-token"}}"#;
        assert_eq!(error_message(body, "my-secret-token"), "denied for ***");
        assert_eq!(
            error_message("Authorization: Bearer abc.def\n", ""),
            "Authorization: ***"
        );
    }

    #[test]
    fn plain_bodies_become_one_bounded_line() {
        assert_eq!(error_message("  bad\n gateway ", ""), "bad gateway");
        assert_eq!(error_message("no\u{1b}[2Jescape", ""), "no?[2Jescape");
        assert_eq!(error_message("", ""), "(no message)");
        let long = "x".repeat(1000);
        assert_eq!(
            error_message(&long, "").chars().count(),
            MAX_MESSAGE_CHARS + 3
        );
    }
}
