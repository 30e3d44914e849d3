//! A protected MCP server with its own OAuth authorization server, on 127.0.0.1: what a
//! remote MCP server that asks for OAuth looks like to our client.
//!
//! - `/mcp`: streamable HTTP (JSON answers, no SSE), one tool `whoami`. Every request needs a
//!   valid bearer token, else 401 with `WWW-Authenticate: Bearer resource_metadata=…`.
//!   Sessions (`Mcp-Session-Id`) belong to the sign-in that opened them.
//! - `/.well-known/oauth-protected-resource/mcp` (RFC 9728) names the authorization server
//!   `{url}/as`, whose metadata is at `/.well-known/oauth-authorization-server/as` (RFC 8414)
//!   or, with [`OAuthBehavior::openid_configuration_only`], only at
//!   `/.well-known/openid-configuration/as`.
//! - `/as/register` (RFC 7591), `/as/authorize` (checks PKCE S256, `resource`, the redirect
//!   URI, then redirects back with a code, as if the user approved), `/as/token` (code
//!   exchange with a real PKCE check; refresh with rotation).
//!
//! A new sign-in (code exchange) revokes every earlier token and session, as a server that
//! binds sessions to a grant does: that is how a stale `Mcp-Session-Id` arises.
//! [`follow_authorization`] plays the browser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
pub use axum::http::StatusCode;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::background::BackgroundServer;

/// The scope the server advertises and grants.
pub const SCOPE: &str = "mcp.tools";

/// How the servers behave; tests change it with [`OAuthMcpServer::set`].
#[derive(Clone, Debug)]
pub struct OAuthBehavior {
    /// Lifetime of access tokens, in seconds (also sent as `expires_in`).
    pub access_token_ttl: Duration,
    /// Whether `/as/register` exists (and is advertised).
    pub registration: bool,
    /// A client id accepted without registration, with any loopback redirect URI.
    pub static_client_id: Option<String>,
    /// Serve the authorization-server metadata only as an OpenID configuration.
    pub openid_configuration_only: bool,
    /// An `issuer` for the authorization-server metadata other than its own (a mix-up).
    pub issuer_override: Option<String>,
    /// A `resource` for the protected-resource metadata other than the MCP URL.
    pub resource_override: Option<String>,
    /// A server of the 2025-03-26 spec: no resource metadata, a bare `Bearer` challenge, and
    /// the authorization-server metadata at the root of the MCP server's origin.
    pub legacy_2025_03_26: bool,
    /// The status for a valid token on a session of an older sign-in: 404 (the spec's
    /// "session expired"), or 401 as some servers answer (openai/codex #46158).
    pub stale_session_status: StatusCode,
}

impl Default for OAuthBehavior {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_hours(1),
            registration: true,
            static_client_id: None,
            openid_configuration_only: false,
            issuer_override: None,
            resource_override: None,
            legacy_2025_03_26: false,
            stale_session_status: StatusCode::NOT_FOUND,
        }
    }
}

/// One request either server received.
#[derive(Clone, Debug)]
pub struct OAuthRecorded {
    pub method: String,
    pub path: String,
    /// The query string of a GET.
    pub query: String,
    pub body: String,
    pub authorization: Option<String>,
    pub session: Option<String>,
    /// The status it was answered with.
    pub status: u16,
}

impl OAuthRecorded {
    /// Form fields of the body, or of the query for a GET; JSON object fields (non-strings
    /// as JSON text) for a JSON body.
    pub fn fields(&self) -> HashMap<String, String> {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&self.body) {
            return map
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
        }
        let text = if self.method == "GET" {
            &self.query
        } else {
            &self.body
        };
        url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect()
    }

    /// The JSON-RPC method of an MCP request.
    pub fn rpc_method(&self) -> Option<String> {
        let body: Value = serde_json::from_str(&self.body).ok()?;
        body["method"].as_str().map(str::to_owned)
    }
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
}

struct Access {
    generation: u64,
    expires: Instant,
    client_id: String,
}

#[derive(Default)]
struct Grants {
    generation: u64,
    counter: u64,
    clients: HashMap<String, Vec<String>>,
    codes: HashMap<String, PendingCode>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, (u64, String)>,
    sessions: HashMap<String, u64>,
    log: Vec<OAuthRecorded>,
}

impl Grants {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A new sign-in: everything earlier is revoked.
    fn issue(&mut self, client_id: &str, ttl: Duration, new_generation: bool) -> (String, String) {
        if new_generation {
            self.generation += 1;
        }
        let n = self.next();
        let access = format!("at-{n}");
        let refresh = format!("rt-{n}");
        self.access.insert(
            access.clone(),
            Access {
                generation: self.generation,
                expires: Instant::now() + ttl,
                client_id: client_id.to_owned(),
            },
        );
        self.refresh
            .insert(refresh.clone(), (self.generation, client_id.to_owned()));
        (access, refresh)
    }
}

struct Shared {
    url: String,
    behavior: Mutex<OAuthBehavior>,
    grants: Mutex<Grants>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running servers; they stop when this is dropped.
pub struct OAuthMcpServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Arc<Shared>,
    _server: BackgroundServer,
}

impl OAuthMcpServer {
    /// Starts both servers on one ephemeral port, on a thread of their own.
    pub fn start() -> Self {
        // The router needs the URL and the URL needs the bound server: route through a slot.
        let slot: Arc<Mutex<Option<Arc<Shared>>>> = Arc::new(Mutex::new(None));
        let state = Arc::clone(&slot);
        let router = Router::new()
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let shared = lock(&state).clone();
                    async move {
                        match shared {
                            Some(shared) => handle(&shared, &method, &uri, &headers, &body),
                            None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                        }
                    }
                },
            )
            .with_state(());
        let server = BackgroundServer::start("oauth-mcp", router);
        let url = server.url();
        let shared = Arc::new(Shared {
            url: url.clone(),
            behavior: Mutex::new(OAuthBehavior::default()),
            grants: Mutex::new(Grants::default()),
        });
        *lock(&slot) = Some(Arc::clone(&shared));
        Self {
            url,
            shared,
            _server: server,
        }
    }

    /// The MCP endpoint, `{url}/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.url)
    }

    /// The authorization server's issuer, `{url}/as`.
    pub fn issuer(&self) -> String {
        format!("{}/as", self.url)
    }

    /// Changes how the servers answer from now on.
    pub fn set(&self, change: impl FnOnce(&mut OAuthBehavior)) {
        change(&mut lock(&self.shared.behavior));
    }

    /// Every request so far, oldest first.
    pub fn log(&self) -> Vec<OAuthRecorded> {
        lock(&self.shared.grants).log.clone()
    }

    /// Requests to `path`.
    pub fn requests(&self, path: &str) -> Vec<OAuthRecorded> {
        self.log().into_iter().filter(|r| r.path == path).collect()
    }

    /// Token requests with this `grant_type`.
    pub fn grants(&self, grant_type: &str) -> Vec<OAuthRecorded> {
        self.requests("/as/token")
            .into_iter()
            .filter(|r| r.fields().get("grant_type").map(String::as_str) == Some(grant_type))
            .collect()
    }

    /// MCP requests with this JSON-RPC method.
    pub fn rpc(&self, method: &str) -> Vec<OAuthRecorded> {
        self.requests("/mcp")
            .into_iter()
            .filter(|r| r.rpc_method().as_deref() == Some(method))
            .collect()
    }

    /// Signs `client_id` in without a browser (a new sign-in: earlier tokens are revoked):
    /// `(access_token, refresh_token)`, for tests that write the credentials file themselves.
    pub fn issue_tokens(&self, client_id: &str) -> (String, String) {
        let ttl = lock(&self.shared.behavior).access_token_ttl;
        let mut grants = lock(&self.shared.grants);
        grants.clients.entry(client_id.to_owned()).or_default();
        grants.issue(client_id, ttl, true)
    }

    /// Makes every access token invalid as if it had expired, keeping refresh tokens.
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.grants).access.clear();
    }

    /// `{url}/as/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/as/token", self.url)
    }
}

/// Plays the browser: GETs the authorization URL and follows its redirect to the loopback
/// callback. Returns the callback page's text.
pub fn follow_authorization(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!("HTTP {status}: {text}"))
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let response = route(shared, method, uri, headers, body);
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    lock(&shared.grants).log.push(OAuthRecorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
        authorization: header_text("authorization"),
        session: header_text("mcp-session-id"),
        status: response.status().as_u16(),
    });
    response
}

fn route(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let behavior = lock(&shared.behavior).clone();
    let base = &shared.url;
    match (method.as_str(), uri.path()) {
        ("GET", "/.well-known/oauth-authorization-server") if behavior.legacy_2025_03_26 => {
            json_response(StatusCode::OK, &as_metadata(base, &behavior))
        }
        ("GET", "/.well-known/oauth-protected-resource/mcp") if !behavior.legacy_2025_03_26 => {
            json_response(
                StatusCode::OK,
                &json!({
                    "resource": behavior.resource_override.unwrap_or_else(|| format!("{base}/mcp")),
                    "authorization_servers": [format!("{base}/as")],
                    "scopes_supported": [SCOPE],
                    "bearer_methods_supported": ["header"],
                }),
            )
        }
        ("GET", "/.well-known/oauth-authorization-server/as")
            if !behavior.openid_configuration_only && !behavior.legacy_2025_03_26 =>
        {
            json_response(StatusCode::OK, &as_metadata(base, &behavior))
        }
        ("GET", "/.well-known/openid-configuration/as") if behavior.openid_configuration_only => {
            json_response(StatusCode::OK, &as_metadata(base, &behavior))
        }
        ("POST", "/as/register") if behavior.registration => register(shared, body),
        ("GET", "/as/authorize") => authorize(shared, &behavior, uri),
        ("POST", "/as/token") => token(shared, &behavior, body),
        ("POST", "/mcp") => mcp(shared, headers, body),
        ("GET", "/mcp") => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        ("DELETE", "/mcp") => StatusCode::OK.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn as_metadata(base: &str, behavior: &OAuthBehavior) -> Value {
    let mut metadata = json!({
        "issuer": behavior.issuer_override.clone().unwrap_or_else(|| format!("{base}/as")),
        "authorization_endpoint": format!("{base}/as/authorize"),
        "token_endpoint": format!("{base}/as/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": [SCOPE, "openid"],
    });
    if behavior.registration {
        metadata["registration_endpoint"] = json!(format!("{base}/as/register"));
    }
    metadata
}

fn oauth_error(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    )
}

fn register(shared: &Shared, body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return oauth_error("invalid_client_metadata", "not JSON");
    };
    let redirect_uris: Vec<String> = request["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if redirect_uris.is_empty() {
        return oauth_error("invalid_redirect_uri", "redirect_uris is required");
    }
    let mut grants = lock(&shared.grants);
    let client_id = format!("dcr-client-{}", grants.next());
    grants
        .clients
        .insert(client_id.clone(), redirect_uris.clone());
    json_response(
        StatusCode::CREATED,
        &json!({"client_id": client_id, "redirect_uris": redirect_uris, "token_endpoint_auth_method": "none"}),
    )
}

fn authorize(shared: &Shared, behavior: &OAuthBehavior, uri: &Uri) -> Response {
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut grants = lock(&shared.grants);
    let client_id = get("client_id");
    let redirect_uri = get("redirect_uri");
    let known_redirect = match grants.clients.get(&client_id) {
        Some(uris) => uris.contains(&redirect_uri),
        None => {
            behavior.static_client_id.as_deref() == Some(client_id.as_str())
                && redirect_uri.starts_with("http://127.0.0.1:")
        }
    };
    let problems: Vec<&str> = [
        (get("response_type") != "code", "response_type must be code"),
        (!known_redirect, "unknown client or redirect_uri"),
        (
            get("code_challenge_method") != "S256",
            "PKCE S256 is required",
        ),
        (
            get("code_challenge").is_empty(),
            "code_challenge is required",
        ),
        (get("state").is_empty(), "state is required"),
        (
            get("resource") != format!("{}/mcp", shared.url),
            "resource must be the MCP server",
        ),
    ]
    .into_iter()
    .filter_map(|(bad, why)| bad.then_some(why))
    .collect();
    if !problems.is_empty() {
        return (StatusCode::BAD_REQUEST, problems.join("; ")).into_response();
    }
    let code = format!("code-{}", grants.next());
    grants.codes.insert(
        code.clone(),
        PendingCode {
            client_id,
            redirect_uri: redirect_uri.clone(),
            challenge: get("code_challenge"),
            scope: q.get("scope").cloned().unwrap_or_else(|| SCOPE.to_owned()),
        },
    );
    let Ok(mut location) = url::Url::parse(&redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response();
    };
    location
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &get("state"));
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
        "",
    )
        .into_response()
}

fn token(shared: &Shared, behavior: &OAuthBehavior, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if get("resource") != format!("{}/mcp", shared.url) {
        return oauth_error("invalid_target", "resource must be the MCP server");
    }
    let ttl = behavior.access_token_ttl;
    let mut grants = lock(&shared.grants);
    let client_id = get("client_id");
    let (access, refresh, scope) = match get("grant_type").as_str() {
        "authorization_code" => {
            let Some(pending) = grants.codes.remove(&get("code")) else {
                return oauth_error("invalid_grant", "unknown code");
            };
            let verifier_ok = URL_SAFE_NO_PAD
                .encode(Sha256::digest(get("code_verifier").as_bytes()))
                == pending.challenge;
            if pending.client_id != client_id
                || pending.redirect_uri != get("redirect_uri")
                || !verifier_ok
            {
                return oauth_error("invalid_grant", "client, redirect_uri or PKCE mismatch");
            }
            let (a, r) = grants.issue(&client_id, ttl, true);
            (a, r, pending.scope)
        }
        "refresh_token" => {
            let generation = grants.generation;
            match grants.refresh.remove(&get("refresh_token")) {
                Some((g, owner)) if g == generation && owner == client_id => {
                    let (a, r) = grants.issue(&client_id, ttl, false);
                    (a, r, SCOPE.to_owned())
                }
                _ => return oauth_error("invalid_grant", "unknown or revoked refresh token"),
            }
        }
        _ => return oauth_error("unsupported_grant_type", "no such grant"),
    };
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl.as_secs(),
            "refresh_token": refresh,
            "scope": scope,
        }),
    )
}

fn rpc_result(id: &Value, result: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn mcp(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let (legacy, stale_status) = {
        let behavior = lock(&shared.behavior);
        (behavior.legacy_2025_03_26, behavior.stale_session_status)
    };
    let mut grants = lock(&shared.grants);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let generation = grants.generation;
    let caller = match grants.access.get(bearer) {
        Some(a) if a.generation == generation && a.expires > Instant::now() => a.client_id.clone(),
        _ => {
            let challenge = if legacy {
                "Bearer".to_owned()
            } else {
                format!(
                    "Bearer error=\"invalid_token\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\", scope=\"{SCOPE}\"",
                    shared.url
                )
            };
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, challenge)],
                "unauthorized",
            )
                .into_response();
        }
    };
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let id = message.get("id").cloned();
    let method = message["method"].as_str().unwrap_or_default();
    if method == "initialize" {
        let session = format!("s-{}", grants.next());
        grants.sessions.insert(session.clone(), generation);
        let version = message["params"]["protocolVersion"]
            .as_str()
            .unwrap_or("2025-06-18");
        let result = json!({
            "protocolVersion": version,
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "oauth-test", "version": "1.0.0"},
        });
        let mut response = json_response(
            StatusCode::OK,
            &rpc_result(&id.unwrap_or(Value::Null), &result),
        );
        if let Ok(value) = session.parse::<axum::http::HeaderValue>() {
            response.headers_mut().insert("mcp-session-id", value);
        }
        return response;
    }
    let session = headers
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| grants.sessions.get(s));
    match session {
        Some(g) if *g == generation => {}
        Some(_) => return (stale_status, "unknown session").into_response(),
        None => return (StatusCode::NOT_FOUND, "unknown session").into_response(),
    }
    let Some(id) = id else {
        return StatusCode::ACCEPTED.into_response();
    };
    let result = match method {
        "ping" => json!({}),
        "tools/list" => json!({"tools": [{
            "name": "whoami",
            "description": "Says which OAuth client called.",
            "inputSchema": {"type": "object", "properties": {}},
        }]}),
        "tools/call" if message["params"]["name"] == "whoami" => {
            json!({"content": [{"type": "text", "text": format!("signed in as {caller}")}]})
        }
        _ => {
            return json_response(
                StatusCode::OK,
                &json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "Method not found"}}),
            );
        }
    };
    json_response(StatusCode::OK, &rpc_result(&id, &result))
}
