//! The composer: where the user writes a message.
//!
//! A small API for the layers around it: [`Composer::text`], [`Composer::set_text`],
//! [`Composer::cursor`], [`Composer::insert_str`] and [`Composer::handle_key`], which returns
//! a [`ComposerAction`]. The app offers each key to popups (slash commands, file search,
//! history) first and to the composer after, so those features sit beside it, not inside it.
//!
//! Keys: Enter sends; Shift+Enter, Alt+Enter and Ctrl+J insert a newline; arrows, Home/End,
//! Ctrl+A/E move; Backspace/Delete, Ctrl+W (word), Ctrl+U (to line start), Ctrl+K (to line
//! end) delete. A bracketed paste is inserted as text, never sent by its newlines; a paste of
//! more than [`paste::COLLAPSE_CHARS`] characters shows as a placeholder and is expanded when
//! the message is sent.

mod layout;
pub(crate) mod paste;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use paste::PendingPaste;

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposerAction {
    /// The key was used (the text or cursor may have changed).
    Handled,
    /// Enter on a non-empty message: the text to send (placeholders expanded). The composer
    /// is empty again.
    Submit(String),
    /// The composer does not use this key (Up on the first line, Esc, Ctrl+C, ...): the app
    /// or a popup may.
    Ignored,
}

/// The message being written.
#[derive(Debug, Default, Clone)]
pub struct Composer {
    text: String,
    /// Byte offset, always on a char boundary.
    cursor: usize,
    pastes: Vec<PendingPaste>,
}

impl Composer {
    /// An empty composer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text as shown (placeholders not expanded).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text; the cursor goes to its end.
    pub fn set_text(&mut self, text: &str) {
        text.clone_into(&mut self.text);
        self.cursor = self.text.len();
        self.pastes.retain(|p| text.contains(&p.placeholder));
    }

    /// Empties the composer.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
        self.pastes.clear();
    }

    /// The cursor as a byte offset into [`Composer::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Moves the cursor (clamped, and moved back to a char boundary).
    pub fn set_cursor(&mut self, at: usize) {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        self.cursor = at;
    }

    /// Inserts text at the cursor.
    pub fn insert_str(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }

    /// A bracketed paste: inserted as text (CR line ends made LF); a large one as a
    /// placeholder.
    pub fn handle_paste(&mut self, pasted: &str) {
        let text = paste::normalize(pasted);
        if text.chars().count() > paste::COLLAPSE_CHARS {
            let placeholder = paste::placeholder_for(&text, &self.pastes);
            self.insert_str(&placeholder);
            self.pastes.push(PendingPaste { placeholder, text });
        } else {
            self.insert_str(&text);
        }
    }

    /// The text to send, with placeholders expanded.
    pub fn expanded_text(&self) -> String {
        paste::expand(&self.text, &self.pastes)
    }

    /// Handles one key.
    pub fn handle_key(&mut self, key: KeyEvent) -> ComposerAction {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        match key.code {
            KeyCode::Enter if shift || alt || ctrl => self.insert_str("\n"),
            KeyCode::Char('j') if ctrl => self.insert_str("\n"),
            KeyCode::Enter => {
                if self.text.trim().is_empty() {
                    return ComposerAction::Handled;
                }
                let message = self.expanded_text();
                self.clear();
                return ComposerAction::Submit(message);
            }
            KeyCode::Char('a') if ctrl => self.cursor = self.line_start(),
            KeyCode::Char('e') if ctrl => self.cursor = self.line_end(),
            KeyCode::Char('b') if ctrl => self.move_left(),
            KeyCode::Char('f') if ctrl => self.move_right(),
            KeyCode::Char('w') if ctrl => self.delete_word_back(),
            KeyCode::Backspace if alt || ctrl => self.delete_word_back(),
            KeyCode::Char('u') if ctrl => {
                let start = self.line_start();
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            KeyCode::Char('k') if ctrl => {
                let end = self.line_end();
                self.text.replace_range(self.cursor..end, "");
            }
            KeyCode::Char('d') if ctrl && !self.text.is_empty() => self.delete_forward(),
            KeyCode::Char(c) if !ctrl => {
                let mut buf = [0u8; 4];
                self.insert_str(c.encode_utf8(&mut buf));
            }
            KeyCode::Backspace => {
                if let Some(prev) = self.prev_boundary() {
                    self.text.replace_range(prev..self.cursor, "");
                    self.cursor = prev;
                }
            }
            KeyCode::Delete => self.delete_forward(),
            KeyCode::Left => self.move_left(),
            KeyCode::Right => self.move_right(),
            KeyCode::Home => self.cursor = self.line_start(),
            KeyCode::End => self.cursor = self.line_end(),
            KeyCode::Up => {
                if self.line_start() == 0 {
                    return ComposerAction::Ignored;
                }
                self.move_vertically(-1);
            }
            KeyCode::Down => {
                if self.line_end() == self.text.len() {
                    return ComposerAction::Ignored;
                }
                self.move_vertically(1);
            }
            KeyCode::Tab => self.insert_str("    "),
            _ => return ComposerAction::Ignored,
        }
        ComposerAction::Handled
    }

    /// Rows the composer needs at `width` (prompt included), at most `max_rows`.
    pub fn desired_height(&self, width: u16, max_rows: u16) -> u16 {
        let rows = layout::layout(&self.text, self.cursor, width).rows;
        u16::try_from(rows)
            .unwrap_or(u16::MAX)
            .clamp(1, max_rows.max(1))
    }

    /// Draws the composer, scrolled so the cursor row is visible; the cursor is a reversed
    /// cell.
    pub fn render(&self, area: Rect, buf: &mut Buffer, placeholder: Option<&str>) {
        layout::render(&self.text, self.cursor, area, buf, placeholder);
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
    }

    fn move_left(&mut self) {
        if let Some(prev) = self.prev_boundary() {
            self.cursor = prev;
        }
    }

    fn move_right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    fn delete_forward(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.text
                .replace_range(self.cursor..self.cursor + c.len_utf8(), "");
        }
    }

    fn delete_word_back(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches([' ', '\t']);
        let start = trimmed
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    /// Up or down one logical line, keeping the column in characters.
    fn move_vertically(&mut self, direction: i32) {
        let start = self.line_start();
        let column = self.text[start..self.cursor].chars().count();
        let target_start = if direction < 0 {
            self.text[..start.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |i| i + 1)
        } else {
            self.line_end() + 1
        };
        let target_end = self.text[target_start..]
            .find('\n')
            .map_or(self.text.len(), |i| target_start + i);
        let line = &self.text[target_start..target_end];
        let offset: usize = line.chars().take(column).map(char::len_utf8).sum();
        self.cursor = target_start + offset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(c: &mut Composer, text: &str) {
        for ch in text.chars() {
            c.handle_key(key(KeyCode::Char(ch)));
        }
    }

    #[test]
    fn enter_submits_and_ctrl_j_inserts_a_newline() {
        let mut c = Composer::new();
        typed(&mut c, "one");
        c.handle_key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        c.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::SHIFT));
        typed(&mut c, "two");
        assert_eq!(c.text(), "one\n\ntwo");
        assert_eq!(
            c.handle_key(key(KeyCode::Enter)),
            ComposerAction::Submit("one\n\ntwo".into())
        );
        assert!(c.is_empty());
        assert_eq!(c.handle_key(key(KeyCode::Enter)), ComposerAction::Handled);
    }

    #[test]
    fn large_pastes_collapse_and_expand_on_send() {
        let mut c = Composer::new();
        typed(&mut c, "look: ");
        let big = "x".repeat(1500) + "\r\nend";
        c.handle_paste(&big);
        assert_eq!(c.text(), "look: [Pasted 2 lines, 1504 chars]");
        let ComposerAction::Submit(sent) = c.handle_key(key(KeyCode::Enter)) else {
            panic!("not sent");
        };
        assert_eq!(sent, format!("look: {}\nend", "x".repeat(1500)));
    }

    #[test]
    fn small_pastes_are_text_and_never_submit() {
        let mut c = Composer::new();
        c.handle_paste("a\rb\n");
        assert_eq!(c.text(), "a\nb\n");
    }

    #[test]
    fn editing_keys() {
        let mut c = Composer::new();
        typed(&mut c, "héllo wörld");
        c.handle_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(c.text(), "héllo ");
        c.handle_key(key(KeyCode::Left));
        c.handle_key(key(KeyCode::Left));
        c.handle_key(key(KeyCode::Backspace));
        assert_eq!(c.text(), "hélo ");
        c.set_text("ab\ncd");
        c.handle_key(key(KeyCode::Up));
        assert_eq!(c.cursor(), 2);
        assert_eq!(c.handle_key(key(KeyCode::Up)), ComposerAction::Ignored);
    }
}
