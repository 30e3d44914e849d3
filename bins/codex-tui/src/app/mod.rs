//! The chat's state and what changes it: core events, keys, pastes, ticks. Nothing here does
//! I/O: the loop in [`run`] feeds it, sends the `Op`s it asks for, writes the history lines
//! it finishes into the scrollback and draws its viewport. That keeps every frame testable on
//! ratatui's `TestBackend`, and typing never waits on the network or the disk.

mod core_events;
mod keys;
mod render;
pub(crate) mod run;
pub(crate) mod slash;

use std::path::PathBuf;
use std::time::Instant;

use codex_protocol::TokenUsage;
use codex_protocol::mcp_events::McpInvocation;
use codex_protocol::protocol::Op;
use ratatui::text::Line;

use crate::bottom::approval::ApprovalModal;
use crate::bottom::status::TurnStatus;
use crate::cells::exec::ExecCell;
use crate::composer::Composer;
use crate::markdown::MarkdownStream;

/// How the UI behaves (from `[tui]` in config.toml and the environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UiSettings {
    /// Spinners move (off: still marks, fewer redraws).
    pub animations: bool,
    /// A desktop notification (OSC 9) when a turn completes.
    pub notify_turn_complete: bool,
    /// A desktop notification (OSC 9) when the agent asks for approval.
    pub notify_approval: bool,
    /// Colours (off under `NO_COLOR`).
    pub color: bool,
    /// Reasoning summaries are not shown.
    pub hide_reasoning: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            animations: true,
            notify_turn_complete: false,
            notify_approval: false,
            color: true,
            hide_reasoning: false,
        }
    }
}

/// What the app asks the loop to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Send this to the conversation.
    Submit(Op),
    /// Write a desktop notification (OSC 9) with this text.
    Notify(String),
    /// `/new`: shut this conversation down and start a fresh one.
    NewConversation,
    /// `/limits`: read core's count of this conversation's usage, then show the card.
    ShowLimits,
    /// `/model`, `/approvals`: continue the session on changed settings.
    Reconfigure(crate::slash::settings::SettingsChange),
    /// `/status`: gather the facts (config, login, AGENTS.md files) off the UI task.
    ShowStatus,
    /// `/diff`: run git off the UI task.
    ShowDiff,
}

/// The chat.
pub(crate) struct App {
    settings: UiSettings,
    /// The session's working directory (paths are shown relative to it).
    cwd: PathBuf,
    session_id: Option<String>,
    /// `/logout` and `/rename` (absent in tests that do not need them).
    session_commands: Option<crate::entry::commands::SessionCommands>,
    composer: Composer,
    modal: Option<ApprovalModal>,
    /// Requests that arrived while a modal was open.
    waiting_modals: Vec<ApprovalModal>,
    stream: MarkdownStream,
    /// Whether the streaming answer's cell has started in the scrollback.
    answer_open: bool,
    running_execs: Vec<ExecCell>,
    running_mcp: Vec<(String, McpInvocation)>,
    /// Patch texts by call id, from the approval request or the begin event.
    patches: Vec<(String, String)>,
    turn: Option<TurnStatus>,
    /// Messages sent while a turn works: shown under the status line until the answer in
    /// progress is finished, so they do not cut it in two in the history.
    queued: Vec<String>,
    /// Notes for the transcript that came while an answer streams (a slash command refused
    /// mid-turn): shown under it until it ends, then written after it, so that they do not
    /// cut the answer in two.
    held_notes: Vec<Vec<Line<'static>>>,
    /// Logical lines finished and waiting to go into the scrollback.
    history: Vec<Line<'static>>,
    /// Whether a cell was written (cells after the first get a blank line before them).
    any_cell: bool,
    usage: TokenUsage,
    commands: Vec<Command>,
    /// Ctrl+C was pressed once; another quits.
    quit_armed: Option<Instant>,
    /// The user asked to quit; the loop shuts the conversation down.
    quitting: bool,
    /// The conversation ended.
    ended: bool,
    spinner: usize,
    /// Popups, recall, slash commands (see [`slash`]).
    extras: slash::Extras,
}

impl App {
    /// A chat in `cwd`.
    pub(crate) fn new(settings: UiSettings, cwd: PathBuf) -> Self {
        Self {
            settings,
            extras: slash::Extras::new(cwd.clone()),
            cwd,
            session_id: None,
            session_commands: None,
            composer: Composer::new(),
            modal: None,
            waiting_modals: Vec::new(),
            stream: MarkdownStream::default(),
            answer_open: false,
            running_execs: Vec::new(),
            running_mcp: Vec::new(),
            patches: Vec::new(),
            turn: None,
            queued: Vec::new(),
            held_notes: Vec::new(),
            history: Vec::new(),
            any_cell: false,
            usage: TokenUsage::default(),
            commands: Vec::new(),
            quit_armed: None,
            quitting: false,
            ended: false,
            spinner: 0,
        }
    }

    /// Lets the chat answer `/logout` and `/rename`.
    pub(crate) fn set_session_commands(
        &mut self,
        commands: crate::entry::commands::SessionCommands,
    ) {
        self.session_commands = Some(commands);
    }

    /// The session id, once the conversation is configured.
    pub(crate) fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Token usage of the session so far.
    pub(crate) fn usage(&self) -> TokenUsage {
        self.usage
    }

    /// Whether the user asked to quit.
    pub(crate) fn quitting(&self) -> bool {
        self.quitting
    }

    /// Whether the conversation has shut down.
    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    /// Whether a turn is running.
    pub(crate) fn working(&self) -> bool {
        self.turn.is_some()
    }

    /// Finished lines for the scrollback (taken: each is written once).
    pub(crate) fn take_history(&mut self) -> Vec<Line<'static>> {
        std::mem::take(&mut self.history)
    }

    /// What the loop should do next (taken).
    pub(crate) fn take_commands(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.commands)
    }

    /// Advances spinners; returns whether a redraw is due.
    pub(crate) fn tick(&mut self) -> bool {
        if self
            .quit_armed
            .is_some_and(|t| t.elapsed().as_secs() >= QUIT_HINT_SECS)
        {
            self.quit_armed = None;
        }
        self.spinner = self.spinner.wrapping_add(1);
        self.working() || !self.running_execs.is_empty()
    }

    /// A warning of the front end's own (a config warning at start-up).
    pub(crate) fn warn(&mut self, message: &str) {
        self.push_cell(crate::cells::warning(message));
    }

    /// Writes a whole cell to the history, a blank line before it when it is not the first.
    fn push_cell(&mut self, lines: Vec<Line<'static>>) {
        if lines.is_empty() {
            return;
        }
        self.close_answer();
        if self.any_cell {
            self.history.push(Line::default());
        }
        self.any_cell = true;
        self.history.extend(lines);
    }

    /// Commits lines of the streaming answer; the first commit opens its cell.
    fn push_answer_lines(&mut self, lines: Vec<Line<'static>>) {
        if lines.is_empty() {
            return;
        }
        let first = !self.answer_open;
        if first && self.any_cell {
            self.history.push(Line::default());
        }
        self.any_cell = true;
        self.answer_open = true;
        self.history
            .extend(crate::cells::answer_lines(lines, first));
    }

    /// Ends the streaming answer's cell (its remaining lines are committed), then writes the
    /// messages queued behind it.
    fn close_answer(&mut self) {
        if !self.stream.is_empty() {
            let rest = self.stream.finish();
            self.push_answer_lines(rest);
        }
        self.answer_open = false;
        for note in std::mem::take(&mut self.held_notes) {
            self.push_cell(note);
        }
        for message in std::mem::take(&mut self.queued) {
            self.push_cell(crate::cells::user_message(&message));
        }
    }

    /// A note for the transcript: now, or after the answer that is streaming.
    fn push_note(&mut self, lines: Vec<Line<'static>>) {
        if self.answer_open || !self.stream.is_empty() {
            self.held_notes.push(lines);
        } else {
            self.push_cell(lines);
        }
    }

    fn submit(&mut self, op: Op) {
        self.commands.push(Command::Submit(op));
    }

    fn notify(&mut self, wanted: bool, text: &str) {
        if wanted {
            self.commands.push(Command::Notify(text.to_owned()));
        }
    }
}

/// How long the "ctrl + c again to quit" hint stays.
const QUIT_HINT_SECS: u64 = 3;

#[cfg(test)]
mod tests;
