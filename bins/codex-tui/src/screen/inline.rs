//! The inline screen: a viewport at the bottom of the terminal's main buffer, with finished
//! history written above it into the terminal's own scrollback.
//!
//! Lines reach the scrollback only by scrolling the *whole* screen (a line feed on the last
//! row), never a partial scroll region: terminals save what a full-screen scroll pushes off
//! the top, while several drop what a region scroll pushes out (Windows Terminal, xterm.js,
//! QTerminal). Inserting history therefore erases the viewport, writes the lines where it
//! was, one line feed after each (the screen scrolls as needed) and repaints the viewport
//! below them. A line once written is never redrawn.
//!
//! Everything is written relative to the cursor (see [`Surface`]), which rests, hidden, at
//! the start of the viewport's first row between frames. Terminals move the cursor with the
//! content when they resize or reflow, so that spot stays right even when a resize lands while
//! a frame is on its way: the frame's rows may then garble the viewport until the resize is
//! handled, but history rows are never addressed, so none is lost or overwritten.

use std::io;

use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::screen::surface::Surface;
use crate::screen::wrap::wrap_lines;

/// The viewport and what the terminal shows of it.
pub(crate) struct InlineScreen<S: Surface> {
    surface: S,
    size: Size,
    /// What the terminal shows in the viewport now; its area starts at (0, 0), the viewport's
    /// first row, where the cursor rests. Zero rows tall when nothing is shown.
    shown: Buffer,
    /// Paint colours (false under `NO_COLOR`).
    color: bool,
}

impl<S: Surface> InlineScreen<S> {
    /// A viewport starting on the cursor's row (the start of a fresh line).
    pub(crate) fn new(mut surface: S, color: bool) -> io::Result<Self> {
        let size = surface.size()?;
        surface.show_cursor(false)?;
        Ok(Self {
            surface,
            size,
            shown: Buffer::empty(Rect::new(0, 0, size.width, 0)),
            color,
        })
    }

    /// The surface (tests look at what it shows and resize it).
    #[cfg(test)]
    pub(crate) fn surface(&mut self) -> &mut S {
        &mut self.surface
    }

    /// The surface, as drawn so far.
    #[cfg(test)]
    pub(crate) fn surface_ref(&self) -> &S {
        &self.surface
    }

    /// The surface, mutably (the app writes synchronized updates and notifications through it).
    pub(crate) fn surface_mut(&mut self) -> &mut S {
        &mut self.surface
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
        self.surface.clear_to_end()?;
        let mut line_buf = Buffer::empty(Rect::new(0, 0, width, 1));
        for line in &rows {
            line_buf.reset();
            line.clone().render(line_buf.area, &mut line_buf);
            if !self.color {
                strip_colors(&mut line_buf);
            }
            self.surface.put_row(&line_buf.content)?;
            self.surface.next_row()?;
        }
        // The cursor is at the start of the row below the last line: the viewport's new top.
        self.shown = Buffer::empty(Rect::new(0, 0, width, 0));
        self.surface.flush()
    }

    /// Paints the viewport `desired_height` rows tall (at most the screen) with `render`.
    /// Only rows that changed since the last frame are written.
    pub(crate) fn draw(
        &mut self,
        desired_height: u16,
        render: impl FnOnce(Rect, &mut Buffer),
    ) -> io::Result<()> {
        let height = desired_height.clamp(1, self.size.height.max(1));
        let width = self.size.width;
        let area = Rect::new(0, 0, width, height);
        let mut next = Buffer::empty(area);
        render(area, &mut next);
        if !self.color {
            strip_colors(&mut next);
        }
        let reshaped = self.shown.area != area;
        if reshaped {
            // A new shape: erase the old viewport and repaint every row; the line feeds
            // between rows scroll history up into the scrollback when the viewport does not fit.
            self.surface.clear_to_end()?;
        }
        let row_width = usize::from(width).max(1);
        // A new shape repaints every row; the same shape only the rows that differ.
        let changed: Vec<bool> = if reshaped {
            vec![true; usize::from(height)]
        } else {
            next.content
                .chunks(row_width)
                .zip(self.shown.content.chunks(row_width))
                .map(|(new, old)| new != old)
                .collect()
        };
        if let Some(last) = changed.iter().rposition(|c| *c) {
            for (i, row) in next.content.chunks(row_width).enumerate().take(last + 1) {
                if changed[i] {
                    self.surface.put_row(row)?;
                }
                if i < last {
                    self.surface.next_row()?;
                }
            }
            self.surface
                .rows_up(u16::try_from(last).unwrap_or(u16::MAX))?;
        }
        self.shown = next;
        self.surface.flush()
    }

    /// The terminal changed size. The cursor is still at the viewport's first row (the
    /// terminal moved it with the content); whatever the reflow made of the viewport goes,
    /// and the next [`InlineScreen::draw`] paints it anew.
    pub(crate) fn resized(&mut self, size: Size) -> io::Result<()> {
        self.size = size;
        self.surface.clear_to_end()?;
        self.shown = Buffer::empty(Rect::new(0, 0, size.width, 0));
        Ok(())
    }

    /// Clears the viewport and leaves the cursor, shown, where the shell prompt goes after exit.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.surface.clear_to_end()?;
        self.surface.show_cursor(true)?;
        self.surface.flush()
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
    use crate::screen::test_surface::TestSurface;

    fn screen(w: u16, h: u16) -> InlineScreen<TestSurface> {
        match InlineScreen::new(TestSurface::new(w, h), true) {
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
    fn everything(s: &InlineScreen<TestSurface>) -> Vec<String> {
        let mut all = rows(&s.surface_ref().scrollback());
        all.extend(rows(&s.surface_ref().buffer()));
        while all.last().is_some_and(String::is_empty) {
            all.pop();
        }
        all
    }

    fn composer(s: &mut InlineScreen<TestSurface>, height: u16) {
        s.draw(height, |area, buf| Line::from("composer").render(area, buf))
            .unwrap();
    }

    #[test]
    fn history_goes_above_the_viewport_and_into_scrollback_without_loss() {
        let mut s = screen(20, 6);
        composer(&mut s, 2);
        for i in 0..10 {
            s.insert_history(&[Line::from(format!("line {i}"))])
                .unwrap();
            composer(&mut s, 2);
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

    #[test]
    fn a_resize_the_screen_has_not_seen_yet_loses_no_history() {
        // Shorter and taller, each landing before the app notices, while lines keep coming.
        for (width, height) in [(20, 4), (12, 3), (30, 12), (20, 8)] {
            let mut s = screen(20, 8);
            let mut next = 0;
            let mut write = |s: &mut InlineScreen<TestSurface>, n: usize| {
                for _ in 0..n {
                    s.insert_history(&[Line::from(format!("line {next:02}"))])
                        .unwrap();
                    composer(s, 3);
                    next += 1;
                }
            };
            write(&mut s, 10);
            s.surface().resize(width, height);
            // Frames drawn for the old size, then the resize handled.
            write(&mut s, 5);
            s.resized(Size::new(width, height)).unwrap();
            write(&mut s, 5);
            let all = everything(&s);
            for i in 0..20 {
                let line = format!("line {i:02}");
                assert_eq!(
                    all.iter().filter(|l| **l == line).count(),
                    1,
                    "{line} lost or repeated after a resize to {width}x{height}: {all:#?}"
                );
            }
            assert_eq!(all.last().map(String::as_str), Some("composer"), "{all:#?}");
        }
    }
}
