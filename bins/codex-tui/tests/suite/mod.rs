mod chat;
mod harness;
