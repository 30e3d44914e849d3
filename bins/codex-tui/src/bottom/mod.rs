//! The live bottom of the screen, below the history: the status line while a turn works and
//! the approval modal that replaces the composer when the agent asks.

pub(crate) mod approval;
pub(crate) mod status;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Draws lines top-down into `area` (already wrapped to its width); rows past the area are
/// cut.
pub(crate) fn draw_lines(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
    for (i, line) in lines.iter().enumerate() {
        let Ok(dy) = u16::try_from(i) else { break };
        if dy >= area.height {
            break;
        }
        buf.set_line(area.x, area.y + dy, line, area.width);
    }
}
