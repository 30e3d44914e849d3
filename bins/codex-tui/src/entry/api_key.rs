//! Typing or pasting an API key: a masked field, pre-filled from `OPENAI_API_KEY` when set.
//! The key itself is stored by the caller through the AuthManager; this screen only edits it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget as _};

use super::screen::{Screen, Step};
use super::style;

/// Longest key accepted: keys are about 200 characters; a megabyte paste is a mistake.
const MAX_KEY_CHARS: usize = 1024;

/// Characters of the key left visible at each end of the mask, so a user can tell which key
/// it is (`sk-p••••••x7Qa`).
const VISIBLE_HEAD: usize = 4;
const VISIBLE_TAIL: usize = 4;

/// What the screen ends with.
#[derive(Debug, PartialEq, Eq)]
pub enum ApiKeyOutcome {
    /// Store this key.
    Save(String),
    /// Back to the sign-in chooser.
    Back,
}

/// The API-key entry screen.
#[derive(Debug, Clone)]
pub struct ApiKeyEntry {
    key: String,
    prefilled: bool,
    error: Option<String>,
    auth_file: String,
}

impl ApiKeyEntry {
    /// An entry pre-filled with `prefill` (OPENAI_API_KEY) when given. `auth_file` is where
    /// the key will be stored, as shown to the user.
    pub fn new(prefill: Option<String>, auth_file: impl Into<String>) -> Self {
        Self {
            prefilled: prefill.is_some(),
            key: prefill.unwrap_or_default(),
            error: None,
            auth_file: auth_file.into(),
        }
    }

    /// Shows why storing the key failed.
    pub fn set_error(&mut self, error: impl Into<String>) {
        self.error = Some(error.into());
    }

    /// The key as the field shows it.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.key.chars().collect();
        if chars.len() <= VISIBLE_HEAD + VISIBLE_TAIL {
            return "•".repeat(chars.len());
        }
        let head: String = chars[..VISIBLE_HEAD].iter().collect();
        let tail: String = chars[chars.len() - VISIBLE_TAIL..].iter().collect();
        let hidden = (chars.len() - VISIBLE_HEAD - VISIBLE_TAIL).min(40);
        format!("{head}{}{tail}", "•".repeat(hidden))
    }

    fn insert(&mut self, text: &str) {
        for c in text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
        {
            if self.key.chars().count() >= MAX_KEY_CHARS {
                break;
            }
            self.key.push(c);
        }
        self.error = None;
    }
}

impl Screen for ApiKeyEntry {
    type Output = ApiKeyOutcome;
    type Message = ();

    fn handle_key(&mut self, key: KeyEvent) -> Step<ApiKeyOutcome> {
        match key.code {
            KeyCode::Esc => return Step::Done(ApiKeyOutcome::Back),
            KeyCode::Enter => {
                if self.key.is_empty() {
                    self.error = Some("Type or paste an API key first.".to_owned());
                    return Step::Stay;
                }
                return Step::Done(ApiKeyOutcome::Save(self.key.clone()));
            }
            KeyCode::Backspace | KeyCode::Char('u')
                if key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                self.key.clear();
            }
            KeyCode::Backspace => {
                self.key.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.insert(c.encode_utf8(&mut [0; 4]));
            }
            _ => {}
        }
        Step::Stay
    }

    fn handle_message(&mut self, (): ()) -> Step<ApiKeyOutcome> {
        Step::Stay
    }

    fn paste(&mut self, text: &str) {
        self.insert(text);
    }

    fn render(&self, area: Rect, buf: &mut Buffer) {
        let [top, field, bottom] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(area);
        style::render_text(
            vec![Line::default(), style::title("Provide your own API key")],
            top,
            buf,
        );
        let [_, field] =
            Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(field);
        let shown = if self.key.is_empty() {
            Line::styled("sk-...", style::dim())
        } else {
            Line::from(self.masked())
        };
        Paragraph::new(shown)
            .block(Block::bordered().title(" API key "))
            .render(field, buf);

        let mut lines = Vec::new();
        if let Some(error) = &self.error {
            lines.push(style::error(error));
        }
        if self.prefilled {
            lines.push(Line::from(
                "Filled in from OPENAI_API_KEY in your environment; Enter uses it.",
            ));
        }
        lines.push(style::hint(&format!(
            "The key is stored in {}, readable only by you.",
            self.auth_file
        )));
        lines.push(style::hint(
            "Enter to save · Esc to go back · Ctrl-U to clear",
        ));
        style::render_text(lines, bottom, buf);
    }
}
