//! The token endpoint (code exchange and refresh) and dynamic client registration (RFC
//! 7591): form and JSON requests with serde types. Every token request names the resource
//! (RFC 8707), so the tokens are good for this MCP server only.

use serde::{Deserialize, Deserializer, Serialize};

use super::error::OAuthError;
use super::requests::parse_response;
use super::store::{StoredTokens, now_ms};

/// A token endpoint's answer (RFC 6749 §5.1).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

/// `expires_in` as a number or, as some servers send it, a numeric string.
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(Either::Float(f)) if f.is_finite() && f >= 0.0 => Some(f as u64),
        Some(Either::Text(t)) => t.trim().parse().ok(),
        _ => None,
    })
}

/// The client and resource a token request is made for.
#[derive(Debug, Clone)]
pub(crate) struct TokenClient {
    pub(crate) token_endpoint: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
    pub(crate) resource: Option<String>,
}

impl TokenClient {
    async fn request(
        &self,
        http: &reqwest::Client,
        mut form: Vec<(&'static str, String)>,
    ) -> Result<TokenResponse, OAuthError> {
        form.push(("client_id", self.client_id.clone()));
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        if let Some(resource) = &self.resource {
            form.push(("resource", resource.clone()));
        }
        let url = &self.token_endpoint;
        let response = http
            .post(url)
            .header(http::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| OAuthError::transport(url, &e))?;
        let tokens: TokenResponse = parse_response(url, response).await?;
        if tokens.access_token.is_empty() {
            return Err(OAuthError::BadResponse {
                url: url.clone(),
                problem: "the `access_token` is empty".to_owned(),
            });
        }
        Ok(tokens)
    }

    /// Exchanges an authorization code (with its PKCE verifier).
    pub(crate) async fn exchange_code(
        &self,
        http: &reqwest::Client,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<TokenResponse, OAuthError> {
        self.request(
            http,
            vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code.to_owned()),
                ("redirect_uri", redirect_uri.to_owned()),
                ("code_verifier", verifier.to_owned()),
            ],
        )
        .await
    }

    /// Gets a new access token with a refresh token.
    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
    ) -> Result<TokenResponse, OAuthError> {
        self.request(
            http,
            vec![
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", refresh_token.to_owned()),
            ],
        )
        .await
    }
}

impl TokenResponse {
    /// Folds the answer into stored tokens: a refresh that sends no new refresh token or
    /// scope keeps the old ones.
    pub(crate) fn apply(self, tokens: &mut StoredTokens) {
        tokens.access_token = self.access_token;
        tokens.expires_at = self
            .expires_in
            .map(|secs| now_ms().saturating_add(secs.saturating_mul(1000)));
        if let Some(refresh) = self.refresh_token {
            tokens.refresh_token = Some(refresh);
        }
        if let Some(scope) = self.scope {
            tokens.scopes = scope.split_whitespace().map(str::to_owned).collect();
        }
    }
}

/// What we ask to be registered as (RFC 7591 §2): a public client using the loopback
/// redirect.
#[derive(Serialize)]
struct RegistrationRequest<'a> {
    client_name: &'a str,
    redirect_uris: [&'a str; 1],
    grant_types: [&'a str; 2],
    response_types: [&'a str; 1],
    token_endpoint_auth_method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

/// The registration's answer.
#[derive(Deserialize)]
pub(crate) struct RegisteredClient {
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
}

/// Registers this program as a client of the authorization server.
pub(crate) async fn register_client(
    http: &reqwest::Client,
    endpoint: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> Result<RegisteredClient, OAuthError> {
    let request = RegistrationRequest {
        client_name: "Codex",
        redirect_uris: [redirect_uri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
        scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
    };
    let response = http
        .post(endpoint)
        .header(http::header::ACCEPT, "application/json")
        .json(&request)
        .send()
        .await
        .map_err(|e| OAuthError::transport(endpoint, &e))?;
    let client: RegisteredClient = parse_response(endpoint, response).await?;
    if client.client_id.is_empty() {
        return Err(OAuthError::BadResponse {
            url: endpoint.to_owned(),
            problem: "the registration holds an empty `client_id`".to_owned(),
        });
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_as_number_or_string_and_refresh_keeps_what_is_not_resent() {
        let parsed: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":"60","token_type":"bearer"}"#)
                .unwrap();
        assert_eq!(parsed.expires_in, Some(60));
        let mut tokens = StoredTokens {
            server_name: "s".into(),
            server_url: "u".into(),
            client_id: "c".into(),
            access_token: "old".into(),
            expires_at: None,
            refresh_token: Some("rt-old".into()),
            scopes: vec!["x".into()],
            client_secret: None,
            token_endpoint: None,
            resource: None,
        };
        parsed.apply(&mut tokens);
        assert_eq!(tokens.access_token, "a");
        assert_eq!(tokens.refresh_token.as_deref(), Some("rt-old"));
        assert_eq!(tokens.scopes, vec!["x".to_owned()]);
        let at = tokens.expires_at.unwrap();
        assert!(at > now_ms() + 50_000 && at <= now_ms() + 60_000);
    }
}
