//! A bordered card of labelled fields (what `/status` and `/limits` print), laid out for a
//! given width: values too long for the line wrap under their own column.

use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// One row of a card.
#[derive(Debug, Clone)]
pub(crate) enum Row {
    /// A bold heading.
    Title(String),
    /// An empty line.
    Blank,
    /// `label:  value`; an empty label continues the field above.
    Field {
        label: String,
        value: String,
        style: Style,
    },
    /// Dim text across the card (a note).
    Note(String),
}

impl Row {
    pub(crate) fn field(label: &str, value: impl Into<String>) -> Self {
        Self::Field {
            label: label.to_owned(),
            value: value.into(),
            style: Style::new(),
        }
    }

    pub(crate) fn styled(label: &str, value: impl Into<String>, style: Style) -> Self {
        Self::Field {
            label: label.to_owned(),
            value: value.into(),
            style,
        }
    }
}

/// Smallest card worth drawing; below it the fields are printed without a border.
const MIN_WIDTH: usize = 24;

/// The card's lines for a terminal `width` columns wide.
pub(crate) fn render(rows: &[Row], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let label_width = rows
        .iter()
        .filter_map(|r| match r {
            Row::Field { label, .. } if !label.is_empty() => Some(label.chars().count() + 2),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let natural = rows
        .iter()
        .map(|r| match r {
            Row::Title(t) | Row::Note(t) => text_width(t),
            Row::Blank => 0,
            Row::Field { value, .. } => label_width + text_width(value),
        })
        .max()
        .unwrap_or(0);
    let bordered = width >= MIN_WIDTH;
    // Border and one space of padding on each side.
    let chrome = if bordered { 4 } else { 0 };
    let inner = natural.min(width.saturating_sub(chrome)).max(1);
    let mut body: Vec<Vec<Span<'static>>> = Vec::new();
    for row in rows {
        match row {
            Row::Title(t) => {
                for piece in wrap(t, inner) {
                    body.push(vec![Span::from(piece).bold()]);
                }
            }
            Row::Note(t) => {
                for piece in wrap(t, inner) {
                    body.push(vec![Span::from(piece).dim()]);
                }
            }
            Row::Blank => body.push(Vec::new()),
            Row::Field {
                label,
                value,
                style,
            } => {
                let value_room = inner.saturating_sub(label_width);
                if value_room < 8 {
                    // Too narrow for two columns: label on its own line, value under it.
                    if !label.is_empty() {
                        body.push(vec![Span::from(format!("{label}:")).dim()]);
                    }
                    for piece in wrap(value, inner) {
                        body.push(vec![Span::styled(piece, *style)]);
                    }
                    continue;
                }
                for (i, piece) in wrap(value, value_room).into_iter().enumerate() {
                    let head = if i == 0 && !label.is_empty() {
                        format!("{:<label_width$}", format!("{label}:"))
                    } else {
                        " ".repeat(label_width)
                    };
                    body.push(vec![Span::from(head).dim(), Span::styled(piece, *style)]);
                }
            }
        }
    }
    if !bordered {
        return body.into_iter().map(Line::from).collect();
    }
    let dim = Style::new().dim();
    let mut lines = Vec::with_capacity(body.len() + 2);
    lines.push(Line::from(Span::styled(
        format!("╭{}╮", "─".repeat(inner + 2)),
        dim,
    )));
    for spans in body {
        let used: usize = spans.iter().map(|s| text_width(&s.content)).sum();
        let mut row = vec![Span::styled("│ ", dim)];
        row.extend(spans);
        row.push(Span::from(" ".repeat(inner.saturating_sub(used))));
        row.push(Span::styled(" │", dim));
        lines.push(Line::from(row));
    }
    lines.push(Line::from(Span::styled(
        format!("╰{}╯", "─".repeat(inner + 2)),
        dim,
    )));
    lines
}

fn text_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Splits `text` into pieces at most `room` columns wide, at spaces where it can and inside
/// long words (paths, ids) where it must.
fn wrap(text: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_width = 0;
    for word in text.split_inclusive(' ') {
        let word_width = text_width(word);
        let trimmed_width = text_width(word.trim_end());
        if current_width + trimmed_width > room && !current.is_empty() {
            pieces.push(current.trim_end().to_owned());
            current.clear();
            current_width = 0;
        }
        if trimmed_width > room {
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if current_width + w > room {
                    pieces.push(std::mem::take(&mut current));
                    current_width = 0;
                }
                current.push(c);
                current_width += w;
            }
        } else {
            current.push_str(word);
            current_width += word_width;
        }
    }
    let last = current.trim_end();
    if !last.is_empty() || pieces.is_empty() {
        pieces.push(last.to_owned());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    #[test]
    fn wraps_words_then_long_words() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("/very/long/path", 6), ["/very/", "long/p", "ath"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn every_line_of_a_card_has_the_same_width() {
        let rows = [
            Row::Title("Title".to_owned()),
            Row::Blank,
            Row::field("Key", "a value long enough to wrap at a narrow width"),
            Row::field("", "more"),
        ];
        for width in [80, 30, 20] {
            let lines = plain(&render(&rows, width));
            let widths: Vec<_> = lines.iter().map(|l| text_width(l)).collect();
            assert!(widths.iter().all(|w| *w <= usize::from(width)), "{lines:?}");
            if width >= 24 {
                assert!(widths.windows(2).all(|w| w[0] == w[1]), "{lines:?}");
            }
        }
    }
}
