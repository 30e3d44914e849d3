//! Where each character of the composer goes on screen: rows after the `› ` prompt, broken at
//! newlines and at the width (by character, so the cursor position is exact).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

use crate::screen::wrap::char_width;

/// The prompt before the first row; later rows are indented as wide.
pub(crate) const PROMPT: &str = "› ";
const PROMPT_WIDTH: u16 = 2;

/// Positions of the text's characters.
pub(crate) struct Layout {
    /// (byte offset, char, row, column) of every visible character.
    pub(crate) cells: Vec<(usize, char, usize, u16)>,
    /// Row and column of the cursor.
    pub(crate) cursor: (usize, u16),
    /// Rows used.
    pub(crate) rows: usize,
}

pub(crate) fn layout(text: &str, cursor: usize, width: u16) -> Layout {
    let avail = width.saturating_sub(PROMPT_WIDTH).max(1);
    let mut cells = Vec::with_capacity(text.len());
    let (mut row, mut col) = (0usize, 0u16);
    let mut cursor_at = None;
    for (i, c) in text.char_indices() {
        if i == cursor {
            cursor_at = Some((row, col));
        }
        if c == '\n' {
            row += 1;
            col = 0;
            continue;
        }
        let w = u16::try_from(char_width(c)).unwrap_or(1);
        if col + w > avail {
            row += 1;
            col = 0;
        }
        cells.push((i, c, row, col));
        col += w;
    }
    let mut cursor_pos = cursor_at.unwrap_or((row, col));
    if cursor_pos.1 >= avail {
        cursor_pos = (cursor_pos.0 + 1, 0);
    }
    Layout {
        cells,
        cursor: cursor_pos,
        rows: (row + 1).max(cursor_pos.0 + 1),
    }
}

pub(crate) fn render(
    text: &str,
    cursor: usize,
    area: Rect,
    buf: &mut Buffer,
    placeholder: Option<&str>,
) {
    if area.height == 0 || area.width <= PROMPT_WIDTH {
        return;
    }
    let l = layout(text, cursor, area.width);
    // Scroll so the cursor row is the last visible one when it would be below.
    let visible = usize::from(area.height);
    let first = (l.cursor.0 + 1).saturating_sub(visible);
    buf.set_string(
        area.x,
        area.y,
        PROMPT,
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    );
    let x0 = area.x + PROMPT_WIDTH;
    if text.is_empty()
        && let Some(hint) = placeholder
    {
        buf.set_stringn(
            x0,
            area.y,
            hint,
            usize::from(area.width - PROMPT_WIDTH),
            Style::new().add_modifier(Modifier::DIM),
        );
    }
    for &(_, c, row, col) in &l.cells {
        if row < first || row >= first + visible {
            continue;
        }
        let y = area.y + u16::try_from(row - first).unwrap_or(0);
        if let Some(cell) = buf.cell_mut((x0 + col, y)) {
            cell.set_char(c);
        }
    }
    if l.cursor.0 >= first && l.cursor.0 < first + visible {
        let y = area.y + u16::try_from(l.cursor.0 - first).unwrap_or(0);
        if let Some(cell) = buf.cell_mut((x0 + l.cursor.1, y)) {
            cell.modifier.insert(Modifier::REVERSED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_width_and_newline() {
        let l = layout("abcdef\ngh", 9, 6);
        assert_eq!(l.rows, 3);
        assert_eq!(l.cursor, (2, 2));
    }

    #[test]
    fn cursor_at_a_full_row_moves_to_the_next() {
        let l = layout("abcd", 4, 6);
        assert_eq!(l.cursor, (1, 0));
        assert_eq!(l.rows, 2);
    }
}
