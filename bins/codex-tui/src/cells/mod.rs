//! History cells: what the transcript shows for each thing that happened, as logical lines
//! (wrapped only when written to the terminal).
//!
//! Every string that came from the model, a tool or a command passes through
//! [`codex_safe_text`] before it becomes a span: the terminal shows escape sequences, it does
//! not obey them.

pub(crate) mod exec;
pub(crate) mod mcp;
pub(crate) mod patch;
pub(crate) mod plan;

use std::path::Path;

use codex_protocol::protocol::SessionConfiguredEvent;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::markdown::render_markdown;

/// Untrusted text, safe for the terminal.
pub(crate) fn safe(text: &str) -> String {
    codex_safe_text::sanitize(text).into_owned()
}

/// The styles cells share.
pub(crate) mod styles {
    use super::{Color, Modifier, Style};

    pub(crate) fn dim() -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    pub(crate) fn bold() -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub(crate) fn ok() -> Style {
        Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    pub(crate) fn failed() -> Style {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub(crate) fn error() -> Style {
        Style::new().fg(Color::Red)
    }
    pub(crate) fn warning() -> Style {
        Style::new().fg(Color::Yellow)
    }
    pub(crate) fn accent() -> Style {
        Style::new().fg(Color::Cyan)
    }
    pub(crate) fn added() -> Style {
        Style::new().fg(Color::Green)
    }
    pub(crate) fn removed() -> Style {
        Style::new().fg(Color::Red)
    }
}

/// `path` relative to `cwd` when it is inside it.
pub(crate) fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let text = shown.display().to_string();
    safe(if text.is_empty() { "." } else { &text })
}

/// The session card printed first: version, model, directory, policies.
pub(crate) fn session_header(event: &SessionConfiguredEvent) -> Vec<Line<'static>> {
    let label = |name: &str| Span::styled(format!("  {name:<10} "), styles::dim());
    let mut lines = vec![
        Line::from(vec![
            Span::styled(">_ ", styles::accent()),
            Span::styled("Codex", styles::bold()),
            Span::styled(format!(" (v{})", env!("CARGO_PKG_VERSION")), styles::dim()),
        ]),
        Line::from(vec![
            label("model:"),
            Span::raw(safe(&event.model)),
            Span::styled(
                format!("  via {}", safe(&event.model_provider)),
                styles::dim(),
            ),
        ]),
        Line::from(vec![
            label("directory:"),
            Span::raw(safe(&event.cwd.display().to_string())),
        ]),
        Line::from(vec![
            label("approval:"),
            Span::raw(event.approval_policy.to_string()),
            Span::styled("   sandbox: ", styles::dim()),
            Span::raw(event.sandbox_policy.mode().to_string()),
        ]),
    ];
    if event.resumed_items > 0 {
        lines.push(Line::from(vec![
            label("resumed:"),
            Span::raw(format!(
                "session {} ({} items)",
                event.session_id, event.resumed_items
            )),
        ]));
    }
    lines
}

/// What the user sent.
pub(crate) fn user_message(text: &str) -> Vec<Line<'static>> {
    let style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    safe(text)
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let prefix = if i == 0 {
                Span::styled("› ", style)
            } else {
                Span::raw("  ")
            };
            Line::from(vec![prefix, Span::raw(line.to_owned())])
        })
        .collect()
}

/// Prefixes an answer's lines: `• ` before its first line, two spaces before the rest.
pub(crate) fn answer_lines(lines: Vec<Line<'static>>, first: bool) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, mut line)| {
            let prefix = if first && i == 0 { "• " } else { "  " };
            if line.spans.is_empty() {
                return line;
            }
            line.spans.insert(0, Span::raw(prefix));
            line
        })
        .collect()
}

/// A reasoning summary: markdown, dimmed and in italics, under a dim bullet.
pub(crate) fn reasoning(text: &str) -> Vec<Line<'static>> {
    let body = render_markdown(&safe(text));
    let dimmed: Vec<Line<'static>> = body
        .into_iter()
        .map(|line| line.patch_style(styles::dim().add_modifier(Modifier::ITALIC)))
        .collect();
    answer_lines(dimmed, true)
        .into_iter()
        .map(|mut line| {
            if let Some(first) = line.spans.first_mut() {
                first.style = first.style.patch(styles::dim());
            }
            line
        })
        .collect()
}

/// A failure: red `■` line.
pub(crate) fn error(message: &str) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = safe(message)
        .split('\n')
        .map(|l| Line::from(Span::styled(format!("  {l}"), styles::error())))
        .collect();
    if let Some(first) = lines.first_mut() {
        let text: String = first.spans.iter().map(|s| s.content.as_ref()).collect();
        *first = Line::from(Span::styled(
            format!("■ {}", text.trim_start()),
            styles::error(),
        ));
    }
    lines
}

/// A notice the user waits on or should know (a retry, a warning): yellow.
pub(crate) fn warning(message: &str) -> Vec<Line<'static>> {
    vec![Line::from(Span::styled(
        format!("⚠ {}", safe(message)),
        styles::warning(),
    ))]
}

/// Background information: dim.
pub(crate) fn info(message: &str) -> Vec<Line<'static>> {
    safe(message)
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            Line::from(Span::styled(
                format!("{}{l}", if i == 0 { "• " } else { "  " }),
                styles::dim(),
            ))
        })
        .collect()
}

/// The text of lines, one string per line (for tests).
#[cfg(test)]
pub(crate) fn plain(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}
