//! Errors that stop the proxy.

use std::net::SocketAddr;

use crate::api_key::ApiKeyError;
use crate::server_info::ServerInfoError;
use crate::upstream::UpstreamUrlError;

/// Why the proxy could not start or had to stop. Exit code 1 for all of them.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// No valid key on stdin.
    #[error(transparent)]
    ApiKey(#[from] ApiKeyError),
    /// `--upstream-url` is unusable.
    #[error(transparent)]
    UpstreamUrl(#[from] UpstreamUrlError),
    /// SIGTERM/SIGINT could not be blocked for the waiting thread; should not happen.
    #[error("could not set up SIGTERM/SIGINT handling: {0}")]
    Signals(#[source] std::io::Error),
    /// The address is taken or not ours; another `--port` or `--listen` may work.
    #[error("could not listen on {addr}: {source}; choose another --port or --listen address")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// `--server-info` could not be written.
    #[error(transparent)]
    ServerInfo(#[from] ServerInfoError),
    /// The HTTP server could not be started on the bound socket.
    #[error("could not start the HTTP server: {0}")]
    Server(String),
    /// Accepting connections failed for good (for example, out of file descriptors).
    #[error("the HTTP server stopped unexpectedly: {0}")]
    Stopped(#[source] std::io::Error),
}
