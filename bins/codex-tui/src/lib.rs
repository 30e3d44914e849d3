//! `codex-tui` as a library: the parts of the terminal UI that are tested on their own.
//!
//! - [`history`]: recalling earlier prompts with Up/Down, from `CODEX_HOME/history.jsonl`
//!   (read off the UI thread) and from this run.
//! - [`file_search`]: the `@` popup, a fuzzy search over the workspace's files that streams
//!   results in while a background thread walks the tree.
//! - [`slash`]: the `/` popup and what each command shows or does.
//! - [`composer_assist`]: the three as one state machine the composer consults for each key
//!   and edit.

pub mod composer_assist;
pub mod file_search;
pub mod history;
pub mod slash;
