//! Which commands and patches the agent may run without asking, and how.
//!
//! The agent core asks this crate one question per tool call: given the user's approval policy
//! ([`AskForApproval`](codex_protocol::AskForApproval)) and sandbox policy
//! ([`SandboxPolicy`](codex_protocol::SandboxPolicy)), should this command or patch run
//! directly, run inside the sandbox, wait for a human, or be refused? The answer is a
//! [`SafetyCheck`]. Everything here is pure (no I/O, no process state) so the whole decision
//! table is unit-tested.
//!
//! - [`is_known_safe_command`]: read-only commands (the list lives in `tables.rs`, apart from
//!   the logic), including `bash -lc` scripts of plain safe commands.
//! - [`command_might_be_dangerous`]: `git reset`, `git rm`, `rm -f`/`-rf`, also via `sudo`
//!   and inside scripts; these always go to a human.
//! - [`assess_command_safety`] and [`assess_patch_safety`]: the approval x sandbox tables.
//!   Known-safe and session-approved commands skip the question, never the sandbox;
//!   [`sandboxed_after_approval`] says what a command the human approved runs in.
//! - [`is_likely_sandbox_denied`] and [`may_retry_without_sandbox`]: what to do after a
//!   sandboxed command failed.
//!
//! ```
//! use std::collections::HashSet;
//! use codex_command_safety::{SafetyCheck, assess_command_safety};
//! use codex_protocol::{AskForApproval, SandboxPolicy};
//!
//! let argv: Vec<String> = ["cargo", "build"].map(String::from).to_vec();
//! let check = assess_command_safety(
//!     &argv,
//!     AskForApproval::OnRequest,
//!     &SandboxPolicy::workspace_write(),
//!     &HashSet::new(),
//!     false,
//!     true,
//! );
//! assert_eq!(check, SafetyCheck::AutoApprove { sandboxed: true });
//! ```

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod dangerous;
mod decision;
mod denial;
mod safe;
mod shell_script;
mod tables;

pub use dangerous::command_might_be_dangerous;
pub use decision::{
    REASON_EMPTY_PATCH, REASON_NOT_ON_TRUSTED_LIST, REASON_PATCH_OUTSIDE_PROJECT, SafetyCheck,
    assess_command_safety, assess_patch_safety, assess_untrusted_command,
    escalation_rejection_message, sandboxed_after_approval,
};
pub use denial::{
    EXEC_REJECTED_BY_USER, RETRY_WITHOUT_SANDBOX_REASON, is_likely_sandbox_denied,
    may_retry_without_sandbox,
};
pub use safe::is_known_safe_command;
