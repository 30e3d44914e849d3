//! Finding a run of lines in a file, tolerating the small differences models introduce.
//!
//! Each pass scans the whole file left to right before a looser pass is tried, so an exact
//! match anywhere always wins over a fuzzy match earlier in the file.

/// Finds `pattern` in `lines` at or after `start`; returns the index of its first line.
///
/// Passes, in order: exact, equal after `trim_end`, equal after `trim`, equal after mapping
/// typographic punctuation (dashes, curly quotes, exotic spaces) to ASCII and trimming. With
/// `eof`, a match that ends on the last line is tried first (all passes), then the normal scan.
/// An empty pattern matches at `start`; a pattern longer than the file never matches.
pub fn seek_sequence(
    lines: &[String],
    pattern: &[String],
    start: usize,
    eof: bool,
) -> Option<usize> {
    if pattern.is_empty() {
        return Some(start);
    }
    if pattern.len() > lines.len() {
        return None;
    }
    let last_start = lines.len() - pattern.len();
    if eof
        && last_start >= start
        && let Some(found) = scan(lines, pattern, last_start, last_start)
    {
        return Some(found);
    }
    scan(lines, pattern, start, last_start)
}

fn scan(lines: &[String], pattern: &[String], from: usize, to: usize) -> Option<usize> {
    let passes: [fn(&str, &str) -> bool; 4] = [
        |a, b| a == b,
        |a, b| a.trim_end() == b.trim_end(),
        |a, b| a.trim() == b.trim(),
        |a, b| normalise(a) == normalise(b),
    ];
    passes.iter().find_map(|same| {
        (from..=to).find(|&i| {
            lines[i..i + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(l, p)| same(l, p))
        })
    })
}

/// Maps typographic punctuation to its ASCII look-alike and trims, so a model that "prettified"
/// quotes or dashes still matches the file.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
            '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn exact_match() {
        assert_eq!(
            seek_sequence(&v(&["a", "b", "c"]), &v(&["b", "c"]), 0, false),
            Some(1)
        );
    }

    #[test]
    fn respects_start() {
        let lines = v(&["x", "y", "x", "y"]);
        assert_eq!(seek_sequence(&lines, &v(&["x"]), 1, false), Some(2));
        assert_eq!(seek_sequence(&lines, &v(&["x"]), 3, false), None);
    }

    #[test]
    fn trailing_then_surrounding_whitespace() {
        let lines = v(&["foo   ", "  bar  "]);
        assert_eq!(seek_sequence(&lines, &v(&["foo"]), 0, false), Some(0));
        assert_eq!(seek_sequence(&lines, &v(&["bar"]), 0, false), Some(1));
    }

    #[test]
    fn exact_beats_earlier_fuzzy() {
        let lines = v(&["a ", "a"]);
        assert_eq!(seek_sequence(&lines, &v(&["a"]), 0, false), Some(1));
    }

    #[test]
    fn unicode_punctuation() {
        let lines = v(&["let s = \u{201C}hi\u{201D}; // a\u{2014}b\u{00A0}c"]);
        assert_eq!(
            seek_sequence(&lines, &v(&["let s = \"hi\"; // a-b c"]), 0, false),
            Some(0)
        );
    }

    #[test]
    fn empty_and_too_long_patterns() {
        let lines = v(&["a"]);
        assert_eq!(seek_sequence(&lines, &[], 1, false), Some(1));
        assert_eq!(seek_sequence(&lines, &v(&["a", "b"]), 0, false), None);
    }

    #[test]
    fn eof_prefers_the_end() {
        let lines = v(&["x", "y", "x"]);
        assert_eq!(seek_sequence(&lines, &v(&["x"]), 0, true), Some(2));
        assert_eq!(seek_sequence(&lines, &v(&["y"]), 0, true), Some(1));
    }
}
