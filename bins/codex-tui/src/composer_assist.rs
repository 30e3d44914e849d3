//! What the composer's text calls up: the `/` popup, the `@` file popup and prompt recall, as
//! one state machine the composer consults. The composer keeps the text and the cursor; it
//! offers each key here first ([`ComposerAssist::handle_key`]) and reports each edit
//! ([`ComposerAssist::text_changed`]); the popup is drawn above the composer.
//!
//! Nothing here blocks: the file search and the history file are worked on other threads,
//! which call `wake` when they have something (the app turns that into a redraw, after
//! [`ComposerAssist::poll`]).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::file_search::{AtToken, FileSearch, FileSearchPopup, PopupKey, at_token, replace_token};
use crate::history::ComposerHistory;
use crate::slash::popup::slash_filter;
use crate::slash::{SlashCommand, SlashKey, SlashPopup};

/// What a key meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssistKey {
    /// Not for us: the composer handles it.
    NotHandled,
    /// Used (a selection moved, a popup closed): redraw.
    Handled,
    /// Replace the composer's text and put the cursor at this byte offset.
    SetText {
        /// The new text.
        text: String,
        /// The cursor.
        cursor: usize,
    },
    /// Clear the composer and run this command.
    RunCommand(SlashCommand),
}

#[derive(Debug)]
enum Popup {
    None,
    Slash(SlashPopup),
    File(FileSearchPopup, AtToken),
}

/// The popups and recall of one composer.
pub struct ComposerAssist {
    history: ComposerHistory,
    popup: Popup,
    search: Option<FileSearch>,
    search_root: PathBuf,
    logged_in: bool,
    /// The text at which Esc closed a popup: it stays closed until the text changes.
    dismissed: Option<String>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for ComposerAssist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComposerAssist")
            .field("popup", &self.popup)
            .field("search_root", &self.search_root)
            .finish_non_exhaustive()
    }
}

impl ComposerAssist {
    /// Recall over `history`; `@` searches under `search_root` (the session's cwd). Commands
    /// that need a login are offered only when `logged_in`.
    pub fn new(
        history: ComposerHistory,
        search_root: PathBuf,
        logged_in: bool,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self {
            history,
            popup: Popup::None,
            search: None,
            search_root,
            logged_in,
            dismissed: None,
            wake,
        }
    }

    /// Offers a key before the composer edits with it.
    pub fn handle_key(&mut self, key: KeyEvent, text: &str) -> AssistKey {
        match &mut self.popup {
            Popup::Slash(popup) => match popup.handle_key(key) {
                SlashKey::Run(command) => {
                    self.popup = Popup::None;
                    AssistKey::RunCommand(command)
                }
                SlashKey::Complete(command) => {
                    let text = format!("/{} ", command.name());
                    self.popup = Popup::None;
                    AssistKey::SetText {
                        cursor: text.len(),
                        text,
                    }
                }
                SlashKey::Close => {
                    self.dismiss(text);
                    AssistKey::Handled
                }
                SlashKey::Handled => AssistKey::Handled,
                SlashKey::NotHandled => AssistKey::NotHandled,
            },
            Popup::File(popup, token) => match popup.handle_key(key) {
                PopupKey::Accept(path) => {
                    let (text, cursor) = replace_token(text, token, &path);
                    self.popup = Popup::None;
                    AssistKey::SetText { text, cursor }
                }
                PopupKey::Close => {
                    self.dismiss(text);
                    AssistKey::Handled
                }
                PopupKey::Handled => AssistKey::Handled,
                PopupKey::NotHandled => AssistKey::NotHandled,
            },
            Popup::None => self.recall(key, text),
        }
    }

    fn recall(&mut self, key: KeyEvent, text: &str) -> AssistKey {
        if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
            return AssistKey::NotHandled;
        }
        let recalled = match key.code {
            KeyCode::Up => self.history.up(text),
            KeyCode::Down => self.history.down(text),
            _ => None,
        };
        match recalled {
            Some(text) => AssistKey::SetText {
                cursor: text.len(),
                text,
            },
            None => AssistKey::NotHandled,
        }
    }

    fn dismiss(&mut self, text: &str) {
        self.popup = Popup::None;
        self.dismissed = Some(text.to_owned());
    }

    /// Updates the popups after the composer's text or cursor changed.
    pub fn text_changed(&mut self, text: &str, cursor: usize) {
        if self.dismissed.as_deref() == Some(text) {
            return;
        }
        self.dismissed = None;
        if let Some(filter) = slash_filter(text) {
            if let Popup::Slash(popup) = &mut self.popup {
                popup.set_filter(filter);
            } else {
                let mut popup = SlashPopup::new(self.logged_in);
                popup.set_filter(filter);
                self.popup = Popup::Slash(popup);
            }
            return;
        }
        let Some(token) = at_token(text, cursor) else {
            self.popup = Popup::None;
            return;
        };
        if !matches!(self.popup, Popup::File(..)) {
            // Each popup walks the workspace afresh, so files made since the last one (by the
            // agent, too) can be mentioned; dropping the old search stops its threads.
            self.search = None;
            self.popup = Popup::File(FileSearchPopup::new(), token.clone());
        }
        let search = self.search.get_or_insert_with(|| {
            let wake = Arc::clone(&self.wake);
            FileSearch::start(self.search_root.clone(), move || wake())
        });
        let Popup::File(popup, old) = &mut self.popup else {
            return;
        };
        old.clone_from(&token);
        if popup.set_query(&token.query) {
            search.set_query(&token.query);
        }
    }

    /// Takes what the background threads have delivered (file matches, the history file).
    /// Call it when woken and before drawing.
    pub fn poll(&mut self) {
        self.history.poll();
        if let (Some(search), Popup::File(popup, _)) = (&self.search, &mut self.popup)
            && let Some(results) = search.take_results()
        {
            popup.apply(results);
        }
    }

    /// The prompt for an Up pressed before history.jsonl was read, now that it is, when the
    /// composer (holding `text`) is still empty: put it in the composer.
    pub fn deferred_recall(&mut self, text: &str) -> Option<String> {
        if self.popup_open() {
            return None;
        }
        self.history.take_deferred(text)
    }

    /// A problem reading history.jsonl, once, for the history.
    pub fn take_history_error(&mut self) -> Option<String> {
        self.history.take_load_error()
    }

    /// Remembers a submitted prompt for recall.
    pub fn record_submission(&mut self, text: &str) {
        self.history.record_submission(text);
        self.popup = Popup::None;
        self.dismissed = None;
    }

    /// Whether a popup is open (the composer's Enter, Tab and Esc belong to it).
    pub fn popup_open(&self) -> bool {
        !matches!(self.popup, Popup::None)
    }

    /// Rows the open popup needs (0 when none is open).
    pub fn popup_height(&self) -> u16 {
        match &self.popup {
            Popup::None => 0,
            Popup::Slash(p) => p.height(),
            Popup::File(p, _) => p.height(),
        }
    }

    /// Draws the open popup into `area`.
    pub fn render_popup(&self, area: Rect, buf: &mut Buffer) {
        match &self.popup {
            Popup::None => {}
            Popup::Slash(p) => p.render(area, buf),
            Popup::File(p, _) => p.render(area, buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::HistoryLoad;
    use std::sync::mpsc;
    use std::time::Duration;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn assist(root: PathBuf) -> (ComposerAssist, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        });
        (
            ComposerAssist::new(ComposerHistory::new(HistoryLoad::none()), root, true, wake),
            rx,
        )
    }

    #[test]
    fn slash_popup_opens_filters_runs_and_dismisses() {
        let (mut a, _) = assist(PathBuf::from("."));
        a.text_changed("/", 1);
        assert!(a.popup_open());
        a.text_changed("/sta", 4);
        assert_eq!(
            a.handle_key(key(KeyCode::Enter), "/sta"),
            AssistKey::RunCommand(SlashCommand::Status)
        );
        assert!(!a.popup_open());
        a.text_changed("/d", 2);
        assert_eq!(
            a.handle_key(key(KeyCode::Tab), "/d"),
            AssistKey::SetText {
                text: "/diff ".to_owned(),
                cursor: 6
            }
        );
        a.text_changed("/diff ", 6);
        assert!(!a.popup_open(), "a space ends the command name");
        a.text_changed("/m", 2);
        assert_eq!(a.handle_key(key(KeyCode::Esc), "/m"), AssistKey::Handled);
        a.text_changed("/m", 2);
        assert!(!a.popup_open(), "Esc keeps it closed for this text");
        a.text_changed("/mo", 3);
        assert!(a.popup_open());
    }

    #[test]
    fn at_opens_the_file_popup_and_tab_inserts_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let (mut a, wake) = assist(dir.path().to_owned());
        let text = "read @mai";
        a.text_changed(text, text.len());
        assert!(a.popup_open());
        let inserted = loop {
            wake.recv_timeout(Duration::from_secs(20)).unwrap();
            a.poll();
            if let AssistKey::SetText { text, cursor } = a.handle_key(key(KeyCode::Tab), text) {
                break (text, cursor);
            }
        };
        assert_eq!(inserted, ("read src/main.rs ".to_owned(), 17));
        assert!(!a.popup_open());

        // A file made after that popup is found by the next one.
        std::fs::write(dir.path().join("src/later.rs"), "").unwrap();
        let text = "and @late";
        a.text_changed(text, text.len());
        let inserted = loop {
            wake.recv_timeout(Duration::from_secs(20)).unwrap();
            a.poll();
            if let AssistKey::SetText { text, .. } = a.handle_key(key(KeyCode::Tab), text) {
                break text;
            }
        };
        assert_eq!(inserted, "and src/later.rs ");
    }

    #[test]
    fn up_and_down_recall_only_without_a_popup() {
        let (mut a, _) = assist(PathBuf::from("."));
        a.record_submission("earlier prompt");
        assert_eq!(
            a.handle_key(key(KeyCode::Up), ""),
            AssistKey::SetText {
                text: "earlier prompt".to_owned(),
                cursor: 14
            }
        );
        assert_eq!(
            a.handle_key(key(KeyCode::Down), "earlier prompt"),
            AssistKey::SetText {
                text: String::new(),
                cursor: 0
            }
        );
        assert_eq!(
            a.handle_key(key(KeyCode::Up), "typed"),
            AssistKey::NotHandled
        );
        a.text_changed("/", 1);
        assert_eq!(a.handle_key(key(KeyCode::Up), "/"), AssistKey::Handled);
    }
}
