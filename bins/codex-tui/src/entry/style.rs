//! The few text styles the entry screens share, and the numbered-choice list they all use.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _, Wrap};

/// Dimmed helper text (key hints, explanations).
pub(crate) fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

/// A screen's title line.
pub(crate) fn title(text: &str) -> Line<'static> {
    Line::from(Span::from(text.to_owned()).bold())
}

/// An error line: what went wrong and what to do.
pub(crate) fn error(text: &str) -> Line<'static> {
    Line::from(Span::from(format!("✗ {text}")).red())
}

/// A success line.
pub(crate) fn success(text: &str) -> Line<'static> {
    Line::from(Span::from(format!("✓ {text}")).green())
}

/// A key-hint footer, dimmed.
pub(crate) fn hint(text: &str) -> Line<'static> {
    Line::from(Span::styled(text.to_owned(), dim()))
}

/// One numbered choice (`> 1. Label`) and its description below it.
pub(crate) fn choice(
    number: usize,
    label: &str,
    description: &str,
    selected: bool,
) -> [Line<'static>; 2] {
    let marker = if selected { "> " } else { "  " };
    let head = format!("{marker}{number}. {label}");
    let head = if selected {
        Line::from(Span::from(head).cyan().bold())
    } else {
        Line::from(head)
    };
    [head, hint(&format!("     {description}"))]
}

/// Left margin of the entry screens' text, in columns.
const MARGIN: u16 = 2;

/// Draws `lines` wrapped at the width of `area` less a left margin, so wrapped lines keep
/// the indentation of the first.
pub(crate) fn render_text(lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
    let inner = Rect {
        x: area.x.saturating_add(MARGIN),
        width: area.width.saturating_sub(MARGIN),
        ..area
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
