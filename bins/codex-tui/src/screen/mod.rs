//! The terminal: raw mode and its restoration, the inline viewport with history above it,
//! and wrapping.

pub(crate) mod inline;
pub(crate) mod terminal;
pub(crate) mod wrap;
