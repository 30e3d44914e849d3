//! Finding the `@word` under the cursor and replacing it with a path.

use std::ops::Range;

/// An `@` token in the composer's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtToken {
    /// Byte range of the whole token, `@` included.
    pub range: Range<usize>,
    /// What follows the `@`: the search query.
    pub query: String,
}

/// The whitespace-delimited word holding the cursor (a byte offset; the end of a word counts
/// as inside it), when that word starts with `@`. An `@` inside a word (`me@example.com`) is
/// not a token.
pub fn at_token(text: &str, cursor: usize) -> Option<AtToken> {
    let cursor = cursor.min(text.len());
    if !text.is_char_boundary(cursor) {
        return None;
    }
    let start = text[..cursor]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[cursor..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(text.len(), |(i, _)| cursor + i);
    let word = &text[start..end];
    let query = word.strip_prefix('@')?;
    Some(AtToken {
        range: start..end,
        query: query.to_owned(),
    })
}

/// `text` with `token` replaced by `path` and a space (quoted when the path holds whitespace,
/// so it stays one word), and the cursor position just after it.
pub fn replace_token(text: &str, token: &AtToken, path: &str) -> (String, usize) {
    let inserted = if path.chars().any(char::is_whitespace) {
        format!("\"{path}\" ")
    } else {
        format!("{path} ")
    };
    let range = token.range.start.min(text.len())..token.range.end.min(text.len());
    let mut out = String::with_capacity(text.len() + inserted.len());
    out.push_str(&text[..range.start]);
    out.push_str(&inserted);
    // A space already following the token is not doubled.
    let rest = &text[range.end..];
    out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
    (out, range.start + inserted.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_around_the_cursor() {
        let t = at_token("look at @src/ma please", 15).unwrap();
        assert_eq!(t.query, "src/ma");
        assert_eq!(t.range, 8..15);
        // Cursor inside the word.
        assert_eq!(
            at_token("look at @src/ma please", 10).unwrap().query,
            "src/ma"
        );
        // A lone `@` opens the popup with an empty query.
        assert_eq!(at_token("@", 1).unwrap().query, "");
        assert_eq!(at_token("x\n@fo", 5).unwrap().range, 2..5);
    }

    #[test]
    fn ignores_words_that_do_not_start_with_at() {
        assert_eq!(at_token("mail me@example.com", 19), None);
        assert_eq!(at_token("@foo bar", 8), None);
        assert_eq!(at_token("", 0), None);
        assert_eq!(at_token("é@", 1), None, "not a char boundary");
    }

    #[test]
    fn replaces_the_token_with_the_path() {
        let text = "see @ma now";
        let token = at_token(text, 7).unwrap();
        assert_eq!(
            replace_token(text, &token, "src/main.rs"),
            ("see src/main.rs now".to_owned(), 16)
        );
        let token = at_token("@d", 2).unwrap();
        assert_eq!(
            replace_token("@d", &token, "my docs/a b.md"),
            ("\"my docs/a b.md\" ".to_owned(), 17)
        );
    }
}
