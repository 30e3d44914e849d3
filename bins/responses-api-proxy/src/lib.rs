//! `codex-responses-api-proxy`: a small HTTP sidecar that holds the OpenAI API key so that the
//! processes using it never do.
//!
//! A privileged user starts it with the key on stdin; unprivileged users or containers point
//! Codex at `http://127.0.0.1:PORT/v1`. Only `POST /v1/responses` is forwarded, with the
//! client's `Authorization` and `Host` replaced; every other request gets 403. Responses stream
//! back read by read, so each SSE event reaches the client when the upstream sends it.
//!
//! # Design
//!
//! - **No async runtime.** The proxy must stay small enough to audit, and start and idle
//!   cheaply. The server is our own: an accept loop and one std thread per client connection
//!   (see [`server`]), request heads framed by `httparse` within the bounds of [`limits`]
//!   (header count and size, header and idle timeouts, a connection cap below the descriptor
//!   limit). The upstream client is `ureq` 3: blocking, rustls with compiled-in roots, pooled
//!   keep-alive connections, and no tokio underneath (`reqwest::blocking` would start a tokio
//!   runtime on a hidden thread).
//! - **Streaming both ways.** Request bodies go upstream as they are read ([`body`]); responses
//!   come back read by read ([`stream`]). Nothing is buffered beyond one read, so memory does not
//!   depend on body sizes.
//! - **Cancellation.** A client that hangs up cancels its upstream request, even while the proxy
//!   waits for the first byte (see [`hangup`]); `--connect-timeout` and `--first-byte-timeout`
//!   bound an upstream that does not answer.
//! - **No panic from input.** Every peer-controlled size is checked before it reaches code that
//!   could panic on it (for example, `http::HeaderMap` panics past 32,768 entries; heads hold at
//!   most [`limits::MAX_HEADERS`]). The release profile aborts on panic, which is acceptable only
//!   because of this.
//! - **The key.** Read with raw `read(2)` into a zeroized stack buffer, validated, leaked once as
//!   `Bearer <key>` and `mlock`ed (see [`api_key`]); the header value refers to it without a
//!   copy and is marked sensitive. No log line or error message contains it.
//! - **Hardening.** The binary runs `codex_hardening::pre_main_hardening` from a constructor,
//!   before `main`: not dumpable (no `/proc/<pid>/mem`, no ptrace by the same user), no core
//!   dumps, no `LD_*` variables.
//! - **Stopping.** SIGTERM/SIGINT (see [`signals`]) and, with `--http-shutdown`,
//!   `GET /shutdown` end [`run`] with `Ok(())`.
//!
//! Main entry point: [`run`] with [`ProxyArgs`].

pub mod api_key;
pub mod body;
pub mod conn;
pub mod connection;
pub mod error;
pub mod handler;
pub mod hangup;
pub mod limits;
pub mod report;
pub mod request;
pub mod server;
pub mod server_info;
pub mod signals;
pub mod stream;
pub mod upstream;

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc::{self, Sender};

pub use codex_cli::proxy::ProxyArgs;
pub use error::ProxyError;

use crate::limits::Limits;
use crate::server::{Shared, StopEvent};
use crate::signals::StopSignals;
use crate::upstream::Upstream;

/// Reads the key from stdin, listens, and forwards until stopped.
///
/// Returns `Ok(())` after SIGTERM, SIGINT or `GET /shutdown`; an error if start-up fails or the
/// server dies.
pub fn run(args: &ProxyArgs) -> Result<(), ProxyError> {
    let upstream_uri = upstream::parse_upstream_url(&args.upstream_url)?;
    let authorization = api_key::read_api_key()?;

    // Before any thread exists, so that every thread inherits the mask.
    let signals = StopSignals::block().map_err(ProxyError::Signals)?;
    limit_malloc_arenas();

    let addr = SocketAddr::new(args.listen, args.port.unwrap_or(0));
    let listener = TcpListener::bind(addr).map_err(|source| ProxyError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| ProxyError::Bind { addr, source })?;
    if let Some(path) = &args.server_info {
        server_info::write_server_info(path, local.port())?;
    }

    let limits = Limits::new(args);
    let upstream = Upstream::new(upstream_uri, authorization, &limits);
    let (stop_tx, stop_rx) = mpsc::channel();
    spawn_signal_waiter(signals, stop_tx.clone());
    let shared = Shared::new(upstream, limits, args.http_shutdown, stop_tx);
    server::spawn_acceptor(listener, shared)
        .map_err(|err| ProxyError::Server(format!("could not start the accept thread: {err}")))?;
    report::listening(local);

    match stop_rx.recv() {
        Ok(Ok(reason)) => {
            report::line(format_args!("stopping: {reason}"));
            Ok(())
        }
        Ok(Err(err)) => Err(ProxyError::Stopped(err)),
        // Unreachable while the accept thread holds a sender; a failure all the same.
        Err(_) => Err(ProxyError::Stopped(std::io::Error::other(
            "the accept thread ended",
        ))),
    }
}

/// Waits for SIGTERM/SIGINT on a thread of its own and reports it on `stop`.
fn spawn_signal_waiter(signals: StopSignals, stop: Sender<StopEvent>) {
    let spawned = std::thread::Builder::new()
        .name("proxy-signals".into())
        .spawn(move || {
            let _ = stop.send(signals.wait());
        });
    if let Err(err) = spawned {
        report::line(format_args!(
            "could not start the signal thread ({err}); SIGTERM will not stop the proxy cleanly"
        ));
    }
}

/// glibc gives each new thread its own malloc arena and keeps freed memory in it, so a burst of
/// concurrent requests would leave the idle proxy several MiB larger. Two arenas are plenty for
/// the proxy's few small allocations per request. (musl, used for the container image, has a
/// single allocator and needs nothing.)
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator and is called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
