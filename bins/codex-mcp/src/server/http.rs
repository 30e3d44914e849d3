//! `--http ADDR`: the same server over MCP streamable HTTP, at `http://ADDR/mcp`.
//!
//! rmcp's server transport does the protocol (POST with JSON or an SSE answer, the GET
//! stream, `Mcp-Session-Id` sessions, `Host` checks against DNS rebinding); each session is
//! its own connection ([`CodexServer`]) over the one shared state, so conversations outlive
//! the session that started them. In front of it, every request must:
//! - carry no `Origin` header (403): only browsers send one, and a web page must not drive
//!   an agent that runs commands on this machine;
//! - carry `Authorization: Bearer <token>` (401 otherwise), the token from
//!   `$CODEX_MCP_HTTP_TOKEN` or generated and written to a file only the user can read;
//! - be one JSON-RPC message (malformed ones are answered with the JSON-RPC error the stdio
//!   transport gives, status 400), bounded in size.
//!
//! Only loopback addresses are served unless `--allow-non-loopback` is given.

use std::io::Write as _;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt as _;
use rand::RngCore as _;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::handler::CodexServer;
use super::state::Shared;
use super::transport::{Line, MAX_LINE, classify};

/// The environment variable that gives the bearer token instead of a generated one.
pub(crate) const TOKEN_ENV: &str = "CODEX_MCP_HTTP_TOKEN";

/// The path of the endpoint.
const ENDPOINT: &str = "/mcp";

/// Serves until SIGINT or SIGTERM.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    addr: &str,
    allow_non_loopback: bool,
) -> Result<(), String> {
    let addr = resolve(addr)?;
    if !addr.ip().is_loopback() && !allow_non_loopback {
        return Err(format!(
            "--http {addr}: not a loopback address; anyone who reaches it could run the agent with the token. Serve 127.0.0.1 (and tunnel), or pass --allow-non-loopback"
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--http {addr}: cannot listen: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("--http {addr}: {e}"))?;
    let token = match std::env::var(TOKEN_ENV) {
        Ok(token) if !token.trim().is_empty() => {
            say(&format!("bearer token from ${TOKEN_ENV}"));
            token.trim().to_owned()
        }
        _ => {
            let token = generate_token();
            let path = shared
                .codex_home
                .join("mcp-server")
                .join(format!("http-{}.token", local.port()));
            write_private(&path, &token)?;
            say(&format!("bearer token written to {}", path.display()));
            token
        }
    };

    let stop = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(stop.clone());
    config = if allow_non_loopback {
        config.disable_allowed_hosts()
    } else {
        // `Host` must name this server (DNS rebinding): the loopback names and the address bound.
        let mut hosts = config.allowed_hosts.clone();
        hosts.push(local.ip().to_string());
        config.with_allowed_hosts(hosts)
    };
    let factory_shared = Arc::clone(&shared);
    let service = StreamableHttpService::new(
        move || {
            Ok(CodexServer::new(
                Arc::clone(&factory_shared),
                CancellationToken::new(),
            ))
        },
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let router = Router::new()
        .route_service(ENDPOINT, service)
        .layer(middleware::from_fn_with_state(Arc::new(token), guard));
    say(&format!(
        "serving MCP over streamable HTTP at http://{local}{ENDPOINT}"
    ));
    // Small SSE writes go out at once (Nagle and delayed ACKs cost ~40 ms per answer).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            stop.cancel();
        })
        .await
        .map_err(|e| format!("--http {local}: {e}"))
}

/// Refuses browsers and requests without the token; answers malformed JSON-RPC itself.
async fn guard(State(token): State<Arc<String>>, request: Request, next: Next) -> Response {
    if request.headers().contains_key(header::ORIGIN) {
        return (
            StatusCode::FORBIDDEN,
            "Forbidden: requests with an Origin header (from a browser) are refused\n",
        )
            .into_response();
    }
    if !authorized(request.headers(), &token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            format!(
                "Unauthorized: send `Authorization: Bearer <token>` (the token file named on the server's stderr, or ${TOKEN_ENV})\n"
            ),
        )
            .into_response();
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(MAX_LINE).unwrap_or(usize::MAX);
    let bytes: Bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload Too Large: at most {MAX_LINE} bytes per message ({e})\n"),
            )
                .into_response();
        }
    };
    match classify(&bytes) {
        Line::Message(message) => {
            // The message as rmcp reads it (a missing `"jsonrpc"` filled in).
            let body = serde_json::to_vec(&message).map_or(bytes, Bytes::from);
            next.run(Request::from_parts(parts, Body::from(body))).await
        }
        Line::Reply(error) => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            error.to_string(),
        )
            .into_response(),
        Line::Skip => StatusCode::ACCEPTED.into_response(),
    }
}

/// Whether the request carries the token, compared in constant time.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(given) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return false;
    };
    let (a, b) = (given.trim().as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn resolve(addr: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    addr.to_socket_addrs()
        .map_err(|e| {
            format!("--http {addr}: not an address: {e} (expected HOST:PORT, e.g. 127.0.0.1:8765)")
        })?
        .next()
        .ok_or_else(|| format!("--http {addr}: the name resolves to no address"))
}

/// 32 random bytes, hex.
fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().fold(String::with_capacity(64), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Writes `text` to `path` readable by the user alone: a new file under a random name
/// (`O_EXCL`: nothing someone planted is followed or reused), then renamed into place.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let temp: PathBuf = dir.join(format!(".tmp-{}", generate_token()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write the token to {}: {e}", path.display()));
    }
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot watch SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// One line on stderr for the person who started the server.
fn say(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-mcp: {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let mut headers = HeaderMap::new();
        assert!(!authorized(&headers, "abc"));
        headers.insert(header::AUTHORIZATION, "Bearer abd".parse().unwrap());
        assert!(!authorized(&headers, "abc"));
        headers.insert(header::AUTHORIZATION, "Bearer abcd".parse().unwrap());
        assert!(!authorized(&headers, "abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(!authorized(&headers, "abc"));
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert!(authorized(&headers, "abc"));
    }

    #[test]
    fn the_token_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("t.token");
        write_private(&path, "secret").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "secret");
    }
}
