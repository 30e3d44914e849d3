//! What the two output modes have in common.

use std::io::IsTerminal;

use codex_cli::exec::Color;
use codex_protocol::protocol::{EventMsg, SessionConfiguredEvent};

/// Renders a conversation's events.
pub(crate) trait EventSink {
    /// The session is ready; `prompt` is what the user asked.
    fn session_configured(&mut self, event: &SessionConfiguredEvent, prompt: &str);
    /// One event.
    fn event(&mut self, msg: EventMsg);
    /// The run is over.
    fn finish(&mut self, failed: bool);
}

/// ANSI colouring, on or off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    enabled: bool,
}

impl Style {
    /// Colours stderr per `--color`, honouring `NO_COLOR` in auto mode.
    pub(crate) fn for_stderr(color: Color) -> Self {
        let enabled = match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Self { enabled }
    }

    /// `text`, sanitised (it may come from the model), in colour when enabled. The only
    /// escape sequences in human output are the ones added here.
    pub(crate) fn paint(self, text: &str, code: &str) -> String {
        let text = codex_safe_text::sanitize(text);
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.into_owned()
        }
    }
}
