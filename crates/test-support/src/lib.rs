//! Placeholder: this crate's capability has not landed yet.
