//! `status [--json]`: how this CODEX_HOME is signed in.

use std::path::Path;
use std::process::ExitCode;

use codex_auth::{AuthMode, CodexAuth, mask_api_key};
use serde_json::{Value, json};

pub(crate) fn run(codex_home: &Path, as_json: bool) -> ExitCode {
    let auth = CodexAuth::from_codex_home(codex_home);
    if as_json {
        let object = match &auth {
            Ok(auth) => status_json(auth.as_ref()),
            Err(e) => json!({ "logged_in": false, "error": e.to_string() }),
        };
        println!("{object}");
    }
    match auth {
        Ok(Some(auth)) => {
            if !as_json {
                for line in human_lines(&auth) {
                    eprintln!("{line}");
                }
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            if !as_json {
                eprintln!("Not logged in");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("Error checking login status: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `Logged in using an API key - sk-proj-***ABCDE`, or `Logged in using ChatGPT` and a line
/// with the account's email and plan when the id token names them.
fn human_lines(auth: &CodexAuth) -> Vec<String> {
    match auth.mode() {
        AuthMode::ApiKey => vec![format!(
            "Logged in using an API key - {}",
            mask_api_key(auth.api_key().unwrap_or_default())
        )],
        AuthMode::ChatGpt => {
            let mut lines = vec!["Logged in using ChatGPT".to_owned()];
            match (auth.email(), auth.plan_type()) {
                (Some(email), Some(plan)) => lines.push(format!("Account: {email} (plan: {plan})")),
                (Some(email), None) => lines.push(format!("Account: {email}")),
                (None, Some(plan)) => lines.push(format!("Plan: {plan}")),
                (None, None) => {}
            }
            lines
        }
    }
}

/// One object; secrets appear only masked.
fn status_json(auth: Option<&CodexAuth>) -> Value {
    let Some(auth) = auth else {
        return json!({ "logged_in": false });
    };
    match auth.mode() {
        AuthMode::ApiKey => json!({
            "logged_in": true,
            "auth_mode": AuthMode::ApiKey.as_str(),
            "api_key": mask_api_key(auth.api_key().unwrap_or_default()),
        }),
        AuthMode::ChatGpt => json!({
            "logged_in": true,
            "auth_mode": AuthMode::ChatGpt.as_str(),
            "email": auth.email(),
            "plan_type": auth.plan_type(),
            "account_id": auth.account_id(),
            "last_refresh": auth.last_refresh().map(|t| t.to_rfc3339()),
        }),
    }
}
