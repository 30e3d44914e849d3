//! The `@` file search: type `@` and part of a path, pick a file, and its path replaces the
//! token in the composer.
//!
//! - [`FileSearch`] owns two threads: one walks the workspace with `ignore` (so `.gitignore`,
//!   `.ignore` and git's excludes are respected, `.git` itself skipped), the other keeps the
//!   paths found so far and scores them against the latest query with `nucleo-matcher`.
//!   Results stream in while the walk goes on; the UI thread only sends queries and takes
//!   results, so typing never waits on the disk.
//! - [`at_token`] finds the `@word` under the cursor; [`replace_token`] puts the chosen path
//!   in its place.
//! - [`FileSearchPopup`] is what the composer draws above itself: the best matches, the
//!   matched characters highlighted, a selection moved with Up/Down, Tab or Enter to insert,
//!   Esc to close.

mod popup;
mod search;
mod token;

pub use popup::{FileSearchPopup, PopupKey};
pub use search::{FileMatch, FileSearch, MAX_FILES, MAX_RESULTS, SearchResults};
pub use token::{AtToken, at_token, replace_token};
