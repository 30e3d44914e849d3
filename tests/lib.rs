//! Cross-binary integration tests live in `all.rs`; this library is empty.
