//! The table of slash commands.

/// A slash command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlashCommand {
    /// Pick the model and reasoning effort.
    Model,
    /// Pick what the agent may do without asking.
    Approvals,
    /// Start a new conversation.
    New,
    /// Have the agent write an AGENTS.md for this project.
    Init,
    /// Summarise the conversation to free context.
    Compact,
    /// Show the workspace's git diff, untracked files included.
    Diff,
    /// Insert a file mention (opens the `@` search).
    Mention,
    /// Show the session's settings and token use.
    Status,
    /// Show the run's limits and what is used of them.
    Limits,
    /// Name this session, for the resume picker and `codex resume <name>`.
    Rename,
    /// Sign out (auth.json removed) and leave.
    Logout,
    /// Leave.
    Quit,
    /// Leave (the same as `/quit`).
    Exit,
}

/// One row of the command table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// The command.
    pub command: SlashCommand,
    /// What is typed after `/`.
    pub name: &'static str,
    /// The popup's one-line explanation.
    pub description: &'static str,
    /// Whether it may run while a turn is working (else it is refused with a note).
    pub during_task: bool,
    /// Whether it is only offered to a signed-in user.
    pub needs_login: bool,
}

const fn spec(
    command: SlashCommand,
    name: &'static str,
    description: &'static str,
    during_task: bool,
) -> CommandSpec {
    CommandSpec {
        command,
        name,
        description,
        during_task,
        needs_login: false,
    }
}

/// Every command, in the order the popup lists them (Codex's order for those it has;
/// `/limits`, ours, beside `/status`).
pub const COMMANDS: &[CommandSpec] = &[
    spec(
        SlashCommand::Model,
        "model",
        "choose the model and how hard it reasons",
        false,
    ),
    spec(
        SlashCommand::Approvals,
        "approvals",
        "choose what the agent may do without asking",
        false,
    ),
    spec(SlashCommand::New, "new", "start a new conversation", false),
    spec(
        SlashCommand::Init,
        "init",
        "have the agent write an AGENTS.md for this project",
        false,
    ),
    spec(
        SlashCommand::Compact,
        "compact",
        "summarise the conversation to free context",
        false,
    ),
    spec(
        SlashCommand::Diff,
        "diff",
        "show the git diff, untracked files included",
        true,
    ),
    spec(SlashCommand::Mention, "mention", "mention a file", true),
    spec(
        SlashCommand::Status,
        "status",
        "show the session's settings and token use",
        true,
    ),
    spec(
        SlashCommand::Limits,
        "limits",
        "show the run's limits and how much is used",
        true,
    ),
    spec(
        SlashCommand::Rename,
        "rename",
        "name this session (/rename <name>)",
        true,
    ),
    CommandSpec {
        needs_login: true,
        ..spec(SlashCommand::Logout, "logout", "sign out and exit", false)
    },
    spec(SlashCommand::Quit, "quit", "exit", true),
    spec(SlashCommand::Exit, "exit", "exit", true),
];

impl SlashCommand {
    /// The command's table row.
    pub fn spec(self) -> &'static CommandSpec {
        COMMANDS
            .iter()
            .find(|s| s.command == self)
            .unwrap_or(&COMMANDS[0])
    }

    /// What is typed after `/`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// The commands offered to this user: those needing a login are left out when signed out.
pub fn offered(logged_in: bool) -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS.iter().filter(move |s| logged_in || !s.needs_login)
}

/// The command a submitted line names: `/name` alone on the line (surrounding whitespace
/// allowed). Unknown names are `None`, so `/usr/bin is odd` goes to the model as text.
pub fn parse_command_line(text: &str) -> Option<SlashCommand> {
    let name = text.trim().strip_prefix('/')?;
    COMMANDS.iter().find(|s| s.name == name).map(|s| s.command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_command_has_a_row() {
        let mut names: Vec<_> = COMMANDS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
        for cmd in [
            SlashCommand::Model,
            SlashCommand::Approvals,
            SlashCommand::New,
            SlashCommand::Init,
            SlashCommand::Compact,
            SlashCommand::Diff,
            SlashCommand::Mention,
            SlashCommand::Status,
            SlashCommand::Limits,
            SlashCommand::Quit,
            SlashCommand::Exit,
        ] {
            assert_eq!(cmd.spec().command, cmd);
        }
    }

    #[test]
    fn parses_a_lone_command_only() {
        assert_eq!(parse_command_line("/status"), Some(SlashCommand::Status));
        assert_eq!(parse_command_line("  /exit \n"), Some(SlashCommand::Exit));
        assert_eq!(parse_command_line("/status now"), None);
        assert_eq!(parse_command_line("/usr/bin"), None);
        assert_eq!(parse_command_line("status"), None);
    }

    #[test]
    fn login_only_commands_are_hidden_when_signed_out() {
        assert!(offered(false).all(|s| !s.needs_login));
        assert_eq!(offered(true).count(), COMMANDS.len());
    }
}
