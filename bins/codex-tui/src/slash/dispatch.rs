//! What running a slash command means for the app.

use std::path::Path;

use super::command::SlashCommand;

/// The prompt `/init` sends: the agent explores the repository and writes AGENTS.md.
pub const INIT_PROMPT: &str = include_str!("init_prompt.md");

/// What the app does for a command. Each variant is one thing the app knows how to do, so
/// the commands stay a table plus this mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashAction {
    /// Shut the conversation down and start a fresh one; the old history stays in the
    /// scrollback.
    NewConversation,
    /// Open the `/model` list.
    OpenModelPicker,
    /// Open the `/approvals` list.
    OpenApprovalsPicker,
    /// Print the `/status` card.
    ShowStatus,
    /// Print the `/limits` card.
    ShowLimits,
    /// Run `git diff` off the UI thread and print it.
    ShowDiff,
    /// Send this text to the agent as the user's next message.
    SendPrompt(String),
    /// Ask core to summarise the conversation.
    Compact,
    /// Put this text in the composer (it opens the `@` popup for `/mention`).
    InsertText(String),
    /// Remove the stored login, then leave.
    Logout,
    /// Leave, printing the exit summary.
    Quit,
    /// Nothing runs; show this note in the history.
    Refused(String),
}

/// What [`dispatch`] needs to know about the session.
#[derive(Debug, Clone, Copy)]
pub struct DispatchContext<'a> {
    /// Whether a turn is working.
    pub task_running: bool,
    /// The session's working directory.
    pub cwd: &'a Path,
}

/// The action for `command` in this context. Commands that would disturb a working turn
/// are refused until it ends.
pub fn dispatch(command: SlashCommand, ctx: DispatchContext<'_>) -> SlashAction {
    let spec = command.spec();
    if ctx.task_running && !spec.during_task {
        return SlashAction::Refused(format!(
            "/{} is not available while the agent is working; wait for the turn to end or press Esc to interrupt it.",
            spec.name
        ));
    }
    match command {
        SlashCommand::Model => SlashAction::OpenModelPicker,
        SlashCommand::Approvals => SlashAction::OpenApprovalsPicker,
        SlashCommand::New => SlashAction::NewConversation,
        SlashCommand::Init => {
            // One stat when the command runs, not on the typing path.
            if ctx.cwd.join("AGENTS.md").exists() {
                SlashAction::Refused(
                    "/init: AGENTS.md already exists here; edit it, or remove it to have a new one written.".to_owned(),
                )
            } else {
                SlashAction::SendPrompt(INIT_PROMPT.to_owned())
            }
        }
        SlashCommand::Compact => SlashAction::Compact,
        SlashCommand::Diff => SlashAction::ShowDiff,
        SlashCommand::Mention => SlashAction::InsertText("@".to_owned()),
        SlashCommand::Status => SlashAction::ShowStatus,
        SlashCommand::Limits => SlashAction::ShowLimits,
        // The name follows on the same line; the line is then run as a session command.
        SlashCommand::Rename => SlashAction::InsertText("/rename ".to_owned()),
        SlashCommand::Logout => SlashAction::Logout,
        SlashCommand::Quit | SlashCommand::Exit => SlashAction::Quit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_commands_and_refuses_some_during_a_turn() {
        let dir = tempfile::tempdir().unwrap();
        let idle = DispatchContext {
            task_running: false,
            cwd: dir.path(),
        };
        let busy = DispatchContext {
            task_running: true,
            ..idle
        };
        assert_eq!(
            dispatch(SlashCommand::Status, busy),
            SlashAction::ShowStatus
        );
        assert_eq!(dispatch(SlashCommand::Quit, busy), SlashAction::Quit);
        assert_eq!(dispatch(SlashCommand::Exit, idle), SlashAction::Quit);
        assert_eq!(
            dispatch(SlashCommand::Mention, idle),
            SlashAction::InsertText("@".to_owned())
        );
        let SlashAction::Refused(note) = dispatch(SlashCommand::Model, busy) else {
            panic!("/model during a turn");
        };
        assert!(note.starts_with("/model is not available"), "{note}");
        assert_eq!(
            dispatch(SlashCommand::Model, idle),
            SlashAction::OpenModelPicker
        );
    }

    #[test]
    fn init_sends_its_prompt_unless_agents_md_exists() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = DispatchContext {
            task_running: false,
            cwd: dir.path(),
        };
        let SlashAction::SendPrompt(prompt) = dispatch(SlashCommand::Init, ctx) else {
            panic!("no prompt");
        };
        assert!(prompt.contains("AGENTS.md"));
        std::fs::write(dir.path().join("AGENTS.md"), "x").unwrap();
        assert!(matches!(
            dispatch(SlashCommand::Init, ctx),
            SlashAction::Refused(_)
        ));
    }
}
