//! ChatGPT sign-in by device code, for machines without a browser: the user opens a URL
//! elsewhere and types a short code, while we poll the issuer until it hands over an
//! authorization code (which is then exchanged like the browser flow's).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::LoginError;
use crate::oauth::{
    CLIENT_ID, DEFAULT_ISSUER, HttpError, exchange_code_for_tokens, http_client, parse, send_json,
};

/// How long the user has to enter the code, unless told otherwise.
pub const DEFAULT_DEVICE_CODE_TIMEOUT: Duration = Duration::from_mins(15);
/// Poll interval when the issuer does not give one.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Never poll faster than this, whatever the issuer says.
const MIN_INTERVAL: Duration = Duration::from_millis(20);

/// Settings of a device-code sign-in.
#[derive(Debug, Clone)]
pub struct DeviceCodeOptions {
    /// Where auth.json is written.
    pub codex_home: PathBuf,
    /// The OAuth issuer.
    pub issuer: String,
    /// The OAuth client id.
    pub client_id: String,
    /// How long to wait for the user.
    pub timeout: Duration,
}

impl DeviceCodeOptions {
    /// OpenAI's issuer and client id, a 15-minute timeout.
    pub fn new(codex_home: PathBuf) -> DeviceCodeOptions {
        DeviceCodeOptions {
            codex_home,
            issuer: DEFAULT_ISSUER.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            timeout: DEFAULT_DEVICE_CODE_TIMEOUT,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer.trim_end_matches('/'))
    }
}

/// A code to show the user, with where to enter it.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    /// The page where the user enters the code.
    pub verification_url: String,
    /// The short code the user types.
    pub user_code: String,
    device_auth_id: String,
    interval: Duration,
}

#[derive(Deserialize)]
struct UserCodeResponse {
    device_auth_id: String,
    #[serde(alias = "usercode")]
    user_code: String,
    #[serde(default)]
    interval: Option<Value>,
}

#[derive(Deserialize)]
struct DeviceTokenResponse {
    authorization_code: String,
    code_verifier: String,
}

/// Asks the issuer for a user code.
pub async fn request_device_code(opts: &DeviceCodeOptions) -> Result<DeviceCode, LoginError> {
    let url = opts.url("/api/accounts/deviceauth/usercode");
    let request = http_client(&url)
        .map_err(LoginError::DeviceCode)?
        .post(&url)
        .json(&json!({ "client_id": opts.client_id }));
    let value = match send_json(&url, request).await {
        Ok(value) => value,
        Err(HttpError::Status { status: 404, .. }) => {
            return Err(LoginError::DeviceCodeUnsupported {
                issuer: opts.issuer.clone(),
            });
        }
        Err(e) => return Err(LoginError::DeviceCode(e)),
    };
    let response: UserCodeResponse = parse(&url, value).map_err(LoginError::DeviceCode)?;
    Ok(DeviceCode {
        verification_url: opts.url("/codex/device"),
        user_code: response.user_code,
        device_auth_id: response.device_auth_id,
        interval: parse_interval(response.interval.as_ref()),
    })
}

/// Polls until the user has entered `code` (then exchanges it and writes auth.json), the
/// issuer refuses, or the timeout passes.
pub async fn complete_device_code_login(
    opts: &DeviceCodeOptions,
    code: &DeviceCode,
) -> Result<(), LoginError> {
    let url = opts.url("/api/accounts/deviceauth/token");
    let client = http_client(&url).map_err(LoginError::DeviceCode)?;
    let deadline = Instant::now() + opts.timeout;
    let granted = loop {
        let request = client.post(&url).json(&json!({
            "device_auth_id": code.device_auth_id,
            "user_code": code.user_code,
        }));
        match send_json(&url, request).await {
            Ok(value) => {
                break parse::<DeviceTokenResponse>(&url, value).map_err(LoginError::DeviceCode)?;
            }
            Err(HttpError::Status { status, body, .. }) if is_pending(status, &body) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(LoginError::DeviceCodeTimeout {
                        after: human_duration(opts.timeout),
                    });
                }
                tokio::time::sleep(code.interval.min(deadline - now)).await;
            }
            Err(e) => return Err(LoginError::DeviceCode(e)),
        }
    };
    let redirect_uri = opts.url("/deviceauth/callback");
    let tokens = exchange_code_for_tokens(
        &opts.issuer,
        &opts.client_id,
        &redirect_uri,
        &granted.code_verifier,
        &granted.authorization_code,
    )
    .await
    .map_err(LoginError::TokenExchange)?;
    super::persist_chatgpt_login(&opts.codex_home, &tokens, None)?;
    Ok(())
}

/// 403 and 404 mean "not yet" on this issuer; RFC 8628's `authorization_pending` and
/// `slow_down` answers mean the same.
fn is_pending(status: u16, body: &str) -> bool {
    if status == 403 || status == 404 {
        return true;
    }
    let error = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
    status == 400
        && matches!(
            error.as_deref(),
            Some("authorization_pending" | "slow_down")
        )
}

/// The interval arrives as a string (`"5"`) or a number, in seconds; fractions are allowed.
fn parse_interval(raw: Option<&Value>) -> Duration {
    let secs = match raw {
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(Value::Number(n)) => n.as_f64(),
        _ => None,
    };
    secs.filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_INTERVAL, Duration::from_secs_f64)
        .max(MIN_INTERVAL)
}

/// "15 minutes", "2 seconds", "300 ms".
fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if d.subsec_millis() != 0 || secs == 0 {
        format!("{} ms", d.as_millis())
    } else if secs.is_multiple_of(60) {
        plural(secs / 60, "minute")
    } else {
        plural(secs, "second")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_durations() {
        assert_eq!(parse_interval(Some(&json!("5"))), Duration::from_secs(5));
        assert_eq!(
            parse_interval(Some(&json!(0.5))),
            Duration::from_millis(500)
        );
        assert_eq!(parse_interval(None), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(Some(&json!("0"))), MIN_INTERVAL);
        assert_eq!(human_duration(DEFAULT_DEVICE_CODE_TIMEOUT), "15 minutes");
        assert_eq!(human_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
    }

    #[test]
    fn pending_answers() {
        assert!(is_pending(403, ""));
        assert!(is_pending(404, ""));
        assert!(is_pending(400, r#"{"error":"authorization_pending"}"#));
        assert!(!is_pending(400, r#"{"error":"expired_token"}"#));
        assert!(!is_pending(500, ""));
    }
}
