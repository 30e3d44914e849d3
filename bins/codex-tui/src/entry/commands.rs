//! The session commands of this part of the app, for the slash-command list: `/rename <name>`
//! (stored in Codex's session index, so the picker and `resume <name>` find it) and `/logout`
//! (the AuthManager deletes auth.json; the app then exits). Each returns the line to show.

use std::path::Path;

use codex_auth::AuthManager;

/// `/rename <name>`: names session `session_id`. Returns the confirmation to show, or what
/// went wrong and what to do.
pub fn rename(codex_home: &Path, session_id: &str, name: &str) -> Result<String, String> {
    codex_rollout::set_session_name(codex_home, session_id, name)
        .map(|name| format!("Session renamed to \"{name}\"; resume it with `codex resume {name}`"))
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
    fn rename_stores_the_name_and_logout_deletes_auth_json() {
        let home = tempfile::tempdir().unwrap();
        let shown = rename(
            home.path(),
            "0199a213-81c0-7800-8aa1-bbab2a035a53",
            " fix ci ",
        )
        .unwrap();
        assert!(shown.contains("\"fix ci\""), "{shown}");
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
