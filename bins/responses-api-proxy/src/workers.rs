//! The threads that serve requests: an elastic leader/followers pool over tiny_http's queue.
//!
//! Every worker waits in `Server::recv_timeout` itself, so a request goes from tiny_http's
//! connection thread straight to a waiting worker: no dispatcher hop, and no thread creation
//! per request (both showed up as most of the proxy's CPU time under load). A worker that takes
//! a request and sees nobody else waiting first starts another worker, so a long SSE stream
//! never keeps other clients waiting. Workers that stay idle for [`IDLE_EXIT`] leave, as long as
//! another worker is still waiting; the pool shrinks back to one thread.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::handler;
use crate::report;
use crate::upstream::Upstream;

/// How long a surplus worker waits for a request before it exits.
const IDLE_EXIT: Duration = Duration::from_secs(30);

/// Why the proxy stops: a reason to report (`Ok`) or a server failure (`Err`).
pub type StopEvent = Result<&'static str, io::Error>;

/// What every worker shares.
pub struct Workers {
    server: tiny_http::Server,
    upstream: Upstream,
    http_shutdown: bool,
    stop: Sender<StopEvent>,
    /// Workers currently blocked in `recv_timeout`.
    waiting: AtomicUsize,
}

impl Workers {
    pub fn new(
        server: tiny_http::Server,
        upstream: Upstream,
        http_shutdown: bool,
        stop: Sender<StopEvent>,
    ) -> Arc<Workers> {
        Arc::new(Workers {
            server,
            upstream,
            http_shutdown,
            stop,
            waiting: AtomicUsize::new(0),
        })
    }

    /// Starts one more worker.
    pub fn spawn(self: &Arc<Self>) -> io::Result<()> {
        let workers = Arc::clone(self);
        std::thread::Builder::new()
            .name("proxy-worker".into())
            .spawn(move || workers.serve())
            .map(drop)
    }

    fn serve(self: Arc<Self>) {
        loop {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            let received = self.server.recv_timeout(IDLE_EXIT);
            let others_waiting = self.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
            match received {
                Ok(Some(request)) => {
                    if others_waiting == 0
                        && let Err(err) = self.spawn()
                    {
                        report::line(format_args!(
                            "could not start another worker thread ({err}); requests wait for this one"
                        ));
                    }
                    if handler::handle(&self.upstream, self.http_shutdown, request) {
                        let _ = self.stop.send(Ok("GET /shutdown"));
                    }
                }
                // Idle: leave if another worker is still there to take the next request.
                Ok(None) if self.waiting.load(Ordering::SeqCst) > 0 => return,
                Ok(None) => {}
                Err(err) => {
                    // tiny_http's accept loop has ended; nothing more will arrive.
                    let _ = self.stop.send(Err(err));
                    return;
                }
            }
        }
    }
}
