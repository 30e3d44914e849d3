//! The `/` popup: the commands whose names fit what is typed after the slash.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::command::{CommandSpec, SlashCommand, offered};

/// Rows shown at most; the selection scrolls through the rest.
const ROWS: usize = 8;

/// What a key did to the popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashKey {
    /// The popup used the key (moved the selection).
    Handled,
    /// Enter: run this command (the composer is cleared).
    Run(SlashCommand),
    /// Tab: complete the composer's text to `/name `.
    Complete(SlashCommand),
    /// Esc: close the popup, keep the text.
    Close,
    /// Not a popup key: the composer edits its text (then calls
    /// [`SlashPopup::set_filter`]).
    NotHandled,
}

/// The popup's state.
#[derive(Debug)]
pub struct SlashPopup {
    filter: String,
    logged_in: bool,
    shown: Vec<&'static CommandSpec>,
    selected: usize,
}

/// What is typed after the `/` of a composer holding `text`, while the popup belongs open:
/// the text starts with `/` and no space or newline has been typed yet.
pub fn slash_filter(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

impl SlashPopup {
    /// A popup listing every command offered (those needing a login only when signed in).
    pub fn new(logged_in: bool) -> Self {
        let mut popup = Self {
            filter: String::new(),
            logged_in,
            shown: Vec::new(),
            selected: 0,
        };
        popup.refilter();
        popup
    }

    /// Filters by what follows the `/`: names starting with it first, then names containing
    /// it, each in table order.
    pub fn set_filter(&mut self, filter: &str) {
        if filter != self.filter {
            filter.clone_into(&mut self.filter);
            self.refilter();
        }
    }

    fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        let offered: Vec<_> = offered(self.logged_in).collect();
        let mut shown: Vec<_> = offered
            .iter()
            .copied()
            .filter(|s| s.name.starts_with(&needle))
            .collect();
        shown.extend(
            offered
                .iter()
                .copied()
                .filter(|s| !s.name.starts_with(&needle) && s.name.contains(&needle)),
        );
        self.shown = shown;
        self.selected = 0;
    }

    /// The commands on show, in order.
    pub fn shown(&self) -> impl Iterator<Item = SlashCommand> + '_ {
        self.shown.iter().map(|s| s.command)
    }

    /// The highlighted command.
    pub fn selected(&self) -> Option<SlashCommand> {
        self.shown.get(self.selected).map(|s| s.command)
    }

    /// Up/Down (and Ctrl-P/Ctrl-N) move, Enter runs, Tab completes, Esc closes.
    pub fn handle_key(&mut self, key: KeyEvent) -> SlashKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.shown.len();
        let mut step = |delta: isize| {
            if n > 0 {
                self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
            }
            SlashKey::Handled
        };
        match key.code {
            KeyCode::Up => step(-1),
            KeyCode::Char('p') if ctrl => step(-1),
            KeyCode::Down => step(1),
            KeyCode::Char('n') if ctrl => step(1),
            KeyCode::Enter if key.modifiers.is_empty() => {
                self.selected().map_or(SlashKey::NotHandled, SlashKey::Run)
            }
            KeyCode::Tab => self
                .selected()
                .map_or(SlashKey::Handled, SlashKey::Complete),
            KeyCode::Esc => SlashKey::Close,
            _ => SlashKey::NotHandled,
        }
    }

    /// Rows the popup needs (one for "no matching commands").
    pub fn height(&self) -> u16 {
        self.shown.len().clamp(1, ROWS) as u16
    }
}

impl Widget for &SlashPopup {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.shown.is_empty() {
            let line = Line::from(Span::from("  no matching commands").italic().dim());
            if area.height > 0 {
                buf.set_line(area.x, area.y, &line, area.width);
            }
            return;
        }
        let name_width = self.shown.iter().map(|s| s.name.len()).max().unwrap_or(0) + 1;
        let first = self.selected.saturating_sub(ROWS - 1);
        let rows = self.shown.iter().enumerate().skip(first).take(ROWS);
        for (y, (i, spec)) in (area.y..area.bottom()).zip(rows) {
            let selected = i == self.selected;
            let style = if selected {
                Style::new().cyan().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let marker = if selected { "› " } else { "  " };
            let line = Line::from(vec![
                Span::styled(format!("{marker}/{:<name_width$} ", spec.name), style),
                Span::styled(spec.description, Style::new().dim()),
            ]);
            buf.set_line(area.x, y, &line, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(popup: &SlashPopup, width: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, popup.height())).unwrap();
        term.draw(|f| f.render_widget(popup, f.area())).unwrap();
        term.backend().to_string()
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn lists_every_command_in_codex_order() {
        let popup = SlashPopup::new(true);
        let names: Vec<_> = popup.shown().map(SlashCommand::name).collect();
        assert_eq!(
            names,
            [
                "model",
                "approvals",
                "new",
                "init",
                "compact",
                "diff",
                "mention",
                "status",
                "limits",
                "rename",
                "logout",
                "quit",
                "exit"
            ]
        );
        insta::assert_snapshot!("slash_popup_80", draw(&popup, 80));
        insta::assert_snapshot!("slash_popup_40", draw(&popup, 40));
    }

    #[test]
    fn filters_by_prefix_then_substring() {
        let mut popup = SlashPopup::new(true);
        popup.set_filter("e");
        let names: Vec<_> = popup.shown().map(SlashCommand::name).collect();
        assert_eq!(names, ["exit", "model", "new", "mention", "rename"]);
        popup.set_filter("st");
        assert_eq!(popup.selected(), Some(SlashCommand::Status));
        insta::assert_snapshot!("slash_popup_filtered", draw(&popup, 60));
        popup.set_filter("zzz");
        assert_eq!(popup.selected(), None);
        insta::assert_snapshot!("slash_popup_no_matches", draw(&popup, 60));
        assert_eq!(popup.handle_key(key(KeyCode::Enter)), SlashKey::NotHandled);
    }

    #[test]
    fn keys_select_run_complete_and_close() {
        let mut popup = SlashPopup::new(true);
        popup.set_filter("q");
        assert_eq!(
            popup.handle_key(key(KeyCode::Enter)),
            SlashKey::Run(SlashCommand::Quit)
        );
        popup.set_filter("");
        popup.handle_key(key(KeyCode::Up));
        assert_eq!(popup.selected(), Some(SlashCommand::Exit), "wraps around");
        popup.handle_key(key(KeyCode::Down));
        popup.handle_key(key(KeyCode::Down));
        assert_eq!(
            popup.handle_key(key(KeyCode::Tab)),
            SlashKey::Complete(SlashCommand::Approvals)
        );
        assert_eq!(popup.handle_key(key(KeyCode::Esc)), SlashKey::Close);
        // The selection scrolls: the ninth command brings the list down by one.
        for _ in 0..7 {
            popup.handle_key(key(KeyCode::Down));
        }
        assert_eq!(popup.selected(), Some(SlashCommand::Limits));
        insta::assert_snapshot!("slash_popup_scrolled", draw(&popup, 60));
    }

    #[test]
    fn the_filter_belongs_to_the_first_word_only() {
        assert_eq!(slash_filter("/sta"), Some("sta"));
        assert_eq!(slash_filter("/"), Some(""));
        assert_eq!(slash_filter("/status now"), None);
        assert_eq!(slash_filter("hi /status"), None);
    }
}
