//! The composer's helpers inside the app: the `/` and `@` popups and Up/Down recall (through
//! [`ComposerAssist`]), the slash commands, and the `/model` and `/approvals` lists that take
//! the composer's place while open. What needs I/O (a new conversation, the git diff, the
//! `/status` facts) goes to the loop as a [`Command`].

use std::path::PathBuf;
use std::sync::Arc;

use codex_config::Limits;
use codex_protocol::protocol::{Op, SessionConfiguredEvent};
use codex_protocol::{AskForApproval, ReasoningEffort, SandboxPolicy};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::app::{App, Command};
use crate::cells;
use crate::composer_assist::{AssistKey, ComposerAssist};
use crate::history::{ComposerHistory, HistoryLoad};
use crate::slash::approvals::{ApprovalsKey, ApprovalsPicker};
use crate::slash::diff::{WorkspaceDiff, diff_lines};
use crate::slash::limits::limits_card;
use crate::slash::model::{ModelPicker, ModelPickerKey};
use crate::slash::settings::SettingsChange;
use crate::slash::status::{StatusInfo, status_card};
use crate::slash::usage::UsageTracker;
use crate::slash::{DispatchContext, SlashAction, SlashCommand, dispatch, parse_command_line};

/// A list open in the composer's place.
pub(crate) enum SlashView {
    Model(ModelPicker),
    Approvals(ApprovalsPicker),
}

/// What the app knows of the session's settings (for the lists and `/limits`).
#[derive(Debug, Clone)]
pub(crate) struct SessionSettings {
    pub(crate) model: String,
    pub(crate) effort: Option<ReasoningEffort>,
    pub(crate) openai_provider: bool,
    pub(crate) approval: AskForApproval,
    pub(crate) sandbox: SandboxPolicy,
    pub(crate) limits: Limits,
}

impl SessionSettings {
    /// The settings a conversation on `config` runs with.
    pub(crate) fn from_config(config: &codex_config::Config) -> Self {
        Self {
            model: config.model.clone(),
            effort: config.model_reasoning_effort,
            openai_provider: config.model_provider_id == codex_protocol::OPENAI_PROVIDER_ID,
            approval: config.approval_policy,
            sandbox: config.sandbox_policy.clone(),
            limits: config.limits.clone(),
        }
    }
}

/// The app's state for all of the above.
pub(crate) struct Extras {
    pub(crate) assist: ComposerAssist,
    pub(crate) tracker: UsageTracker,
    pub(crate) view: Option<SlashView>,
    pub(crate) settings: Option<SessionSettings>,
    /// The width history is written at (cards are laid out for it).
    pub(crate) width: u16,
}

impl Extras {
    /// Without the history file or a wake-up (tests; the loop attaches the real ones).
    pub(crate) fn new(cwd: PathBuf) -> Self {
        Self {
            assist: ComposerAssist::new(
                ComposerHistory::new(HistoryLoad::none()),
                cwd,
                true,
                Arc::new(|| {}),
            ),
            tracker: UsageTracker::default(),
            view: None,
            settings: None,
            width: 80,
        }
    }
}

impl App {
    /// Attaches the real recall and search (history read in the background, wake-ups to the
    /// loop) and the session's settings.
    pub(crate) fn attach_extras(&mut self, assist: ComposerAssist, settings: SessionSettings) {
        self.extras.assist = assist;
        self.extras.settings = Some(settings);
    }

    /// The `/limits` card, with core's count of the conversation's usage (`budget`).
    pub(crate) fn show_limits(&mut self, budget: Option<&codex_core::LimitsStatus>) {
        let limits = self
            .extras
            .settings
            .as_ref()
            .map(|s| s.limits.clone())
            .unwrap_or_default();
        let card = limits_card(&limits, &self.extras.tracker, budget, self.extras.width);
        self.push_cell(card);
    }

    /// The session's settings changed (`/model`, `/approvals`).
    pub(crate) fn settings_changed(&mut self, settings: SessionSettings, note: &str) {
        self.extras.settings = Some(settings);
        self.push_cell(cells::info(note));
    }

    /// Token use and turn progress so far (for `/status`).
    pub(crate) fn usage_tracker(&self) -> &UsageTracker {
        &self.extras.tracker
    }

    /// A slash command could not be carried out.
    pub(crate) fn slash_failed(&mut self, message: &str) {
        self.push_cell(cells::error(message));
    }

    /// The background threads delivered something: take it before drawing.
    pub(crate) fn poll_extras(&mut self) {
        self.extras.assist.poll();
        if let Some(text) = self.extras.assist.deferred_recall(self.composer.text()) {
            self.composer.set_text(&text);
            self.composer_edited();
        }
        if let Some(message) = self.extras.assist.take_history_error() {
            self.push_cell(cells::warning(&message));
        }
    }

    /// The width the history is written at.
    pub(crate) fn set_history_width(&mut self, width: u16) {
        self.extras.width = width;
    }

    /// An open list takes every key; returns whether it did.
    pub(crate) fn slash_view_key(&mut self, key: KeyEvent) -> bool {
        let Some(view) = &mut self.extras.view else {
            return false;
        };
        let change = match view {
            SlashView::Model(picker) => match picker.handle_key(key) {
                ModelPickerKey::Pending => return true,
                ModelPickerKey::Cancelled => None,
                ModelPickerKey::Chosen(choice) => Some(SettingsChange::Model(choice)),
            },
            SlashView::Approvals(picker) => match picker.handle_key(key) {
                ApprovalsKey::Pending => return true,
                ApprovalsKey::Cancelled => None,
                ApprovalsKey::Chosen(preset) => Some(SettingsChange::Approvals(preset)),
            },
        };
        self.extras.view = None;
        if let Some(change) = change {
            self.commands.push(Command::Reconfigure(change));
        }
        true
    }

    /// Offers a key to the popups and recall before the composer; returns whether they used
    /// it.
    pub(crate) fn assist_key(&mut self, key: KeyEvent) -> bool {
        match self.extras.assist.handle_key(key, self.composer.text()) {
            AssistKey::NotHandled => false,
            AssistKey::Handled => true,
            AssistKey::SetText { text, cursor } => {
                self.composer.set_text(&text);
                self.composer.set_cursor(cursor);
                self.composer_edited();
                true
            }
            AssistKey::RunCommand(command) => {
                self.composer.clear();
                self.run_slash(command);
                true
            }
        }
    }

    /// Whether Esc belongs to an open popup rather than to the running turn.
    pub(crate) fn popup_open(&self) -> bool {
        self.extras.assist.popup_open()
    }

    /// After the composer's text or cursor changed.
    pub(crate) fn composer_edited(&mut self) {
        self.extras
            .assist
            .text_changed(self.composer.text(), self.composer.cursor());
    }

    /// A submitted message: a command line runs the command; anything else goes to the
    /// agent and to recall.
    pub(crate) fn submit_composer(&mut self, text: String) {
        if let Some(command) = parse_command_line(&text) {
            self.run_slash(command);
            return;
        }
        self.extras.assist.record_submission(&text);
        self.send_message(text);
    }

    /// Runs a slash command.
    pub(crate) fn run_slash(&mut self, command: SlashCommand) {
        let ctx = DispatchContext {
            task_running: self.working(),
            cwd: &self.cwd,
        };
        match dispatch(command, ctx) {
            SlashAction::NewConversation => self.commands.push(Command::NewConversation),
            SlashAction::OpenModelPicker => {
                if let Some(s) = &self.extras.settings {
                    self.extras.view = Some(SlashView::Model(ModelPicker::new(
                        &s.model,
                        s.effort,
                        s.openai_provider,
                    )));
                }
            }
            SlashAction::OpenApprovalsPicker => {
                if let Some(s) = &self.extras.settings {
                    self.extras.view = Some(SlashView::Approvals(ApprovalsPicker::new(
                        s.approval, &s.sandbox,
                    )));
                }
            }
            SlashAction::ShowStatus => self.commands.push(Command::ShowStatus),
            SlashAction::ShowLimits => self.commands.push(Command::ShowLimits),
            SlashAction::ShowDiff => self.commands.push(Command::ShowDiff),
            SlashAction::SendPrompt(prompt) => self.send_message(prompt),
            SlashAction::Compact => self.submit(Op::Compact),
            SlashAction::InsertText(text) => {
                self.composer.set_text(&text);
                self.composer_edited();
            }
            SlashAction::Logout => {
                self.run_session_command(&crate::entry::commands::SessionCommand::Logout);
            }
            SlashAction::Quit => self.quit(),
            SlashAction::Refused(note) => self.push_note(cells::info(&note)),
        }
    }

    /// The `/status` card, once the loop gathered its facts.
    pub(crate) fn show_status(&mut self, info: &StatusInfo) {
        let card = status_card(info, self.extras.width);
        self.push_cell(card);
    }

    /// The `/diff` output, once git answered.
    pub(crate) fn show_diff(&mut self, diff: Result<WorkspaceDiff, String>) {
        match diff {
            Ok(diff) => self.push_cell(diff_lines(&diff)),
            Err(message) => self.push_cell(cells::error(&message)),
        }
    }

    /// A fresh conversation replaced the old one (`/new`): its header follows the old
    /// history, and the usage counts start again.
    pub(crate) fn conversation_replaced(&mut self, configured: SessionConfiguredEvent) {
        self.usage = codex_protocol::TokenUsage::default();
        self.extras.tracker = UsageTracker::default();
        self.handle_core(codex_protocol::protocol::EventMsg::SessionConfigured(
            configured,
        ));
    }

    /// Rows the popup needs above the composer (0 without one).
    pub(crate) fn popup_rows(&self) -> u16 {
        self.extras.assist.popup_height()
    }

    /// Draws the popup.
    pub(crate) fn render_popup(&self, area: Rect, buf: &mut Buffer) {
        self.extras.assist.render_popup(area, buf);
    }

    /// The open list's rows, drawn in the composer's place.
    pub(crate) fn slash_view_rows(&self) -> Option<u16> {
        self.extras.view.as_ref().map(|view| match view {
            SlashView::Model(p) => p.height(),
            SlashView::Approvals(p) => p.height(),
        })
    }

    /// Draws the open list.
    pub(crate) fn render_slash_view(&self, area: Rect, buf: &mut Buffer) {
        match &self.extras.view {
            Some(SlashView::Model(p)) => p.render(area, buf),
            Some(SlashView::Approvals(p)) => p.render(area, buf),
            None => {}
        }
    }
}
