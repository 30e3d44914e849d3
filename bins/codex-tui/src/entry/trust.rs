//! Asking whether to trust the working directory, the first time the app runs there. The
//! answer is written to config.toml (`[projects."<dir>"] trust_level`) by codex-config's
//! comment-keeping editor, and decides the defaults of every later session in that directory:
//! trusted works in the `workspace-write` sandbox with `on-request` approvals; untrusted asks
//! before running anything not known to be read-only.

use std::path::{Path, PathBuf};

use codex_config::TrustLevel;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Stylize as _;
use ratatui::text::{Line, Span};

use super::screen::{Screen, Step};
use super::style;

/// What the user decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustDecision {
    /// Write this level.
    Decided(TrustLevel),
    /// Ctrl-C once: go on without writing anything (asked again next time).
    Skipped,
}

/// The trust prompt.
#[derive(Debug, Clone)]
pub struct TrustPrompt {
    dir: PathBuf,
    in_git_repo: bool,
    selected: usize,
    /// Shown above the question (e.g. "Signed in with an API key").
    banner: Option<String>,
    error: Option<String>,
}

const CHOICES: [TrustLevel; 2] = [TrustLevel::Trusted, TrustLevel::Untrusted];

impl TrustPrompt {
    /// A prompt for `dir`. Outside a git repository, asking for approval is preselected: edits
    /// there cannot be reviewed or undone with git.
    pub fn new(dir: &Path, in_git_repo: bool) -> Self {
        Self {
            dir: dir.to_path_buf(),
            in_git_repo,
            selected: usize::from(!in_git_repo),
            banner: None,
            error: None,
        }
    }

    /// A success line shown above the question.
    #[must_use]
    pub fn with_banner(mut self, banner: impl Into<String>) -> Self {
        self.banner = Some(banner.into());
        self
    }

    /// Shows why writing the decision failed.
    pub fn set_error(&mut self, error: impl Into<String>) {
        self.error = Some(error.into());
    }

    /// The directory asked about.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Screen for TrustPrompt {
    type Output = TrustDecision;
    type Message = ();

    fn handle_key(&mut self, key: KeyEvent) -> Step<TrustDecision> {
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = 0,
            KeyCode::Down | KeyCode::Char('j') => self.selected = 1,
            KeyCode::Enter => return Step::Done(TrustDecision::Decided(CHOICES[self.selected])),
            KeyCode::Char('1') => return Step::Done(TrustDecision::Decided(TrustLevel::Trusted)),
            KeyCode::Char('2') => {
                return Step::Done(TrustDecision::Decided(TrustLevel::Untrusted));
            }
            _ => {}
        }
        Step::Stay
    }

    fn handle_message(&mut self, (): ()) -> Step<TrustDecision> {
        Step::Stay
    }

    fn interrupt(&mut self) -> Step<Option<TrustDecision>> {
        Step::Done(Some(TrustDecision::Skipped))
    }

    fn render(&self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![Line::default()];
        if let Some(banner) = &self.banner {
            lines.push(style::success(banner));
            lines.push(Line::default());
        }
        lines.push(Line::from(vec![
            Span::from("You are in ").bold(),
            Span::from(self.dir.display().to_string()).bold().cyan(),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(
            "Do you trust this folder? Trusting it lets Codex edit files here and run \
             commands in the workspace sandbox without asking first (approvals: on-request, \
             sandbox: workspace-write). Otherwise Codex asks before running anything that is \
             not known to be read-only.",
        ));
        lines.push(Line::default());
        if !self.in_git_repo {
            lines.push(Line::from(
                Span::from(
                    "⚠ This folder is not in a git repository: changes Codex makes here \
                     cannot be reviewed or undone with git. Asking for approval is recommended.",
                )
                .yellow(),
            ));
            lines.push(Line::default());
        }
        if let Some(error) = &self.error {
            lines.push(style::error(error));
            lines.push(Line::default());
        }
        lines.extend(style::choice(
            1,
            "Yes, trust this folder",
            "Codex works here without asking for each edit or command",
            self.selected == 0,
        ));
        lines.extend(style::choice(
            2,
            "No, ask me first",
            "Codex asks before edits and commands that are not read-only",
            self.selected == 1,
        ));
        lines.push(Line::default());
        lines.push(style::hint(
            "Press 1/2 or ↑/↓ and Enter · Ctrl-C to decide later",
        ));
        style::render_text(lines, area, buf);
    }
}
