//! The approval modal: the agent asks to run a command or apply a patch, and nothing happens
//! until the user answers. `y` approves once, `a` for the rest of the session, `n` denies
//! (then an optional note for the model, Enter sends), Esc denies and stops the turn. Arrows
//! and Enter select too. For a moment after it opens the modal ignores answers, so keys
//! typed for the composer as it pops up cannot answer it by accident.

use std::path::Path;
use std::time::{Duration, Instant};

use codex_protocol::ReviewDecision;
use codex_protocol::protocol::{ApplyPatchApprovalRequestEvent, ExecApprovalRequestEvent};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::cells::exec::command_line;
use crate::cells::patch::{diff_lines, parse_patch};
use crate::cells::{display_path, safe, styles};

/// Diff lines a patch modal shows before folding (the whole patch is in the history after).
const MODAL_DIFF_LINES: usize = 24;
/// How long after opening the modal ignores answers (people mid-word when it appears).
const GRACE: Duration = Duration::from_millis(300);

/// What is asked.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    /// Run a command.
    Exec {
        /// As a person would type it.
        command: String,
        /// Where.
        cwd: String,
    },
    /// Apply a patch.
    Patch {
        /// The diff lines to show.
        diff: Vec<Line<'static>>,
    },
}

/// The user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The tool call answered.
    pub(crate) call_id: String,
    /// Whether the request was for a command (else a patch).
    pub(crate) exec: bool,
    /// The decision.
    pub(crate) decision: ReviewDecision,
    /// A note for the model (after `n`).
    pub(crate) note: Option<String>,
}

/// An open approval question.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalModal {
    call_id: String,
    request: Request,
    reason: Option<String>,
    selected: usize,
    /// Typing the note after `n`.
    note: Option<String>,
    /// Answers count from this moment on.
    armed_at: Instant,
}

const OPTIONS: [(&str, &str, ReviewDecision); 4] = [
    ("Yes, go ahead", "y", ReviewDecision::Approved),
    (
        "Yes, and don't ask again this session",
        "a",
        ReviewDecision::ApprovedForSession,
    ),
    ("No, and tell the model why", "n", ReviewDecision::Denied),
    ("No, and stop the turn", "esc", ReviewDecision::Abort),
];

impl ApprovalModal {
    /// A command request.
    pub(crate) fn exec(event: &ExecApprovalRequestEvent) -> Self {
        Self {
            call_id: event.call_id.clone(),
            request: Request::Exec {
                command: command_line(&event.command),
                cwd: safe(&event.cwd.display().to_string()),
            },
            reason: event.reason.as_deref().map(safe),
            selected: 0,
            note: None,
            armed_at: Instant::now() + GRACE,
        }
    }

    /// A patch request.
    pub(crate) fn patch(event: &ApplyPatchApprovalRequestEvent, cwd: &Path) -> Self {
        let mut diff = diff_lines(&parse_patch(&event.patch), cwd);
        if diff.is_empty() {
            diff = event
                .changes
                .keys()
                .map(|p| Line::from(format!("  └ {}", display_path(p, cwd))))
                .collect();
        }
        if diff.len() > MODAL_DIFF_LINES {
            let more = diff.len() - MODAL_DIFF_LINES;
            diff.truncate(MODAL_DIFF_LINES);
            diff.push(Line::from(Span::styled(
                format!("    … +{more} lines"),
                styles::dim(),
            )));
        }
        Self {
            call_id: event.call_id.clone(),
            request: Request::Patch { diff },
            reason: event.reason.as_deref().map(safe),
            selected: 0,
            note: None,
            armed_at: Instant::now() + GRACE,
        }
    }

    fn answer(&self, decision: ReviewDecision, note: Option<String>) -> Answer {
        Answer {
            call_id: self.call_id.clone(),
            exec: matches!(self.request, Request::Exec { .. }),
            decision,
            note: note.filter(|n| !n.trim().is_empty()),
        }
    }

    /// Answers count at once (tests, and the harness that drives a modal directly).
    #[cfg(test)]
    pub(crate) fn armed(mut self) -> Self {
        self.armed_at = Instant::now();
        self
    }

    /// Handles a key; `Some` once the user has decided.
    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> Option<Answer> {
        if Instant::now() < self.armed_at {
            return None;
        }
        if let Some(note) = &mut self.note {
            match key.code {
                KeyCode::Enter => {
                    let note = note.clone();
                    return Some(self.answer(ReviewDecision::Denied, Some(note)));
                }
                KeyCode::Esc => self.note = None,
                KeyCode::Backspace => {
                    note.pop();
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    note.push(c);
                }
                _ => {}
            }
            return None;
        }
        let choose = |modal: &mut Self, index: usize| -> Option<Answer> {
            let decision = OPTIONS[index].2;
            if decision == ReviewDecision::Denied {
                modal.note = Some(String::new());
                return None;
            }
            Some(modal.answer(decision, None))
        };
        match key.code {
            KeyCode::Char('y' | 'Y' | '1') => choose(self, 0),
            KeyCode::Char('a' | 'A' | '2') => choose(self, 1),
            KeyCode::Char('n' | 'N' | '3') => choose(self, 2),
            KeyCode::Esc | KeyCode::Char('4') => choose(self, 3),
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                None
            }
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(OPTIONS.len() - 1);
                None
            }
            KeyCode::Enter => choose(self, self.selected),
            _ => None,
        }
    }

    /// The modal's lines (logical; wrapped by the caller).
    pub(crate) fn lines(&self) -> Vec<Line<'static>> {
        let title = Style::new().add_modifier(Modifier::BOLD);
        let mut lines = Vec::new();
        match &self.request {
            Request::Exec { command, cwd } => {
                lines.push(Line::from(Span::styled(
                    "Allow the agent to run this command?",
                    title,
                )));
                lines.push(Line::from(vec![
                    Span::styled("  $ ", styles::dim()),
                    Span::styled(command.clone(), styles::bold()),
                ]));
                lines.push(Line::from(Span::styled(
                    format!("    in {cwd}"),
                    styles::dim(),
                )));
            }
            Request::Patch { diff } => {
                lines.push(Line::from(Span::styled(
                    "Allow the agent to make these edits?",
                    title,
                )));
                lines.extend(diff.iter().cloned());
            }
        }
        if let Some(reason) = &self.reason {
            lines.push(Line::from(Span::styled(
                format!("  reason: {reason}"),
                Style::new().add_modifier(Modifier::ITALIC),
            )));
        }
        lines.push(Line::default());
        if let Some(note) = &self.note {
            lines.push(Line::from(Span::styled(
                "Denied. A note for the model (optional):",
                title,
            )));
            lines.push(Line::from(vec![
                Span::styled("› ", styles::accent()),
                Span::raw(note.clone()),
                Span::styled(" ", Style::new().add_modifier(Modifier::REVERSED)),
            ]));
            lines.push(Line::from(Span::styled(
                "enter sends · esc back to the choices",
                styles::dim(),
            )));
            return lines;
        }
        for (i, (label, key, _)) in OPTIONS.iter().enumerate() {
            let selected = i == self.selected;
            let style = if selected {
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            lines.push(Line::from(vec![
                Span::styled(if selected { "› " } else { "  " }, style),
                Span::styled(format!("{}. {label} ", i + 1), style),
                Span::styled(format!("({key})"), styles::dim()),
            ]));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modal() -> ApprovalModal {
        ApprovalModal::exec(&ExecApprovalRequestEvent {
            call_id: "c1".into(),
            command: vec!["touch".into(), "x".into()],
            cwd: "/w".into(),
            reason: None,
        })
        .armed()
    }

    #[test]
    fn answers_right_after_opening_are_ignored() {
        let mut m = ApprovalModal::exec(&ExecApprovalRequestEvent {
            call_id: "c1".into(),
            command: vec!["ls".into()],
            cwd: "/w".into(),
            reason: None,
        });
        assert_eq!(m.handle_key(key(KeyCode::Char('y'))), None);
        m = m.armed();
        assert!(m.handle_key(key(KeyCode::Char('y'))).is_some());
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn letters_decide() {
        assert_eq!(
            modal()
                .handle_key(key(KeyCode::Char('y')))
                .map(|a| a.decision),
            Some(ReviewDecision::Approved)
        );
        assert_eq!(
            modal()
                .handle_key(key(KeyCode::Char('a')))
                .map(|a| a.decision),
            Some(ReviewDecision::ApprovedForSession)
        );
        assert_eq!(
            modal().handle_key(key(KeyCode::Esc)).map(|a| a.decision),
            Some(ReviewDecision::Abort)
        );
    }

    #[test]
    fn deny_takes_an_optional_note() {
        let mut m = modal();
        assert_eq!(m.handle_key(key(KeyCode::Char('n'))), None);
        for c in "use ls".chars() {
            assert_eq!(m.handle_key(key(KeyCode::Char(c))), None);
        }
        let answer = m.handle_key(key(KeyCode::Enter));
        assert_eq!(
            answer,
            Some(Answer {
                call_id: "c1".into(),
                exec: true,
                decision: ReviewDecision::Denied,
                note: Some("use ls".into()),
            })
        );
    }
}
