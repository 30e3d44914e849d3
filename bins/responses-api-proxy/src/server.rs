//! The accept loop: one thread per client connection, up to the connection cap.
//!
//! A connection is read by the thread that serves it from the moment it is accepted, so no
//! accepted connection waits in a queue for a worker to notice it (tiny_http's pool, which this
//! replaces, lost such wake-ups under keep-alive load). Beyond [`Limits::max_connections`] a
//! connection gets a 503 and is closed at once. If descriptors run out anyway (another process
//! of the same user, a low limit), a spare descriptor is given up to accept and refuse the
//! waiting connection, so the loop never spins on `EMFILE` and never stops.

use std::fs::File;
use std::io::{self, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::connection;
use crate::limits::Limits;
use crate::report;
use crate::upstream::Upstream;

/// Why the proxy stops: a reason to report (`Ok`) or a server failure (`Err`).
pub type StopEvent = Result<&'static str, io::Error>;

/// Stack of a connection thread. The deepest path (a TLS handshake upstream, certificate
/// checks included) needs far less, and an overflow would abort the whole proxy, so the margin
/// is wide; only touched pages count towards memory.
const CONNECTION_STACK: usize = 1024 * 1024;

/// The answer to a connection over the cap.
const BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
content-length: 59\r\nretry-after: 1\r\nconnection: close\r\n\r\n\
responses-api-proxy: too many connections; try again later\n";

/// What every connection thread shares.
pub struct Shared {
    pub upstream: Upstream,
    pub limits: Limits,
    pub http_shutdown: bool,
    pub stop: Sender<StopEvent>,
    /// Connections being served.
    active: AtomicUsize,
}

impl Shared {
    pub fn new(
        upstream: Upstream,
        limits: Limits,
        http_shutdown: bool,
        stop: Sender<StopEvent>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            upstream,
            limits,
            http_shutdown,
            stop,
            active: AtomicUsize::new(0),
        })
    }
}

/// Starts the accept loop on a thread of its own.
pub fn spawn_acceptor(listener: TcpListener, shared: Arc<Shared>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("proxy-accept".into())
        .spawn(move || accept_loop(&listener, &shared))
        .map(drop)
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut spare = open_spare();
    loop {
        match listener.accept() {
            Ok((stream, _)) => admit(stream, shared),
            Err(err) if is_out_of_descriptors(&err) => {
                // Free one descriptor, take the waiting connection, refuse it, and take the
                // descriptor back; without a spare, wait for connections to end.
                drop(spare.take());
                if let Ok((stream, _)) = listener.accept() {
                    refuse(&stream);
                }
                spare = open_spare();
                if spare.is_none() {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            // Aborted handshakes and interrupted calls: the next accept is fine.
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::Interrupted
                ) => {}
            // Anything else (out of memory, buffers): back off briefly instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Serves `stream` on a new thread, or refuses it when at the cap or out of threads.
fn admit(stream: TcpStream, shared: &Arc<Shared>) {
    let limit = shared.limits.max_connections;
    if shared.active.fetch_add(1, Ordering::AcqRel) >= limit {
        shared.active.fetch_sub(1, Ordering::AcqRel);
        refuse(&stream);
        return;
    }
    // The thread takes the stream; keep a way to answer if the thread cannot start.
    let answer = stream.try_clone();
    let thread_shared = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("proxy-conn".into())
        .stack_size(CONNECTION_STACK)
        .spawn(move || {
            let _slot = Slot(&thread_shared.active);
            connection::serve(stream, &thread_shared);
        });
    if let Err(err) = spawned {
        // The closure, its stream and its slot were dropped with the failed spawn.
        report::line(format_args!(
            "could not start a connection thread ({err}); answering 503"
        ));
        if let Ok(stream) = answer {
            refuse(&stream);
        }
    }
}

/// Holds one place under the connection cap for as long as it lives.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers 503 without waiting on the client: the socket is fresh, so the short answer fits in
/// its send buffer; a client that already filled the receive side just loses it.
fn refuse(stream: &TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = (&*stream).write_all(BUSY);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn is_out_of_descriptors(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// A descriptor held in reserve for [`accept_loop`].
fn open_spare() -> Option<File> {
    File::open("/dev/null").ok()
}
