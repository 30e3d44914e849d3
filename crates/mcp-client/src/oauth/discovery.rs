//! Finding a server's authorization server: the `WWW-Authenticate` challenge of a 401 or the
//! well-known protected-resource metadata (RFC 9728) names it, and its own metadata (RFC 8414,
//! with the OpenID Connect configuration as fallback) gives the endpoints. Servers written
//! for the 2025-03-26 MCP spec have no resource metadata; for them the MCP server's own origin
//! is taken as the authorization server, as that spec said.

use serde::Deserialize;
use url::Url;

use super::error::OAuthError;
use super::requests::get_metadata;

/// RFC 9728 protected-resource metadata (the fields used).
#[derive(Debug, Clone, Deserialize)]
struct ProtectedResourceMetadata {
    resource: Option<String>,
    #[serde(default)]
    authorization_servers: Vec<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
}

/// RFC 8414 authorization-server metadata (the fields used).
#[derive(Debug, Clone, Deserialize)]
pub struct AuthorizationServerMetadata {
    /// The issuer identifier.
    pub issuer: Option<String>,
    /// Where the browser signs in.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: String,
    /// Dynamic client registration (RFC 7591), when offered.
    pub registration_endpoint: Option<String>,
    /// Scopes the server knows.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// PKCE methods; MCP requires `S256`.
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

/// Everything discovery learnt about where and how to sign in.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The RFC 8707 resource to ask tokens for: the metadata's `resource`, else the server URL.
    pub resource: String,
    /// The authorization server's URL (its issuer identifier).
    pub issuer: String,
    /// Its metadata.
    pub metadata: AuthorizationServerMetadata,
    /// Scopes to ask for when none are configured: the challenge's `scope`, else the
    /// resource metadata's `scopes_supported`.
    pub scopes: Vec<String>,
}

/// The parameters of a `Bearer` challenge that discovery uses.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    /// `resource_metadata`: where the protected-resource metadata lives.
    pub resource_metadata: Option<String>,
    /// `scope`: the scopes the server wants, space-separated.
    pub scope: Option<String>,
}

impl BearerChallenge {
    /// Parses `WWW-Authenticate`; `None` when it holds no `Bearer` challenge.
    pub fn parse(header: &str) -> Option<Self> {
        let start = find_scheme(header, "bearer")?;
        let mut rest = header[start + "bearer".len()..].trim_start();
        let mut challenge = BearerChallenge::default();
        // auth-params: name=token or name="quoted", separated by commas; a new scheme (a
        // token followed by a space, not '=') ends them.
        loop {
            rest = rest.trim_start_matches([',', ' ', '\t']);
            let Some(eq) = rest.find('=') else { break };
            let name = rest[..eq].trim();
            if name.is_empty() || name.contains([' ', ',']) {
                break;
            }
            let after = &rest[eq + 1..];
            let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        other => value.push(other),
                    }
                }
                (value, &quoted[end.min(quoted.len())..])
            } else {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            };
            match name.to_ascii_lowercase().as_str() {
                "resource_metadata" => challenge.resource_metadata = Some(value),
                "scope" => challenge.scope = Some(value),
                _ => {}
            }
            rest = remaining;
        }
        Some(challenge)
    }
}

/// Where the `Bearer` scheme name starts (case-insensitive, as a whole word).
fn find_scheme(header: &str, scheme: &str) -> Option<usize> {
    let lower = header.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(scheme) {
        let at = from + i;
        let before_ok = at == 0 || matches!(lower.as_bytes()[at - 1], b' ' | b',');
        let after = lower.as_bytes().get(at + scheme.len());
        if before_ok && matches!(after, None | Some(b' ')) {
            return Some(at);
        }
        from = at + scheme.len();
    }
    None
}

fn parse_http_url(what: &str, text: &str, source: &str) -> Result<Url, OAuthError> {
    let url = Url::parse(text).map_err(|e| OAuthError::Untrusted {
        url: source.to_owned(),
        problem: format!("{what} `{text}` is not a URL ({e})"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(OAuthError::Untrusted {
            url: source.to_owned(),
            problem: format!("{what} `{text}` is not an http(s) URL"),
        });
    }
    Ok(url)
}

/// `{origin}/.well-known/{suffix}{path}` for a URL with a path, else `{origin}/.well-known/{suffix}`.
fn well_known_inserted(base: &Url, suffix: &str) -> String {
    let path = base.path().trim_end_matches('/');
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(&format!("/.well-known/{suffix}{path}"));
    url.to_string()
}

/// The metadata URLs of an issuer, in the order the MCP authorization spec gives: RFC 8414
/// with the path inserted, OpenID Connect with the path inserted, OpenID Connect appended.
fn authorization_server_metadata_urls(issuer: &Url) -> Vec<String> {
    let mut urls = vec![
        well_known_inserted(issuer, "oauth-authorization-server"),
        well_known_inserted(issuer, "openid-configuration"),
    ];
    let path = issuer.path().trim_end_matches('/');
    if !path.is_empty() {
        let mut appended = issuer.clone();
        appended.set_query(None);
        appended.set_path(&format!("{path}/.well-known/openid-configuration"));
        urls.push(appended.to_string());
    }
    urls
}

/// The protected-resource metadata URLs to try for a server URL: path-specific, then root.
fn resource_metadata_urls(server: &Url) -> Vec<String> {
    let mut urls = vec![well_known_inserted(server, "oauth-protected-resource")];
    let mut root = server.clone();
    root.set_path("");
    let root = well_known_inserted(&root, "oauth-protected-resource");
    if !urls.contains(&root) {
        urls.push(root);
    }
    urls
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// Fetches the first metadata document found among `urls`.
async fn first_found<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    urls: &[String],
    tried: &mut Vec<String>,
) -> Result<Option<(String, T)>, OAuthError> {
    let mut last_error = None;
    for url in urls {
        tried.push(url.clone());
        match get_metadata::<T>(http, url).await {
            Ok(Some(found)) => return Ok(Some((url.clone(), found))),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        // A server that failed (not merely "not found") is worth reporting when nothing
        // else was found.
        Some(e @ (OAuthError::Transport { .. } | OAuthError::BadResponse { .. })) => Err(e),
        _ => Ok(None),
    }
}

/// Discovers the authorization server of the MCP server at `server_url`, starting from the
/// challenge of a 401 when there was one.
pub async fn discover(
    http: &reqwest::Client,
    server_url: &str,
    challenge: Option<&BearerChallenge>,
) -> Result<Discovery, OAuthError> {
    let server = parse_http_url("the server URL", server_url, server_url)?;
    let mut tried = Vec::new();
    let candidates = match challenge.and_then(|c| c.resource_metadata.as_deref()) {
        Some(url) => {
            parse_http_url("resource_metadata", url, server_url)?;
            vec![url.to_owned()]
        }
        None => resource_metadata_urls(&server),
    };
    let resource_metadata =
        first_found::<ProtectedResourceMetadata>(http, &candidates, &mut tried).await?;

    // Issuers named by resource metadata must match their metadata (RFC 8414 §3.3, against
    // mix-ups); the guessed issuers of older servers need not.
    let named = resource_metadata.is_some();
    let (issuers, resource, mut scopes) = if let Some((from, prm)) = resource_metadata {
        let resource = if let Some(resource) = &prm.resource {
            let parsed = parse_http_url("resource", resource, &from)?;
            if !same_origin(&parsed, &server) {
                return Err(OAuthError::Untrusted {
                    url: from,
                    problem: format!(
                        "it names the resource {resource}, which is not on the origin of {server_url}"
                    ),
                });
            }
            resource.clone()
        } else {
            server_url.to_owned()
        };
        if prm.authorization_servers.is_empty() {
            return Err(OAuthError::BadResponse {
                url: from,
                problem: "it names no `authorization_servers`".to_owned(),
            });
        }
        let issuers = prm
            .authorization_servers
            .iter()
            .map(|s| parse_http_url("authorization server", s, &from))
            .collect::<Result<Vec<_>, _>>()?;
        (issuers, resource, prm.scopes_supported)
    } else {
        // 2025-03-26 servers: the authorization server lives with the MCP server.
        let mut origin = server.clone();
        origin.set_path("");
        origin.set_query(None);
        let mut issuers = vec![server.clone()];
        if origin.path() != server.path() {
            issuers.push(origin);
        }
        (issuers, server_url.to_owned(), Vec::new())
    };
    if let Some(scope) = challenge.and_then(|c| c.scope.as_deref()) {
        scopes = scope.split_whitespace().map(str::to_owned).collect();
    }

    for issuer in &issuers {
        let urls = authorization_server_metadata_urls(issuer);
        if let Some((from, metadata)) =
            first_found::<AuthorizationServerMetadata>(http, &urls, &mut tried).await?
        {
            if named
                && let Some(declared) = &metadata.issuer
                && declared.trim_end_matches('/') != issuer.as_str().trim_end_matches('/')
            {
                return Err(OAuthError::Untrusted {
                    url: from,
                    problem: format!(
                        "its issuer is {declared}, not the authorization server {issuer} it was fetched for"
                    ),
                });
            }
            for (what, endpoint) in [
                (
                    "authorization_endpoint",
                    Some(&metadata.authorization_endpoint),
                ),
                ("token_endpoint", Some(&metadata.token_endpoint)),
                (
                    "registration_endpoint",
                    metadata.registration_endpoint.as_ref(),
                ),
            ] {
                if let Some(endpoint) = endpoint {
                    parse_http_url(what, endpoint, issuer.as_str())?;
                }
            }
            return Ok(Discovery {
                resource,
                issuer: issuer.to_string(),
                metadata,
                scopes,
            });
        }
    }
    Err(OAuthError::NoAuthorizationSupport {
        url: server_url.to_owned(),
        reason: format!("no OAuth metadata at {}", tried.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn challenges_with_quoted_and_bare_params() {
        let c = BearerChallenge::parse(
            r#"Bearer realm="x", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a b""#,
        )
        .unwrap();
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("https://h/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(c.scope.as_deref(), Some("a b"));
        let c = BearerChallenge::parse(r#"Basic realm="r", bearer scope=read"#).unwrap();
        assert_eq!(c.scope.as_deref(), Some("read"));
        assert_eq!(BearerChallenge::parse(r#"Basic realm="r""#), None);
        assert_eq!(
            BearerChallenge::parse("Bearer"),
            Some(BearerChallenge::default())
        );
    }

    #[test]
    fn metadata_urls_follow_the_spec_order() {
        let issuer = Url::parse("https://as.example/tenant1").unwrap();
        assert_eq!(
            authorization_server_metadata_urls(&issuer),
            vec![
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        let root = Url::parse("https://as.example").unwrap();
        assert_eq!(
            authorization_server_metadata_urls(&root),
            vec![
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ]
        );
        let server = Url::parse("https://h.example/v1/mcp?x=1").unwrap();
        assert_eq!(
            resource_metadata_urls(&server),
            vec![
                "https://h.example/.well-known/oauth-protected-resource/v1/mcp",
                "https://h.example/.well-known/oauth-protected-resource",
            ]
        );
    }
}
