//! Signing in to one MCP server: discovery, a client id (configured, or registered on the
//! spot), then the authorization-code flow with PKCE (S256) and the `resource` parameter,
//! the browser coming back to a listener on 127.0.0.1. The tokens land in the credential
//! store.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use codex_auth::login::{PkceCodes, generate_state};
use tokio::sync::{mpsc, oneshot};

use super::discovery::{BearerChallenge, discover};
use super::error::OAuthError;
use super::requests::oauth_http_client;
use super::store::{CredentialStore, StoredTokens};
use super::token::{TokenClient, register_client};

/// How long a stopped callback server lets the last page reach the browser.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(300);

/// What to sign in to and how.
#[derive(Clone, Default)]
pub struct LoginOptions {
    /// The server's name in config.toml.
    pub server_name: String,
    /// Its streamable-HTTP URL.
    pub server_url: String,
    /// Its `http_headers` / `env_http_headers`, sent with discovery and token requests.
    pub http_headers: http::HeaderMap,
    /// Scopes to ask for; empty: the ones the server advertises.
    pub scopes: Vec<String>,
    /// A pre-registered client; `None`: dynamic registration.
    pub client_id: Option<String>,
    /// The RFC 8707 resource; `None`: the one the metadata names.
    pub resource: Option<String>,
    /// The callback port on 127.0.0.1; 0 picks a free one.
    pub callback_port: u16,
}

impl std::fmt::Debug for LoginOptions {
    /// Header values stay out: they may be API keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOptions")
            .field("server_name", &self.server_name)
            .field("server_url", &self.server_url)
            .field(
                "http_headers",
                &self.http_headers.keys().collect::<Vec<_>>(),
            )
            .field("scopes", &self.scopes)
            .field("client_id", &self.client_id)
            .field("resource", &self.resource)
            .field("callback_port", &self.callback_port)
            .finish()
    }
}

/// A sign-in waiting for the browser.
pub struct PendingLogin {
    authorization_url: String,
    outcome: mpsc::Receiver<Result<String, OAuthError>>,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
    client: TokenClient,
    verifier: String,
    redirect_uri: String,
    draft: StoredTokens,
    store: CredentialStore,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("authorization_url", &self.authorization_url)
            .finish_non_exhaustive()
    }
}

/// Asks the server without credentials, for the challenge of its 401.
async fn probe_challenge(http: &reqwest::Client, url: &str) -> Option<BearerChallenge> {
    let initialize = serde_json::json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "codex-mcp-client", "version": env!("CARGO_PKG_VERSION")}}
    });
    let response = http
        .post(url)
        .header(http::header::ACCEPT, "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return None;
    }
    let header = response
        .headers()
        .get(http::header::WWW_AUTHENTICATE)?
        .to_str()
        .ok()?;
    BearerChallenge::parse(header)
}

struct Callback {
    state: String,
    outcome: Mutex<Option<mpsc::Sender<Result<String, OAuthError>>>>,
    server_name: String,
}

async fn callback(
    State(shared): State<Arc<Callback>>,
    RawQuery(query): RawQuery,
) -> (StatusCode, String) {
    let params: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    // A request without our state is not the browser coming back (a stray page, or a
    // forgery): answer it and keep waiting for the real one.
    if params.get("state") != Some(&shared.state) {
        return (
            StatusCode::BAD_REQUEST,
            "Invalid OAuth callback: the state does not match this sign-in.".to_owned(),
        );
    }
    let (status, page, outcome) = match (params.get("code"), params.get("error")) {
        (_, Some(error)) => {
            let description = params
                .get("error_description")
                .map(|d| format!(": {}", codex_auth::mask_secrets(d)))
                .unwrap_or_default();
            let message = format!("the authorization server answered `{error}`{description}");
            (
                StatusCode::BAD_REQUEST,
                format!("Sign-in failed: {message}. You may close this window."),
                Err(OAuthError::Callback(message)),
            )
        }
        (Some(code), None) => (
            StatusCode::OK,
            format!(
                "Signed in to MCP server '{}'. You may close this window.",
                shared.server_name
            ),
            Ok(code.clone()),
        ),
        (None, None) => (
            StatusCode::BAD_REQUEST,
            "Invalid OAuth callback: no code.".to_owned(),
            Err(OAuthError::Callback(
                "the browser came back without a code".to_owned(),
            )),
        ),
    };
    let sender = shared
        .outcome
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(sender) = sender {
        let _ = sender.try_send(outcome);
    }
    (status, page)
}

/// Discovers, registers when needed, starts the callback listener and builds the URL the
/// user must open. Nothing is stored until [`PendingLogin::finish`].
pub async fn start_login(
    opts: LoginOptions,
    store: CredentialStore,
) -> Result<PendingLogin, OAuthError> {
    let http = oauth_http_client(opts.http_headers.clone())?;
    let challenge = probe_challenge(&http, &opts.server_url).await;
    let discovery = discover(&http, &opts.server_url, challenge.as_ref()).await?;
    let methods = &discovery.metadata.code_challenge_methods_supported;
    if !methods.is_empty() && !methods.iter().any(|m| m == "S256") {
        return Err(OAuthError::Untrusted {
            url: discovery.issuer.clone(),
            problem: format!(
                "it does not support PKCE with S256 (only {}), which MCP requires",
                methods.join(", ")
            ),
        });
    }
    let scopes = if opts.scopes.is_empty() {
        discovery.scopes.clone()
    } else {
        opts.scopes.clone()
    };
    let resource = opts.resource.clone().unwrap_or(discovery.resource.clone());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.callback_port))
        .await
        .map_err(|e| OAuthError::Listener {
            port: opts.callback_port,
            source: Arc::new(e),
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| OAuthError::Listener {
            port: opts.callback_port,
            source: Arc::new(e),
        })?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");

    let (client_id, client_secret) = if let Some(id) = &opts.client_id {
        (id.clone(), None)
    } else {
        let Some(endpoint) = &discovery.metadata.registration_endpoint else {
            return Err(OAuthError::NoRegistration {
                issuer: discovery.issuer.clone(),
                server: opts.server_name.clone(),
            });
        };
        let registered = register_client(&http, endpoint, &redirect_uri, &scopes).await?;
        (registered.client_id, registered.client_secret)
    };

    let pkce = PkceCodes::generate();
    let state = generate_state();
    let mut authorization_url = url::Url::parse(&discovery.metadata.authorization_endpoint)
        .map_err(|e| OAuthError::BadResponse {
            url: discovery.issuer.clone(),
            problem: format!("`authorization_endpoint` is not a URL ({e})"),
        })?;
    {
        let mut query = authorization_url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("code_challenge", &pkce.code_challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("resource", &resource);
        if !scopes.is_empty() {
            query.append_pair("scope", &scopes.join(" "));
        }
    }

    let (outcome_tx, outcome) = mpsc::channel(1);
    let shared = Arc::new(Callback {
        state,
        outcome: Mutex::new(Some(outcome_tx)),
        server_name: opts.server_name.clone(),
    });
    let router = Router::new()
        .route("/callback", get(callback))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
        .with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!("the OAuth callback listener stopped: {e}");
        }
    });

    let draft = StoredTokens {
        server_name: opts.server_name.clone(),
        server_url: opts.server_url.clone(),
        client_id: client_id.clone(),
        access_token: String::new(),
        expires_at: None,
        refresh_token: None,
        scopes,
        client_secret: client_secret.clone(),
        token_endpoint: Some(discovery.metadata.token_endpoint.clone()),
        resource: Some(resource.clone()),
    };
    Ok(PendingLogin {
        authorization_url: authorization_url.to_string(),
        outcome,
        stop: Some(stop),
        server,
        http,
        client: TokenClient {
            token_endpoint: discovery.metadata.token_endpoint,
            client_id,
            client_secret,
            resource: Some(resource),
        },
        verifier: pkce.code_verifier,
        redirect_uri,
        draft,
        store,
    })
}

impl PendingLogin {
    /// The URL the user opens to sign in.
    pub fn authorization_url(&self) -> &str {
        &self.authorization_url
    }

    /// The loopback redirect URI the browser comes back to.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits (up to `timeout`) for the browser to come back, exchanges the code and stores
    /// the tokens.
    pub async fn finish(mut self, timeout: Duration) -> Result<StoredTokens, OAuthError> {
        let outcome = tokio::time::timeout(timeout, self.outcome.recv()).await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.server.abort_handle();
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.server)
            .await
            .is_err()
        {
            abort.abort();
        }
        let code = match outcome {
            Err(_) => return Err(OAuthError::CallbackTimeout(timeout.as_secs())),
            Ok(None) => {
                return Err(OAuthError::Callback(
                    "the callback listener stopped".to_owned(),
                ));
            }
            Ok(Some(result)) => result?,
        };
        let response = self
            .client
            .exchange_code(&self.http, &code, &self.verifier, &self.redirect_uri)
            .await?;
        let mut tokens = self.draft;
        response.apply(&mut tokens);
        self.store.save(&tokens)?;
        Ok(tokens)
    }
}
