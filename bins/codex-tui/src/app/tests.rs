//! Frames of the chat rendered to a test terminal (scrollback and screen as text),
//! snapshotted: one per kind of history cell, the live cells, the approval modals at two
//! widths, the too-small message.
#![allow(clippy::format_collect)] // Test data, built once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use codex_protocol::mcp_events::{McpInvocation, McpToolCallBeginEvent, McpToolCallEndEvent};
use codex_protocol::protocol::{
    ApplyPatchApprovalRequestEvent, EventMsg, ExecApprovalRequestEvent, ExecCommandBeginEvent,
    ExecCommandEndEvent, FileChangeKind, PatchApplyBeginEvent, PatchApplyEndEvent, PlanItem,
    RetryingEvent, SessionConfiguredEvent, StepStatus, TurnAbortReason, UpdatePlanArgs,
};
use codex_protocol::{AskForApproval, ReviewDecision, SandboxPolicy, TokenUsage};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::*;
use crate::screen::inline::InlineScreen;
use crate::screen::test_surface::TestSurface;

const CWD: &str = "/home/user/project";

struct Harness {
    app: App,
    screen: InlineScreen<TestSurface>,
}

impl Harness {
    fn new(width: u16, height: u16) -> Self {
        let app = App::new(
            UiSettings {
                animations: false,
                ..UiSettings::default()
            },
            PathBuf::from(CWD),
        );
        let screen = InlineScreen::new(TestSurface::new(width, height), true).unwrap();
        let mut h = Self { app, screen };
        h.draw();
        h
    }

    fn configured(width: u16, height: u16) -> Self {
        let mut h = Self::new(width, height);
        h.core(EventMsg::SessionConfigured(SessionConfiguredEvent {
            session_id: "0199a213-81c0-7800-8aa1-bbab2a035a53".into(),
            model: "mock-model".into(),
            model_provider: "mock".into(),
            approval_policy: AskForApproval::OnRequest,
            sandbox_policy: SandboxPolicy::workspace_write(),
            cwd: CWD.into(),
            rollout_path: None,
            resumed_items: 0,
        }));
        h
    }

    fn core(&mut self, msg: EventMsg) -> &mut Self {
        self.app.handle_core(msg);
        self.draw();
        self
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.draw();
        self
    }

    fn draw(&mut self) {
        let history = self.app.take_history();
        self.screen.insert_history(&history).unwrap();
        let size = self.screen.size();
        let height = self.app.desired_height(size);
        let app = &self.app;
        self.screen
            .draw(height, |area, buf| app.render(area, buf, size.height))
            .unwrap();
    }

    /// Scrollback then screen, trailing spaces and blank rows trimmed.
    fn text(&self) -> String {
        let mut rows = rows(&self.screen.surface_ref().scrollback());
        rows.extend(rows_of(&self.screen.surface_ref().buffer()));
        while rows.last().is_some_and(String::is_empty) {
            rows.pop();
        }
        rows.join("\n")
    }
}

fn rows(buf: &Buffer) -> Vec<String> {
    rows_of(buf)
}

fn rows_of(buf: &Buffer) -> Vec<String> {
    let w = usize::from(buf.area.width).max(1);
    buf.content
        .chunks(w)
        .map(|row| {
            let mut s = String::new();
            let mut skip = 0;
            for cell in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                s.push_str(cell.symbol());
                skip = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
            }
            s.trim_end().to_owned()
        })
        .collect()
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![(r"\(v\d+\.\d+\.\d+[^)]*\)", "(v[VERSION])")]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn exec_begin(id: &str, script: &str) -> EventMsg {
    EventMsg::ExecCommandBegin(ExecCommandBeginEvent {
        call_id: id.into(),
        command: vec!["bash".into(), "-lc".into(), script.into()],
        cwd: CWD.into(),
    })
}

fn exec_end(id: &str, script: &str, code: i32, output: &str) -> EventMsg {
    EventMsg::ExecCommandEnd(ExecCommandEndEvent {
        call_id: id.into(),
        command: vec!["bash".into(), "-lc".into(), script.into()],
        stdout: String::new(),
        stderr: String::new(),
        aggregated_output: output.into(),
        exit_code: code,
        duration_seconds: 1.5,
        declined: false,
    })
}

const PATCH: &str = "*** Begin Patch\n*** Add File: /home/user/project/hello.txt\n+hello\n+world\n*** Update File: /home/user/project/src/lib.rs\n@@ fn main\n-    old();\n+    new();\n     kept();\n*** End Patch\n";

fn patch_changes() -> BTreeMap<PathBuf, FileChangeKind> {
    let mut changes = BTreeMap::new();
    changes.insert(
        PathBuf::from("/home/user/project/hello.txt"),
        FileChangeKind::Add,
    );
    changes.insert(
        PathBuf::from("/home/user/project/src/lib.rs"),
        FileChangeKind::Update,
    );
    changes
}

#[test]
fn a_conversation_with_every_cell_kind() {
    let mut h = Harness::configured(80, 24);
    h.core(EventMsg::UserMessage {
        message: "fix the build\nplease".into(),
        images: None,
    })
    .core(EventMsg::TaskStarted)
    .core(EventMsg::AgentReasoning {
        text: "**Looking** at the build first.".into(),
    })
    .core(EventMsg::PlanUpdate(UpdatePlanArgs {
        explanation: Some("Two steps".into()),
        plan: vec![
            PlanItem {
                step: "Read the error".into(),
                status: StepStatus::Completed,
            },
            PlanItem {
                step: "Fix it".into(),
                status: StepStatus::InProgress,
            },
            PlanItem {
                step: "Run the tests".into(),
                status: StepStatus::Pending,
            },
        ],
    }))
    .core(exec_begin("c1", "cargo build"))
    .core(exec_end(
        "c1",
        "cargo build",
        101,
        "error[E0425]: cannot find `x`\n",
    ))
    .core(exec_begin("c2", "seq 1 30"))
    .core(exec_end(
        "c2",
        "seq 1 30",
        0,
        &(1..=30).map(|i| format!("{i}\n")).collect::<String>(),
    ))
    .core(EventMsg::PatchApplyBegin(PatchApplyBeginEvent {
        call_id: "p1".into(),
        auto_approved: true,
        changes: patch_changes(),
        patch: PATCH.into(),
    }))
    .core(EventMsg::PatchApplyEnd(PatchApplyEndEvent {
        call_id: "p1".into(),
        success: true,
        output: "Success.".into(),
        changes: patch_changes(),
    }))
    .core(EventMsg::McpToolCallBegin(McpToolCallBeginEvent {
        call_id: "m1".into(),
        invocation: McpInvocation {
            server: "docs".into(),
            tool: "search".into(),
            arguments: serde_json::json!({"q": "build"}),
        },
    }))
    .core(EventMsg::McpToolCallEnd(McpToolCallEndEvent {
        call_id: "m1".into(),
        invocation: McpInvocation {
            server: "docs".into(),
            tool: "search".into(),
            arguments: serde_json::json!({"q": "build"}),
        },
        result: Some(serde_json::json!({"content": [{"type": "text", "text": "found 2 pages"}]})),
        error: None,
    }))
    .core(EventMsg::Retrying(RetryingEvent {
        attempt: 1,
        max_retries: 5,
        delay_ms: 200,
        reason: "500 Internal Server Error".into(),
    }));
    for delta in [
        "## Fixed\n\nThe build ",
        "failed on `x`.\n\n- renamed it\n- ran ",
        "[the tests](https://example.test/ci)\n\n```rust\nlet x = 1;\n```\nAll good.",
    ] {
        h.core(EventMsg::AgentMessageDelta {
            delta: delta.into(),
        });
    }
    h.core(EventMsg::AgentMessage {
        message: String::new(),
    })
    .core(EventMsg::TokenCount {
        total_token_usage: TokenUsage {
            input_tokens: 1200,
            output_tokens: 34,
            ..TokenUsage::default()
        },
        last_token_usage: TokenUsage::default(),
        model_context_window: None,
    })
    .core(EventMsg::TaskComplete {
        last_agent_message: None,
    })
    .core(EventMsg::Error {
        message: "stream disconnected".into(),
        code: None,
    });
    snapshot!("conversation_80", h.text());
}

#[test]
fn running_command_and_status_line_live_in_the_viewport() {
    let mut h = Harness::configured(60, 16);
    h.core(EventMsg::TaskStarted)
        .core(exec_begin("c1", "sleep 5"))
        .core(EventMsg::AgentMessageDelta {
            delta: "partial line without newline".into(),
        });
    snapshot!("running_60", h.text());
}

fn exec_request() -> EventMsg {
    EventMsg::ExecApprovalRequest(ExecApprovalRequestEvent {
        call_id: "c9".into(),
        command: vec![
            "bash".into(),
            "-lc".into(),
            "rm -rf build && make all".into(),
        ],
        cwd: CWD.into(),
        reason: Some("writes outside the workspace".into()),
    })
}

fn patch_request() -> EventMsg {
    EventMsg::ApplyPatchApprovalRequest(ApplyPatchApprovalRequestEvent {
        call_id: "p9".into(),
        changes: patch_changes(),
        reason: None,
        patch: PATCH.into(),
        details: BTreeMap::new(),
    })
}

#[test]
fn approval_modals_at_two_widths() {
    for width in [80, 40] {
        let mut h = Harness::configured(width, 30);
        h.core(EventMsg::TaskStarted).core(exec_request());
        snapshot!(format!("exec_approval_{width}"), h.text());
        let mut h = Harness::configured(width, 30);
        h.core(EventMsg::TaskStarted).core(patch_request());
        snapshot!(format!("patch_approval_{width}"), h.text());
    }
}

#[test]
fn answering_a_modal_sends_the_decision_and_records_it() {
    let mut h = Harness::configured(80, 24);
    h.core(EventMsg::TaskStarted).core(exec_request());
    h.app.take_commands();
    h.key(KeyCode::Char('n'));
    for c in "use make -C build".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.take_commands(),
        [
            Command::Submit(Op::UserInput {
                items: vec![codex_protocol::protocol::InputItem::Text {
                    text: "use make -C build".into(),
                }],
            }),
            Command::Submit(Op::ExecApproval {
                id: "c9".into(),
                decision: ReviewDecision::Denied,
            }),
        ]
    );
    snapshot!("denied_with_note", h.text());
}

#[test]
fn interrupt_and_esc() {
    let mut h = Harness::configured(80, 20);
    h.core(EventMsg::TaskStarted)
        .core(EventMsg::AgentMessageDelta {
            delta: "first line\nsecond".into(),
        });
    h.app.take_commands();
    h.key(KeyCode::Esc);
    assert_eq!(h.app.take_commands(), [Command::Submit(Op::Interrupt)]);
    h.core(EventMsg::TurnAborted {
        reason: TurnAbortReason::Interrupted,
    });
    snapshot!("interrupted", h.text());
}

/// The open line of a streaming answer sits right under its finished lines, with the gap
/// before the status line instead.
#[test]
fn a_streaming_answer_has_no_gap_before_its_open_line() {
    let mut h = Harness::configured(60, 20);
    h.core(EventMsg::TaskStarted)
        .core(EventMsg::AgentMessageDelta {
            delta: "first line\nsecond line\nthe open li".into(),
        });
    let text = h.text();
    assert!(text.contains("  second line\n  the open li\n\n"), "{text}");
}

#[test]
fn too_small_terminal_says_so() {
    let h = Harness::configured(15, 4);
    assert!(h.text().contains("too small"), "{}", h.text());
}

#[test]
fn diff_lines_are_coloured() {
    let mut h = Harness::configured(80, 30);
    h.core(EventMsg::TaskStarted).core(patch_request());
    let buf = h.screen.surface_ref().buffer();
    let plus = buf.content.iter().find(|c| c.symbol() == "+").map(|c| c.fg);
    assert_eq!(plus, Some(Color::Green));
}

#[test]
fn no_color_keeps_text_and_drops_colours() {
    let mut h = Harness::configured(80, 30);
    h.screen = InlineScreen::new(TestSurface::new(80, 30), false).unwrap();
    h.core(EventMsg::TaskStarted).core(patch_request());
    let buf = h.screen.surface_ref().buffer();
    assert!(buf.content.iter().all(|c| c.fg == Color::Reset));
    assert!(h.text().contains("+hello"));
}

#[test]
fn ctrl_c_clears_then_quits() {
    let mut h = Harness::configured(80, 20);
    h.key(KeyCode::Char('x'));
    h.app
        .handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(h.app.composer.is_empty());
    assert!(!h.app.quitting());
    h.app
        .handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(h.app.quitting());
    assert_eq!(h.app.take_commands(), [Command::Submit(Op::Shutdown)]);
}

#[test]
fn slash_popup_and_model_list_take_their_places_at_two_widths() {
    for width in [80, 50] {
        let mut h = Harness::configured(width, 24);
        h.app.extras.settings = Some(slash::SessionSettings {
            model: "mock-model".into(),
            effort: None,
            openai_provider: false,
            approval: AskForApproval::OnRequest,
            sandbox: SandboxPolicy::workspace_write(),
            limits: codex_config::Limits::default(),
        });
        h.key(KeyCode::Char('/'));
        snapshot!(format!("slash_popup_{width}"), h.text());
        h.key(KeyCode::Char('m')).key(KeyCode::Char('o'));
        h.key(KeyCode::Enter);
        assert!(h.app.composer.is_empty(), "the command line is not sent");
        snapshot!(format!("model_list_{width}"), h.text());
        h.key(KeyCode::Esc);
        assert!(h.app.extras.view.is_none());
        assert!(h.app.take_commands().is_empty(), "Esc changes nothing");
    }
}

#[test]
fn a_typed_command_line_runs_and_other_text_is_sent_and_recalled() {
    let mut h = Harness::configured(80, 24);
    for c in "/limits".chars() {
        h.key(KeyCode::Char(c));
    }
    // Esc closes the popup; Enter then submits the line, which still names a command.
    h.key(KeyCode::Esc).key(KeyCode::Enter);
    // The loop reads core's count, then has the card drawn.
    assert_eq!(h.app.take_commands(), [Command::ShowLimits]);
    h.app.show_limits(None);
    h.draw();
    assert!(h.text().contains("Limits of this run"), "{}", h.text());
    for c in "hello".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    let sent = h.app.take_commands();
    assert!(
        matches!(&sent[..], [Command::Submit(Op::UserInput { .. })]),
        "{sent:?}"
    );
    h.key(KeyCode::Up);
    assert_eq!(h.app.composer.text(), "hello");
}

#[test]
fn a_message_sent_while_an_answer_streams_waits_for_its_end() {
    let mut h = Harness::configured(80, 24);
    h.core(EventMsg::TaskStarted)
        .core(EventMsg::AgentMessageDelta {
            delta: "first part\nsecond".into(),
        })
        .core(EventMsg::UserMessage {
            message: "also do this".into(),
            images: None,
        });
    assert!(h.text().contains("↳ also do this"), "{}", h.text());
    h.core(EventMsg::AgentMessageDelta {
        delta: " part\n".into(),
    })
    .core(EventMsg::AgentMessage {
        message: String::new(),
    });
    let text = h.text();
    let answer = text.find("  second part").expect("the answer in one piece");
    let message = text.find("› also do this").expect("the queued message");
    assert!(answer < message, "{text}");
}

#[test]
fn a_slash_command_refused_while_an_answer_streams_does_not_cut_it() {
    let mut h = Harness::configured(80, 24);
    h.core(EventMsg::TaskStarted)
        .core(EventMsg::AgentMessageDelta {
            delta: "first part\nsecond".into(),
        });
    for c in "/approvals".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert!(h.text().contains("not available while"), "{}", h.text());
    h.core(EventMsg::AgentMessageDelta {
        delta: " part\n".into(),
    })
    .core(EventMsg::AgentMessage {
        message: String::new(),
    });
    let text = h.text();
    assert!(text.contains("• first part\n  second part"), "{text}");
    let answer = text.find("  second part").unwrap();
    let note = text.find("/approvals is not available").unwrap();
    assert!(answer < note, "{text}");
}

#[test]
fn notifications_follow_the_settings() {
    let mut app = App::new(
        UiSettings {
            notify_turn_complete: true,
            ..UiSettings::default()
        },
        PathBuf::from(CWD),
    );
    app.handle_core(EventMsg::TaskStarted);
    app.handle_core(exec_request());
    app.handle_core(EventMsg::TaskComplete {
        last_agent_message: None,
    });
    assert_eq!(
        app.take_commands(),
        [Command::Notify("Turn complete".into())]
    );
}
