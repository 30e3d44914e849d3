mod chat;
mod composer_history;
mod composer_slash;
mod harness;
