//! Masking credentials in text that came from someone else (an issuer's error body, a parse
//! error quoting a value): a server that echoes the `Authorization` header back must not put the
//! key on the user's screen or in a log.

/// What a masked credential is replaced with (after its recognisable prefix).
const MASK: &str = "***";

/// `text` with every credential-shaped token masked:
/// - the value after `Bearer ` (any case, 8 characters or more): `Bearer ***`;
/// - OpenAI API keys, `sk-` and at least 8 key characters: `sk-***`;
/// - JWTs (ChatGPT access and id tokens), `eyJ` and at least 20 more token characters with a
///   dot among them: `eyJ***`.
///
/// Everything else is kept as it is.
pub fn mask_secrets(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || !is_token_byte(bytes[i - 1]);
        let masked = if at_boundary {
            bearer_value(bytes, i)
                .or_else(|| prefixed_token(bytes, i, b"sk-", 8, false))
                .or_else(|| prefixed_token(bytes, i, b"eyJ", 20, true))
        } else {
            None
        };
        match masked {
            Some((keep_until, end)) => {
                // Cutting only at ASCII bytes keeps every slice on a char boundary.
                out.push_str(&text[kept..keep_until]);
                out.push_str(MASK);
                kept = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[kept..]);
    out
}

/// Shorter words after "bearer" are prose ("the bearer of"), not credentials.
const MIN_BEARER: usize = 8;

/// For `Bearer <value>` at `start`: (end of `Bearer `, end of the value).
fn bearer_value(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    const WORD: &[u8] = b"bearer";
    let word = bytes.get(start..start + WORD.len())?;
    if !word.eq_ignore_ascii_case(WORD) {
        return None;
    }
    let mut value = start + WORD.len();
    let spaces = bytes[value..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if spaces == 0 {
        return None;
    }
    value += spaces;
    let length = bytes[value..]
        .iter()
        .take_while(|&&b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b',' | b'\\'))
        .count();
    (length >= MIN_BEARER).then_some((value, value + length))
}

/// For `<prefix><at least min token bytes>` at `start`: (end of the prefix, end of the token).
fn prefixed_token(
    bytes: &[u8],
    start: usize,
    prefix: &[u8],
    min: usize,
    needs_dot: bool,
) -> Option<(usize, usize)> {
    if !bytes[start..].starts_with(prefix) {
        return None;
    }
    let body = start + prefix.len();
    let rest = &bytes[body..];
    let length = rest
        .iter()
        .take_while(|&&b| is_token_byte(b) || (needs_dot && b == b'.'))
        .count();
    let has_dot = rest[..length].contains(&b'.');
    (length >= min && (!needs_dot || has_dot)).then_some((body, body + length))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_values_keys_and_jwts_are_masked() {
        let text = r#"{"error":"bad header Authorization: Bearer sk-proj-ABCdef123_456 (key sk-live-0123456789), token eyJhbGciOi.eyJzdWIiOiIxMjM0NTY3ODkw.sig"}"#;
        let masked = mask_secrets(text);
        assert_eq!(
            masked,
            r#"{"error":"bad header Authorization: Bearer *** (key sk-***), token eyJ***"}"#
        );
    }

    #[test]
    fn any_case_and_quoted_values() {
        assert_eq!(mask_secrets("BEARER abc.def.ghi"), "BEARER ***");
        assert_eq!(
            mask_secrets(r#"{"authorization":"bearer t0k3n-long"}"#),
            r#"{"authorization":"bearer ***"}"#
        );
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for text in [
            "rate limit reached for gpt-5; try again in 20s",
            "risk-free task-based sk-short",
            "the bearer of bad news",
            "desk-0123456789 is not a key",
            "naïve café: eyJ short",
            "",
        ] {
            assert_eq!(mask_secrets(text), text);
        }
    }
}
