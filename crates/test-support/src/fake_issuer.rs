//! A fake OAuth issuer (auth.openai.com's part that Codex uses) on 127.0.0.1: the authorize
//! page (redirects back like the real one after a sign-in), the token endpoint (code exchange
//! with a real PKCE check, API-key token exchange, refresh) and the device-code endpoints. It
//! records what it was sent and answers as each test configures it with [`FakeIssuer::set`].
//!
//! Point the code under test at it with `--issuer <url>` / `AuthManagerBuilder::issuer`, or
//! at [`FakeIssuer::token_url`] through `CODEX_REFRESH_TOKEN_URL_OVERRIDE` for refreshes. It
//! only accepts requests carrying [`Behavior::client_id`] (default [`CLIENT_ID`]).
//!
//! ```no_run
//! use codex_test_support::fake_issuer::{FakeIssuer, access_token};
//! let issuer = FakeIssuer::start();
//! issuer.set(|b| b.refresh_token = "rt-1".into());
//! // ... run a refresh against issuer.token_url(), then:
//! assert_eq!(issuer.refresh_count(), 1);
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::background::BackgroundServer;

/// The client id the issuer expects unless a test changes [`Behavior::client_id`].
pub const CLIENT_ID: &str = "test-client";
/// The authorization code the authorize page hands out.
pub const GOOD_CODE: &str = "good-code";
/// The authorization code a granted device-code poll hands out.
pub const DEVICE_CODE: &str = "device-code";
/// The PKCE verifier that goes with [`DEVICE_CODE`].
pub const DEVICE_VERIFIER: &str = "device-verifier";
/// The code a user would type on the device page.
pub const USER_CODE: &str = "WXYZ-1234";
/// The device-auth id the usercode endpoint hands out.
pub const DEVICE_AUTH_ID: &str = "dev-auth-1";

/// A JWT with `claims` and a fake signature (nobody checks it).
pub fn fake_jwt(claims: &Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string().as_bytes());
    format!(
        "{}.{}.fake-signature",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(claims)
    )
}

/// An id token for `email` on ChatGPT plan `plan`, account `account`.
pub fn id_token(email: &str, plan: &str, account: &str) -> String {
    fake_jwt(&json!({
        "email": email,
        "https://api.openai.com/auth": {
            "chatgpt_plan_type": plan,
            "chatgpt_account_id": account,
            "chatgpt_user_id": "user-1"
        }
    }))
}

/// An access token expiring `secs` seconds from now (negative: already expired). `label`
/// makes tokens of different origins tell apart.
pub fn access_token(label: &str, secs: i64) -> String {
    let exp = chrono::Utc::now().timestamp() + secs;
    fake_jwt(&json!({ "exp": exp, "label": label }))
}

/// What the refresh endpoint answers.
#[derive(Clone, Debug)]
pub enum RefreshReply {
    /// 200 with these tokens (`None` fields are sent as `null`).
    Tokens {
        access_token: String,
        refresh_token: Option<String>,
        id_token: Option<String>,
    },
    /// This status and raw body.
    Error { status: u16, body: String },
}

/// How the issuer behaves; tests change it with [`FakeIssuer::set`].
#[derive(Clone, Debug)]
pub struct Behavior {
    /// The only client id accepted on the token endpoint.
    pub client_id: String,
    /// Tokens handed out by a code exchange.
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Answer to the API-key token exchange; `None` refuses it.
    pub api_key: Option<String>,
    /// Redirect back with `error` / `error_description` instead of a code.
    pub authorize_error: Option<(String, String)>,
    /// Whether the device-code endpoints exist (404 otherwise).
    pub device_enabled: bool,
    /// Polls answered 403 before the code is granted.
    pub device_pending_polls: usize,
    /// The `interval` the usercode endpoint sends, as JSON.
    pub device_interval: Value,
    pub refresh: RefreshReply,
    /// How long a refresh takes to answer (to test single-flight refreshing).
    pub refresh_delay: Duration,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            client_id: CLIENT_ID.to_owned(),
            id_token: id_token("dev@example.com", "pro", "acc-123"),
            access_token: access_token("login", 3600),
            refresh_token: "rt-login".into(),
            api_key: Some("sk-minted-0123456789".into()),
            authorize_error: None,
            device_enabled: true,
            device_pending_polls: 0,
            device_interval: json!("0.05"),
            refresh: RefreshReply::Tokens {
                access_token: access_token("refreshed", 3600),
                refresh_token: Some("rt-refreshed".into()),
                id_token: None,
            },
            refresh_delay: Duration::ZERO,
        }
    }
}

/// One request the issuer received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub body: String,
}

impl Recorded {
    /// The body as form fields or JSON object fields (non-string JSON values as JSON text).
    pub fn fields(&self) -> HashMap<String, String> {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&self.body) {
            return map
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
        }
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

struct Shared {
    url: Mutex<String>,
    behavior: Mutex<Behavior>,
    requests: Mutex<Vec<Recorded>>,
    authorize: Mutex<Option<HashMap<String, String>>>,
    refreshes: AtomicUsize,
    polls: AtomicUsize,
}

/// A poisoned lock only means another test thread panicked; its data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running issuer; stops when dropped.
pub struct FakeIssuer {
    /// `http://127.0.0.1:<port>`: what `--issuer` takes.
    pub url: String,
    shared: Arc<Shared>,
    _server: BackgroundServer,
}

impl FakeIssuer {
    /// Starts the issuer on an ephemeral port, on a thread of its own (so it serves blocking
    /// tests too). Never blocks for long, so async tests may call it.
    pub fn start() -> FakeIssuer {
        let shared = Arc::new(Shared {
            url: Mutex::new(String::new()),
            behavior: Mutex::new(Behavior::default()),
            requests: Mutex::new(Vec::new()),
            authorize: Mutex::new(None),
            refreshes: AtomicUsize::new(0),
            polls: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/oauth/authorize", get(authorize))
            .route("/oauth/token", post(token))
            .route("/api/accounts/deviceauth/usercode", post(user_code))
            .route("/api/accounts/deviceauth/token", post(device_token))
            .with_state(Arc::clone(&shared));
        let server = BackgroundServer::start("fake-issuer", router);
        let url = server.url();
        lock(&shared.url).clone_from(&url);
        FakeIssuer {
            url,
            shared,
            _server: server,
        }
    }

    /// Changes how the issuer answers from now on.
    pub fn set(&self, change: impl FnOnce(&mut Behavior)) {
        change(&mut lock(&self.shared.behavior));
    }

    /// The current behaviour (to read back the tokens it hands out).
    pub fn behavior(&self) -> Behavior {
        lock(&self.shared.behavior).clone()
    }

    /// `{url}/oauth/token`: where refreshes go.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.url)
    }

    /// Requests to `path`, oldest first.
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Token-endpoint requests with this `grant_type`.
    pub fn grants(&self, grant_type: &str) -> Vec<Recorded> {
        self.requests("/oauth/token")
            .into_iter()
            .filter(|r| r.fields().get("grant_type").map(String::as_str) == Some(grant_type))
            .collect()
    }

    /// Refresh requests received (answered or not).
    pub fn refresh_count(&self) -> usize {
        self.shared.refreshes.load(Ordering::SeqCst)
    }

    /// Device-code token polls received.
    pub fn poll_count(&self) -> usize {
        self.shared.polls.load(Ordering::SeqCst)
    }
}

fn record(shared: &Shared, path: &str, body: &[u8]) {
    lock(&shared.requests).push(Recorded {
        path: path.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
    });
}

fn json_reply(status: u16, body: &Value) -> Response {
    raw_json_reply(status, body.to_string())
}

fn raw_json_reply(status: u16, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Like a real issuer after the user signed in: redirect to `redirect_uri` with a code.
async fn authorize(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    record(&shared, "/oauth/authorize", query.as_bytes());
    *lock(&shared.authorize) = Some(params.clone());
    let behavior = lock(&shared.behavior).clone();
    let redirect = params.get("redirect_uri").map(|r| url::Url::parse(r));
    let (Some(Ok(mut back)), Some(state)) = (redirect, params.get("state")) else {
        return json_reply(400, &json!({"error": "invalid_request"}));
    };
    {
        let mut q = back.query_pairs_mut();
        match &behavior.authorize_error {
            Some((error, description)) => {
                q.append_pair("error", error);
                q.append_pair("error_description", description);
            }
            None => {
                q.append_pair("code", GOOD_CODE);
            }
        }
        q.append_pair("state", state);
    }
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, "/oauth/token", &body);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let behavior = lock(&shared.behavior).clone();
    let fields = Recorded {
        path: String::new(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
    .fields();
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if field("client_id") != behavior.client_id {
        return json_reply(400, &json!({"error": "invalid_client"}));
    }
    match field("grant_type").as_str() {
        "refresh_token" if is_json => {
            shared.refreshes.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(behavior.refresh_delay).await;
            match behavior.refresh {
                RefreshReply::Tokens {
                    access_token,
                    refresh_token,
                    id_token,
                } => json_reply(
                    200,
                    &json!({
                        "access_token": access_token,
                        "refresh_token": refresh_token,
                        "id_token": id_token,
                    }),
                ),
                RefreshReply::Error { status, body } => raw_json_reply(status, body),
            }
        }
        "authorization_code" if !is_json => {
            let code = field("code");
            let verifier = field("code_verifier");
            let redirect_uri = field("redirect_uri");
            let valid = if code == GOOD_CODE {
                let authorize = lock(&shared.authorize).clone().unwrap_or_default();
                let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                authorize.get("code_challenge") == Some(&challenge)
                    && authorize.get("redirect_uri") == Some(&redirect_uri)
            } else {
                let url = lock(&shared.url).clone();
                code == DEVICE_CODE
                    && verifier == DEVICE_VERIFIER
                    && redirect_uri == format!("{url}/deviceauth/callback")
            };
            if !valid {
                return json_reply(400, &json!({"error": "invalid_grant"}));
            }
            json_reply(
                200,
                &json!({
                    "id_token": behavior.id_token,
                    "access_token": behavior.access_token,
                    "refresh_token": behavior.refresh_token,
                }),
            )
        }
        "urn:ietf:params:oauth:grant-type:token-exchange" if !is_json => {
            let ok = field("requested_token") == "openai-api-key"
                && field("subject_token") == behavior.id_token;
            match behavior.api_key {
                Some(key) if ok => json_reply(200, &json!({"access_token": key})),
                _ => json_reply(401, &json!({"error": "no_api_organization"})),
            }
        }
        _ => json_reply(400, &json!({"error": "unsupported_grant_type"})),
    }
}

async fn user_code(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    record(&shared, "/api/accounts/deviceauth/usercode", &body);
    let behavior = lock(&shared.behavior).clone();
    if !behavior.device_enabled {
        return json_reply(404, &json!({"error": "not_found"}));
    }
    json_reply(
        200,
        &json!({
            "device_auth_id": DEVICE_AUTH_ID,
            "user_code": USER_CODE,
            "interval": behavior.device_interval,
        }),
    )
}

async fn device_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    record(&shared, "/api/accounts/deviceauth/token", &body);
    let fields: Value = serde_json::from_slice(&body).unwrap_or_default();
    if fields["device_auth_id"] != DEVICE_AUTH_ID || fields["user_code"] != USER_CODE {
        return json_reply(400, &json!({"error": "bad_device_auth"}));
    }
    let polls = shared.polls.fetch_add(1, Ordering::SeqCst) + 1;
    let pending = lock(&shared.behavior).device_pending_polls;
    if polls <= pending {
        return json_reply(403, &json!({"error": "deviceauth_authorization_pending"}));
    }
    json_reply(
        200,
        &json!({
            "authorization_code": DEVICE_CODE,
            "code_challenge": "unused",
            "code_verifier": DEVICE_VERIFIER,
        }),
    )
}
