//! `codex-tui resume`: a picker of recorded sessions, newest first, in this directory (Tab or
//! `--all` for every directory), with the session's name or first prompt, when it was last
//! written, its message count and git branch. Typing searches. Pages are read lazily by a
//! background thread, so a CODEX_HOME with 10,000 sessions paints its first page at once.

mod loader;
mod render;
mod state;

pub use loader::{FIRST_PAGE_SIZE, LoadRequest, PAGE_SIZE, PickerMessage, spawn_loader};
pub use state::{Picker, PickerOutcome};
