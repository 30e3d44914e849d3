//! The terminal: raw mode and its restoration, the inline viewport with history above it,
//! and wrapping.

pub(crate) mod inline;
pub(crate) mod surface;
pub(crate) mod terminal;
#[cfg(test)]
pub(crate) mod test_surface;
pub(crate) mod wrap;
