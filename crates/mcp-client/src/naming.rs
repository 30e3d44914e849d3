//! The names MCP tools get when offered to the model: `mcp__<server>__<tool>`, limited to
//! what the OpenAI APIs accept (`^[a-zA-Z0-9_-]{1,64}$`), as Codex names them so prompts and
//! transcripts carry over.

use std::fmt::Write as _;

use sha1::{Digest, Sha1};

/// Prefix of every MCP tool name.
pub const MCP_TOOL_PREFIX: &str = "mcp__";
/// Between the server and the tool name.
pub(crate) const MCP_TOOL_DELIMITER: &str = "__";
/// Longest tool name the model APIs accept.
pub const MAX_TOOL_NAME_LEN: usize = 64;
const SHA1_HEX_LEN: usize = 40;

/// The name the model sees for `tool` of `server`. Characters the APIs refuse become `_`
/// (Codex 0.58 sent them as they were, which made the API reject every turn); a name over 64
/// characters keeps its first 24 and gets the SHA-1 of the whole original name appended, so
/// long names stay distinct and stable across runs.
pub fn qualified_tool_name(server: &str, tool: &str) -> String {
    let raw = format!("{MCP_TOOL_PREFIX}{server}{MCP_TOOL_DELIMITER}{tool}");
    let sanitized: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if sanitized.len() <= MAX_TOOL_NAME_LEN {
        return sanitized;
    }
    let digest = Sha1::digest(raw.as_bytes());
    let hex = digest.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let keep = MAX_TOOL_NAME_LEN - SHA1_HEX_LEN;
    format!("{}{hex}", &sanitized[..keep])
}

/// The configured server a qualified name belongs to, when the name has the MCP prefix. With
/// several candidates (`a` and `a__b`), the longest server name wins.
pub fn server_of<'a>(
    qualified: &str,
    servers: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let rest = qualified.strip_prefix(MCP_TOOL_PREFIX)?;
    servers
        .into_iter()
        .filter(|server| {
            let sanitized = qualified_tool_name(server, "");
            let head = &sanitized[MCP_TOOL_PREFIX.len()..];
            rest.len() > head.len() && rest.starts_with(head)
        })
        .max_by_key(|server| server.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn short_names_are_joined_and_sanitized() {
        assert_eq!(qualified_tool_name("adder", "add"), "mcp__adder__add");
        assert_eq!(
            qualified_tool_name("my-srv", "echo.dotted"),
            "mcp__my-srv__echo_dotted"
        );
    }

    #[test]
    fn long_names_get_the_sha1_of_the_whole_name() {
        let name = qualified_tool_name(
            "my-srv",
            "a_very_long_tool_name_that_goes_on_and_on_forever_and_ever_more",
        );
        assert_eq!(
            name,
            "mcp__my-srv__a_very_long4a456f084db17ab56958ec03fbb1204e8bcb569c"
        );
        assert_eq!(name.len(), 64);
    }

    #[test]
    fn finds_the_server_of_a_name() {
        let servers = ["a", "a__b", "docs"];
        assert_eq!(server_of("mcp__docs__search", servers), Some("docs"));
        assert_eq!(server_of("mcp__a__b__x", servers), Some("a__b"));
        assert_eq!(server_of("mcp__a__x", servers), Some("a"));
        assert_eq!(server_of("shell", servers), None);
        assert_eq!(server_of("mcp__docs__", servers), None);
    }
}
