//! Bounded views of text too long for a transcript: the head and the tail, with the size of
//! what was left out, so a 100 MB answer or a 10,000-step plan stays readable on stderr.

use std::borrow::Cow;

/// Bytes of a long text shown before the gap.
pub(crate) const HEAD_BYTES: usize = 4 * 1024;
/// Bytes of a long text shown after the gap.
pub(crate) const TAIL_BYTES: usize = 2 * 1024;

/// `text` whole when it is short, else its first [`HEAD_BYTES`] and last [`TAIL_BYTES`]
/// (cut at line ends where one is near, else at character boundaries) around a line saying
/// how much was left out and where to find all of it (`whole_at`).
pub(crate) fn head_and_tail<'a>(text: &'a str, whole_at: &str) -> Cow<'a, str> {
    // Cutting less than a few hundred bytes is not worth a gap line.
    if text.len() <= HEAD_BYTES + TAIL_BYTES + 512 {
        return Cow::Borrowed(text);
    }
    let head_end = cut_back(text, HEAD_BYTES);
    let tail_start = cut_forward(text, text.len() - TAIL_BYTES);
    let omitted = &text[head_end..tail_start];
    let lines = omitted.bytes().filter(|&b| b == b'\n').count();
    Cow::Owned(format!(
        "{}\n… {} omitted ({} lines) of {} in all; {whole_at} …\n{}",
        text[..head_end].trim_end_matches('\n'),
        size(omitted.len()),
        group(lines),
        size(text.len()),
        text[tail_start..].trim_start_matches('\n'),
    ))
}

/// A byte count for people: `512 bytes`, `4.0 KiB`, `100.0 MiB (104,857,600 bytes)`.
pub(crate) fn size(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)] // One decimal is all that is shown.
    let value = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", value / 1024.0)
    } else {
        format!(
            "{:.1} MiB ({} bytes)",
            value / (1024.0 * 1024.0),
            group(bytes)
        )
    }
}

/// `1234567` as `1,234,567`.
pub(crate) fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An end at most `max` bytes in: after the last newline of the second half, else at a
/// character boundary.
fn cut_back(text: &str, max: usize) -> usize {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind('\n') {
        Some(i) if i >= end / 2 => i + 1,
        _ => end,
    }
}

/// A start at least at `min`: after the first newline of the next quarter, else at a
/// character boundary.
fn cut_forward(text: &str, min: usize) -> usize {
    let mut start = min;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let window_end = cut_back(text, start + (text.len() - start) / 2).max(start);
    match text[start..window_end].find('\n') {
        Some(i) => start + i + 1,
        None => start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn short_text_is_whole() {
        assert_eq!(head_and_tail("hello\n", "x"), "hello\n");
    }

    #[test]
    fn long_text_keeps_head_tail_and_says_how_much_is_missing() {
        let text = (0..100_000).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "line {i} ü");
            s
        });
        let shown = head_and_tail(&text, "the whole answer is on stdout");
        assert!(
            shown.len() < HEAD_BYTES + TAIL_BYTES + 200,
            "{}",
            shown.len()
        );
        assert!(shown.starts_with("line 0 ü\nline 1 ü\n"));
        assert!(shown.ends_with("line 99999 ü\n"));
        assert!(shown.contains("omitted ("), "{shown}");
        assert!(shown.contains(&format!(
            "of {} in all; the whole answer is on stdout …",
            size(text.len())
        )));
        // One huge line: cut at character boundaries.
        let line = "é".repeat(1_000_000);
        let shown = head_and_tail(&line, "see stdout");
        assert!(
            shown.contains("1.9 MiB (2,000,000 bytes) in all"),
            "{}",
            &shown[..100]
        );
    }

    #[test]
    fn sizes_and_groups() {
        assert_eq!(size(10), "10 bytes");
        assert_eq!(size(4096), "4.0 KiB");
        assert_eq!(size(104_857_600), "100.0 MiB (104,857,600 bytes)");
        assert_eq!(
            group(18_446_744_073_709_551_615_u64 as usize),
            "18,446,744,073,709,551,615"
        );
    }
}
