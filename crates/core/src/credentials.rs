//! Which credential a conversation's requests carry, and plugging the shared AuthManager into
//! the model client: credentials per request, and one refresh after a 401. Front ends hand core
//! the AuthManager and never see the model client's types.

use std::sync::Mutex;

use codex_auth::{AuthManager, AuthMode};
use codex_config::{Config, ForcedLoginMethod};
use codex_model_client::{AuthError, AuthHeaders, AuthProvider, BearerSource};
use futures::future::BoxFuture;

use crate::CoreError;
use crate::session::lock;

/// The credential for `config`'s provider: none for providers that take no OpenAI login,
/// else the stored login (or `CODEX_API_KEY` where the manager honours it), else the provider's
/// own `env_key` or bearer token, which the model client reads itself.
pub(crate) fn bearer_for(config: &Config, auth: &AuthManager) -> Result<BearerSource, CoreError> {
    if !config.model_provider.requires_openai_auth {
        return Ok(BearerSource::None);
    }
    match auth.try_auth()? {
        Some(found) => {
            check_allowed(config.forced_login_method, found.mode())?;
            Ok(managed(auth.clone()))
        }
        None if config.model_provider.env_key.is_some()
            || config.model_provider.experimental_bearer_token.is_some() =>
        {
            Ok(BearerSource::None)
        }
        None => Err(CoreError::NotLoggedIn {
            provider: config.model_provider.name.clone(),
        }),
    }
}

/// Wraps an [`AuthManager`] clone; every conversation gets one, all sharing the manager's
/// state, so a refresh or a logout is seen by all of them.
struct ManagedAuth {
    manager: AuthManager,
    /// The token this client last sent: after a 401 the manager uses it to tell a stale token
    /// (refresh) from one that was just refreshed and still refused (give up).
    last_sent: Mutex<Option<String>>,
}

impl AuthProvider for ManagedAuth {
    fn auth_headers(&self) -> BoxFuture<'_, Result<Option<AuthHeaders>, AuthError>> {
        Box::pin(async move {
            let Some(auth) = self.manager.request_auth().await? else {
                return Ok(None);
            };
            *lock(&self.last_sent) = Some(auth.bearer_token.clone());
            Ok(Some(AuthHeaders {
                bearer: auth.bearer_token,
                account_id: auth.account_id,
            }))
        })
    }

    fn refresh_after_unauthorized(&self) -> BoxFuture<'_, Result<bool, AuthError>> {
        Box::pin(async move {
            let Some(sent) = lock(&self.last_sent).clone() else {
                return Ok(false);
            };
            self.manager
                .refresh_after_unauthorized_bearer(&sent)
                .await?;
            Ok(true)
        })
    }
}

/// Refuses a credential of a kind the organisation's `forced_login_method` does not allow.
fn check_allowed(forced: Option<ForcedLoginMethod>, mode: AuthMode) -> Result<(), CoreError> {
    let allowed = match forced {
        None => true,
        Some(ForcedLoginMethod::Chatgpt) => mode == AuthMode::ChatGpt,
        Some(ForcedLoginMethod::Api) => mode == AuthMode::ApiKey,
    };
    if allowed {
        return Ok(());
    }
    Err(CoreError::LoginMethodNotAllowed {
        required: forced.map_or("", ForcedLoginMethod::as_str),
        found: match mode {
            AuthMode::ChatGpt => "a ChatGPT sign-in",
            AuthMode::ApiKey => "an API key",
        },
    })
}

/// A bearer source backed by the shared manager.
fn managed(manager: AuthManager) -> BearerSource {
    BearerSource::Provider(std::sync::Arc::new(ManagedAuth {
        manager,
        last_sent: Mutex::new(None),
    }))
}
