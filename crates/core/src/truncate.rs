//! Shrinking command output to what the model should read: the head and the tail, with a
//! marker saying what was left out. The limits are Codex's, so models see familiar output.

/// Output larger than this many bytes is truncated.
pub const MODEL_FORMAT_MAX_BYTES: usize = 10 * 1024;
/// Output with more lines than this is truncated.
pub const MODEL_FORMAT_MAX_LINES: usize = 256;
const HEAD_LINES: usize = MODEL_FORMAT_MAX_LINES / 2;
const TAIL_LINES: usize = MODEL_FORMAT_MAX_LINES - HEAD_LINES;
const HEAD_BYTES: usize = MODEL_FORMAT_MAX_BYTES / 2;

/// Returns `text` unchanged when it is small, else `Total output lines: N`, the head, a
/// marker and the tail, within [`MODEL_FORMAT_MAX_BYTES`].
pub fn truncate_for_model(text: &str) -> String {
    let total_lines = text.lines().count();
    if text.len() <= MODEL_FORMAT_MAX_BYTES && total_lines <= MODEL_FORMAT_MAX_LINES {
        return text.to_owned();
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let head_count = HEAD_LINES.min(lines.len());
    let tail_count = TAIL_LINES.min(lines.len() - head_count);
    let head_full: String = lines[..head_count].concat();
    let head = prefix_within(&head_full, HEAD_BYTES);
    let tail_full: String = lines[lines.len() - tail_count..].concat();

    let omitted = lines.len() - head_count - tail_count;
    let marker = if omitted > 0 {
        format!("\n[... omitted {omitted} of {total_lines} lines ...]\n\n")
    } else {
        format!("\n[... output truncated to fit {MODEL_FORMAT_MAX_BYTES} bytes ...]\n\n")
    };
    let header = format!("Total output lines: {total_lines}\n\n");
    let budget = MODEL_FORMAT_MAX_BYTES.saturating_sub(header.len() + head.len() + marker.len());
    let tail = suffix_within(&tail_full, budget);
    format!("{header}{head}{marker}{tail}")
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix_within(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The longest suffix of `s` of at most `max` bytes that starts on a character boundary.
fn suffix_within(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_untouched() {
        assert_eq!(truncate_for_model("a\nb\n"), "a\nb\n");
    }

    #[test]
    fn many_lines_keep_head_and_tail() {
        let text: String = (0..1000).fold(String::new(), |mut acc, i| {
            use std::fmt::Write as _;
            let _ = writeln!(acc, "line {i}");
            acc
        });
        let out = truncate_for_model(&text);
        assert!(out.starts_with("Total output lines: 1000\n\nline 0\n"));
        assert!(out.contains("[... omitted 744 of 1000 lines ...]"));
        assert!(out.ends_with("line 999\n"));
        assert!(out.len() <= MODEL_FORMAT_MAX_BYTES);
    }

    #[test]
    fn long_lines_are_cut_on_char_boundaries() {
        let text = "é".repeat(20_000);
        let out = truncate_for_model(&text);
        assert!(out.contains("output truncated to fit 10240 bytes"));
        assert!(out.len() <= MODEL_FORMAT_MAX_BYTES);
    }
}
