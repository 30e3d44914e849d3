//! The mock model server: a real HTTP/1.1 server on 127.0.0.1 (axum on hyper), running on a
//! runtime of its own thread so that both async tests and blocking tests that spawn our
//! binaries can use it.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::serve::ListenerExt;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use serde_json::Value;

use crate::request::{RecordedRequest, tool_output_problems};
use crate::response::{MockBody, MockResponse, StreamEnd};

#[derive(Default)]
struct ScriptState {
    queue: VecDeque<MockResponse>,
    fallback: Option<MockResponse>,
    requests: Vec<RecordedRequest>,
    problems: Vec<String>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<ScriptState>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ScriptState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A scripted model server. Responses are served first in, first out, whatever the path;
/// every request is recorded. A request that finds the script empty gets a 400 naming the
/// problem, and the server panics when dropped (unless the test is already failing), as it
/// does when a request carries a tool output without its call.
///
/// ```no_run
/// use codex_test_support::{MockResponse, MockServer, responses::*};
/// let server = MockServer::start();
/// server.push(MockResponse::sse(&[ev_response_created("r1"), ev_assistant_message("m1", "hi"), ev_completed("r1")]));
/// // point a provider at server.base_url() (…/v1), run the code under test, then:
/// let request = server.single_request();
/// assert_eq!(request.path, "/v1/responses");
/// ```
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds 127.0.0.1 on an ephemeral port and serves on a thread of its own. Never blocks
    /// for long, so it may be called from async code too.
    pub fn start() -> Self {
        let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("mock server: cannot bind 127.0.0.1:0: {e}"),
        };
        let addr = match listener.local_addr().and_then(|a| {
            listener.set_nonblocking(true)?;
            Ok(a)
        }) {
            Ok(a) => a,
            Err(e) => panic!("mock server: cannot set up the listener: {e}"),
        };
        let shared = Arc::new(Shared::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app_state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("mock-model-server-{}", addr.port()))
            .spawn(move || serve(listener, app_state, rx));
        let thread = match thread {
            Ok(t) => t,
            Err(e) => panic!("mock server: cannot spawn its thread: {e}"),
        };
        Self {
            addr,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/v1`: what a provider's `base_url` should be.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.uri())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Appends a response to the script.
    pub fn push(&self, response: MockResponse) -> &Self {
        self.shared.lock().queue.push_back(response);
        self
    }

    /// Appends several responses to the script, in order.
    pub fn push_all(&self, responses: impl IntoIterator<Item = MockResponse>) -> &Self {
        self.shared.lock().queue.extend(responses);
        self
    }

    /// A response served (cloned) whenever the script is empty, instead of failing. For
    /// benchmarks and load loops; `None` restores the strict behaviour.
    pub fn set_fallback(&self, response: Option<MockResponse>) {
        self.shared.lock().fallback = response;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        self.shared.lock().requests.len()
    }

    /// The only request received; panics when there were none or several.
    pub fn single_request(&self) -> RecordedRequest {
        let requests = self.requests();
        match requests.as_slice() {
            [one] => one.clone(),
            other => panic!("expected exactly one request, got {}", other.len()),
        }
    }

    /// Waits until at least `n` requests arrived (panics after `timeout`) and returns them.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while state.requests.len() < n {
            let now = Instant::now();
            assert!(
                now < deadline,
                "waited {timeout:?} for {n} requests, got {}",
                state.requests.len()
            );
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.requests.clone()
    }

    /// Scripted responses not served yet.
    pub fn remaining(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Problems seen so far: requests with nothing scripted, tool outputs without calls.
    pub fn problems(&self) -> Vec<String> {
        self.shared.lock().problems.clone()
    }

    /// Panics unless every scripted response was served and no problem was seen.
    pub fn assert_all_used(&self) {
        let state = self.shared.lock();
        assert!(
            state.problems.is_empty(),
            "mock server problems: {:#?}",
            state.problems
        );
        assert!(
            state.queue.is_empty(),
            "{} scripted response(s) were never requested (received {} request(s))",
            state.queue.len(),
            state.requests.len()
        );
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let problems = self.problems();
        assert!(
            problems.is_empty() || std::thread::panicking(),
            "mock model server saw problems: {problems:#?}"
        );
    }
}

fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("mock server: cannot build its runtime: {e}"),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => panic!("mock server: cannot register the listener: {e}"),
        };
        // Nagle plus delayed ACK stalls a response written in two pieces by ~40 ms.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let app = Router::new().fallback(handle).with_state(shared);
        tokio::select! {
            _ = axum::serve(listener, app).into_future() => {}
            _ = shutdown => {}
        }
    });
    runtime.shutdown_background();
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("mock server: bad body: {e}"),
            );
        }
    };
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let scripted = {
        let mut state = shared.lock();
        let seq = state.requests.len() + 1;
        if let Ok(json) = serde_json::from_slice::<Value>(&recorded.body) {
            for problem in tool_output_problems(&json) {
                state
                    .problems
                    .push(format!("request #{seq} to {}: {problem}", recorded.path));
            }
        }
        let path = recorded.path.clone();
        state.requests.push(recorded);
        let next = state.queue.pop_front().or_else(|| state.fallback.clone());
        if next.is_none() {
            state.problems.push(format!(
                "request #{seq} to {path} arrived but no scripted response was left"
            ));
        }
        shared.changed.notify_all();
        next.ok_or(format!(
            "mock server: request #{seq} to {path} arrived but no scripted response is left"
        ))
    };
    match scripted {
        Ok(response) => build(response).await,
        Err(message) => plain(StatusCode::BAD_REQUEST, message),
    }
}

fn plain(status: StatusCode, message: String) -> Response {
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = status;
    response
}

async fn build(scripted: MockResponse) -> Response {
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let body = match scripted.body {
        MockBody::Full(bytes) => Body::from(bytes),
        MockBody::Chunks { chunks, delay, end } => {
            Body::from_stream(chunk_stream(chunks, delay, end))
        }
        MockBody::Generated(generator) => {
            Body::from_stream(stream::iter(generator().map(Ok::<Bytes, io::Error>)))
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(scripted.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in scripted.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn chunk_stream(
    chunks: Vec<Bytes>,
    delay: Duration,
    end: StreamEnd,
) -> BoxStream<'static, Result<Bytes, io::Error>> {
    let body = stream::iter(chunks.into_iter().enumerate()).then(move |(i, chunk)| async move {
        if i > 0 && !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(chunk)
    });
    match end {
        StreamEnd::Close => body.boxed(),
        StreamEnd::Disconnect => body
            .chain(stream::once(async {
                // Let what was sent reach the socket before the connection is dropped.
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "mock server: scripted disconnect",
                ))
            }))
            .boxed(),
        StreamEnd::Hang => body.chain(stream::pending()).boxed(),
        StreamEnd::KeepAlive(every) => body
            .chain(stream::unfold((), move |()| async move {
                tokio::time::sleep(every).await;
                Some((Ok(Bytes::from_static(b": keep-alive\n\n")), ()))
            }))
            .boxed(),
    }
}
