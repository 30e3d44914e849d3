//! What the entry screens show, drawn on a `TestBackend` at two widths and snapshotted: every
//! onboarding screen, the trust prompt and the resume picker (empty, one page, searching, many
//! pages). Keys drive the screens as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use codex_config::{ForcedLoginMethod, TrustLevel};
use codex_protocol::rollout::SessionSource;
use codex_rollout::{Page, SessionSummary};
use codex_tui::entry::api_key::{ApiKeyEntry, ApiKeyOutcome};
use codex_tui::entry::chatgpt::{ChatGptSignIn, Flow, SignInMessage, SignInOutcome};
use codex_tui::entry::picker::{Picker, PickerMessage, PickerOutcome};
use codex_tui::entry::screen::{Screen, Step, ctrl, key};
use codex_tui::entry::trust::{TrustDecision, TrustPrompt};
use codex_tui::entry::welcome::{SignInChoice, Welcome};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDE: u16 = 80;
const NARROW: u16 = 48;

fn draw(screen: &impl Screen, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| screen.render(frame.area(), frame.buffer_mut()))
        .unwrap();
    terminal.backend().to_string()
}

/// Snapshots `screen` at both widths, as `<name>_wide` and `<name>_narrow`.
fn snapshot_both(name: &str, screen: &impl Screen, height: u16) {
    insta::assert_snapshot!(format!("{name}_wide"), draw(screen, WIDE, height));
    insta::assert_snapshot!(format!("{name}_narrow"), draw(screen, NARROW, height));
}

fn type_text<S: Screen>(screen: &mut S, text: &str) {
    for c in text.chars() {
        assert!(matches!(
            screen.handle_key(key(KeyCode::Char(c))),
            Step::Stay
        ));
    }
}

#[test]
fn welcome_offers_every_way_to_sign_in() {
    let mut welcome = Welcome::new(None, false, false);
    snapshot_both("welcome", &welcome, 20);
    assert_eq!(welcome.handle_key(key(KeyCode::Down)), Step::Stay);
    assert_eq!(
        welcome.handle_key(key(KeyCode::Enter)),
        Step::Done(SignInChoice::DeviceCode)
    );
    assert_eq!(
        welcome.handle_key(key(KeyCode::Char('3'))),
        Step::Done(SignInChoice::ApiKey)
    );
    assert_eq!(welcome.handle_key(key(KeyCode::Char('4'))), Step::Stay);
}

#[test]
fn welcome_headless_with_env_key_and_an_error() {
    let welcome = Welcome::new(None, true, true)
        .with_error("Sign-in failed: the local sign-in server on port 1455 failed: busy");
    assert_eq!(
        welcome.choices(),
        [
            SignInChoice::DeviceCode,
            SignInChoice::ChatGpt,
            SignInChoice::ApiKey
        ]
    );
    snapshot_both("welcome_headless_error", &welcome, 24);
}

#[test]
fn forced_login_method_limits_the_choices() {
    let chatgpt_only = Welcome::new(Some(ForcedLoginMethod::Chatgpt), false, true);
    assert_eq!(
        chatgpt_only.choices(),
        [SignInChoice::ChatGpt, SignInChoice::DeviceCode]
    );
    snapshot_both("welcome_forced_chatgpt", &chatgpt_only, 18);
    let api_only = Welcome::new(Some(ForcedLoginMethod::Api), false, false);
    assert_eq!(api_only.choices(), [SignInChoice::ApiKey]);
}

#[test]
fn api_key_entry_is_masked_and_prefilled() {
    let mut empty = ApiKeyEntry::new(None, "/home/me/.codex/auth.json");
    snapshot_both("api_key_empty", &empty, 14);
    assert_eq!(empty.handle_key(key(KeyCode::Enter)), Step::Stay);
    snapshot_both("api_key_empty_enter", &empty, 14);
    type_text(&mut empty, "sk-typed-secret-value-1234");
    empty.paste(" more\n");
    assert_eq!(empty.masked(), format!("sk-t{}more", "•".repeat(22)));
    assert_eq!(
        empty.handle_key(key(KeyCode::Enter)),
        Step::Done(ApiKeyOutcome::Save("sk-typed-secret-value-1234more".into()))
    );

    let mut prefilled = ApiKeyEntry::new(
        Some("sk-proj-abcdefghijklmnopqrstuvwxyz0123".into()),
        "/home/me/.codex/auth.json",
    );
    snapshot_both("api_key_prefilled", &prefilled, 14);
    let text = draw(&prefilled, WIDE, 12);
    assert!(
        !text.contains("abcdefghijklmnop"),
        "the key must not show:\n{text}"
    );
    assert_eq!(
        prefilled.handle_key(key(KeyCode::Esc)),
        Step::Done(ApiKeyOutcome::Back)
    );
    prefilled.handle_key(ctrl('u'));
    assert_eq!(prefilled.masked(), "");
}

#[test]
fn chatgpt_sign_in_shows_the_url_then_finishes() {
    let mut browser = ChatGptSignIn::new(Flow::Browser);
    snapshot_both("chatgpt_starting", &browser, 10);
    browser.handle_message(SignInMessage::BrowserWaiting {
        auth_url: "https://auth.example.com/oauth/authorize?response_type=code&client_id=app_x&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&state=abc".into(),
        port: 1455,
    });
    assert_eq!(browser.callback_port(), Some(1455));
    snapshot_both("chatgpt_browser_waiting", &browser, 16);
    assert_eq!(
        browser.handle_message(SignInMessage::Finished(Ok(()))),
        Step::Done(SignInOutcome::SignedIn)
    );

    let mut device = ChatGptSignIn::new(Flow::DeviceCode);
    device.handle_message(SignInMessage::DeviceWaiting {
        verification_url: "https://auth.example.com/codex/device".into(),
        user_code: "WXYZ-1234".into(),
    });
    snapshot_both("chatgpt_device_waiting", &device, 10);
    assert_eq!(
        device.handle_message(SignInMessage::Finished(Err("timed out".into()))),
        Step::Done(SignInOutcome::Failed("timed out".into()))
    );
    assert_eq!(
        device.handle_key(key(KeyCode::Esc)),
        Step::Done(SignInOutcome::Cancelled)
    );
}

#[test]
fn trust_prompt_in_a_repository_and_outside_one() {
    let dir = Path::new("/home/me/projects/app");
    let mut in_repo =
        TrustPrompt::new(dir, true).with_banner("API key saved: usage is billed to your account");
    snapshot_both("trust_git_repo", &in_repo, 22);
    assert_eq!(
        in_repo.handle_key(key(KeyCode::Enter)),
        Step::Done(TrustDecision::Decided(TrustLevel::Trusted))
    );
    assert_eq!(
        in_repo.interrupt(),
        Step::Done(Some(TrustDecision::Skipped))
    );

    let mut outside = TrustPrompt::new(dir, false);
    snapshot_both("trust_not_git", &outside, 24);
    assert_eq!(
        outside.handle_key(key(KeyCode::Enter)),
        Step::Done(TrustDecision::Decided(TrustLevel::Untrusted))
    );
    outside.set_error("config.toml:3:1: invalid TOML: expected `=`");
    snapshot_both("trust_write_error", &outside, 28);
}

// ---- the resume picker ----

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-10-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn summary(i: usize, preview: &str, branch: Option<&str>) -> SessionSummary {
    let updated = now() - TimeDelta::minutes(7 * i as i64 + 2);
    SessionSummary {
        id: format!("0199a213-81c0-7800-8aa1-{i:012}"),
        path: PathBuf::from(format!("/h/sessions/rollout-{i}.jsonl")),
        created: updated - TimeDelta::minutes(30),
        updated,
        cwd: PathBuf::from("/home/me/projects/app"),
        git_branch: branch.map(str::to_owned),
        git_commit: None,
        git_origin_url: None,
        preview: preview.to_owned(),
        model_provider: Some("openai".into()),
        model: Some("gpt-5-codex".into()),
        source: SessionSource::Cli,
    }
}

fn picker(names: HashMap<String, String>) -> Picker {
    let mut picker = Picker::new(
        PathBuf::from("/home/me/projects/app"),
        "openai".into(),
        false,
        names,
        None,
    );
    picker.set_now(now());
    picker
}

fn page(items: Vec<SessionSummary>, more: bool) -> PickerMessage {
    PickerMessage::Page {
        generation: 0,
        page: Ok(Page {
            items,
            next_cursor: more.then(|| {
                "2025-10-01T09-05-07|0199a213-81c0-7800-8aa1-bbab2a035a53"
                    .parse()
                    .unwrap()
            }),
            scanned_files: 0,
        }),
    }
}

const PROMPTS: [&str; 6] = [
    "Fix the flaky integration test in the scheduler",
    "Why does the build take so long on CI?",
    "Add a --json flag to the list command",
    "Rename the config loader and update the docs\nwith the new name",
    "Explain the sandbox policy for workspace-write",
    "日本語のコメントを英語に翻訳して",
];

#[test]
fn picker_empty_while_loading_and_when_nothing_is_recorded() {
    let mut picker = picker(HashMap::new());
    assert!(
        picker.last_request().is_some(),
        "the first page is asked for at once"
    );
    snapshot_both("picker_loading", &picker, 10);
    picker.handle_message(page(Vec::new(), false));
    snapshot_both("picker_empty", &picker, 10);
    assert_eq!(
        picker.handle_key(key(KeyCode::Enter)),
        Step::Stay,
        "nothing to resume"
    );
    assert_eq!(
        picker.handle_key(key(KeyCode::Esc)),
        Step::Done(PickerOutcome::StartNew)
    );
}

#[test]
fn picker_one_page_with_names_counts_and_branches() {
    let names = HashMap::from([(summary(1, "", None).id, "scheduler flake".to_owned())]);
    let mut picker = picker(names);
    let items: Vec<_> = PROMPTS
        .iter()
        .enumerate()
        .map(|(i, p)| summary(i, p, (i % 3 != 2).then_some("main")))
        .collect();
    picker.handle_message(page(items.clone(), false));
    picker.handle_message(PickerMessage::Count {
        path: items[0].path.clone(),
        count: 4,
    });
    picker.handle_message(PickerMessage::Count {
        path: items[1].path.clone(),
        count: 12,
    });
    picker.handle_key(key(KeyCode::Down));
    snapshot_both("picker_one_page", &picker, 14);
    assert_eq!(
        picker.handle_key(key(KeyCode::Enter)),
        Step::Done(PickerOutcome::Resume(Box::new(items[1].clone())))
    );
}

#[test]
fn picker_searching_filters_and_says_when_nothing_matches() {
    let mut picker = picker(HashMap::new());
    let items: Vec<_> = PROMPTS
        .iter()
        .enumerate()
        .map(|(i, p)| summary(i, p, Some("feature/search")))
        .collect();
    picker.handle_message(page(items.clone(), false));
    type_text(&mut picker, "the");
    snapshot_both("picker_searching", &picker, 12);
    assert_eq!(picker.selected_session(), Some(&items[0]));
    type_text(&mut picker, "zzz");
    snapshot_both("picker_search_no_match", &picker, 12);
    for _ in 0..6 {
        picker.handle_key(key(KeyCode::Backspace));
    }
    assert_eq!(picker.selected_session(), Some(&items[0]));
}

#[test]
fn picker_many_pages_loads_the_next_page_as_the_selection_moves() {
    let mut picker = picker(HashMap::new());
    let first: Vec<_> = (0..50)
        .map(|i| summary(i, &format!("task number {i}"), Some("main")))
        .collect();
    picker.handle_message(page(first, true));
    // 50 rows loaded and more on disk: with ~6 rows on screen nothing more is needed yet.
    let _ = draw(&picker, WIDE, 12);
    picker.handle_key(key(KeyCode::PageDown));
    snapshot_both("picker_many_pages", &picker, 12);
    let before = picker.last_request().cloned();
    for _ in 0..8 {
        picker.handle_key(key(KeyCode::PageDown));
    }
    let after = picker.last_request().cloned().unwrap();
    assert_ne!(before.as_ref(), Some(&after), "a second page was requested");
    assert!(after.cursor.is_some());
    picker.handle_message(page(
        (50..60)
            .map(|i| summary(i, &format!("task number {i}"), None))
            .collect(),
        false,
    ));
    assert_eq!(picker.loaded(), 60);
    picker.handle_key(key(KeyCode::End));
    assert_eq!(picker.selected_session().unwrap().preview, "task number 59");
    // Tab switches to all directories: a new listing from the start.
    picker.handle_key(key(KeyCode::Tab));
    assert_eq!(picker.loaded(), 0);
    let request = picker.last_request().unwrap();
    assert_eq!(request.cursor, None);
    assert_eq!(request.filter.cwd, None);
}
