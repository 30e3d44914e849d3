//! Styled lines wrapped to a width before they go to the scrollback.
//!
//! History is kept as logical lines (one per source line, width-independent) and wrapped only
//! when written, so a resize changes where new lines break and never what was already said.
//! A wrapped line's continuation rows hang under its text, past any indent and bullet.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Bullets after which continuation rows hang (the marker's own width is added to the indent).
const BULLETS: &[&str] = &[
    "• ", "└ ", "- ", "* ", "› ", "✔ ", "□ ", "■ ", "✗ ", "✓ ", "> ", "│ ",
];

/// The display width of a character (0 for controls, which sanitized text does not contain).
pub(crate) fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The display width of a string.
pub(crate) fn str_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// How far continuation rows of `line` are indented: its leading spaces plus a bullet or list
/// number that follows them.
fn hang_width(line: &Line<'_>) -> usize {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let spaces = text.chars().take_while(|c| *c == ' ').count();
    let rest = &text[spaces..];
    if let Some(bullet) = BULLETS.iter().find(|b| rest.starts_with(**b)) {
        return spaces + str_width(bullet);
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && rest[digits..].starts_with(". ") {
        return spaces + digits + 2;
    }
    spaces
}

/// Columns between tab stops, as on a terminal.
const TAB_STOP: usize = 8;

/// `line` with each tab turned into the spaces that reach the next tab stop. A tab has no
/// width of its own in a cell grid: left in, it would vanish and glue its neighbours together
/// (`name\tsize` shown as `namesize`).
fn expand_tabs(line: &Line<'static>) -> Option<Line<'static>> {
    if !line.spans.iter().any(|s| s.content.contains('\t')) {
        return None;
    }
    let mut column = 0;
    let spans = line
        .spans
        .iter()
        .map(|span| {
            let mut text = String::with_capacity(span.content.len());
            for c in span.content.chars() {
                if c == '\t' {
                    let spaces = TAB_STOP - column % TAB_STOP;
                    text.extend(std::iter::repeat_n(' ', spaces));
                    column += spaces;
                } else {
                    text.push(c);
                    column += char_width(c);
                }
            }
            Span::styled(text, span.style)
        })
        .collect::<Vec<_>>();
    let mut expanded = Line::from(spans);
    expanded.style = line.style;
    expanded.alignment = line.alignment;
    Some(expanded)
}

/// Wraps one logical line to `width` columns: at spaces where possible, inside a word only
/// when the word is longer than a row. Styles carry over to every piece; tabs become spaces.
pub(crate) fn wrap_line(line: &Line<'static>, width: usize) -> Vec<Line<'static>> {
    if let Some(expanded) = expand_tabs(line) {
        return wrap_line(&expanded, width);
    }
    let width = width.max(1);
    if line.width() <= width {
        return vec![line.clone()];
    }
    let mut hang = hang_width(line);
    if hang + 8 > width {
        hang = 0;
    }
    // Characters with their styles, so breaks can fall anywhere.
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .collect();
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let avail = if first { width } else { width - hang };
        // Find how many chars fit.
        let mut used = 0;
        let mut end = start;
        while end < chars.len() {
            let w = char_width(chars[end].0);
            if used + w > avail {
                break;
            }
            used += w;
            end += 1;
        }
        if end < chars.len() && chars[end].0 != ' ' {
            // Prefer the last space inside the row.
            if let Some(space) = (start + 1..end).rev().find(|&i| chars[i].0 == ' ') {
                end = space + 1;
            } else if end == start {
                end = start + 1; // a character wider than the row: emit it alone
            }
        }
        let mut row: Vec<(char, Style)> = Vec::with_capacity(end - start + hang);
        if !first {
            row.extend(std::iter::repeat_n((' ', Style::default()), hang));
        }
        row.extend_from_slice(&chars[start..end]);
        // Spaces at a break belong to neither row.
        while row.len() > hang && row.last().is_some_and(|(c, _)| *c == ' ') && end < chars.len() {
            row.pop();
        }
        rows.push(row);
        start = end;
        // A continuation row starts at the next word.
        while start < chars.len() && chars[start].0 == ' ' {
            start += 1;
        }
        first = false;
    }
    rows.into_iter().map(|row| to_line(&row)).collect()
}

/// Characters with styles back into spans (adjacent equal styles merged).
fn to_line(row: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut style = None;
    for (c, s) in row {
        if style != Some(*s) {
            if let Some(prev) = style
                && !current.is_empty()
            {
                spans.push(Span::styled(std::mem::take(&mut current), prev));
            }
            style = Some(*s);
        }
        current.push(*c);
    }
    if let Some(prev) = style
        && !current.is_empty()
    {
        spans.push(Span::styled(current, prev));
    }
    Line::from(spans)
}

/// Wraps every line.
pub(crate) fn wrap_lines(lines: &[Line<'static>], width: usize) -> Vec<Line<'static>> {
    lines.iter().flat_map(|l| wrap_line(l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    #[test]
    fn tabs_become_spaces_to_the_next_stop() {
        let line = Line::from(vec![
            Span::raw("  └ "),
            Span::styled("name\tsize\tk", styles_for_test()),
        ]);
        let rows = wrap_line(&line, 80);
        assert_eq!(plain(&rows), vec!["  └ name        size    k"]);
        assert_eq!(rows[0].spans[1].style, styles_for_test(), "styles survive");
        // Past the width, a tab's spaces break like any others.
        let rows = wrap_line(&Line::from("a\tb\tc"), 10);
        assert_eq!(plain(&rows), vec!["a       b", "c"]);
    }

    fn styles_for_test() -> Style {
        Style::new().add_modifier(ratatui::style::Modifier::DIM)
    }

    #[test]
    fn short_lines_stay_whole() {
        let line = Line::from("hello");
        assert_eq!(plain(&wrap_line(&line, 10)), ["hello"]);
    }

    #[test]
    fn breaks_at_spaces_and_hangs_under_the_bullet() {
        let line = Line::from("• one two three four five");
        assert_eq!(
            plain(&wrap_line(&line, 12)),
            ["• one two", "  three four", "  five"]
        );
    }

    #[test]
    fn long_words_are_cut() {
        let line = Line::from("abcdefghijkl");
        assert_eq!(plain(&wrap_line(&line, 5)), ["abcde", "fghij", "kl"]);
    }

    #[test]
    fn list_numbers_hang() {
        let line = Line::from("12. alpha beta gamma");
        assert_eq!(
            plain(&wrap_line(&line, 14)),
            ["12. alpha beta", "    gamma"]
        );
    }

    #[test]
    fn wide_characters_count_double() {
        let line = Line::from("日本語日本語");
        assert_eq!(plain(&wrap_line(&line, 6)), ["日本語", "日本語"]);
    }
}
