//! A fake OAuth issuer on 127.0.0.1: authorize (redirects back like the real one), token
//! endpoint (code exchange with a real PKCE check, API-key exchange, refresh) and the
//! device-code endpoints. It records what it was sent and answers as each test configures.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
use tokio::sync::oneshot;

pub(crate) const CLIENT_ID: &str = "test-client";
pub(crate) const GOOD_CODE: &str = "good-code";
pub(crate) const DEVICE_CODE: &str = "device-code";
pub(crate) const DEVICE_VERIFIER: &str = "device-verifier";
pub(crate) const USER_CODE: &str = "WXYZ-1234";
pub(crate) const DEVICE_AUTH_ID: &str = "dev-auth-1";

/// A JWT with `claims` and a fake signature (nobody checks it).
pub(crate) fn fake_jwt(claims: &Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.fake-signature",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(claims)
    )
}

/// An id token for `email` on `plan`, account `account`.
pub(crate) fn id_token(email: &str, plan: &str, account: &str) -> String {
    fake_jwt(&json!({
        "email": email,
        "https://api.openai.com/auth": {
            "chatgpt_plan_type": plan,
            "chatgpt_account_id": account,
            "chatgpt_user_id": "user-1"
        }
    }))
}

/// An access token expiring `secs` seconds from now (negative: already expired).
pub(crate) fn access_token(label: &str, secs: i64) -> String {
    let exp = chrono::Utc::now().timestamp() + secs;
    fake_jwt(&json!({ "exp": exp, "label": label }))
}

/// What the refresh endpoint answers.
#[derive(Clone)]
pub(crate) enum RefreshReply {
    Tokens {
        access_token: String,
        refresh_token: Option<String>,
        id_token: Option<String>,
    },
    Error {
        status: u16,
        body: String,
    },
}

/// How the issuer behaves; tests change it with [`FakeIssuer::set`].
#[derive(Clone)]
pub(crate) struct Behavior {
    pub(crate) id_token: String,
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    /// Answer to the API-key token exchange; `None` refuses it.
    pub(crate) api_key: Option<String>,
    /// Redirect back with `error` / `error_description` instead of a code.
    pub(crate) authorize_error: Option<(String, String)>,
    pub(crate) device_enabled: bool,
    /// Polls answered 403 before the code is granted.
    pub(crate) device_pending_polls: usize,
    pub(crate) device_interval: Value,
    pub(crate) refresh: RefreshReply,
    pub(crate) refresh_delay: Duration,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
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
pub(crate) struct Recorded {
    pub(crate) path: String,
    pub(crate) body: String,
}

impl Recorded {
    /// The body as form fields or JSON object fields.
    pub(crate) fn fields(&self) -> HashMap<String, String> {
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
    url: String,
    behavior: Mutex<Behavior>,
    requests: Mutex<Vec<Recorded>>,
    authorize: Mutex<Option<HashMap<String, String>>>,
    refreshes: AtomicUsize,
    polls: AtomicUsize,
}

pub(crate) struct FakeIssuer {
    pub(crate) url: String,
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

impl FakeIssuer {
    pub(crate) async fn start() -> FakeIssuer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            url: url.clone(),
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
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        FakeIssuer {
            url,
            shared,
            _stop: stop,
        }
    }

    pub(crate) fn set(&self, change: impl FnOnce(&mut Behavior)) {
        change(&mut self.shared.behavior.lock().unwrap());
    }

    pub(crate) fn behavior(&self) -> Behavior {
        self.shared.behavior.lock().unwrap().clone()
    }

    pub(crate) fn token_url(&self) -> String {
        format!("{}/oauth/token", self.url)
    }

    /// Requests to `path`, oldest first.
    pub(crate) fn requests(&self, path: &str) -> Vec<Recorded> {
        let all = self.shared.requests.lock().unwrap();
        all.iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Token-endpoint requests with this `grant_type`.
    pub(crate) fn grants(&self, grant_type: &str) -> Vec<Recorded> {
        self.requests("/oauth/token")
            .into_iter()
            .filter(|r| r.fields().get("grant_type").map(String::as_str) == Some(grant_type))
            .collect()
    }

    pub(crate) fn refresh_count(&self) -> usize {
        self.shared.refreshes.load(Ordering::SeqCst)
    }

    pub(crate) fn poll_count(&self) -> usize {
        self.shared.polls.load(Ordering::SeqCst)
    }
}

fn record(shared: &Shared, path: &str, body: &[u8]) {
    shared.requests.lock().unwrap().push(Recorded {
        path: path.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
    });
}

fn json_reply(status: u16, body: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Like a real issuer after the user signed in: redirect to `redirect_uri` with a code.
async fn authorize(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    record(
        &shared,
        "/oauth/authorize",
        uri.query().unwrap_or("").as_bytes(),
    );
    *shared.authorize.lock().unwrap() = Some(params.clone());
    let behavior = shared.behavior.lock().unwrap().clone();
    let mut back = url::Url::parse(&params["redirect_uri"]).unwrap();
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
        q.append_pair("state", &params["state"]);
    }
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    record(&shared, "/oauth/token", &body);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let behavior = shared.behavior.lock().unwrap().clone();
    let fields = Recorded {
        path: String::new(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
    .fields();
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if field("client_id") != CLIENT_ID {
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
                RefreshReply::Error { status, body } => (
                    StatusCode::from_u16(status).unwrap(),
                    [(header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response(),
            }
        }
        "authorization_code" if !is_json => {
            let code = field("code");
            let verifier = field("code_verifier");
            let redirect_uri = field("redirect_uri");
            let valid = if code == GOOD_CODE {
                let authorize = shared.authorize.lock().unwrap().clone().unwrap_or_default();
                let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                authorize.get("code_challenge") == Some(&challenge)
                    && authorize.get("redirect_uri") == Some(&redirect_uri)
            } else {
                code == DEVICE_CODE
                    && verifier == DEVICE_VERIFIER
                    && redirect_uri == format!("{}/deviceauth/callback", shared.url)
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
    let behavior = shared.behavior.lock().unwrap().clone();
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
    let pending = shared.behavior.lock().unwrap().device_pending_polls;
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
