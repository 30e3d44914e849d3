//! The inline screen: a viewport at the bottom of the terminal's main buffer, with finished
//! history written above it into the terminal's own scrollback.
//!
//! Lines reach the scrollback only by scrolling the *whole* screen (a line feed on the last
//! row), never a partial scroll region: terminals save what a full-screen scroll pushes off
//! the top, while several drop what a region scroll pushes out (Windows Terminal, xterm.js,
//! QTerminal). Inserting history therefore clears the viewport, writes the lines where it
//! was, lets the screen scroll as needed and repaints the viewport below them. A line once
//! written is never redrawn.
//!
//! The terminal's cursor is parked, hidden, at the viewport's first row between frames, so
//! after a resize (when the terminal may have reflowed everything) its position says where
//! the viewport now starts.

use std::io;

use ratatui::backend::{Backend, ClearType};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::screen::wrap::wrap_lines;

/// The viewport and what the terminal shows of it.
pub(crate) struct InlineScreen<B: Backend> {
    backend: B,
    size: Size,
    /// The viewport's first row.
    top: u16,
    /// What the terminal shows in the viewport now (its area is the viewport).
    shown: Buffer,
    /// Paint colours (false under `NO_COLOR`).
    color: bool,
}

/// A backend's error as an I/O error.
fn io_err<E: std::error::Error + Send + Sync + 'static>(e: E) -> io::Error {
    io::Error::other(e)
}

impl<B: Backend> InlineScreen<B>
where
    B::Error: Send + Sync + 'static,
{
    /// A viewport starting at `start_row` (where the cursor was when the UI started).
    pub(crate) fn new(mut backend: B, start_row: u16, color: bool) -> io::Result<Self> {
        let size = backend.size().map_err(io_err)?;
        backend.hide_cursor().map_err(io_err)?;
        let top = start_row.min(size.height.saturating_sub(1));
        Ok(Self {
            backend,
            size,
            top,
            shown: Buffer::empty(Rect::new(0, top, size.width, 0)),
            color,
        })
    }

    /// The backend (tests look at what it shows).
    #[cfg(test)]
    pub(crate) fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, mutably (the app writes OSC notifications through it).
    pub(crate) fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// The terminal's size as last seen.
    pub(crate) fn size(&self) -> Size {
        self.size
    }

    /// Writes finished history lines (logical lines, wrapped here at the terminal width) above
    /// the viewport. The viewport is repainted by the next [`InlineScreen::draw`].
    pub(crate) fn insert_history(&mut self, lines: &[Line<'static>]) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let width = self.size.width.max(1);
        let rows = wrap_lines(lines, usize::from(width));
        let height = self.size.height.max(1);
        self.clear_from(self.top)?;
        let mut row = self.top;
        let mut line_buf = Buffer::empty(Rect::new(0, 0, width, 1));
        for line in &rows {
            if row >= height {
                self.scroll(1)?;
                row = height - 1;
            }
            line_buf.reset();
            line.clone().render(line_buf.area, &mut line_buf);
            if !self.color {
                strip_colors(&mut line_buf);
            }
            let cells = line_buf
                .content
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.symbol() != " " || c.bg != Color::Reset || !c.modifier.is_empty()
                })
                .map(|(x, c)| (u16::try_from(x).unwrap_or(u16::MAX), row, c));
            self.backend.draw(cells).map_err(io_err)?;
            row += 1;
        }
        self.top = row.min(height);
        self.shown = Buffer::empty(Rect::new(0, self.top, width, 0));
        self.backend.flush().map_err(io_err)
    }

    /// Paints the viewport `desired_height` rows tall (at most the screen) with `render`.
    /// Only cells that changed since the last frame are written.
    pub(crate) fn draw(
        &mut self,
        desired_height: u16,
        render: impl FnOnce(Rect, &mut Buffer),
    ) -> io::Result<()> {
        let screen_h = self.size.height.max(1);
        let height = desired_height.clamp(1, screen_h);
        let width = self.size.width;
        if height != self.shown.area.height || width != self.shown.area.width {
            // A new shape: clear the old viewport and everything below it, scroll up what has
            // to make room (history only: the viewport rows are blank now), repaint in full.
            self.clear_from(self.top)?;
            let bottom = u32::from(self.top) + u32::from(height);
            if bottom > u32::from(screen_h) {
                let excess = u16::try_from(bottom - u32::from(screen_h)).unwrap_or(screen_h);
                self.scroll(excess)?;
                self.top = self.top.saturating_sub(excess);
            }
            self.shown = Buffer::empty(Rect::new(0, self.top, width, height));
        }
        let area = self.shown.area;
        let mut next = Buffer::empty(area);
        render(area, &mut next);
        if !self.color {
            strip_colors(&mut next);
        }
        let changes = self.shown.diff(&next);
        if !changes.is_empty() {
            self.backend.draw(changes.into_iter()).map_err(io_err)?;
        }
        self.shown = next;
        self.park_cursor()?;
        self.backend.flush().map_err(io_err)
    }

    /// The terminal changed size. `cursor_row` is where the terminal says the cursor is now
    /// (it was parked at the viewport's first row, and the terminal moved it with the
    /// content when it reflowed); without it the viewport goes to the bottom.
    pub(crate) fn resized(&mut self, size: Size, cursor_row: Option<u16>) -> io::Result<()> {
        self.size = size;
        let screen_h = size.height.max(1);
        let fallback = screen_h.saturating_sub(self.shown.area.height.max(1));
        self.top = cursor_row.unwrap_or(fallback).min(screen_h - 1);
        // Whatever the reflow made of the old viewport goes; history above stays.
        self.clear_from(self.top)?;
        self.shown = Buffer::empty(Rect::new(0, self.top, size.width, 0));
        Ok(())
    }

    /// Clears the viewport and puts the cursor where the shell prompt should go after exit.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.clear_from(self.top)?;
        if self.top >= self.size.height {
            // History reached the last row: make a blank row for the shell below it.
            self.scroll(1)?;
            self.top = self.size.height.saturating_sub(1);
        }
        self.backend
            .set_cursor_position(Position::new(0, self.top))
            .map_err(io_err)?;
        self.backend.show_cursor().map_err(io_err)?;
        self.backend.flush().map_err(io_err)
    }

    fn clear_from(&mut self, row: u16) -> io::Result<()> {
        if row >= self.size.height {
            // Below the screen: nothing to clear.
            return Ok(());
        }
        self.backend
            .set_cursor_position(Position::new(0, row))
            .map_err(io_err)?;
        self.backend
            .clear_region(ClearType::AfterCursor)
            .map_err(io_err)
    }

    /// Scrolls the whole screen up `n` rows with line feeds on the last row, so the rows that
    /// leave the top go to the scrollback.
    fn scroll(&mut self, n: u16) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        let last = self.size.height.max(1) - 1;
        self.backend
            .set_cursor_position(Position::new(0, last))
            .map_err(io_err)?;
        self.backend.append_lines(n).map_err(io_err)
    }

    fn park_cursor(&mut self) -> io::Result<()> {
        self.backend
            .set_cursor_position(Position::new(0, self.top))
            .map_err(io_err)
    }
}

/// `NO_COLOR`: colours go, emphasis (bold, dim, reverse, underline) stays.
fn strip_colors(buf: &mut Buffer) {
    for cell in &mut buf.content {
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
        cell.underline_color = Color::Reset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;

    fn screen(w: u16, h: u16) -> InlineScreen<TestBackend> {
        match InlineScreen::new(TestBackend::new(w, h), 0, true) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    fn rows(buf: &Buffer) -> Vec<String> {
        let w = usize::from(buf.area.width);
        buf.content
            .chunks(w.max(1))
            .map(|row| {
                row.iter()
                    .map(ratatui::buffer::Cell::symbol)
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect()
    }

    /// Everything the terminal holds, scrollback first, without trailing blank rows.
    fn everything(s: &InlineScreen<TestBackend>) -> Vec<String> {
        let mut all = rows(s.backend().scrollback());
        all.extend(rows(s.backend().buffer()));
        while all.last().is_some_and(String::is_empty) {
            all.pop();
        }
        all
    }

    #[test]
    fn history_goes_above_the_viewport_and_into_scrollback_without_loss() {
        let mut s = screen(20, 6);
        s.draw(2, |area, buf| Line::from("composer").render(area, buf))
            .unwrap();
        for i in 0..10 {
            s.insert_history(&[Line::from(format!("line {i}"))])
                .unwrap();
            s.draw(2, |area, buf| Line::from("composer").render(area, buf))
                .unwrap();
        }
        let all = everything(&s);
        let expected: Vec<String> = (0..10)
            .map(|i| format!("line {i}"))
            .chain(["composer".to_owned()])
            .collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn a_growing_viewport_pushes_history_up_without_losing_it() {
        let mut s = screen(20, 5);
        s.insert_history(&[Line::from("a"), Line::from("b"), Line::from("c")])
            .unwrap();
        s.draw(1, |area, buf| Line::from("v").render(area, buf))
            .unwrap();
        s.draw(4, |area, buf| Line::from("v").render(area, buf))
            .unwrap();
        s.draw(2, |area, buf| Line::from("v").render(area, buf))
            .unwrap();
        s.insert_history(&[Line::from("d")]).unwrap();
        s.draw(2, |area, buf| Line::from("v").render(area, buf))
            .unwrap();
        assert_eq!(everything(&s), ["a", "b", "c", "d", "v"]);
    }

    #[test]
    fn long_history_lines_wrap_at_the_width() {
        let mut s = screen(10, 4);
        s.insert_history(&[Line::from("one two three four")])
            .unwrap();
        s.draw(1, |_, _| {}).unwrap();
        assert_eq!(everything(&s), ["one two", "three four"]);
    }
}
