//! ChatGPT sign-in in a browser: OAuth authorization code with PKCE, answered by a one-shot
//! HTTP server on 127.0.0.1.
//!
//! The server listens on port 1455 (the redirect URI registered for Codex's client id). If a
//! previous sign-in is still holding the port, it is asked to stop (`GET /cancel`) and the bind
//! retried; if the port stays busy, 1457 is tried. Routes: `/auth/callback` (state check, code
//! exchange, auth.json), `/success` (the page that ends the server), `/cancel`.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::LoginError;
use super::pages::{error_page, success_page};
use super::pkce::{PkceCodes, generate_state};
use crate::jwt::parse_id_token;
use crate::oauth::{
    CLIENT_ID, DEFAULT_ISSUER, ORIGINATOR, exchange_code_for_tokens, obtain_api_key,
};

/// The callback port registered for Codex's client id.
pub const DEFAULT_CALLBACK_PORT: u16 = 1455;
/// Tried when [`DEFAULT_CALLBACK_PORT`] stays busy.
pub const FALLBACK_CALLBACK_PORT: u16 = 1457;

/// How often, and how far apart, a busy port is retried after asking its holder to cancel.
const BIND_ATTEMPTS: u32 = 10;
const BIND_RETRY_DELAY: Duration = Duration::from_millis(200);
/// If the browser never loads `/success` after a completed exchange, stop anyway after this.
const SUCCESS_PAGE_GRACE: Duration = Duration::from_secs(5);
/// How long the success page gets to reach the browser once the server is told to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Settings of a browser sign-in.
#[derive(Debug, Clone)]
pub struct BrowserLoginOptions {
    /// Where auth.json is written.
    pub codex_home: PathBuf,
    /// The OAuth issuer, e.g. `https://auth.openai.com`.
    pub issuer: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The callback port; 0 picks a free one (tests).
    pub port: u16,
    /// Tried when `port` stays busy.
    pub fallback_port: Option<u16>,
    /// Try to open the authorize URL in a browser.
    pub open_browser: bool,
    /// Also trade the id token for an API key (best effort).
    pub exchange_api_key: bool,
}

impl BrowserLoginOptions {
    /// OpenAI's issuer and client id, port 1455 with fallback 1457, browser opened.
    pub fn new(codex_home: PathBuf) -> BrowserLoginOptions {
        BrowserLoginOptions {
            codex_home,
            issuer: DEFAULT_ISSUER.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            port: DEFAULT_CALLBACK_PORT,
            fallback_port: Some(FALLBACK_CALLBACK_PORT),
            open_browser: true,
            exchange_api_key: true,
        }
    }
}

/// A running sign-in: show [`LoginServer::auth_url`] to the user, then [`LoginServer::wait`].
#[derive(Debug)]
pub struct LoginServer {
    /// The URL to open in a browser.
    pub auth_url: String,
    /// The port the callback server listens on.
    pub port: u16,
    shared: Arc<Shared>,
    task: JoinHandle<Result<(), LoginError>>,
}

impl LoginServer {
    /// Waits until the sign-in succeeded (auth.json written), failed or was cancelled.
    pub async fn wait(self) -> Result<(), LoginError> {
        let port = self.port;
        self.task.await.map_err(|e| LoginError::Server {
            port,
            source: Arc::new(io::Error::other(e.to_string())),
        })?
    }

    /// Stops the sign-in; [`LoginServer::wait`] then returns [`LoginError::Cancelled`].
    pub fn cancel(&self) {
        self.shared.finish(Err(LoginError::Cancelled));
    }

    /// A handle that cancels this sign-in from elsewhere, for a front end that waits in one
    /// task and takes "cancel" requests in another (the MCP server's `cancelLoginChatGpt`).
    pub fn canceller(&self) -> LoginCanceller {
        LoginCanceller {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Cancels a running browser sign-in; see [`LoginServer::canceller`].
#[derive(Debug, Clone)]
pub struct LoginCanceller {
    shared: Arc<Shared>,
}

impl LoginCanceller {
    /// As [`LoginServer::cancel`]; does nothing once the sign-in has an outcome.
    pub fn cancel(&self) {
        self.shared.finish(Err(LoginError::Cancelled));
    }
}

/// Binds the callback server, builds the authorize URL and opens it when asked to.
pub async fn start_browser_login(opts: BrowserLoginOptions) -> Result<LoginServer, LoginError> {
    let listener = bind_callback_port(opts.port, opts.fallback_port).await?;
    let port = listener
        .local_addr()
        .map_err(|e| server_error(opts.port, e))?
        .port();
    let listener = to_tokio(listener).map_err(|e| server_error(port, e))?;

    let pkce = PkceCodes::generate();
    let state = generate_state();
    let redirect_uri = format!("http://localhost:{port}/auth/callback");
    let auth_url = authorize_url(&opts, &redirect_uri, &pkce, &state);
    if opts.open_browser {
        open_in_browser(&auth_url);
    }

    let (done_tx, done_rx) = oneshot::channel();
    let shared = Arc::new(Shared {
        opts,
        pkce,
        state,
        redirect_uri,
        done: Mutex::new(Some(done_tx)),
        completed: AtomicBool::new(false),
    });
    let router = Router::new()
        .route("/auth/callback", get(callback))
        .route("/success", get(success))
        .route("/cancel", get(cancel))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
        .with_state(shared.clone());
    let task = tokio::spawn(run_server(listener, router, done_rx, port));
    Ok(LoginServer {
        auth_url,
        port,
        shared,
        task,
    })
}

/// Serves until the sign-in has an outcome, then stops, leaving in-flight responses (the
/// success page) a moment to reach the browser.
async fn run_server(
    listener: tokio::net::TcpListener,
    router: Router,
    done_rx: oneshot::Receiver<Result<(), LoginError>>,
    port: u16,
) -> Result<(), LoginError> {
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let mut server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });
    let outcome = tokio::select! {
        outcome = done_rx => outcome.unwrap_or(Err(LoginError::Cancelled)),
        served = &mut server => {
            let e = match served {
                Ok(Ok(())) => io::Error::other("the server stopped unexpectedly"),
                Ok(Err(e)) => e,
                Err(e) => io::Error::other(e.to_string()),
            };
            return Err(server_error(port, e));
        }
    };
    let _ = stop_tx.send(());
    let abort = server.abort_handle();
    if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
        abort.abort();
    }
    outcome
}

/// State shared by the route handlers.
struct Shared {
    opts: BrowserLoginOptions,
    pkce: PkceCodes,
    state: String,
    redirect_uri: String,
    done: Mutex<Option<oneshot::Sender<Result<(), LoginError>>>>,
    /// auth.json has been written: `/success` may end the server.
    completed: AtomicBool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Records the outcome; the first one wins.
    fn finish(&self, outcome: Result<(), LoginError>) {
        let sender = self
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send(outcome);
        }
    }
}

async fn callback(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    if params.get("state") != Some(&shared.state) {
        // Not ours (a stale tab, or a forged request): refuse, and keep waiting for ours.
        return (StatusCode::BAD_REQUEST, "State mismatch").into_response();
    }
    if let Some(error) = params.get("error") {
        let description = params.get("error_description").cloned();
        let failure = if error == "access_denied"
            && description
                .as_deref()
                .is_some_and(|d| d.contains("missing_codex_entitlement"))
        {
            LoginError::NotEntitled
        } else {
            LoginError::Denied {
                error: error.clone(),
                description,
            }
        };
        let page = error_page(&failure.to_string());
        shared.finish(Err(failure));
        return (StatusCode::OK, Html(page)).into_response();
    }
    let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "Missing authorization code").into_response();
    };

    let opts = &shared.opts;
    let tokens = match exchange_code_for_tokens(
        &opts.issuer,
        &opts.client_id,
        &shared.redirect_uri,
        &shared.pkce.code_verifier,
        code,
    )
    .await
    {
        Ok(tokens) => tokens,
        Err(e) => return fail(&shared, LoginError::TokenExchange(e)),
    };
    let api_key = if opts.exchange_api_key {
        match obtain_api_key(&opts.issuer, &opts.client_id, &tokens.id_token).await {
            Ok(key) => Some(key),
            Err(e) => {
                tracing::info!("no API key minted from the sign-in (optional): {e}");
                None
            }
        }
    } else {
        None
    };
    if let Err(e) = super::persist_chatgpt_login(&opts.codex_home, &tokens, api_key) {
        return fail(&shared, e.into());
    }
    shared.completed.store(true, Ordering::SeqCst);
    let grace = shared.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SUCCESS_PAGE_GRACE).await;
        grace.finish(Ok(()));
    });
    (
        StatusCode::FOUND,
        [(header::LOCATION, success_location(&tokens.id_token))],
    )
        .into_response()
}

fn fail(shared: &Shared, error: LoginError) -> Response {
    let page = error_page(&error.to_string());
    shared.finish(Err(error));
    (StatusCode::INTERNAL_SERVER_ERROR, Html(page)).into_response()
}

/// `/success?…` with what the page may show about the account (never the tokens).
fn success_location(id_token: &str) -> String {
    let info = parse_id_token(id_token).unwrap_or_default();
    let needs_setup =
        info.is_org_owner == Some(true) && info.completed_platform_onboarding != Some(true);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("needs_setup", if needs_setup { "true" } else { "false" })
        .append_pair("org_id", info.organization_id.as_deref().unwrap_or(""))
        .append_pair("project_id", info.project_id.as_deref().unwrap_or(""))
        .append_pair("plan_type", info.chatgpt_plan_type.as_deref().unwrap_or(""))
        .append_pair("platform_url", "https://platform.openai.com")
        .finish();
    format!("/success?{query}")
}

async fn success(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    if !shared.completed.load(Ordering::SeqCst) {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    let plan = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "plan_type")
        .map(|(_, v)| v.into_owned());
    shared.finish(Ok(()));
    Html(success_page(plan.as_deref())).into_response()
}

async fn cancel(State(shared): State<Arc<Shared>>) -> Response {
    shared.finish(Err(LoginError::Cancelled));
    (StatusCode::OK, "Login cancelled").into_response()
}

fn authorize_url(
    opts: &BrowserLoginOptions,
    redirect_uri: &str,
    pkce: &PkceCodes,
    state: &str,
) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &opts.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "openid profile email offline_access")
        .append_pair("code_challenge", &pkce.code_challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("id_token_add_organizations", "true")
        .append_pair("codex_cli_simplified_flow", "true")
        .append_pair("state", state)
        .append_pair("originator", ORIGINATOR)
        .finish();
    format!(
        "{}/oauth/authorize?{query}",
        opts.issuer.trim_end_matches('/')
    )
}

/// Binds `port` (asking a stale sign-in holding it to cancel), else `fallback`.
async fn bind_callback_port(
    port: u16,
    fallback: Option<u16>,
) -> Result<StdTcpListener, LoginError> {
    let mut busy = Vec::new();
    for candidate in std::iter::once(port).chain(fallback.filter(|f| *f != port)) {
        match bind_with_cancel(candidate).await {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => busy.push(candidate),
            Err(e) => return Err(server_error(candidate, e)),
        }
    }
    Err(LoginError::PortInUse { ports: busy })
}

async fn bind_with_cancel(port: u16) -> io::Result<StdTcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut attempt = 0;
    loop {
        match StdTcpListener::bind(addr) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && port != 0 => {
                if attempt == 0 {
                    send_cancel(port).await;
                }
                attempt += 1;
                if attempt >= BIND_ATTEMPTS {
                    return Err(e);
                }
                tokio::time::sleep(BIND_RETRY_DELAY).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Asks whatever holds `port` to stop, in case it is an abandoned sign-in. Best effort.
async fn send_cancel(port: u16) {
    let Ok(client) = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
    else {
        return;
    };
    let _ = client
        .get(format!("http://127.0.0.1:{port}/cancel"))
        .send()
        .await;
}

fn to_tokio(listener: StdTcpListener) -> io::Result<tokio::net::TcpListener> {
    listener.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(listener)
}

fn server_error(port: u16, e: io::Error) -> LoginError {
    LoginError::Server {
        port,
        source: Arc::new(e),
    }
}

/// Tries to open `url` in the user's browser; returns whether a launcher started. Never fails:
/// on a headless machine the printed URL is the way in.
pub fn open_in_browser(url: &str) -> bool {
    let launcher = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(launcher)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it in the background so it does not linger as a zombie.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_pkce_and_state() {
        let opts = BrowserLoginOptions::new(PathBuf::from("/nonexistent"));
        let pkce = PkceCodes::generate();
        let url = authorize_url(&opts, "http://localhost:1455/auth/callback", &pkce, "st");
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/oauth/authorize");
        let q: HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge"], pkce.code_challenge);
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], "st");
        assert_eq!(q["scope"], "openid profile email offline_access");
    }
}
