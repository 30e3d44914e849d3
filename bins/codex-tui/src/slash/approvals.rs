//! `/approvals`: three presets of approval policy and sandbox, as in Codex.

use codex_protocol::{AskForApproval, SandboxMode, SandboxPolicy};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::picker::{Picker, PickerItem, PickerKey};

/// One preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalPreset {
    /// Its name in the list.
    pub label: &'static str,
    /// What it allows.
    pub description: &'static str,
    /// When the agent asks.
    pub approval: AskForApproval,
    /// What commands may touch.
    pub sandbox: SandboxMode,
}

/// The presets, least power first.
pub const APPROVAL_PRESETS: &[ApprovalPreset] = &[
    ApprovalPreset {
        label: "Read Only",
        description: "reads files; asks before editing or running anything else",
        approval: AskForApproval::OnRequest,
        sandbox: SandboxMode::ReadOnly,
    },
    ApprovalPreset {
        label: "Auto",
        description: "edits and runs commands in the workspace; asks for more",
        approval: AskForApproval::OnRequest,
        sandbox: SandboxMode::WorkspaceWrite,
    },
    ApprovalPreset {
        label: "Full Access",
        description: "edits anywhere and uses the network without asking; use with care",
        approval: AskForApproval::Never,
        sandbox: SandboxMode::DangerFullAccess,
    },
];

/// What a key did to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalsKey {
    /// Still choosing.
    Pending,
    /// Esc.
    Cancelled,
    /// This preset.
    Chosen(ApprovalPreset),
}

/// The `/approvals` list.
#[derive(Debug, Clone)]
pub struct ApprovalsPicker {
    list: Picker,
}

impl ApprovalsPicker {
    /// The list with the preset matching the session's settings marked current.
    pub fn new(approval: AskForApproval, sandbox: &SandboxPolicy) -> Self {
        let items = APPROVAL_PRESETS
            .iter()
            .map(|p| PickerItem {
                name: p.label.to_owned(),
                description: p.description.to_owned(),
                current: p.approval == approval && p.sandbox == sandbox.mode(),
            })
            .collect();
        Self {
            list: Picker::new("Choose what the agent may do without asking", None, items),
        }
    }

    /// Handles a key.
    pub fn handle_key(&mut self, key: KeyEvent) -> ApprovalsKey {
        match self.list.handle_key(key) {
            PickerKey::Handled => ApprovalsKey::Pending,
            PickerKey::Cancelled => ApprovalsKey::Cancelled,
            PickerKey::Chosen(i) => APPROVAL_PRESETS
                .get(i)
                .map_or(ApprovalsKey::Pending, |p| ApprovalsKey::Chosen(*p)),
        }
    }

    /// Rows the list needs.
    pub fn height(&self) -> u16 {
        self.list.height()
    }
}

impl Widget for &ApprovalsPicker {
    fn render(self, area: Rect, buf: &mut Buffer) {
        (&self.list).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(p: &ApprovalsPicker, width: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, p.height())).unwrap();
        term.draw(|f| f.render_widget(p, f.area())).unwrap();
        term.backend().to_string()
    }

    #[test]
    fn marks_the_current_preset_and_chooses_another() {
        let mut p =
            ApprovalsPicker::new(AskForApproval::OnRequest, &SandboxPolicy::workspace_write());
        insta::assert_snapshot!("approvals_picker_100", draw(&p, 100));
        insta::assert_snapshot!("approvals_picker_60", draw(&p, 60));
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        p.handle_key(key(KeyCode::Up));
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            ApprovalsKey::Chosen(APPROVAL_PRESETS[0])
        );
        assert_eq!(p.handle_key(key(KeyCode::Esc)), ApprovalsKey::Cancelled);
    }
}
