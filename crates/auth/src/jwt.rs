//! Reading claims out of JWTs (the id token and the access token).
//!
//! Signatures are not checked: the tokens come straight from the issuer over TLS and we only
//! read what they say about the account (email, plan, account id) and when they expire. The
//! server that receives them does the verifying.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The claim object OpenAI puts its account details in.
const OPENAI_AUTH_CLAIM: &str = "https://api.openai.com/auth";

/// Why a token's claims could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// The token is not three dot-separated parts.
    #[error("the token is not a JWT (expected three dot-separated parts)")]
    NotAJwt,
    /// The middle part is not base64url.
    #[error("the token's payload is not base64url: {0}")]
    Base64(String),
    /// The payload is not a JSON object.
    #[error("the token's payload is not a JSON object: {0}")]
    Json(String),
}

/// What the id token says about the signed-in account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdTokenInfo {
    /// The account's email address (`email`).
    pub email: Option<String>,
    /// ChatGPT plan, e.g. `plus`, `pro`, `team` (`chatgpt_plan_type`).
    pub chatgpt_plan_type: Option<String>,
    /// The ChatGPT account (workspace) id (`chatgpt_account_id`).
    pub chatgpt_account_id: Option<String>,
    /// `chatgpt_user_id`.
    pub chatgpt_user_id: Option<String>,
    /// `organization_id`, set when the id token was issued for an API organization.
    pub organization_id: Option<String>,
    /// `project_id`.
    pub project_id: Option<String>,
    /// `completed_platform_onboarding`.
    pub completed_platform_onboarding: Option<bool>,
    /// `is_org_owner`.
    pub is_org_owner: Option<bool>,
    /// `exp`.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Decodes the payload of `jwt` into a JSON object.
pub(crate) fn decode_payload(jwt: &str) -> Result<serde_json::Map<String, Value>, JwtError> {
    let mut parts = jwt.trim().split('.');
    let (Some(_header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::NotAJwt);
    };
    // Some encoders pad; the JWT spec says not to. Accept both.
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| JwtError::Base64(e.to_string()))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JwtError::Json("not an object".into())),
        Err(e) => Err(JwtError::Json(e.to_string())),
    }
}

/// Reads the account claims of an id token.
pub fn parse_id_token(jwt: &str) -> Result<IdTokenInfo, JwtError> {
    let claims = decode_payload(jwt)?;
    let auth = claims.get(OPENAI_AUTH_CLAIM).and_then(Value::as_object);
    let auth_str = |key: &str| {
        auth.and_then(|a| a.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let auth_bool = |key: &str| auth.and_then(|a| a.get(key)).and_then(Value::as_bool);
    Ok(IdTokenInfo {
        email: claims
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_owned),
        chatgpt_plan_type: auth_str("chatgpt_plan_type"),
        chatgpt_account_id: auth_str("chatgpt_account_id"),
        chatgpt_user_id: auth_str("chatgpt_user_id").or_else(|| auth_str("user_id")),
        organization_id: auth_str("organization_id"),
        project_id: auth_str("project_id"),
        completed_platform_onboarding: auth_bool("completed_platform_onboarding"),
        is_org_owner: auth_bool("is_org_owner"),
        expires_at: expiry_of(&claims),
    })
}

/// When a JWT expires (`exp`), or `None` for opaque tokens and tokens without `exp`.
pub fn jwt_expiry(jwt: &str) -> Option<DateTime<Utc>> {
    decode_payload(jwt).ok().as_ref().and_then(expiry_of)
}

fn expiry_of(claims: &serde_json::Map<String, Value>) -> Option<DateTime<Utc>> {
    let exp = claims.get("exp")?;
    let secs = exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))?;
    DateTime::from_timestamp(secs, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn jwt(payload: &Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!(
            "{}.{}.sig",
            enc(&serde_json::json!({"alg":"none"})),
            enc(payload)
        )
    }

    #[test]
    fn reads_openai_claims() {
        let token = jwt(&serde_json::json!({
            "email": "dev@example.com",
            "exp": 1_900_000_000,
            "https://api.openai.com/auth": {
                "chatgpt_plan_type": "pro",
                "chatgpt_account_id": "acc-1",
                "is_org_owner": true
            }
        }));
        let info = parse_id_token(&token).unwrap();
        assert_eq!(info.email.as_deref(), Some("dev@example.com"));
        assert_eq!(info.chatgpt_plan_type.as_deref(), Some("pro"));
        assert_eq!(info.chatgpt_account_id.as_deref(), Some("acc-1"));
        assert_eq!(info.is_org_owner, Some(true));
        assert_eq!(info.expires_at.unwrap().timestamp(), 1_900_000_000);
        assert_eq!(jwt_expiry(&token), info.expires_at);
    }

    #[test]
    fn rejects_non_jwts_without_panicking() {
        assert_eq!(parse_id_token("opaque"), Err(JwtError::NotAJwt));
        assert!(matches!(
            parse_id_token("a.!!!.c"),
            Err(JwtError::Base64(_))
        ));
        assert_eq!(jwt_expiry("a.b"), None);
        let no_claims = jwt(&serde_json::json!({}));
        assert_eq!(parse_id_token(&no_claims).unwrap(), IdTokenInfo::default());
    }
}
