//! What can go wrong talking to the ChatGPT backend.

use codex_auth::AuthError;

/// An error from [`ChatGptClient`](crate::ChatGptClient). Messages never contain a token.
#[derive(Debug, thiserror::Error)]
pub enum ChatGptError {
    /// No credentials in CODEX_HOME. Only signing in helps.
    #[error(
        "Not signed in with ChatGPT. Run `codex login` to sign in with your ChatGPT account \
         (Codex Cloud tasks need a ChatGPT sign-in; an API key cannot fetch them)"
    )]
    NotLoggedIn,
    /// The stored credentials are an API key, which the ChatGPT backend does not accept.
    #[error(
        "You are signed in with an API key, which cannot fetch Codex Cloud tasks. Sign in with \
         your ChatGPT account instead: run `codex login`"
    )]
    ApiKeyLogin,
    /// The ChatGPT sign-in carries no account id (an old or partial auth.json); the backend
    /// needs one. Signing in again fixes it.
    #[error(
        "The stored ChatGPT sign-in has no account id, which the ChatGPT backend needs. Sign \
         in again with `codex login`"
    )]
    NoAccountId,
    /// Reading or refreshing the credentials failed; the message says whether a new login is
    /// needed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// `chatgpt_base_url` is not an http(s) URL. Fix the config; retrying will not help.
    #[error(
        "chatgpt_base_url `{url}` is not a usable http(s) URL ({reason}). Fix it in \
         config.toml, or pass e.g. `-c chatgpt_base_url=https://chatgpt.com/backend-api/`"
    )]
    BaseUrl { url: String, reason: String },
    /// The task id is empty.
    #[error("The task id is empty; pass the id of a Codex Cloud task, such as `task_e_...`")]
    EmptyTaskId,
    /// The request did not get an answer (DNS, connection, TLS, timeout). A retry may help.
    #[error("Cannot reach the ChatGPT backend at {url}: {message}")]
    Network { url: String, message: String },
    /// The backend answered 404 for the task.
    #[error(
        "Task `{task_id}` was not found ({url} answered 404 Not Found). Check the id, and \
         that you are signed in with the ChatGPT account that ran the task"
    )]
    TaskNotFound { task_id: String, url: String },
    /// Any other non-success status; `message` is the backend's own, with secrets masked.
    /// 5xx may pass on retry; 4xx will not.
    #[error("The ChatGPT backend answered {status} for {url}: {message}")]
    Status {
        url: String,
        status: String,
        message: String,
    },
    /// A success status with a body we cannot use (not JSON of the expected shape, too big).
    #[error("Unexpected answer from {url}: {reason}")]
    InvalidResponse { url: String, reason: String },
}

impl ChatGptError {
    /// Whether only signing in (again) with ChatGPT can fix this: no sign-in, an API-key
    /// sign-in, or tokens the issuer will not renew.
    pub fn needs_login(&self) -> bool {
        match self {
            ChatGptError::NotLoggedIn
            | ChatGptError::ApiKeyLogin
            | ChatGptError::NoAccountId
            | ChatGptError::Auth(AuthError::NotLoggedIn | AuthError::StillUnauthorized) => true,
            ChatGptError::Auth(AuthError::Refresh(e)) => e.is_permanent(),
            _ => false,
        }
    }
}
