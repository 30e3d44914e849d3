//! `codex-login`: sign in (browser or device code), store an API key, show status, log out.

use clap::{CommandFactory as _, Parser, Subcommand};

/// The clap command, for the shim's help and completion.
pub fn command() -> clap::Command {
    LoginCli::command()
}

/// Command line of `codex-login` (`codex login`, `codex logout`).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "codex-login",
    version,
    about = "Sign in to OpenAI for Codex, or check or remove the stored credentials.",
    long_about = "Sign in to OpenAI for Codex, or check or remove the stored credentials.\n\n\
        Without arguments, signs in with ChatGPT in a browser: a local server on \
        127.0.0.1:1455 waits for the browser to come back, and the URL to open is printed \
        (and opened when a browser is available). Credentials go to $CODEX_HOME/auth.json \
        (default ~/.codex/auth.json), readable only by you.",
    after_help = "Exit status: 0 on success; 1 when signing in fails, or `status` finds no \
        credentials; 2 on a usage error.\n\n\
        Examples:\n  codex-login                      sign in with ChatGPT in a browser\n  \
        codex-login --device-auth        sign in on a machine without a browser\n  \
        printenv OPENAI_API_KEY | codex-login --with-api-key\n  \
        codex-login status --json        show how you are signed in, as JSON\n  \
        codex-login logout               delete the stored credentials"
)]
pub struct LoginCli {
    /// Read an API key from stdin and store it instead of signing in with ChatGPT. Pipe the
    /// key in; an interactive terminal on stdin is refused so keys stay out of shell history.
    #[arg(long, conflicts_with_all = ["device_auth", "api_key"])]
    pub with_api_key: bool,

    /// Sign in with a one-time code entered on another device (for machines without a
    /// browser, or reached over SSH).
    #[arg(long)]
    pub device_auth: bool,

    /// No longer accepted (a key on the command line leaks into history and `ps`); pipe it
    /// to `--with-api-key` instead.
    #[arg(long, value_name = "KEY", hide = true)]
    pub api_key: Option<String>,

    /// OAuth issuer to sign in with (testing, other deployments).
    #[arg(long, value_name = "URL", hide = true)]
    pub issuer: Option<String>,

    /// OAuth client id to sign in as.
    #[arg(long, value_name = "ID", hide = true)]
    pub client_id: Option<String>,

    /// Port of the local callback server (0 = any free port; no fallback port then).
    #[arg(long, value_name = "PORT", hide = true)]
    pub port: Option<u16>,

    /// Do not try to open a browser; just print the URL.
    #[arg(long, hide = true)]
    pub no_browser: bool,

    /// `-c` and `-p`: config.toml's `forced_login_method` decides which logins are allowed.
    #[command(flatten)]
    pub config: crate::shared::ConfigArgs,

    /// Seconds to wait for the device code to be entered (default 900).
    #[arg(long, value_name = "SECONDS", hide = true)]
    pub device_auth_timeout: Option<f64>,

    /// What to do instead of signing in.
    #[command(subcommand)]
    pub action: Option<LoginAction>,
}

/// Subcommands of `codex-login`.
#[derive(Debug, Clone, Subcommand)]
pub enum LoginAction {
    /// Show how you are signed in: the masked API key, or "ChatGPT" with the account's
    /// email and plan. Exits 1 when not signed in.
    Status {
        /// Print the status as one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Delete the stored credentials (auth.json). Succeeds when there were none.
    Logout,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_valid_and_parses_the_documented_forms() {
        command().debug_assert();
        let cli = LoginCli::parse_from(["codex-login", "status", "--json"]);
        assert!(matches!(
            cli.action,
            Some(LoginAction::Status { json: true })
        ));
        let cli = LoginCli::parse_from(["codex-login", "--with-api-key"]);
        assert!(cli.with_api_key);
        assert!(
            LoginCli::try_parse_from(["codex-login", "--with-api-key", "--device-auth"]).is_err()
        );
    }
}
