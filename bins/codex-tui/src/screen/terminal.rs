//! Raw mode and the terminal modes the chat needs, restored however the UI ends.

use std::io::{self, Write};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::{cursor, execute, terminal};

/// Puts the terminal in the chat's modes; [`Drop`] puts it back.
pub(crate) struct TerminalGuard {
    active: bool,
}

impl TerminalGuard {
    /// Raw mode, bracketed paste (a paste arrives as one event, never as typed keys that could
    /// submit), and the keyboard protocol that tells Shift+Enter from Enter where the terminal
    /// speaks it (others ignore the request). No mouse capture: the terminal's own selection
    /// and wheel keep working.
    pub(crate) fn enter() -> io::Result<Self> {
        terminal::enable_raw_mode()?;
        let guard = Self { active: true };
        let mut out = io::stdout();
        execute!(
            out,
            EnableBracketedPaste,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
        install_panic_restore();
        Ok(guard)
    }

    /// Restores the terminal now (before the exit summary is printed).
    pub(crate) fn leave(&mut self) {
        if self.active {
            restore();
            self.active = false;
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        self.leave();
    }
}

fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        PopKeyboardEnhancementFlags,
        DisableBracketedPaste,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// A panic must not leave the shell in raw mode.
fn install_panic_restore() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
