//! What every entry screen is: a state that takes keys and background messages and draws
//! itself into a buffer. Screens do no terminal I/O, so tests drive them with key events and
//! snapshot what they draw on a `TestBackend`; the driver ([`super::driver`]) owns the terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// What a key or message did to a screen.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<T> {
    /// Keep showing the screen (redraw).
    Stay,
    /// The screen is finished with this result.
    Done(T),
}

/// A screen of the entry flow.
pub trait Screen {
    /// What the screen produces when finished.
    type Output;
    /// What background work (a sign-in, a page of sessions) reports to it.
    type Message;

    /// Handles one key press (releases and repeats are filtered out by the driver).
    fn handle_key(&mut self, key: KeyEvent) -> Step<Self::Output>;

    /// Handles one message from background work.
    fn handle_message(&mut self, message: Self::Message) -> Step<Self::Output>;

    /// Draws the screen into `area` of `buf`.
    fn render(&self, area: Rect, buf: &mut Buffer);

    /// Handles pasted text (bracketed paste). Ignored by default.
    fn paste(&mut self, text: &str) {
        let _ = text;
    }

    /// Called on Ctrl-C. By default the screen is left without a result: the program quits.
    fn interrupt(&mut self) -> Step<Option<Self::Output>> {
        Step::Done(None)
    }
}

/// Whether `key` is Ctrl-C.
pub(crate) fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
}

/// Whether the driver should pass `key` on (a press or a repeat, not a release).
pub(crate) fn is_press(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

/// A key event with no modifiers, for tests and the picker's text input.
pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Ctrl + `c`.
pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}
