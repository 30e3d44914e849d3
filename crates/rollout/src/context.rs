//! Telling what a person typed from the context the agent injects as user messages
//! (`<environment_context>`, AGENTS.md instructions). Previews and compaction keep only the
//! former.

use codex_protocol::ResponseItem;

/// How injected context messages begin. Codex and our core write these as `user` messages.
const CONTEXT_PREFIXES: [&str; 4] = [
    "<environment_context>",
    "<user_instructions>",
    "# AGENTS.md instructions for ",
    "<user_shell_command>",
];

/// Whether a user message's text is injected context rather than something a person typed.
pub fn is_injected_context(text: &str) -> bool {
    let text = text.trim_start();
    CONTEXT_PREFIXES
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// The text of `item` if it is a user message a person typed.
pub(crate) fn typed_user_text(item: &ResponseItem) -> Option<String> {
    if item.role() != Some("user") {
        return None;
    }
    item.message_text()
        .filter(|text| !text.trim().is_empty() && !is_injected_context(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_messages_are_recognised() {
        assert!(is_injected_context(
            "<environment_context>\n  <cwd>/p</cwd>"
        ));
        assert!(is_injected_context(
            "# AGENTS.md instructions for /repo\n\n<INSTRUCTIONS>"
        ));
        assert!(!is_injected_context("Fix the flaky test"));
        assert_eq!(
            typed_user_text(&ResponseItem::user_text("hi")).as_deref(),
            Some("hi")
        );
        assert_eq!(typed_user_text(&ResponseItem::assistant_text("hi")), None);
        assert_eq!(
            typed_user_text(&ResponseItem::user_text("<user_instructions>x")),
            None
        );
    }
}
