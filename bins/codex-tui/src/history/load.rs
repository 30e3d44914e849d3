//! Reading `history.jsonl` on a thread of its own.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;

/// The newest prompts kept for recall; older ones stay in the file. Bounds the memory a
/// years-old history file can take.
pub const MAX_RECALLED: usize = 10_000;

/// A read of `history.jsonl` in progress.
#[derive(Debug)]
pub struct HistoryLoad {
    rx: Option<Receiver<Result<Vec<String>, String>>>,
    failed: Option<String>,
}

impl HistoryLoad {
    /// Starts reading `CODEX_HOME/history.jsonl` on a new thread. Entries typed in
    /// `session_id` are left out (this run keeps its own). `notify` runs on that thread once
    /// the result is ready, so the UI can wake up and take it.
    pub fn spawn(
        codex_home: PathBuf,
        session_id: String,
        notify: impl FnOnce() + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::sync_channel(1);
        let spawned = thread::Builder::new()
            .name("history-load".to_owned())
            .spawn(move || {
                let result = read_prompts(&codex_home, &session_id);
                let _ = tx.send(result);
                notify();
            });
        match spawned {
            Ok(_) => Self {
                rx: Some(rx),
                failed: None,
            },
            Err(e) => Self {
                rx: None,
                failed: Some(format!(
                    "cannot start the thread that reads history.jsonl: {e}; Up recalls only this run's prompts"
                )),
            },
        }
    }

    /// A load whose result the caller sends (tests of what happens meanwhile).
    #[cfg(test)]
    pub(crate) fn from_channel(rx: Receiver<Result<Vec<String>, String>>) -> Self {
        Self {
            rx: Some(rx),
            failed: None,
        }
    }

    /// A load that never yields anything (history not wanted, or in tests).
    pub fn none() -> Self {
        Self {
            rx: None,
            failed: None,
        }
    }

    /// The prompts, oldest first, once read; `Some(Err)` carries a message naming the file.
    /// Yields a result once.
    pub fn try_take(&mut self) -> Option<Result<Vec<String>, String>> {
        if let Some(message) = self.failed.take() {
            return Some(Err(message));
        }
        let rx = self.rx.as_ref()?;
        match rx.try_recv() {
            Ok(result) => {
                self.rx = None;
                Some(result)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.rx = None;
                None
            }
        }
    }

    /// Whether the read is still under way.
    pub fn pending(&self) -> bool {
        self.rx.is_some()
    }
}

fn read_prompts(codex_home: &std::path::Path, session_id: &str) -> Result<Vec<String>, String> {
    let entries = codex_rollout::read_history(codex_home).map_err(|e| e.to_string())?;
    let mut prompts: Vec<String> = Vec::new();
    for entry in entries {
        if entry.session_id == session_id || entry.text.trim().is_empty() {
            continue;
        }
        // The same prompt sent twice in a row is one step of recall, not two.
        if prompts.last() != Some(&entry.text) {
            prompts.push(entry.text);
        }
    }
    if prompts.len() > MAX_RECALLED {
        prompts.drain(..prompts.len() - MAX_RECALLED);
    }
    Ok(prompts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn reads_off_thread_skipping_this_session_and_repeats() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("history.jsonl"),
            concat!(
                "{\"session_id\":\"a\",\"ts\":1,\"text\":\"one\"}\n",
                "{\"conversation_id\":\"b\",\"ts\":2,\"text\":\"two\"}\n",
                "{\"session_id\":\"b\",\"ts\":3,\"text\":\"two\"}\n",
                "{\"session_id\":\"me\",\"ts\":4,\"text\":\"mine\"}\n",
                "not json\n",
                "{\"session_id\":\"c\",\"ts\":5,\"text\":\"three\\nlines\"}\n",
            ),
        )
        .unwrap();
        let (woke_tx, woke_rx) = channel();
        let mut load = HistoryLoad::spawn(home.path().to_owned(), "me".to_owned(), move || {
            woke_tx.send(()).unwrap();
        });
        woke_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let prompts = load.try_take().unwrap().unwrap();
        assert_eq!(prompts, ["one", "two", "three\nlines"]);
        assert!(!load.pending());
        assert!(load.try_take().is_none());
    }

    #[test]
    fn a_missing_file_is_an_empty_history() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(
            read_prompts(home.path(), "x").unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn keeps_only_the_newest_prompts() {
        let home = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..MAX_RECALLED + 5 {
            let _ = writeln!(text, "{{\"session_id\":\"s\",\"ts\":1,\"text\":\"p{i}\"}}");
        }
        std::fs::write(home.path().join("history.jsonl"), text).unwrap();
        let prompts = read_prompts(home.path(), "x").unwrap();
        assert_eq!(prompts.len(), MAX_RECALLED);
        assert_eq!(prompts[0], "p5");
    }
}
