//! Prompt recall in the composer: Up brings back earlier prompts, Down walks forward again.
//!
//! Two sources, oldest first: the prompts of earlier runs in `CODEX_HOME/history.jsonl`
//! (Codex's file, shared with Codex itself), then the prompts submitted in this run. The file
//! is read by a background thread ([`HistoryLoad`]): a large file never delays the first frame
//! or a keystroke; until it arrives, Up recalls this run's prompts only.
//!
//! Writing the file is core's job: it appends each submitted prompt (0600, one `write(2)` per
//! line under an advisory lock) on its own task, honouring `[history] persistence` and trimming
//! to `[history] max_bytes`. So the UI never touches the file on the typing path.

mod load;
mod recall;

pub use load::{HistoryLoad, MAX_RECALLED};
pub use recall::ComposerHistory;
