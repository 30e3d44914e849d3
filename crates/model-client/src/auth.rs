//! Where the bearer token comes from. The client does not know about auth.json or OAuth:
//! core plugs its AuthManager in through [`AuthProvider`], or passes a key it already has.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

/// An error from an [`AuthProvider`], shown to the user.
pub type AuthError = Box<dyn std::error::Error + Send + Sync>;

/// Credentials for one request.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// Sent as `Authorization: Bearer <bearer>`.
    pub bearer: String,
    /// ChatGPT account id, sent as `chatgpt-account-id` in ChatGPT sign-in mode. Its presence
    /// also selects the ChatGPT backend URL for a provider without an explicit base URL.
    pub account_id: Option<String>,
}

impl fmt::Debug for AuthHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeaders")
            .field("bearer", &"<redacted>")
            .field(
                "account_id",
                &self.account_id.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A source of credentials that can change over time (ChatGPT tokens expire).
pub trait AuthProvider: Send + Sync {
    /// Credentials for the next request; `None` sends no `Authorization` header.
    fn auth_headers(&self) -> BoxFuture<'_, Result<Option<AuthHeaders>, AuthError>>;

    /// Called once when a request got 401. Return `true` when fresh credentials are now
    /// available, and the request is sent once more; `false` surfaces the 401.
    fn refresh_after_unauthorized(&self) -> BoxFuture<'_, Result<bool, AuthError>> {
        Box::pin(async { Ok(false) })
    }
}

/// How the client authenticates when the provider's own `env_key` and
/// `experimental_bearer_token` (which take precedence, as in Codex) are unset.
#[derive(Clone, Default)]
pub enum BearerSource {
    /// No `Authorization` header (local servers).
    #[default]
    None,
    /// A fixed API key, e.g. from `CODEX_API_KEY` or auth.json.
    Static(String),
    /// Asked before every request; refreshed once after a 401.
    Provider(Arc<dyn AuthProvider>),
}

impl fmt::Debug for BearerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Static(_) => f.write_str("Static(<redacted>)"),
            Self::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}
