//! Walking the recalled prompts with Up and Down.

use super::HistoryLoad;

/// What Up and Down recall, and where the walk stands.
///
/// Up and Down only browse while the composer is empty or still holds exactly the prompt
/// last recalled; once the user edits it, the arrows move the cursor in the text again.
#[derive(Debug)]
pub struct ComposerHistory {
    /// Earlier runs' prompts (from history.jsonl), oldest first.
    persisted: Vec<String>,
    /// This run's prompts, oldest first.
    session: Vec<String>,
    /// Index into persisted ++ session of the prompt on show while browsing.
    cursor: Option<usize>,
    /// The text recall last put in the composer.
    recalled: Option<String>,
    load: HistoryLoad,
    load_error: Option<String>,
    /// Up was pressed on an empty composer before the file arrived: recall once it does.
    deferred_up: bool,
}

impl ComposerHistory {
    /// Recall over this run's prompts, plus whatever `load` delivers later.
    pub fn new(load: HistoryLoad) -> Self {
        Self {
            persisted: Vec::new(),
            session: Vec::new(),
            cursor: None,
            recalled: None,
            load,
            load_error: None,
            deferred_up: false,
        }
    }

    /// Takes the file's prompts if the background read has finished. Called before each
    /// recall, and by the app when the loader wakes it.
    pub fn poll(&mut self) {
        match self.load.try_take() {
            Some(Ok(prompts)) => {
                // The earlier runs' prompts go before this run's: a walk under way keeps
                // pointing at the same prompt.
                if let Some(cursor) = &mut self.cursor {
                    *cursor += prompts.len();
                }
                self.persisted = prompts;
            }
            Some(Err(message)) => self.load_error = Some(message),
            None => {}
        }
    }

    /// A problem reading history.jsonl, once, for the app to show.
    pub fn take_load_error(&mut self) -> Option<String> {
        self.poll();
        self.load_error.take()
    }

    /// Remembers a submitted prompt (the file gets it from core) and ends any walk.
    pub fn record_submission(&mut self, text: &str) {
        self.cursor = None;
        self.recalled = None;
        if text.trim().is_empty() {
            return;
        }
        if self.last().map(String::as_str) != Some(text) {
            self.session.push(text.to_owned());
        }
    }

    /// Whether Up/Down should recall rather than move the cursor, for a composer holding
    /// `text`.
    pub fn should_navigate(&self, text: &str) -> bool {
        text.is_empty() || self.recalled.as_deref() == Some(text)
    }

    /// The prompt before the one on show (the newest when not browsing), or `None` when Up
    /// belongs to the text, or there is nothing older.
    pub fn up(&mut self, text: &str) -> Option<String> {
        self.poll();
        if !self.should_navigate(text) {
            return None;
        }
        if self.recalled.as_deref() != Some(text) {
            // The composer was emptied by hand: start again from the newest.
            self.cursor = None;
        }
        let Some(next) = self.cursor.unwrap_or(self.len()).checked_sub(1) else {
            // Nothing here yet, but the file is still being read: answer when it arrives.
            self.deferred_up = text.is_empty() && self.load.pending();
            return None;
        };
        self.show(next)
    }

    /// The prompt for an Up that came before the file arrived, once it has, if the composer
    /// (holding `text`) is still empty.
    pub fn take_deferred(&mut self, text: &str) -> Option<String> {
        self.poll();
        if !self.deferred_up || self.load.pending() {
            return None;
        }
        self.deferred_up = false;
        if text.is_empty() { self.up(text) } else { None }
    }

    /// The prompt after the one on show; past the newest the composer empties again. `None`
    /// when not browsing.
    pub fn down(&mut self, text: &str) -> Option<String> {
        self.poll();
        if !self.should_navigate(text) || self.recalled.as_deref() != Some(text) {
            return None;
        }
        let cursor = self.cursor?;
        if cursor + 1 < self.len() {
            self.show(cursor + 1)
        } else {
            self.cursor = None;
            self.recalled = None;
            Some(String::new())
        }
    }

    /// How many prompts can be recalled now.
    pub fn len(&self) -> usize {
        self.persisted.len() + self.session.len()
    }

    /// Whether there is nothing to recall yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, index: usize) -> Option<&String> {
        if index < self.persisted.len() {
            self.persisted.get(index)
        } else {
            self.session.get(index - self.persisted.len())
        }
    }

    fn last(&self) -> Option<&String> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    fn show(&mut self, index: usize) -> Option<String> {
        let text = self.get(index)?.clone();
        self.cursor = Some(index);
        self.recalled = Some(text.clone());
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(persisted: &[&str], session: &[&str]) -> ComposerHistory {
        let mut h = ComposerHistory::new(HistoryLoad::none());
        h.persisted = persisted.iter().map(ToString::to_string).collect();
        for s in session {
            h.record_submission(s);
        }
        h
    }

    #[test]
    fn up_walks_back_through_session_then_file_and_down_returns_to_empty() {
        let mut h = with(&["old1", "old2"], &["new1", "new2"]);
        assert_eq!(h.up("").as_deref(), Some("new2"));
        assert_eq!(h.up("new2").as_deref(), Some("new1"));
        assert_eq!(h.up("new1").as_deref(), Some("old2"));
        assert_eq!(h.up("old2").as_deref(), Some("old1"));
        assert_eq!(h.up("old1"), None, "nothing older");
        assert_eq!(h.down("old1").as_deref(), Some("old2"));
        assert_eq!(h.down("old2").as_deref(), Some("new1"));
        assert_eq!(h.down("new1").as_deref(), Some("new2"));
        assert_eq!(h.down("new2").as_deref(), Some(""));
        assert_eq!(h.down(""), None, "not browsing any more");
    }

    #[test]
    fn edited_text_keeps_the_arrows_for_the_cursor() {
        let mut h = with(&[], &["first", "second"]);
        assert_eq!(h.up("").as_deref(), Some("second"));
        assert!(!h.should_navigate("second!"));
        assert_eq!(h.up("second!"), None);
        assert_eq!(h.down("second!"), None);
        assert_eq!(h.up("draft"), None, "typed text is never replaced");
        // Emptied by hand: Up starts again from the newest.
        assert_eq!(h.up("").as_deref(), Some("second"));
    }

    #[test]
    fn submissions_skip_blanks_and_repeats_and_end_the_walk() {
        let mut h = with(&["same"], &[]);
        h.record_submission("same");
        h.record_submission("   ");
        assert_eq!(h.len(), 1);
        assert_eq!(h.up("").as_deref(), Some("same"));
        h.record_submission("other");
        assert_eq!(h.up("").as_deref(), Some("other"));
    }

    #[test]
    fn a_late_load_keeps_the_walk_on_the_same_prompt() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("history.jsonl"),
            "{\"session_id\":\"a\",\"ts\":1,\"text\":\"from file\"}\n",
        )
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let load = HistoryLoad::spawn(home.path().to_owned(), "me".to_owned(), move || {
            tx.send(()).unwrap();
        });
        let mut h = ComposerHistory::new(load);
        h.session.push("typed here".to_owned());
        // Browsing may begin before the file arrives.
        h.cursor = Some(0);
        h.recalled = Some("typed here".to_owned());
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(h.up("typed here").as_deref(), Some("from file"));
        assert_eq!(h.down("from file").as_deref(), Some("typed here"));
    }

    #[test]
    fn up_before_the_file_arrives_is_answered_when_it_does() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut h = ComposerHistory::new(HistoryLoad::from_channel(rx));
        assert_eq!(h.up(""), None, "nothing yet");
        assert_eq!(h.take_deferred(""), None, "still reading");
        tx.send(Ok(vec!["from file".to_owned()])).unwrap();
        assert_eq!(h.take_deferred("typed meanwhile"), None);
        h.deferred_up = true;
        assert_eq!(h.take_deferred("").as_deref(), Some("from file"));
        assert_eq!(h.take_deferred(""), None, "once");
        assert_eq!(h.down("from file").as_deref(), Some(""));
    }

    #[test]
    fn an_unreadable_file_is_reported_once() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join("history.jsonl")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let load = HistoryLoad::spawn(home.path().to_owned(), "me".to_owned(), move || {
            tx.send(()).unwrap();
        });
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        let mut h = ComposerHistory::new(load);
        let message = h.take_load_error().unwrap();
        assert!(message.contains("history.jsonl"), "{message}");
        assert!(h.take_load_error().is_none());
    }
}
