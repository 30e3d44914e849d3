//! An axum router served on 127.0.0.1 by a runtime on a thread of its own, so that the fakes
//! built on it work from blocking tests (which spawn our binaries) and async tests alike.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;
use tokio::sync::oneshot;

/// A running server; stops (and joins its thread) when dropped.
pub(crate) struct BackgroundServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundServer {
    /// Binds an ephemeral port on 127.0.0.1 and serves `router` there. `name` labels the
    /// thread and any panic message.
    pub(crate) fn start(name: &str, router: Router) -> Self {
        let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("{name}: cannot bind 127.0.0.1:0: {e}"),
        };
        let addr = match listener.local_addr().and_then(|a| {
            listener.set_nonblocking(true)?;
            Ok(a)
        }) {
            Ok(a) => a,
            Err(e) => panic!("{name}: cannot set up the listener: {e}"),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let label = name.to_owned();
        let thread = std::thread::Builder::new()
            .name(format!("{name}-{}", addr.port()))
            .spawn(move || serve(&label, listener, router, rx));
        let thread = match thread {
            Ok(t) => t,
            Err(e) => panic!("{name}: cannot spawn its thread: {e}"),
        };
        Self {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    name: &str,
    listener: std::net::TcpListener,
    router: Router,
    shutdown: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("{name}: cannot build its runtime: {e}"),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => panic!("{name}: cannot register the listener: {e}"),
        };
        tokio::select! {
            _ = axum::serve(listener, router).into_future() => {}
            _ = shutdown => {}
        }
    });
    runtime.shutdown_background();
}
