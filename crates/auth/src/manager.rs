//! `AuthManager`: the one owner of the credentials in a process.
//!
//! Every conversation, the TUI and the MCP server hold a clone of the same manager (clones
//! share state), so a logout or a token refresh done through one is seen by all. Credentials
//! are loaded once and cached; [`AuthManager::reload`] picks up changes made by other
//! processes. Refreshes are single-flight: callers that need one at the same time wait on a
//! single request to the issuer and then share its result.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::Utc;

use crate::AuthError;
use crate::auth_dot_json::{AuthDotJson, AuthMode, TokenData};
use crate::codex_auth::{CodexAuth, RequestAuth};
use crate::jwt::parse_id_token;
use crate::oauth::{
    CLIENT_ID, REFRESH_TOKEN_URL_OVERRIDE_ENV, default_refresh_token_url, token_url,
};
use crate::refresh::{RefreshError, RefreshedTokens, request_refresh};
use crate::storage::{StorageError, delete_auth_file, read_auth_file, write_auth_file};

/// The environment variable `codex-exec` honours for an API key that beats auth.json.
pub const CODEX_API_KEY_ENV: &str = "CODEX_API_KEY";

/// Shared, cached credentials with refresh. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct AuthManager {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` for fixed credentials ([`AuthManager::from_auth`]): nothing is read or written.
    codex_home: Option<PathBuf>,
    /// `CODEX_API_KEY`, when the caller enabled it and it is set: wins over auth.json.
    env_api_key: Option<String>,
    refresh_url: String,
    client_id: String,
    state: RwLock<State>,
    /// Held for the whole of a refresh, so concurrent callers wait for one.
    refresh_gate: tokio::sync::Mutex<()>,
}

struct State {
    loaded: Result<Option<CodexAuth>, StorageError>,
    /// The access token obtained by the last refresh after a 401. If the server rejects that
    /// one too, refreshing again will not help.
    minted_after_unauthorized: Option<String>,
    /// A permanent refresh failure and the refresh token it happened with: not retried.
    failed_refresh: Option<(String, RefreshError)>,
}

/// Why a refresh is being attempted; decides what counts as "already done by someone else".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// The tokens are near expiry or old.
    Proactive,
    /// The server answered 401 to the access token.
    Unauthorized,
}

/// Where the fresh credentials of a refresh came from.
enum Fresh {
    /// From the issuer, by this process.
    Network(CodexAuth),
    /// Someone else (another caller, another process) already had newer ones.
    Adopted(CodexAuth),
}

impl AuthManager {
    /// A manager for `codex_home` with the default issuer. `enable_codex_api_key_env` makes
    /// `$CODEX_API_KEY` (when set and not blank) take precedence over auth.json, as
    /// `codex-exec` does; other programs pass `false`.
    pub fn new(codex_home: PathBuf, enable_codex_api_key_env: bool) -> AuthManager {
        AuthManager::builder(codex_home)
            .enable_codex_api_key_env(enable_codex_api_key_env)
            .build()
    }

    /// A builder for the less common settings (issuer, client id, refresh URL).
    pub fn builder(codex_home: PathBuf) -> AuthManagerBuilder {
        AuthManagerBuilder {
            codex_home,
            codex_api_key: None,
            enable_codex_api_key_env: false,
            issuer: None,
            refresh_token_url: None,
            client_id: None,
        }
    }

    /// A manager around fixed credentials, with no auth.json behind it (tests, embedding).
    /// ChatGPT tokens are still refreshed, in memory only.
    pub fn from_auth(auth: CodexAuth) -> AuthManager {
        AuthManager::with_parts(
            None,
            None,
            default_refresh_token_url(),
            CLIENT_ID.to_owned(),
            Ok(Some(auth)),
        )
    }

    fn with_parts(
        codex_home: Option<PathBuf>,
        env_api_key: Option<String>,
        refresh_url: String,
        client_id: String,
        loaded: Result<Option<CodexAuth>, StorageError>,
    ) -> AuthManager {
        AuthManager {
            inner: Arc::new(Inner {
                codex_home,
                env_api_key,
                refresh_url,
                client_id,
                state: RwLock::new(State {
                    loaded,
                    minted_after_unauthorized: None,
                    failed_refresh: None,
                }),
                refresh_gate: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The CODEX_HOME whose auth.json this manager owns.
    pub fn codex_home(&self) -> Option<&Path> {
        self.inner.codex_home.as_deref()
    }

    /// Where refreshes are sent.
    pub fn refresh_token_url(&self) -> &str {
        &self.inner.refresh_url
    }

    /// The cached credentials; `None` when logged out or when auth.json could not be read
    /// (see [`AuthManager::try_auth`] for the reason). No I/O, no refresh.
    pub fn auth(&self) -> Option<CodexAuth> {
        self.try_auth().ok().flatten()
    }

    /// The cached credentials, or the error that loading them hit (a corrupt auth.json).
    pub fn try_auth(&self) -> Result<Option<CodexAuth>, AuthError> {
        Ok(self.read_state(|s| s.loaded.clone())?)
    }

    /// Reads the credentials again (after another process logged in or out) and returns them.
    pub fn reload(&self) -> Result<Option<CodexAuth>, AuthError> {
        let loaded = self.load();
        self.write_state(|s| {
            s.loaded.clone_from(&loaded);
            s.failed_refresh = None;
        });
        Ok(loaded?)
    }

    /// Deletes auth.json and forgets the cached credentials, for every clone. Returns whether
    /// there was anything to delete. `CODEX_API_KEY`, when enabled, still applies afterwards.
    pub fn logout(&self) -> Result<bool, AuthError> {
        let deleted = match &self.inner.codex_home {
            Some(home) => delete_auth_file(home)?,
            None => self.auth().is_some(),
        };
        let after = self
            .inner
            .env_api_key
            .as_deref()
            .map(CodexAuth::from_api_key);
        self.write_state(|s| {
            s.loaded = Ok(after);
            s.minted_after_unauthorized = None;
            s.failed_refresh = None;
        });
        Ok(deleted)
    }

    /// Stores `key` as the credentials (replacing any sign-in) and makes it current.
    pub fn login_with_api_key(&self, key: &str) -> Result<(), AuthError> {
        if let Some(home) = &self.inner.codex_home {
            crate::login::login_with_api_key(home, key)?;
        }
        let auth = CodexAuth::from_api_key(key);
        self.write_state(|s| s.loaded = Ok(Some(auth)));
        Ok(())
    }

    /// What the next model request should send. Refreshes ChatGPT tokens first when they
    /// expire within five minutes or are older than eight days; if that refresh fails while
    /// the old access token is still valid, the old one is used. `Ok(None)` when logged out.
    pub async fn request_auth(&self) -> Result<Option<RequestAuth>, AuthError> {
        let Some(auth) = self.try_auth()? else {
            return Ok(None);
        };
        if !auth.needs_refresh(Utc::now()) {
            return Ok(Some(auth.request_auth()));
        }
        let _gate = self.inner.refresh_gate.lock().await;
        match self
            .refresh_locked(auth.bearer_token(), Reason::Proactive)
            .await
        {
            Ok(Fresh::Network(fresh) | Fresh::Adopted(fresh)) => Ok(Some(fresh.request_auth())),
            Err(AuthError::NotLoggedIn) => Ok(None),
            Err(AuthError::Refresh(e)) if !auth.is_expired(Utc::now()) => {
                tracing::warn!("using the current access token: {e}");
                Ok(Some(auth.request_auth()))
            }
            Err(e) => Err(e),
        }
    }

    /// Call when the model server answered 401 to `rejected`. Refreshes the ChatGPT tokens
    /// (or adopts ones another caller or process refreshed meanwhile) and returns what to
    /// retry with. If the token obtained by such a refresh is rejected again, the result is
    /// [`AuthError::StillUnauthorized`]: retrying once is enough. API keys cannot be
    /// refreshed: [`AuthError::ApiKeyRejected`].
    pub async fn refresh_after_unauthorized(
        &self,
        rejected: &RequestAuth,
    ) -> Result<RequestAuth, AuthError> {
        self.refresh_after_unauthorized_bearer(&rejected.bearer_token)
            .await
    }

    /// [`AuthManager::refresh_after_unauthorized`] for callers that kept only the bearer
    /// token they sent.
    pub async fn refresh_after_unauthorized_bearer(
        &self,
        rejected_bearer: &str,
    ) -> Result<RequestAuth, AuthError> {
        let _gate = self.inner.refresh_gate.lock().await;
        let already =
            self.read_state(|s| s.minted_after_unauthorized.as_deref() == Some(rejected_bearer));
        if already {
            return Err(AuthError::StillUnauthorized);
        }
        let fresh = match self
            .refresh_locked(rejected_bearer, Reason::Unauthorized)
            .await?
        {
            Fresh::Network(auth) => {
                let token = auth.bearer_token().to_owned();
                self.write_state(|s| s.minted_after_unauthorized = Some(token));
                auth
            }
            Fresh::Adopted(auth) => auth,
        };
        if fresh.bearer_token() == rejected_bearer {
            return Err(AuthError::StillUnauthorized);
        }
        Ok(fresh.request_auth())
    }

    /// Refreshes the ChatGPT tokens now, whatever their age (single-flight like the others).
    /// API keys are returned as they are: there is nothing to refresh.
    pub async fn refresh_token(&self) -> Result<CodexAuth, AuthError> {
        let current = self.try_auth()?.ok_or(AuthError::NotLoggedIn)?;
        if current.mode() == AuthMode::ApiKey {
            return Ok(current);
        }
        let _gate = self.inner.refresh_gate.lock().await;
        match self
            .refresh_locked(current.bearer_token(), Reason::Unauthorized)
            .await?
        {
            Fresh::Network(auth) | Fresh::Adopted(auth) => Ok(auth),
        }
    }

    /// The refresh proper; the caller holds `refresh_gate`. `seen` is the access token the
    /// caller found wanting: if the current one differs, someone else already replaced it.
    async fn refresh_locked(&self, seen: &str, reason: Reason) -> Result<Fresh, AuthError> {
        let current = self.try_auth()?.ok_or(AuthError::NotLoggedIn)?;
        if current.bearer_token() != seen {
            return Ok(Fresh::Adopted(current));
        }
        if current.mode() == AuthMode::ApiKey {
            return match reason {
                Reason::Proactive => Ok(Fresh::Adopted(current)),
                Reason::Unauthorized => Err(AuthError::ApiKeyRejected),
            };
        }
        let on_disk = self.read_disk();
        if let Some(newer) = newer_on_disk(&current, on_disk.as_ref(), reason) {
            self.write_state(|s| s.loaded = Ok(Some(newer.clone())));
            return Ok(Fresh::Adopted(newer));
        }

        let refresh_token = current
            .tokens()
            .map(|t| t.refresh_token.clone())
            .unwrap_or_default();
        let known_failure = self.read_state(|s| match &s.failed_refresh {
            Some((token, e)) if *token == refresh_token => Some(e.clone()),
            _ => None,
        });
        if let Some(e) = known_failure {
            return Err(e.into());
        }

        let refreshed = match request_refresh(
            &self.inner.refresh_url,
            &self.inner.client_id,
            &refresh_token,
        )
        .await
        {
            Ok(tokens) => tokens,
            Err(e) => {
                if e.is_permanent() {
                    let memo = (refresh_token, e.clone());
                    self.write_state(|s| s.failed_refresh = Some(memo));
                }
                return Err(e.into());
            }
        };
        let file = merge_refreshed(&current, on_disk, refreshed);
        if let Some(home) = &self.inner.codex_home
            && let Err(e) = write_auth_file(home, &file)
        {
            // The new tokens still work in memory; the next login or refresh rewrites the file.
            tracing::warn!("keeping refreshed tokens in memory only: {e}");
        }
        let fresh = CodexAuth::from_auth_dot_json(&file).ok_or(AuthError::NotLoggedIn)?;
        self.write_state(|s| {
            s.loaded = Ok(Some(fresh.clone()));
            s.failed_refresh = None;
        });
        Ok(Fresh::Network(fresh))
    }

    fn read_disk(&self) -> Option<AuthDotJson> {
        let home = self.inner.codex_home.as_deref()?;
        read_auth_file(home).ok().flatten()
    }

    fn load(&self) -> Result<Option<CodexAuth>, StorageError> {
        if let Some(key) = &self.inner.env_api_key {
            return Ok(Some(CodexAuth::from_api_key(key)));
        }
        match &self.inner.codex_home {
            Some(home) => CodexAuth::from_codex_home(home),
            None => self.read_state(|s| s.loaded.clone()),
        }
    }

    fn read_state<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self
            .inner
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner))
    }

    fn write_state(&self, f: impl FnOnce(&mut State)) {
        f(&mut self
            .inner
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner));
    }
}

impl std::fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthManager")
            .field("codex_home", &self.inner.codex_home)
            .field("auth", &self.auth())
            .finish_non_exhaustive()
    }
}

/// Tokens another process wrote for the same account since we loaded ours.
fn newer_on_disk(
    current: &CodexAuth,
    on_disk: Option<&AuthDotJson>,
    reason: Reason,
) -> Option<CodexAuth> {
    let disk = CodexAuth::from_auth_dot_json(on_disk?)?;
    let same_account = disk.mode() == AuthMode::ChatGpt
        && (disk.account_id() == current.account_id() || current.account_id().is_none());
    let newer = disk.bearer_token() != current.bearer_token();
    let usable = reason == Reason::Unauthorized || !disk.needs_refresh(Utc::now());
    (same_account && newer && usable).then_some(disk)
}

/// The auth.json to write after a refresh: the file as it is (keeping fields we do not know)
/// when it still holds our sign-in, with the new tokens and `last_refresh = now`.
fn merge_refreshed(
    current: &CodexAuth,
    on_disk: Option<AuthDotJson>,
    refreshed: RefreshedTokens,
) -> AuthDotJson {
    let ours = |d: &AuthDotJson| {
        d.usable_tokens().is_some_and(|t| {
            Some(t.refresh_token.as_str()) == current.tokens().map(|c| c.refresh_token.as_str())
        })
    };
    let mut file = on_disk.filter(ours).unwrap_or_else(|| AuthDotJson {
        auth_mode: Some(AuthMode::ChatGpt),
        openai_api_key: current.api_key().map(str::to_owned),
        tokens: current.tokens().cloned(),
        ..AuthDotJson::default()
    });
    let tokens = file.tokens.get_or_insert_with(TokenData::default);
    if let Some(id_token) = refreshed.id_token.filter(|t| !t.is_empty()) {
        if let Some(account) = parse_id_token(&id_token)
            .ok()
            .and_then(|i| i.chatgpt_account_id)
        {
            tokens.account_id = Some(account);
        }
        tokens.id_token = id_token;
    }
    if let Some(access) = refreshed.access_token.filter(|t| !t.is_empty()) {
        tokens.access_token = access;
    }
    if let Some(refresh) = refreshed.refresh_token.filter(|t| !t.is_empty()) {
        tokens.refresh_token = refresh;
    }
    if tokens.account_id.is_none() {
        tokens.account_id = current.account_id().map(str::to_owned);
    }
    file.last_refresh = Some(Utc::now());
    file
}

/// Settings of an [`AuthManager`] beyond CODEX_HOME.
#[derive(Debug, Clone)]
pub struct AuthManagerBuilder {
    codex_home: PathBuf,
    codex_api_key: Option<String>,
    enable_codex_api_key_env: bool,
    issuer: Option<String>,
    refresh_token_url: Option<String>,
    client_id: Option<String>,
}

impl AuthManagerBuilder {
    /// Let `$CODEX_API_KEY` take precedence over auth.json (codex-exec).
    #[must_use]
    pub fn enable_codex_api_key_env(mut self, enable: bool) -> Self {
        self.enable_codex_api_key_env = enable;
        self
    }

    /// An API key that takes precedence over auth.json, given directly instead of read from
    /// `$CODEX_API_KEY` (embedding, tests). Blank keys are ignored.
    #[must_use]
    pub fn codex_api_key(mut self, key: Option<String>) -> Self {
        self.codex_api_key = key;
        self
    }

    /// Refresh at `{issuer}/oauth/token` (unless a refresh URL is set or
    /// `$CODEX_REFRESH_TOKEN_URL_OVERRIDE` is).
    #[must_use]
    pub fn issuer(mut self, issuer: Option<String>) -> Self {
        self.issuer = issuer;
        self
    }

    /// Refresh at exactly this URL; beats the issuer and the environment.
    #[must_use]
    pub fn refresh_token_url(mut self, url: Option<String>) -> Self {
        self.refresh_token_url = url;
        self
    }

    /// The OAuth client id sent with refreshes (default: Codex's).
    #[must_use]
    pub fn client_id(mut self, client_id: Option<String>) -> Self {
        self.client_id = client_id;
        self
    }

    /// Builds the manager and loads the credentials once.
    pub fn build(self) -> AuthManager {
        let from_env = || {
            self.enable_codex_api_key_env
                .then(|| std::env::var(CODEX_API_KEY_ENV).ok())
                .flatten()
        };
        let env_api_key = self
            .codex_api_key
            .clone()
            .or_else(from_env)
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        let env_override = std::env::var(REFRESH_TOKEN_URL_OVERRIDE_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty());
        let refresh_url = self
            .refresh_token_url
            .or(env_override)
            .or_else(|| self.issuer.as_deref().map(token_url))
            .unwrap_or_else(default_refresh_token_url);
        let manager = AuthManager::with_parts(
            Some(self.codex_home),
            env_api_key,
            refresh_url,
            self.client_id.unwrap_or_else(|| CLIENT_ID.to_owned()),
            Ok(None),
        );
        let loaded = manager.load();
        manager.write_state(|s| s.loaded = loaded);
        manager
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn codex_api_key_beats_auth_json_and_survives_logout() {
        let home = tempfile::tempdir().unwrap();
        write_auth_file(home.path(), &AuthDotJson::for_api_key("sk-file")).unwrap();
        let plain = AuthManager::new(home.path().to_owned(), false);
        assert_eq!(plain.auth().unwrap().api_key(), Some("sk-file"));

        let exec = AuthManager::builder(home.path().to_owned())
            .codex_api_key(Some("sk-env".into()))
            .build();
        assert_eq!(exec.auth().unwrap().api_key(), Some("sk-env"));
        assert!(exec.logout().unwrap());
        assert_eq!(exec.auth().unwrap().api_key(), Some("sk-env"));
        assert_eq!(plain.reload().unwrap(), None);
    }

    #[test]
    fn corrupt_file_is_an_error_not_a_panic() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("auth.json"), "[1,").unwrap();
        let manager = AuthManager::new(home.path().to_owned(), false);
        assert_eq!(manager.auth(), None);
        let err = manager.try_auth().unwrap_err().to_string();
        assert!(err.contains("auth.json"), "{err}");
        manager.login_with_api_key("sk-new").unwrap();
        assert_eq!(manager.reload().unwrap().unwrap().api_key(), Some("sk-new"));
    }
}
