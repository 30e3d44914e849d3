//! `codex mcp login NAME` and `codex mcp logout NAME`: OAuth sign-in to a streamable-HTTP
//! server (tokens in `CODEX_HOME/.credentials.json`), and forgetting it. Messages match
//! Codex's.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Duration;

use codex_cli::mcp::McpLoginArgs;
use codex_config::{Config, McpServerTransportConfig};
use codex_mcp_client::oauth::{CredentialStore, LoginOptions, start_login};

/// An HTTP server's URL, `http_headers` and `env_http_headers`.
type HttpServer<'a> = (
    &'a str,
    &'a BTreeMap<String, String>,
    &'a BTreeMap<String, String>,
);

/// The HTTP server `name`, or the error Codex prints.
fn http_server<'a>(config: &'a Config, name: &str, verb: &str) -> Result<HttpServer<'a>, String> {
    let Some(server) = config.mcp_servers.get(name) else {
        return Err(if verb == "login" {
            format!("No MCP server named '{name}' found.")
        } else {
            format!("No MCP server named '{name}' found in configuration.")
        });
    };
    match &server.transport {
        McpServerTransportConfig::StreamableHttp {
            url,
            http_headers,
            env_http_headers,
            ..
        } => Ok((url, http_headers, env_http_headers)),
        McpServerTransportConfig::Stdio { .. } if verb == "login" => {
            Err("OAuth login is only supported for streamable HTTP servers.".to_owned())
        }
        McpServerTransportConfig::Stdio { .. } => {
            Err("OAuth logout is only supported for streamable_http transports.".to_owned())
        }
    }
}

/// `http_headers` and `env_http_headers` (set variables only) as a header map.
fn headers(
    literal: &BTreeMap<String, String>,
    from_env: &BTreeMap<String, String>,
) -> Result<http::HeaderMap, String> {
    let env_values = from_env
        .iter()
        .filter_map(|(h, var)| Some((h, std::env::var(var).ok()?)));
    let mut map = http::HeaderMap::new();
    for (name, value) in literal
        .iter()
        .map(|(h, v)| (h, v.clone()))
        .chain(env_values)
    {
        let header = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("http_headers: `{name}` is not a valid HTTP header name"))?;
        let value = http::HeaderValue::from_str(&value).map_err(|_| {
            format!("http_headers: the value of `{name}` is not a valid HTTP header value")
        })?;
        map.insert(header, value);
    }
    Ok(map)
}

#[allow(clippy::print_stdout)]
fn say(text: &str) {
    println!("{text}");
    let _ = std::io::stdout().flush();
}

/// `login NAME [--scopes a,b]`: prints the URL, opens the browser unless told not to, waits
/// for the callback, stores the tokens.
pub(super) fn login(config: &Config, args: &McpLoginArgs) -> Result<(), String> {
    let (url, literal, from_env) = http_server(config, &args.name, "login")?;
    let server = &config.mcp_servers[&args.name];
    if let McpServerTransportConfig::StreamableHttp {
        bearer_token,
        bearer_token_env_var,
        ..
    } = &server.transport
        && (bearer_token.is_some() || bearer_token_env_var.is_some())
    {
        // The configured token would win over the sign-in; refuse rather than store unused
        // credentials.
        return Err(format!(
            "OAuth login is not supported when a bearer token is configured. Remove bearer_token/bearer_token_env_var from [mcp_servers.{}] first.",
            args.name
        ));
    }
    let scopes = if args.scopes.is_empty() {
        server.oauth.scopes.clone().unwrap_or_default()
    } else {
        args.scopes.clone()
    };
    let options = LoginOptions {
        server_name: args.name.clone(),
        server_url: url.to_owned(),
        http_headers: headers(literal, from_env)?,
        scopes,
        client_id: server.oauth.client_id.clone(),
        resource: server.oauth.resource.clone(),
        callback_port: args.callback_port,
    };
    let store = CredentialStore::new(&config.codex_home);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let pending = start_login(options, store)
            .await
            .map_err(|e| e.to_string())?;
        say(&format!(
            "Authorize `{}` by opening this URL in your browser:\n{}\n",
            args.name,
            pending.authorization_url()
        ));
        if !args.no_browser && !codex_auth::login::open_in_browser(pending.authorization_url()) {
            say("(Browser launch failed; please copy the URL above manually.)");
        }
        pending
            .finish(Duration::from_secs(args.timeout_sec))
            .await
            .map_err(|e| e.to_string())
    })?;
    say(&format!(
        "Successfully logged in to MCP server '{}'.",
        args.name
    ));
    Ok(())
}

/// `logout NAME`: removes the stored tokens (exit 0 when there were none).
pub(super) fn logout(config: &Config, name: &str) -> Result<(), String> {
    let (url, _, _) = http_server(config, name, "logout")?;
    let removed = CredentialStore::new(&config.codex_home)
        .delete(name, url)
        .map_err(|e| format!("failed to delete OAuth credentials: {e}"))?;
    if removed {
        say(&format!("Removed OAuth credentials for '{name}'."));
    } else {
        say(&format!("No OAuth credentials stored for '{name}'."));
    }
    Ok(())
}
