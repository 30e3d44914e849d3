//! The viewport: the streaming answer's unfinished lines and running tools, the status line,
//! then the approval modal, a `/model` or `/approvals` list or the composer, then the footer
//! (or, under the composer, the `/` or `@` popup in its place).

use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::bottom::draw_lines;
use crate::cells::mcp::mcp_running;
use crate::cells::{answer_lines, styles};
use crate::screen::wrap::wrap_lines;

/// Below this the chat cannot be drawn usefully; it says so instead.
pub(crate) const MIN_WIDTH: u16 = 20;
/// See [`MIN_WIDTH`].
pub(crate) const MIN_HEIGHT: u16 = 5;
/// The composer grows to at most this many rows, then scrolls.
const COMPOSER_MAX_ROWS: u16 = 10;
/// Shown in an empty composer.
const PLACEHOLDER: &str = "Ask for a change, a fix or an explanation";

/// The viewport's parts at one width.
struct Parts {
    live: Vec<Line<'static>>,
    status: Option<Line<'static>>,
    modal: Option<Vec<Line<'static>>>,
    /// A `/model` or `/approvals` list in the composer's place.
    view_rows: Option<u16>,
    composer_rows: u16,
    /// The `/` or `@` popup under the composer (it takes the footer's place).
    popup_rows: u16,
    footer: Line<'static>,
}

impl App {
    fn parts(&self, width: u16, screen_height: u16) -> Parts {
        let w = usize::from(width);
        let mut live = Vec::new();
        let tail = self.stream.tail();
        // The open line of an answer whose first lines are already history goes on right
        // under them; a gap there would open and close as each line completes.
        let continues_history = self.answer_open && !tail.is_empty();
        if !tail.is_empty() {
            live.extend(wrap_lines(&answer_lines(tail, !self.answer_open), w));
        }
        let tail_rows = live.len();
        let spinner = self.settings.animations.then_some(self.spinner);
        for cell in &self.running_execs {
            live.extend(wrap_lines(&cell.lines(spinner.unwrap_or(0)), w));
        }
        for (_, invocation) in &self.running_mcp {
            live.extend(wrap_lines(
                &mcp_running(invocation, spinner.unwrap_or(0)),
                w,
            ));
        }
        let status = self
            .turn
            .as_ref()
            .map(|t| t.line(spinner, t.elapsed_secs()));
        for note in &self.held_notes {
            live.extend(wrap_lines(note, w));
        }
        for message in &self.queued {
            let text = crate::cells::safe(message).replace('\n', " ");
            live.extend(wrap_lines(
                &[Line::from(Span::styled(
                    format!("  ↳ {text}"),
                    styles::dim(),
                ))],
                w,
            ));
        }
        // A blank line between the history and what is still happening.
        let separated_at = if continues_history { tail_rows } else { 0 };
        let more_below = live.len() > separated_at || status.is_some();
        if self.any_cell && more_below {
            live.insert(separated_at, Line::default());
        }
        let modal = self.modal.as_ref().map(|m| wrap_lines(&m.lines(), w));
        let composer_rows = self.composer.desired_height(width, COMPOSER_MAX_ROWS);
        let mut parts = Parts {
            live,
            status,
            modal,
            view_rows: self.slash_view_rows(),
            composer_rows,
            popup_rows: self.popup_rows(),
            footer: self.footer(),
        };
        // Too tall: the live lines give way first (their tail stays), then the modal's top.
        let fixed = parts.fixed_rows();
        let room = usize::from(screen_height).saturating_sub(fixed);
        if parts.live.len() > room {
            let cut = parts.live.len() - room;
            parts.live.drain(..cut);
        }
        parts
    }

    fn footer(&self) -> Line<'static> {
        let hint = if self.quit_armed.is_some() {
            "ctrl + c again to quit".to_owned()
        } else if self.modal.is_some() {
            "answer the question above to go on".to_owned()
        } else if self.working() {
            "esc interrupt · enter queues a message · ctrl+j newline".to_owned()
        } else {
            "enter send · ctrl+j newline · ctrl+c quit".to_owned()
        };
        let mut spans = vec![Span::styled(format!("  {hint}"), styles::dim())];
        let used = self.usage.input_plus_output();
        if used > 0 {
            spans.push(Span::styled(
                format!(" · {} tokens used", crate::exit_summary::thousands(used)),
                styles::dim(),
            ));
        }
        Line::from(spans)
    }

    /// Rows the viewport wants at this terminal size.
    pub(crate) fn desired_height(&self, size: Size) -> u16 {
        if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
            return 1;
        }
        let parts = self.parts(size.width, size.height);
        let rows = parts.live.len() + parts.fixed_rows();
        u16::try_from(rows).unwrap_or(u16::MAX).min(size.height)
    }

    /// Draws the viewport into `area` of `buf`.
    pub(crate) fn render(&self, area: Rect, buf: &mut Buffer, screen_height: u16) {
        if area.width < MIN_WIDTH || screen_height < MIN_HEIGHT {
            let msg = format!("too small: {MIN_WIDTH}×{MIN_HEIGHT} at least");
            buf.set_stringn(
                area.x,
                area.y,
                msg,
                usize::from(area.width),
                styles::warning(),
            );
            return;
        }
        let parts = self.parts(area.width, screen_height);
        let mut y = area.y;
        let bottom = area.y + area.height;
        let mut put = |lines: &[Line<'_>], y: &mut u16| {
            let rows = u16::try_from(lines.len())
                .unwrap_or(u16::MAX)
                .min(bottom - *y);
            draw_lines(lines, Rect::new(area.x, *y, area.width, rows), buf);
            *y += rows;
        };
        put(&parts.live, &mut y);
        if let Some(status) = &parts.status {
            put(std::slice::from_ref(status), &mut y);
        }
        put(&[Line::default()], &mut y);
        if let Some(modal) = &parts.modal {
            put(modal, &mut y);
        } else if let Some(view_rows) = parts.view_rows {
            let rows = view_rows.min(bottom.saturating_sub(y));
            self.render_slash_view(Rect::new(area.x, y, area.width, rows), buf);
            return;
        } else {
            let rows = parts.composer_rows.min(bottom.saturating_sub(y + 1));
            self.composer.render(
                Rect::new(area.x, y, area.width, rows),
                buf,
                Some(PLACEHOLDER),
            );
            y += rows;
            if parts.popup_rows > 0 {
                let rows = parts.popup_rows.min(bottom.saturating_sub(y));
                self.render_popup(Rect::new(area.x, y, area.width, rows), buf);
                return;
            }
        }
        if y < bottom {
            buf.set_line(area.x, y, &parts.footer, area.width);
        }
    }
}

impl Parts {
    /// Rows besides the live lines: status, a gap, modal or composer, footer.
    fn fixed_rows(&self) -> usize {
        let bottom = match (&self.modal, self.view_rows) {
            // The modal and the list end with their own key hints: no footer.
            (Some(lines), _) => lines.len() + 1,
            (None, Some(rows)) => usize::from(rows),
            // The popup takes the footer's place.
            (None, None) => usize::from(self.composer_rows) + usize::from(self.popup_rows.max(1)),
        };
        usize::from(self.status.is_some()) + 1 + bottom
    }
}
