//! The first-run flow, in Codex's order: sign-in (only without a usable credential), then the
//! trust prompt (only for a directory never decided). Credentials go through the shared
//! AuthManager (auth.json, 0600); the trust decision through codex-config's editor.

use std::io;

use codex_auth::{AuthManager, AuthMode};
use codex_config::{Config, ForcedLoginMethod, PreferredAuthMethod, TrustLevel};
use crossterm::event::EventStream;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::unbounded_channel;

use super::api_key::{ApiKeyEntry, ApiKeyOutcome};
use super::chatgpt::{
    ChatGptSignIn, Flow, LoginSettings, SignInOutcome, cancel_browser, is_headless, spawn_sign_in,
};
use super::driver::run_screen;
use super::trust::{TrustDecision, TrustPrompt};
use super::welcome::{SignInChoice, Welcome};

/// Whether the app must sign the user in before the chat: the provider takes an OpenAI
/// login and none is stored (or the stored one is unreadable). OPENAI_API_KEY in the
/// environment does not count: as in Codex, it only pre-fills the key.
pub fn needs_sign_in(config: &Config, auth: &AuthManager) -> bool {
    config.model_provider.requires_openai_auth
        && (!matches!(auth.try_auth(), Ok(Some(_))) || login_not_allowed(config, auth).is_some())
}

/// Why the stored credential cannot be used under `forced_login_method`, if it cannot.
fn login_not_allowed(config: &Config, auth: &AuthManager) -> Option<String> {
    let mode = auth.auth()?.mode();
    let (required, found) = match (config.forced_login_method?, mode) {
        (ForcedLoginMethod::Api, AuthMode::ChatGpt) => ("an API key", "a ChatGPT sign-in"),
        (ForcedLoginMethod::Chatgpt, AuthMode::ApiKey) => ("a ChatGPT sign-in", "an API key"),
        _ => return None,
    };
    Some(format!(
        "Your configuration (forced_login_method) requires {required}, but {found} is stored. \
         Sign in again; the new credential replaces it."
    ))
}

/// Whether the user asked to always use the API key (`preferred_auth_method = "apikey"`)
/// and one is in the environment: then the key screen comes first, pre-filled, and no
/// ChatGPT sign-in is offered.
fn api_key_only(config: &Config, env_key: Option<&str>) -> bool {
    config.forced_login_method == Some(ForcedLoginMethod::Api)
        || (config.preferred_auth_method == Some(PreferredAuthMethod::Apikey) && env_key.is_some())
}

/// How the sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// With an API key.
    ApiKey,
    /// With ChatGPT.
    ChatGpt,
}

impl SignedIn {
    /// The confirmation shown on the next screen.
    pub fn banner(&self) -> &'static str {
        match self {
            Self::ApiKey => "API key saved: usage is billed to your OpenAI Platform account",
            Self::ChatGpt => "Signed in with ChatGPT",
        }
    }
}

/// Runs the sign-in screens until a credential is stored (`Some`) or the user quits (`None`).
pub async fn sign_in<B>(
    terminal: &mut Terminal<B>,
    events: &mut EventStream,
    config: &Config,
    auth: &AuthManager,
    settings: &LoginSettings,
) -> io::Result<Option<SignedIn>>
where
    B: Backend,
    B::Error: Into<io::Error>,
{
    let env_key = codex_auth::login::api_key_prefill_from_env();
    let auth_file = codex_auth::auth_file_path(&config.codex_home)
        .display()
        .to_string();
    let key_only = api_key_only(config, env_key.as_deref());
    let mut error: Option<String> = login_not_allowed(config, auth);
    loop {
        let choice = if key_only {
            SignInChoice::ApiKey
        } else {
            let mut welcome =
                Welcome::new(config.forced_login_method, is_headless(), env_key.is_some());
            if let Some(error) = error.take() {
                welcome = welcome.with_error(error);
            }
            let (_tx, mut rx) = unbounded_channel();
            match run_screen(terminal, events, &mut welcome, &mut rx).await? {
                Some(choice) => choice,
                None => return Ok(None),
            }
        };
        match choice {
            SignInChoice::ApiKey => {
                let mut screen = ApiKeyEntry::new(env_key.clone(), auth_file.clone());
                if let Some(error) = error.take() {
                    screen.set_error(error);
                }
                let (_tx, mut rx) = unbounded_channel();
                loop {
                    match run_screen(terminal, events, &mut screen, &mut rx).await? {
                        None => return Ok(None),
                        Some(ApiKeyOutcome::Back) if key_only => return Ok(None),
                        Some(ApiKeyOutcome::Back) => break,
                        Some(ApiKeyOutcome::Save(key)) => match auth.login_with_api_key(&key) {
                            Ok(()) => return Ok(Some(SignedIn::ApiKey)),
                            Err(e) => screen.set_error(format!(
                                "Could not store the key: {e}. Fix the problem and press Enter again."
                            )),
                        },
                    }
                }
            }
            SignInChoice::ChatGpt | SignInChoice::DeviceCode => {
                let flow = if choice == SignInChoice::ChatGpt {
                    Flow::Browser
                } else {
                    Flow::DeviceCode
                };
                let (tx, mut rx) = unbounded_channel();
                let mut screen = ChatGptSignIn::new(flow);
                let task = spawn_sign_in(flow, settings, tx);
                let outcome = run_screen(terminal, events, &mut screen, &mut rx).await?;
                match outcome {
                    Some(SignInOutcome::SignedIn) => match auth.reload() {
                        Ok(Some(_)) => return Ok(Some(SignedIn::ChatGpt)),
                        Ok(None) => {
                            error = Some(format!(
                                "The sign-in finished but {auth_file} holds no credential. Try again."
                            ));
                        }
                        Err(e) => error = Some(format!("The sign-in finished, but {e}")),
                    },
                    Some(SignInOutcome::Failed(e)) => {
                        error = Some(format!("Sign-in failed: {e}"));
                    }
                    Some(SignInOutcome::Cancelled) | None => {
                        if let Some(port) = screen.callback_port() {
                            cancel_browser(port).await;
                        }
                        task.abort();
                        if outcome.is_none() {
                            return Ok(None);
                        }
                    }
                }
            }
        }
    }
}

/// What the trust step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustStep {
    /// Nothing to ask: the directory was decided before.
    AlreadyDecided,
    /// The user decided; config.toml now says so (reload the config to apply it).
    Written(TrustLevel),
    /// The user skipped the question.
    Skipped,
    /// The user quit.
    Quit,
}

/// Asks about trusting the working directory when config.toml has no decision for it.
pub async fn ask_trust<B>(
    terminal: &mut Terminal<B>,
    events: &mut EventStream,
    config: &Config,
    banner: Option<&str>,
) -> io::Result<TrustStep>
where
    B: Backend,
    B::Error: Into<io::Error>,
{
    if config.project_trust.is_some() {
        return Ok(TrustStep::AlreadyDecided);
    }
    let in_repo = codex_config::git_repo_root(&config.cwd).is_some();
    let mut prompt = TrustPrompt::new(&config.cwd, in_repo);
    if let Some(banner) = banner {
        prompt = prompt.with_banner(banner);
    }
    let (_tx, mut rx) = unbounded_channel();
    loop {
        match run_screen(terminal, events, &mut prompt, &mut rx).await? {
            None => return Ok(TrustStep::Quit),
            Some(TrustDecision::Skipped) => return Ok(TrustStep::Skipped),
            Some(TrustDecision::Decided(level)) => {
                match codex_config::set_project_trust(&config.config_file, &config.cwd, level) {
                    Ok(()) => return Ok(TrustStep::Written(level)),
                    Err(e) => prompt.set_error(format!(
                        "Could not save the answer: {e}. Fix it and choose again, or Ctrl-C to go on without saving."
                    )),
                }
            }
        }
    }
}
