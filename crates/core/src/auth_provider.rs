//! Plugging the shared AuthManager into the model client: credentials per request, and one
//! refresh after a 401.

use std::sync::Mutex;

use codex_auth::AuthManager;
use codex_model_client::{AuthError, AuthHeaders, AuthProvider, BearerSource};
use futures::future::BoxFuture;

use crate::session::lock;

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

/// A bearer source backed by the shared manager.
pub fn bearer_from_auth_manager(manager: AuthManager) -> BearerSource {
    BearerSource::Provider(std::sync::Arc::new(ManagedAuth {
        manager,
        last_sent: Mutex::new(None),
    }))
}
