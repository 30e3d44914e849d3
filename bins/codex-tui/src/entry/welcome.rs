//! The first screen without a usable credential: a welcome and the ways to sign in, limited
//! by `forced_login_method`.

use codex_config::ForcedLoginMethod;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::screen::{Screen, Step};
use super::style;

/// A way to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInChoice {
    /// The ChatGPT browser flow (PKCE with a local callback server).
    ChatGpt,
    /// The ChatGPT device-code flow, for machines without a browser.
    DeviceCode,
    /// An API key typed or pasted.
    ApiKey,
}

impl SignInChoice {
    fn label(self) -> &'static str {
        match self {
            Self::ChatGpt => "Sign in with ChatGPT",
            Self::DeviceCode => "Sign in with a device code",
            Self::ApiKey => "Provide your own API key",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::ChatGpt => "Use your ChatGPT plan; a browser opens on this machine",
            Self::DeviceCode => "Use your ChatGPT plan from a browser on another device",
            Self::ApiKey => "Pay per use with a key from platform.openai.com",
        }
    }
}

/// The sign-in chooser.
#[derive(Debug, Clone)]
pub struct Welcome {
    choices: Vec<SignInChoice>,
    selected: usize,
    forced: Option<ForcedLoginMethod>,
    env_key_detected: bool,
    error: Option<String>,
}

impl Welcome {
    /// The choices `forced` allows. On a machine without a display (`headless`), the device
    /// code comes first. `env_key_detected`: OPENAI_API_KEY is set (said on screen; it only
    /// pre-fills the key choice).
    pub fn new(forced: Option<ForcedLoginMethod>, headless: bool, env_key_detected: bool) -> Self {
        let choices = match forced {
            Some(ForcedLoginMethod::Api) => vec![SignInChoice::ApiKey],
            Some(ForcedLoginMethod::Chatgpt) if headless => {
                vec![SignInChoice::DeviceCode, SignInChoice::ChatGpt]
            }
            Some(ForcedLoginMethod::Chatgpt) => {
                vec![SignInChoice::ChatGpt, SignInChoice::DeviceCode]
            }
            None if headless => vec![
                SignInChoice::DeviceCode,
                SignInChoice::ChatGpt,
                SignInChoice::ApiKey,
            ],
            None => vec![
                SignInChoice::ChatGpt,
                SignInChoice::DeviceCode,
                SignInChoice::ApiKey,
            ],
        };
        Self {
            choices,
            selected: 0,
            forced,
            env_key_detected,
            error: None,
        }
    }

    /// Shows why the last attempt failed (and what to do) above the choices.
    #[must_use]
    pub fn with_error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    /// The choices offered, in order.
    pub fn choices(&self) -> &[SignInChoice] {
        &self.choices
    }
}

impl Screen for Welcome {
    type Output = SignInChoice;
    type Message = ();

    fn handle_key(&mut self, key: KeyEvent) -> Step<SignInChoice> {
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(self.choices.len() - 1);
            }
            KeyCode::Enter => return Step::Done(self.choices[self.selected]),
            KeyCode::Char(c) => {
                if let Some(choice) = c
                    .to_digit(10)
                    .and_then(|n| (n as usize).checked_sub(1))
                    .and_then(|i| self.choices.get(i))
                {
                    return Step::Done(*choice);
                }
            }
            _ => {}
        }
        Step::Stay
    }

    fn handle_message(&mut self, (): ()) -> Step<SignInChoice> {
        Step::Stay
    }

    fn render(&self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![
            Line::default(),
            style::title("Welcome to Codex, a coding agent that works in your terminal"),
            Line::default(),
        ];
        if let Some(error) = &self.error {
            lines.push(style::error(error));
            lines.push(Line::default());
        }
        lines.push(Line::from("Sign in to start:"));
        lines.push(Line::default());
        for (i, choice) in self.choices.iter().enumerate() {
            lines.extend(style::choice(
                i + 1,
                choice.label(),
                choice.description(),
                i == self.selected,
            ));
        }
        lines.push(Line::default());
        match self.forced {
            Some(ForcedLoginMethod::Api) => lines.push(style::hint(
                "Your configuration (forced_login_method = \"api\") allows API keys only.",
            )),
            Some(ForcedLoginMethod::Chatgpt) => lines.push(style::hint(
                "Your configuration (forced_login_method = \"chatgpt\") allows ChatGPT sign-in only.",
            )),
            None => {}
        }
        if self.env_key_detected && self.choices.contains(&SignInChoice::ApiKey) {
            lines.push(style::hint(
                "OPENAI_API_KEY is set: the API key choice starts with it filled in.",
            ));
        }
        lines.push(style::hint(&format!(
            "Press 1-{} or ↑/↓ and Enter · Ctrl-C to quit",
            self.choices.len()
        )));
        style::render_text(lines, area, buf);
    }
}
