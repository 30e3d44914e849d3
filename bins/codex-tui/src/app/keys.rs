//! Keys and pastes. An open approval modal takes every key; then the chat's own keys
//! (interrupt, quit); then the `/` and `@` popups and Up/Down recall (`app::slash`); the
//! composer gets the rest.

use std::time::Instant;

use codex_protocol::ReviewDecision;
use codex_protocol::protocol::{InputItem, Op};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::bottom::approval::Answer;
use crate::cells::styles;
use crate::composer::ComposerAction;

impl App {
    /// Handles a key press (releases are ignored).
    pub(crate) fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(modal) = &mut self.modal {
            // Ctrl+C during a question stops the turn, as Esc does.
            let answer = if ctrl && key.code == KeyCode::Char('c') {
                modal.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
            } else {
                modal.handle_key(key)
            };
            if let Some(answer) = answer {
                self.answer(answer);
            }
            return;
        }
        // A `/model` or `/approvals` list in the composer's place; Ctrl+C closes it as Esc.
        let list_key = if ctrl && key.code == KeyCode::Char('c') {
            KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)
        } else {
            key
        };
        if self.slash_view_key(list_key) {
            return;
        }
        match key.code {
            KeyCode::Char('c') if ctrl => {
                self.ctrl_c();
                self.composer_edited();
                return;
            }
            KeyCode::Char('d') if ctrl && self.composer.is_empty() => {
                self.quit();
                return;
            }
            KeyCode::Esc if self.working() && !self.popup_open() => {
                self.interrupt();
                return;
            }
            _ => {}
        }
        // The `/` and `@` popups and Up/Down recall come before the composer.
        if !self.assist_key(key) {
            match self.composer.handle_key(key) {
                ComposerAction::Submit(text) => self.submit_composer(text),
                ComposerAction::Handled => self.composer_edited(),
                ComposerAction::Ignored => {}
            }
        }
        self.quit_armed = None;
    }

    /// A bracketed paste goes to the modal's note or the composer; it never submits.
    pub(crate) fn handle_paste(&mut self, text: &str) {
        if self.modal.is_some() {
            return;
        }
        self.composer.handle_paste(text);
        self.composer_edited();
    }

    /// Sends what the user wrote: to a new turn, or (while one runs) queued into it.
    pub(crate) fn send_message(&mut self, text: String) {
        // `/rename <name>` (and `/logout` typed whole): commands with an argument, which the
        // popup's table cannot complete.
        if let Some(command) = crate::entry::commands::parse(&text)
            && self.session_commands.is_some()
        {
            self.run_session_command(&command);
            return;
        }
        self.send_items(vec![InputItem::Text { text }]);
    }

    /// Runs `/logout` or `/rename` and shows what it did.
    pub(crate) fn run_session_command(&mut self, command: &crate::entry::commands::SessionCommand) {
        let Some(commands) = &self.session_commands else {
            return;
        };
        let outcome = commands.run(command, self.session_id.as_deref());
        self.push_cell(if outcome.failed {
            crate::cells::error(&outcome.message)
        } else {
            crate::cells::info(&outcome.message)
        });
        if outcome.exit {
            self.quit();
        }
    }

    /// Sends a message of several parts (the first prompt with `--image` files).
    pub(crate) fn send_items(&mut self, items: Vec<InputItem>) {
        self.submit(Op::UserInput { items });
    }

    /// Ctrl+C: interrupt a turn; else clear the composer; else (or pressed again) quit.
    fn ctrl_c(&mut self) {
        if self.working() {
            self.interrupt();
            self.quit_armed = Some(Instant::now());
        } else if self.quit_armed.is_some() || self.composer.is_empty() {
            self.quit();
        } else {
            self.composer.clear();
            self.quit_armed = Some(Instant::now());
        }
    }

    fn interrupt(&mut self) {
        self.submit(Op::Interrupt);
    }

    /// Asks the loop to shut the conversation down and leave.
    pub(crate) fn quit(&mut self) {
        if !self.quitting {
            self.quitting = true;
            self.submit(Op::Shutdown);
        }
    }

    /// Sends the modal's answer and records it in the history.
    fn answer(&mut self, answer: Answer) {
        self.modal = if self.waiting_modals.is_empty() {
            None
        } else {
            Some(self.waiting_modals.remove(0))
        };
        let what = if answer.exec { "command" } else { "edits" };
        let (mark, style, text) = match answer.decision {
            ReviewDecision::Approved => (
                "✔ ",
                styles::ok(),
                format!("You approved the {what} this once"),
            ),
            ReviewDecision::ApprovedForSession => (
                "✔ ",
                styles::ok(),
                format!("You approved the {what} for this session"),
            ),
            ReviewDecision::Denied => ("✗ ", styles::failed(), format!("You denied the {what}")),
            ReviewDecision::Abort => (
                "✗ ",
                styles::failed(),
                format!("You denied the {what} and stopped the turn"),
            ),
        };
        let mut lines = vec![Line::from(vec![Span::styled(mark, style), Span::raw(text)])];
        if let Some(note) = &answer.note {
            lines.push(Line::from(Span::styled(
                format!("  └ note: {note}"),
                styles::dim(),
            )));
        }
        self.push_cell(lines);
        if let Some(note) = answer.note {
            // Sent before the decision, so it is waiting when the turn goes on and the model
            // reads it with the refusal.
            self.send_message(note);
        }
        let op = if answer.exec {
            Op::ExecApproval {
                id: answer.call_id,
                decision: answer.decision,
            }
        } else {
            Op::PatchApproval {
                id: answer.call_id,
                decision: answer.decision,
            }
        };
        self.submit(op);
    }
}
