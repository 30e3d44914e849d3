//! The terminal while the entry screens run: raw mode with bracketed paste, either inline in
//! the main buffer filling the screen (onboarding, the trust prompt) or in the alternate screen
//! (the resume picker). Dropping it restores the terminal, so the chat starts from a clean
//! state whatever happened here.

use std::io::{self, Stdout, stdout};

use crossterm::cursor::{MoveTo, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{Terminal, TerminalOptions, Viewport};

/// A terminal set up for entry screens; restored on drop.
pub struct EntryTerminal {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    alternate: bool,
}

impl EntryTerminal {
    /// Inline in the main buffer, the viewport as tall as the screen.
    pub fn inline() -> io::Result<Self> {
        enable_raw_mode()?;
        let setup = || -> io::Result<Self> {
            execute!(stdout(), EnableBracketedPaste)?;
            let (_, rows) = crossterm::terminal::size()?;
            let terminal = Terminal::with_options(
                CrosstermBackend::new(stdout()),
                TerminalOptions {
                    viewport: Viewport::Inline(rows.max(1)),
                },
            )?;
            Ok(Self {
                terminal,
                alternate: false,
            })
        };
        setup().inspect_err(|_| restore(false))
    }

    /// In the alternate screen, full size.
    pub fn alternate() -> io::Result<Self> {
        enable_raw_mode()?;
        let setup = || -> io::Result<Self> {
            execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
            let terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
            Ok(Self {
                terminal,
                alternate: true,
            })
        };
        setup().inspect_err(|_| restore(true))
    }
}

impl Drop for EntryTerminal {
    fn drop(&mut self) {
        if !self.alternate {
            // Leave no screen behind: the chat starts where the viewport started. (Not
            // `Terminal::clear`, which asks the terminal for the cursor position first.)
            let top = self.terminal.get_frame().area().y;
            let _ = execute!(stdout(), MoveTo(0, top), Clear(ClearType::FromCursorDown));
        }
        let _ = execute!(stdout(), Show);
        restore(self.alternate);
    }
}

fn restore(alternate: bool) {
    if alternate {
        let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen);
    } else {
        let _ = execute!(stdout(), DisableBracketedPaste);
    }
    let _ = disable_raw_mode();
}
