mod basic;
mod harness;
mod json;
mod patches;
mod policies;
mod schema;
mod sessions;
mod shell;
