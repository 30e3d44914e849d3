//! Everything before the first prompt, and coming back to earlier work: onboarding (sign-in
//! with ChatGPT, a device code or an API key, when no usable credential exists), the trust
//! prompt for a directory never decided, and `resume` (by id, prefix or name, `--last`, or
//! the picker). Plus the session commands `/rename` and `/logout`.
//!
//! The app calls [`before_chat`] once, before the chat: it runs the screens that apply and
//! says whether to continue (and with which session) or quit. Each screen is a state that
//! draws into a buffer ([`screen::Screen`]), so tests snapshot them on a `TestBackend`.

pub mod api_key;
pub mod chatgpt;
pub mod commands;
pub mod driver;
pub mod onboarding;
pub mod picker;
pub mod resume;
pub mod screen;
pub(crate) mod style;
pub mod terminal;
pub mod trust;
pub mod welcome;

use codex_auth::AuthManager;
use codex_config::Config;
use codex_core::ResumeTarget;
use crossterm::event::EventStream;

use self::chatgpt::LoginSettings;
use self::onboarding::{TrustStep, ask_trust, needs_sign_in, sign_in};
use self::resume::{ResumeChoice, ResumeRequest, direct_target, pick};
use self::terminal::EntryTerminal;

/// What the chat takes from this part of the app: the resumed transcript to show first and
/// the session commands (`/logout`, `/rename`) to answer.
pub struct ChatEntry {
    /// Events replayed into the scrollback before anything else (a resumed transcript).
    pub replay: Vec<codex_protocol::protocol::EventMsg>,
    /// Runs `/logout` and `/rename`.
    pub commands: commands::SessionCommands,
    /// The prompt (and images) from the command line, sent as the first message.
    pub first_input: Vec<codex_protocol::protocol::InputItem>,
}

/// What the app does after the entry screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Start the chat.
    Chat {
        /// config.toml changed (a trust decision): load the config again so the trusted
        /// defaults apply to this session.
        reload_config: bool,
        /// Continue this session (through `ConversationOptions::resume`) instead of a new one.
        resume: Option<ResumeTarget>,
    },
    /// The user quit (Ctrl-C); exit quietly with success.
    Quit,
}

/// Runs the screens that apply before the chat, in Codex's order: sign-in, trust, then the
/// resume picker when `resume` asks for it without naming a session.
pub async fn before_chat(
    config: &Config,
    auth: &AuthManager,
    resume: Option<&ResumeRequest>,
) -> anyhow::Result<EntryOutcome> {
    let mut reload_config = false;
    let must_sign_in = needs_sign_in(config, auth);
    if must_sign_in || config.project_trust.is_none() {
        // Read before the screen takes the terminal, so a bad override is reported plainly.
        let settings = must_sign_in
            .then(|| LoginSettings::from_env(config.codex_home.clone()))
            .transpose()?;
        let mut term = EntryTerminal::inline()?;
        let mut events = EventStream::new();
        let mut banner = None;
        if let Some(settings) = settings {
            match sign_in(&mut term.terminal, &mut events, config, auth, &settings).await? {
                Some(signed_in) => banner = Some(signed_in.banner()),
                None => return Ok(EntryOutcome::Quit),
            }
        }
        match ask_trust(&mut term.terminal, &mut events, config, banner).await? {
            TrustStep::Quit => return Ok(EntryOutcome::Quit),
            TrustStep::Written(_) => reload_config = true,
            TrustStep::AlreadyDecided | TrustStep::Skipped => {}
        }
    }
    let resume = match resume {
        None => None,
        Some(request) => {
            if let Some(target) = direct_target(request) {
                Some(target)
            } else {
                let mut term = EntryTerminal::alternate()?;
                let mut events = EventStream::new();
                match pick(&mut term.terminal, &mut events, config, request.all).await? {
                    ResumeChoice::Resume(target) => Some(target),
                    ResumeChoice::New => None,
                    ResumeChoice::Quit => return Ok(EntryOutcome::Quit),
                }
            }
        }
    };
    Ok(EntryOutcome::Chat {
        reload_config,
        resume,
    })
}
