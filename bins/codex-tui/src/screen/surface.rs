//! What the inline screen draws on: a terminal addressed only relative to its cursor.
//!
//! Nothing here names a row. A resize can land at any moment, also after the app last looked
//! at the size and before the terminal has read what was written for that size; a row number
//! computed for the old size then lands somewhere else (below a new, higher bottom it is
//! clamped onto the last row, and rows overwrite each other). Relative writes cannot miss a
//! row: a line feed on the last row scrolls the whole screen into the scrollback, whatever the
//! size is by then.

use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveToColumn, MoveUp, Show};
use crossterm::queue;
use crossterm::style::{Attribute, Colors, Print, SetAttribute, SetColors, SetUnderlineColor};
use crossterm::terminal::{Clear, ClearType};
use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Cell;
use ratatui::layout::Size;
use ratatui::style::{Color, Modifier};

/// A terminal, written at its cursor.
pub(crate) trait Surface {
    /// The terminal's size now.
    fn size(&mut self) -> io::Result<Size>;
    /// Writes `cells` (one row of the screen's width) from the start of the cursor's row, then
    /// erases the rest of the row. Trailing blank cells are not written.
    fn put_row(&mut self, cells: &[Cell]) -> io::Result<()>;
    /// To the start of the next row; on the last row the whole screen scrolls up one row.
    fn next_row(&mut self) -> io::Result<()>;
    /// To the start of the row `n` rows up (the top row at most).
    fn rows_up(&mut self, n: u16) -> io::Result<()>;
    /// Erases from the start of the cursor's row to the end of the screen.
    fn clear_to_end(&mut self) -> io::Result<()>;
    /// Shows or hides the cursor.
    fn show_cursor(&mut self, shown: bool) -> io::Result<()>;
    /// Sends what was written.
    fn flush(&mut self) -> io::Result<()>;
}

/// A real terminal: escape sequences on a writer (stdout).
pub(crate) struct TerminalSurface<W: Write> {
    out: W,
    /// The size to report instead of asking the terminal (the bench writes to a sink).
    fixed_size: Option<Size>,
}

impl<W: Write> TerminalSurface<W> {
    pub(crate) fn new(out: W) -> Self {
        Self {
            out,
            fixed_size: None,
        }
    }

    /// A surface of `size` that never asks a terminal.
    pub(crate) fn with_size(out: W, size: Size) -> Self {
        Self {
            out,
            fixed_size: Some(size),
        }
    }

    /// The writer, for what the screen does not draw (synchronized updates, notifications).
    pub(crate) fn writer(&mut self) -> &mut W {
        &mut self.out
    }
}

impl<W: Write> Surface for TerminalSurface<W> {
    fn size(&mut self) -> io::Result<Size> {
        if let Some(size) = self.fixed_size {
            return Ok(size);
        }
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size::new(width, height))
    }

    fn put_row(&mut self, cells: &[Cell]) -> io::Result<()> {
        queue!(self.out, MoveToColumn(0))?;
        let mut style: Option<(Color, Color, Color, Modifier)> = None;
        let mut skip = 0usize;
        for cell in trimmed(cells) {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let wanted = (cell.fg, cell.bg, cell.underline_color, cell.modifier);
            if style != Some(wanted) {
                queue!(
                    self.out,
                    SetAttribute(Attribute::Reset),
                    SetColors(Colors::new(
                        cell.fg.into_crossterm(),
                        cell.bg.into_crossterm()
                    )),
                    SetUnderlineColor(cell.underline_color.into_crossterm()),
                )?;
                for attribute in attributes(cell.modifier) {
                    queue!(self.out, SetAttribute(attribute))?;
                }
                style = Some(wanted);
            }
            let symbol = cell.symbol();
            queue!(self.out, Print(symbol))?;
            skip = crate::screen::wrap::str_width(symbol).saturating_sub(1);
        }
        queue!(self.out, SetAttribute(Attribute::Reset))?;
        // After the last column the cursor waits there to wrap, and an erase would take that
        // column's character with it: a full row has nothing to erase anyway. The reset above
        // comes first because an erase paints with the current background.
        if trimmed(cells).len() < cells.len() {
            queue!(self.out, Clear(ClearType::UntilNewLine))?;
        }
        Ok(())
    }

    fn next_row(&mut self) -> io::Result<()> {
        self.out.write_all(b"\r\n")
    }

    fn rows_up(&mut self, n: u16) -> io::Result<()> {
        if n > 0 {
            queue!(self.out, MoveUp(n))?;
        }
        queue!(self.out, MoveToColumn(0))
    }

    fn clear_to_end(&mut self) -> io::Result<()> {
        queue!(self.out, MoveToColumn(0), Clear(ClearType::FromCursorDown))
    }

    fn show_cursor(&mut self, shown: bool) -> io::Result<()> {
        if shown {
            queue!(self.out, Show)
        } else {
            queue!(self.out, Hide)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `cells` without the blank, unstyled cells at the end.
pub(crate) fn trimmed(cells: &[Cell]) -> &[Cell] {
    let end = cells
        .iter()
        .rposition(|c| c.symbol() != " " || c.bg != Color::Reset || !c.modifier.is_empty())
        .map_or(0, |i| i + 1);
    &cells[..end]
}

/// The terminal attributes that draw `modifier`.
fn attributes(modifier: Modifier) -> impl Iterator<Item = Attribute> {
    [
        (Modifier::BOLD, Attribute::Bold),
        (Modifier::DIM, Attribute::Dim),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink),
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::HIDDEN, Attribute::Hidden),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
    ]
    .into_iter()
    .filter(move |(flag, _)| modifier.contains(*flag))
    .map(|(_, attribute)| attribute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn row_bytes(text: &str, width: u16) -> String {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 1));
        buf.set_string(0, 0, text, Style::default());
        let mut surface = TerminalSurface::with_size(Vec::new(), Size::new(width, 1));
        surface.put_row(&buf.content).unwrap();
        String::from_utf8(surface.out).unwrap()
    }

    #[test]
    fn rows_are_written_at_the_cursor_and_a_full_row_is_not_erased_after() {
        let short = row_bytes("hi", 5);
        assert!(short.starts_with("\x1b[1G"), "{short:?}");
        assert!(
            short.contains("hi") && short.ends_with("\x1b[K"),
            "{short:?}"
        );
        // No absolute position anywhere (CUP is `ESC [ row ; col H`).
        assert!(!short.contains('H'), "{short:?}");
        let full = row_bytes("hello", 5);
        assert!(full.contains("hello"), "{full:?}");
        assert!(!full.contains("\x1b[K"), "{full:?}");
    }
}
