//! The session commands of this part of the app, for the slash-command list: `/rename <name>`
//! (stored in Codex's session index, so the picker and `resume <name>` find it) and `/logout`
//! (the AuthManager deletes auth.json; the app then exits). Each returns the line to show.

use std::path::{Path, PathBuf};

use codex_auth::AuthManager;

/// A session command typed in the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCommand {
    /// `/logout`.
    Logout,
    /// `/rename <name>`.
    Rename(String),
}

/// The session command `text` spells (the whole message), if any. `/rename` without a name is
/// still a command: its result says what is missing.
pub fn parse(text: &str) -> Option<SessionCommand> {
    let text = text.trim();
    if text == "/logout" {
        return Some(SessionCommand::Logout);
    }
    let rest = text.strip_prefix("/rename")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace))
        .then(|| SessionCommand::Rename(rest.trim().to_owned()))
}

/// What a session command did, for the chat to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The line to show.
    pub message: String,
    /// Whether it failed.
    pub failed: bool,
    /// Whether the app should exit now (after `/logout`).
    pub exit: bool,
}

/// What session commands need: the shared AuthManager and CODEX_HOME.
#[derive(Clone)]
pub struct SessionCommands {
    auth: AuthManager,
    codex_home: PathBuf,
}

impl SessionCommands {
    /// Commands acting on `auth` and the session index under `codex_home`.
    pub fn new(auth: AuthManager, codex_home: PathBuf) -> Self {
        Self { auth, codex_home }
    }

    /// Runs `command` for the session `session_id` (unknown before the session started).
    pub fn run(&self, command: &SessionCommand, session_id: Option<&str>) -> CommandOutcome {
        let (result, exit) = match command {
            SessionCommand::Logout => {
                let result = logout(&self.auth);
                let exit = result.is_ok();
                (result, exit)
            }
            SessionCommand::Rename(name) if name.is_empty() => (
                Err("Give the session a name: /rename <name>".to_owned()),
                false,
            ),
            SessionCommand::Rename(name) => match session_id {
                Some(id) => (rename(&self.codex_home, id, name), false),
                None => (
                    Err(
                        "The session has not started yet; rename it after the first message"
                            .to_owned(),
                    ),
                    false,
                ),
            },
        };
        let failed = result.is_err();
        CommandOutcome {
            message: result.unwrap_or_else(|e| e),
            failed,
            exit,
        }
    }
}

/// `/rename <name>`: names session `session_id`. Returns the confirmation to show, or what
/// went wrong and what to do.
pub fn rename(codex_home: &Path, session_id: &str, name: &str) -> Result<String, String> {
    codex_rollout::set_session_name(codex_home, session_id, name)
        .map(|name| {
            // Quoted for the shell when it has spaces or other special characters.
            let argument = shlex::try_quote(&name).unwrap_or(std::borrow::Cow::Borrowed(&name));
            format!("Session renamed to \"{name}\"; resume it with `codex resume {argument}`")
        })
        .map_err(|e| e.to_string())
}

/// Whether a slash command needs a login to make sense (hidden from the list when logged
/// out).
pub fn needs_login(command: &str) -> bool {
    matches!(command, "logout")
}

/// `/logout`: deletes the stored credential through the AuthManager (every conversation of
/// this process sees it at once). Returns the line to print as the app exits.
pub fn logout(auth: &AuthManager) -> Result<String, String> {
    match auth.logout() {
        Ok(true) => Ok("Logged out: the stored credential was removed.".to_owned()),
        Ok(false) => Ok("Not logged in: there was no stored credential.".to_owned()),
        Err(e) => Err(format!("Could not log out: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_commands_only() {
        assert_eq!(parse(" /logout "), Some(SessionCommand::Logout));
        assert_eq!(
            parse("/rename  fix ci "),
            Some(SessionCommand::Rename("fix ci".into()))
        );
        assert_eq!(
            parse("/rename"),
            Some(SessionCommand::Rename(String::new()))
        );
        assert_eq!(parse("/renamed x"), None);
        assert_eq!(parse("/logout now"), None);
        assert_eq!(parse("please /logout"), None);
    }

    #[test]
    fn rename_stores_the_name_and_logout_deletes_auth_json() {
        let home = tempfile::tempdir().unwrap();
        let shown = rename(
            home.path(),
            "0199a213-81c0-7800-8aa1-bbab2a035a53",
            " fix ci ",
        )
        .unwrap();
        assert!(shown.contains("\"fix ci\""), "{shown}");
        assert!(
            shown.ends_with("`codex resume 'fix ci'`"),
            "a name with a space is quoted for the shell: {shown}"
        );
        assert_eq!(
            codex_rollout::find_by_name(home.path(), "fix ci")
                .unwrap()
                .as_deref(),
            Some("0199a213-81c0-7800-8aa1-bbab2a035a53")
        );
        assert!(rename(home.path(), "x", "\n").is_err());

        let auth = AuthManager::new(home.path().to_path_buf(), false);
        auth.login_with_api_key("sk-test-123456789").unwrap();
        assert!(home.path().join("auth.json").exists());
        assert!(logout(&auth).unwrap().starts_with("Logged out"));
        assert!(!home.path().join("auth.json").exists());
        assert!(auth.auth().is_none());
        assert!(logout(&auth).unwrap().starts_with("Not logged in"));
    }
}
