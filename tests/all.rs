//! One test binary for every cross-binary suite (keeps link times down).
mod suite;
