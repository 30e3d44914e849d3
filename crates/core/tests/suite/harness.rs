//! Starting a conversation the way a front end does.

use std::sync::Arc;

use codex_config::{Config, ConfigOverrides};
use codex_core::{Conversation, ConversationManager, ConversationOptions, ManagerOptions};
use codex_protocol::protocol::{InputItem, Op};
use codex_protocol::rollout::SessionSource;

/// Loads the configuration with `overrides` and starts a conversation with it.
pub(crate) fn start_conversation(overrides: ConfigOverrides) -> Arc<Conversation> {
    let config = Config::load(overrides).unwrap();
    let manager = ConversationManager::from_config(
        &config,
        ManagerOptions {
            source: SessionSource::Exec,
            originator: "codex_core_tests".to_owned(),
        },
    );
    manager
        .new_conversation(config, ConversationOptions::default())
        .unwrap()
        .conversation
}

/// A user message with one text part.
pub(crate) fn user_text(text: &str) -> Op {
    Op::UserInput {
        items: vec![InputItem::Text {
            text: text.to_owned(),
        }],
    }
}
