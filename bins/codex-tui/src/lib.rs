//! `codex-tui` as a library: the parts of the terminal UI that are tested on their own.
//!
//! - [`history`]: recalling earlier prompts with Up/Down, from `CODEX_HOME/history.jsonl`
//!   (read off the UI thread) and from this run.
//! - [`file_search`]: the `@` popup, a fuzzy search over the workspace's files that streams
//!   results in while a background thread walks the tree.
//! - [`slash`]: the `/` popup and what each command shows or does.

pub mod file_search;
pub mod history;
pub mod slash;
