//! The chat driven without a terminal, for the latency bench (`examples/bench_tui.rs`): the
//! real app state and the real inline screen writing its escape sequences to a sink, so a
//! measured frame is everything the chat does for a key except the terminal's own write.

use std::path::PathBuf;

use codex_protocol::protocol::{EventMsg, SessionConfiguredEvent};
use codex_protocol::{AskForApproval, SandboxPolicy};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Size;

use crate::app::{App, UiSettings};
use crate::screen::inline::InlineScreen;
use crate::screen::surface::TerminalSurface;

/// An app and its screen.
pub struct Harness {
    app: App,
    screen: InlineScreen<TerminalSurface<std::io::Sink>>,
}

impl Harness {
    /// A configured session in a `width`×`height` terminal.
    ///
    /// # Panics
    /// Never: the sink takes everything.
    #[allow(clippy::missing_panics_doc)]
    pub fn new(width: u16, height: u16) -> Self {
        let cwd = PathBuf::from("/home/user/project");
        let mut app = App::new(UiSettings::default(), cwd.clone());
        app.handle_core(EventMsg::SessionConfigured(SessionConfiguredEvent {
            session_id: "bench".into(),
            model: "mock-model".into(),
            model_provider: "mock".into(),
            approval_policy: AskForApproval::OnRequest,
            sandbox_policy: SandboxPolicy::workspace_write(),
            cwd,
            rollout_path: None,
            resumed_items: 0,
        }));
        let surface = TerminalSurface::with_size(std::io::sink(), Size::new(width, height));
        let screen = match InlineScreen::new(surface, true) {
            Ok(s) => s,
            Err(e) => panic!("sink: {e}"),
        };
        let mut h = Self { app, screen };
        h.frame();
        h
    }

    /// A key press.
    pub fn key(&mut self, code: KeyCode) {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    /// An event from the conversation.
    pub fn core(&mut self, msg: EventMsg) {
        self.app.handle_core(msg);
    }

    /// Finished history into the scrollback, then the viewport: one frame.
    ///
    /// # Panics
    /// Never: the sink takes everything.
    pub fn frame(&mut self) {
        let history = self.app.take_history();
        if let Err(e) = self.screen.insert_history(&history) {
            panic!("sink: {e}");
        }
        let size = self.screen.size();
        let height = self.app.desired_height(size);
        let app = &self.app;
        if let Err(e) = self
            .screen
            .draw(height, |area, buf| app.render(area, buf, size.height))
        {
            panic!("sink: {e}");
        }
        let _ = self.app.take_commands();
    }
}
