//! Text from someone else (a model, a command, an MCP tool, an upstream server's error body)
//! made safe to show on a terminal.
//!
//! A terminal interprets some characters as commands: ESC starts CSI (`ESC [ 2 J` clears the
//! screen), OSC (`ESC ] 52 ; c ; …` writes the clipboard, `ESC ] 0 ; …` sets the window title),
//! DCS and others; C1 controls (U+0080–U+009F) do the same in one character; CR and BS can
//! overwrite what was printed; bidirectional overrides reorder what the reader sees. Every
//! human-facing printer passes untrusted text through [`sanitize`] (or a [`Sanitizer`] for
//! text that arrives in pieces), which shows such characters as visible escapes (`\x1b`,
//! `\u{9b}`) instead of letting the terminal act on them. Once the introducing character is
//! neutralised the rest of a sequence is plain printable text, so no parser state is needed.
//!
//! Newlines and tabs pass; `\r\n` becomes `\n`. Machine output (`--json`, piped stdout)
//! must not go through here: it stays exact.
//!
//! ```
//! use codex_safe_text::sanitize;
//! assert_eq!(sanitize("hi\x1b]52;c;ZXZpbA==\x07"), "hi\\x1b]52;c;ZXZpbA==\\x07");
//! assert_eq!(sanitize("plain text\n"), "plain text\n");
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::borrow::Cow;
use std::fmt::Write as _;

/// The text with every character a terminal would act on shown as a visible escape.
/// Borrows when there is nothing to change (the common case).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut sanitizer = Sanitizer::new();
    sanitizer.push(text, &mut out);
    sanitizer.finish(&mut out);
    Cow::Owned(out)
}

/// Whether `c` is shown escaped (a lone CR included; a CR before LF is dropped instead).
fn needs_escape(c: char) -> bool {
    matches!(
        c,
        // C0 controls but newline and tab, DEL, and the C1 controls.
        '\u{0}'..='\u{8}'
            | '\u{b}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            // Bidirectional formatting: can make text read differently from what it is.
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// [`sanitize`] for text that arrives in pieces (a streamed answer): a `\r` at the end of
/// one piece and the `\n` at the start of the next still make one line end.
#[derive(Debug, Default)]
pub struct Sanitizer {
    pending_cr: bool,
}

impl Sanitizer {
    /// A sanitizer at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the safe form of `piece` to `out`.
    pub fn push(&mut self, piece: &str, out: &mut String) {
        let mut plain_from = 0;
        for (i, c) in piece.char_indices() {
            if self.pending_cr {
                self.pending_cr = false;
                if c != '\n' {
                    out.push_str("\\r");
                }
            }
            if !needs_escape(c) {
                continue;
            }
            out.push_str(&piece[plain_from..i]);
            plain_from = i + c.len_utf8();
            if c == '\r' {
                self.pending_cr = true;
            } else {
                escape(c, out);
            }
        }
        out.push_str(&piece[plain_from..]);
    }

    /// Ends the text: a trailing lone `\r` is shown.
    pub fn finish(&mut self, out: &mut String) {
        if std::mem::take(&mut self.pending_cr) {
            out.push_str("\\r");
        }
    }
}

fn escape(c: char, out: &mut String) {
    let code = u32::from(c);
    if code < 0x80 {
        let _ = write!(out, "\\x{code:02x}");
    } else {
        let _ = write!(out, "\\u{{{code:x}}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn escape_sequences_are_shown_not_interpreted() {
        let cases = [
            ("\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"),
            ("\x1b]0;pwned\x1b\\", "\\x1b]0;pwned\\x1b\\"),
            ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
            ("\x1bP1$qm\x1b\\", "\\x1bP1$qm\\x1b\\"),
            (
                "\u{9b}31m red \u{9d}0;t\u{9c}",
                "\\u{9b}31m red \\u{9d}0;t\\u{9c}",
            ),
            ("a\u{8}\u{8}b\u{7f}", "a\\x08\\x08b\\x7f"),
            ("evil\u{202e}txt.exe", "evil\\u{202e}txt.exe"),
            ("nul\0", "nul\\x00"),
        ];
        for (input, want) in cases {
            let got = sanitize(input);
            assert_eq!(got, want);
            assert!(!got.chars().any(needs_escape), "{got:?}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_and_line_ends_kept() {
        let text = "line one\n\tindented — ünïcödé 🎉\n";
        assert!(matches!(sanitize(text), Cow::Borrowed(_)));
        assert_eq!(sanitize("a\r\nb\r\n"), "a\nb\n");
        assert_eq!(
            sanitize("progress 10%\rprogress 100%"),
            "progress 10%\\rprogress 100%"
        );
        assert_eq!(sanitize("end\r"), "end\\r");
    }

    #[test]
    fn pieces_split_anywhere_give_the_same_text() {
        let text = "x\r\ny\x1b[31mz\u{9b}\r";
        let whole = sanitize(text).into_owned();
        for split in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let mut s = Sanitizer::new();
            let mut out = String::new();
            s.push(&text[..split], &mut out);
            s.push(&text[split..], &mut out);
            s.finish(&mut out);
            assert_eq!(out, whole, "split at {split}");
        }
    }
}
