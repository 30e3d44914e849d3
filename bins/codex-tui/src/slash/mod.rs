//! Slash commands: the `/` popup and what each command does.
//!
//! - [`command`]: the table of commands in popup order (name, description, whether it may run
//!   during a turn, whether it needs a login). Adding a command is a variant, a row and an arm
//!   in [`dispatch`].
//! - [`popup`]: the filtering popup above the composer.
//! - [`dispatch`]: a chosen command becomes a [`SlashAction`] the app carries out.
//! - [`status`], [`limits`], [`diff`]: the cards and output `/status`, `/limits` and `/diff`
//!   leave in the history; [`usage`] follows the events they report on.
//! - [`picker`], [`model`], [`approvals`]: the lists `/model` and `/approvals` open, and
//!   [`settings`] applies the choice to the next conversation.

pub mod approvals;
mod card;
pub mod command;
pub mod diff;
pub mod dispatch;
pub mod limits;
pub mod model;
pub mod picker;
pub mod popup;
pub mod settings;
pub mod status;
pub mod usage;

pub use command::{COMMANDS, CommandSpec, SlashCommand, parse_command_line};
pub use dispatch::{DispatchContext, SlashAction, dispatch};
pub use popup::{SlashKey, SlashPopup};
