//! Drawing the picker: a title, the search line, a header, the rows that fit, a status line
//! and the key hints. Columns shrink with the width: the branch goes first, then the count.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use super::state::{Picker, Row};
use crate::entry::style;

/// Lines above the rows (title, search, header) and below them (status, hints).
const CHROME_ABOVE: u16 = 3;
const CHROME_BELOW: u16 = 2;

const UPDATED_WIDTH: usize = 15;
const BRANCH_WIDTH: usize = 14;
const COUNT_WIDTH: usize = 6;
const DIR_WIDTH: usize = 18;

pub(super) fn render(picker: &Picker, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let show_branch = width >= 70;
    let show_count = width >= 45;
    let show_dir = picker.all_dirs && width >= 90;

    let scope = if picker.all_dirs {
        "from all directories (Tab: this directory only)".to_owned()
    } else {
        format!("in {} (Tab: all directories)", picker.cwd.display())
    };
    let mut lines = vec![Line::from(vec![
        Span::from("Resume a session ").bold(),
        Span::styled(scope, style::dim()),
    ])];
    lines.push(if picker.query.is_empty() {
        style::hint("Type to search")
    } else {
        Line::from(vec![
            Span::from("Search: "),
            Span::from(picker.query.clone()).cyan(),
        ])
    });
    let mut header = format!("  {}", pad("Updated", UPDATED_WIDTH));
    if show_branch {
        header.push_str(&pad("Branch", BRANCH_WIDTH));
    }
    if show_count {
        header.push_str(&pad_left("Msgs", COUNT_WIDTH - 1));
        header.push(' ');
    }
    if show_dir {
        header.push_str(&pad("Directory", DIR_WIDTH));
    }
    header.push_str("Conversation");
    lines.push(Line::styled(
        header,
        style::dim().add_modifier(Modifier::BOLD),
    ));

    let rows_area = area.height.saturating_sub(CHROME_ABOVE + CHROME_BELOW);
    let visible = usize::from(rows_area).max(1);
    picker.visible.set(visible);
    let mut top = picker.top.get();
    if picker.selected < top {
        top = picker.selected;
    } else if picker.selected >= top + visible {
        top = picker.selected + 1 - visible;
    }
    picker.top.set(top);

    for (offset, &index) in picker.matches.iter().skip(top).take(visible).enumerate() {
        let selected = top + offset == picker.selected;
        lines.push(row_line(
            &picker.rows[index],
            picker.now,
            width,
            selected,
            (show_branch, show_count, show_dir),
        ));
    }
    let shown = picker.matches.len().saturating_sub(top).min(visible);
    for _ in shown..visible {
        lines.push(Line::default());
    }
    if let Some(blank) = (shown == 0).then(|| lines.len() - visible) {
        lines[blank] = Line::styled(empty_message(picker), style::dim());
    }

    lines.push(status_line(picker));
    lines.push(style::hint(if width >= 90 {
        "enter resume · esc new session · tab all/this directory · ↑/↓ pgup/pgdn browse · ctrl+c quit"
    } else {
        "enter resume · esc new · tab dirs · ctrl+c quit"
    }));
    Paragraph::new(lines).render(area, buf);
}

fn empty_message(picker: &Picker) -> String {
    if let Some(error) = &picker.error {
        return format!("  Cannot list sessions: {error}");
    }
    if picker.loading || (!picker.exhausted && !picker.query.is_empty()) {
        return "  Loading sessions...".to_owned();
    }
    if !picker.query.is_empty() {
        return format!("  No session matches \"{}\"", picker.query);
    }
    if picker.all_dirs {
        "  No sessions yet. Esc starts a new one.".to_owned()
    } else {
        "  No sessions in this directory yet. Tab shows all directories; Esc starts a new one."
            .to_owned()
    }
}

fn status_line(picker: &Picker) -> Line<'static> {
    let sessions = |n: usize| if n == 1 { "session" } else { "sessions" };
    let mut text = if picker.query.is_empty() {
        format!("{} {}", picker.rows.len(), sessions(picker.rows.len()))
    } else {
        let matching = if picker.matches.len() == 1 {
            "matches"
        } else {
            "match"
        };
        format!(
            "{} of {} {} {matching}",
            picker.matches.len(),
            picker.rows.len(),
            sessions(picker.rows.len())
        )
    };
    if !picker.exhausted {
        text.push_str(if picker.loading {
            " · loading more..."
        } else {
            " · more below"
        });
    }
    if !picker.matches.is_empty() {
        text = format!("{}/{} · {text}", picker.selected + 1, picker.matches.len());
    }
    style::hint(&text)
}

fn row_line(
    row: &Row,
    now: DateTime<Utc>,
    width: usize,
    selected: bool,
    (show_branch, show_count, show_dir): (bool, bool, bool),
) -> Line<'static> {
    let marker = if selected { "> " } else { "  " };
    let mut spans = vec![
        Span::from(marker),
        Span::from(pad(&time_ago(now, row.summary.updated), UPDATED_WIDTH)),
    ];
    let mut used = 2 + UPDATED_WIDTH;
    if show_branch {
        let branch = row.summary.git_branch.as_deref().unwrap_or("-");
        spans.push(Span::from(pad(&truncate(branch, BRANCH_WIDTH - 1), BRANCH_WIDTH)).magenta());
        used += BRANCH_WIDTH;
    }
    if show_count {
        let count = row
            .messages
            .map_or_else(|| "…".to_owned(), |n| n.to_string());
        spans.push(Span::styled(
            format!("{} ", pad_left(&count, COUNT_WIDTH - 1)),
            style::dim(),
        ));
        used += COUNT_WIDTH;
    }
    if show_dir {
        let dir = row.summary.cwd.file_name().map_or_else(
            || row.summary.cwd.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        spans.push(Span::styled(
            pad(&truncate(&dir, DIR_WIDTH - 1), DIR_WIDTH),
            style::dim(),
        ));
        used += DIR_WIDTH;
    }
    let room = width.saturating_sub(used);
    let preview = one_line(&row.summary.preview);
    match &row.name {
        Some(name) => {
            let name = truncate(name, room);
            let rest = room.saturating_sub(name.width() + 3);
            spans.push(Span::from(name).bold());
            if rest > 0 {
                spans.push(Span::styled(
                    format!(" · {}", truncate(&preview, rest)),
                    style::dim(),
                ));
            }
        }
        None => spans.push(Span::from(truncate(&preview, room))),
    }
    let line = Line::from(spans);
    if selected {
        line.style(Style::new().cyan().add_modifier(Modifier::BOLD))
    } else {
        line
    }
}

/// The first line of a prompt, runs of whitespace collapsed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to `width` columns, with `…` when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

fn pad_left(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{}{text}", " ".repeat(fill))
}

/// "3 minutes ago", "just now", "2 days ago".
pub(crate) fn time_ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let (n, unit) = match secs {
        0..=9 => return "just now".to_owned(),
        10..=59 => (secs, "second"),
        60..=3_599 => (secs / 60, "minute"),
        3_600..=86_399 => (secs / 3_600, "hour"),
        86_400..=2_591_999 => (secs / 86_400, "day"),
        2_592_000..=31_535_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn times_read_naturally_and_text_is_cut_by_columns() {
        let now = Utc::now();
        let ago = |secs| time_ago(now, now - TimeDelta::seconds(secs));
        assert_eq!(ago(3), "just now");
        assert_eq!(ago(61), "1 minute ago");
        assert_eq!(ago(7_200), "2 hours ago");
        assert_eq!(ago(86_400 * 3), "3 days ago");
        assert_eq!(time_ago(now, now + TimeDelta::seconds(30)), "just now");
        assert_eq!(truncate("hello world", 8), "hello w…");
        assert_eq!(truncate("日本語のテキスト", 7), "日本語…");
        assert_eq!(truncate("short", 8), "short");
    }
}
