//! The logic of `codex-login`: each action prints its human messages on stderr (and `status
//! --json` its object on stdout) and returns the exit code.
//!
//! Credentials are written by `codex-auth`; this crate only reads input, resolves CODEX_HOME
//! and words the outcome for people.

mod api_key;
mod chatgpt;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use codex_cli::login::{LoginAction, LoginCli};
use codex_config::ForcedLoginMethod;

/// How to pipe a key in; repeated in every hint about API keys.
pub(crate) const PIPE_EXAMPLE: &str = "printenv OPENAI_API_KEY | codex login --with-api-key";

/// Runs `codex-login` as parsed from the command line.
pub fn run(cli: &LoginCli) -> ExitCode {
    if cli.api_key.is_some() {
        eprintln!(
            "--api-key is not supported: a key on the command line ends up in shell history \
             and process lists. Pipe it to --with-api-key instead, e.g. `{PIPE_EXAMPLE}`."
        );
        return ExitCode::FAILURE;
    }
    let codex_home = match find_codex_home() {
        Ok(home) => home,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match &cli.action {
        Some(LoginAction::Status { json }) => status::run(&codex_home, *json),
        Some(LoginAction::Logout) => logout(&codex_home),
        None => {
            let wanted = if cli.with_api_key {
                ForcedLoginMethod::Api
            } else {
                ForcedLoginMethod::Chatgpt
            };
            if let Err(message) = check_allowed(cli, &codex_home, wanted) {
                eprintln!("Error logging in: {message}");
                return ExitCode::FAILURE;
            }
            if cli.with_api_key {
                api_key::run(&codex_home)
            } else {
                chatgpt::run(cli, codex_home)
            }
        }
    }
}

/// Refuses a login of a kind config.toml's `forced_login_method` forbids, before asking for
/// anything.
fn check_allowed(
    cli: &LoginCli,
    codex_home: &std::path::Path,
    wanted: ForcedLoginMethod,
) -> Result<(), String> {
    let config = codex_config::Config::load(codex_config::ConfigOverrides {
        codex_home: Some(codex_home.to_owned()),
        profile: cli.config.profile.clone(),
        raw_overrides: cli.config.raw_overrides(),
        ..codex_config::ConfigOverrides::default()
    })
    .map_err(|e| e.to_string())?;
    match config.forced_login_method {
        Some(forced) if forced != wanted => Err(format!(
            "{} login is disabled here: config.toml sets `forced_login_method = \"{}\"`; {}",
            if wanted == ForcedLoginMethod::Api {
                "API key"
            } else {
                "ChatGPT"
            },
            forced.as_str(),
            if forced == ForcedLoginMethod::Api {
                format!("store an API key instead: `{PIPE_EXAMPLE}`")
            } else {
                "sign in with ChatGPT instead: `codex login`".to_owned()
            }
        )),
        _ => Ok(()),
    }
}

/// Tells how a login ended and turns it into the exit status.
fn report_login(result: Result<(), impl std::fmt::Display>) -> ExitCode {
    match result {
        Ok(()) => {
            eprintln!("Successfully logged in");
            ExitCode::SUCCESS
        }
        Err(e) => {
            // The error may quote the sign-in server: shown, not obeyed by the terminal.
            eprintln!(
                "Error logging in: {}",
                codex_safe_text::sanitize(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

fn find_codex_home() -> Result<PathBuf, codex_config::ConfigError> {
    codex_config::find_codex_home()
}

fn logout(codex_home: &std::path::Path) -> ExitCode {
    match codex_auth::delete_auth_file(codex_home) {
        Ok(true) => {
            eprintln!("Successfully logged out");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("Not logged in");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error logging out: {e}");
            ExitCode::FAILURE
        }
    }
}
