//! A fake ChatGPT backend (the part Codex Cloud uses) on 127.0.0.1: `GET
//! {base}/wham/tasks/{id}` answers with the tasks a test added, 404 for others. Every request
//! is recorded with its headers, and it can insist on one bearer token (401 for any other),
//! to test refreshing.
//!
//! ```no_run
//! use codex_test_support::fake_chatgpt::{FakeChatGpt, task_with_diff};
//! let backend = FakeChatGpt::start();
//! backend.add_task("task_e_1", task_with_diff("diff --git a/x b/x\n...", Some("abc123")));
//! // run `codex-apply task_e_1 -c chatgpt_base_url=<backend.base_url()>`, then:
//! assert_eq!(backend.requests()[0].path, "/backend-api/wham/tasks/task_e_1");
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::background::BackgroundServer;

/// The path prefix the fake serves under, like chatgpt.com's `/backend-api`.
pub const BASE_PATH: &str = "/backend-api";

/// A task body whose current diff turn carries a `pr` item with `diff`, in the backend's
/// shape (extra fields included, as the real one sends them).
pub fn task_with_diff(diff: &str, base_commit_sha: Option<&str>) -> Value {
    json!({
        "task": {"id": "task", "title": "Fake task"},
        "current_diff_task_turn": {
            "output_items": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"content_type": "text", "text": "Done."}]
                },
                {
                    "type": "pr",
                    "pr_title": "Apply the fake change",
                    "pr_message": "## Summary\n- a change",
                    "output_diff": {
                        "type": "output_diff",
                        "repo_id": "/workspace/repo",
                        "base_commit_sha": base_commit_sha,
                        "diff": diff,
                        "files_modified": 1,
                        "lines_added": 1,
                        "lines_removed": 0
                    }
                }
            ]
        }
    })
}

/// A task that has no diff yet (still running: no diff turn).
pub fn task_without_diff() -> Value {
    json!({
        "task": {"id": "task", "title": "Still running"},
        "current_diff_task_turn": null,
        "current_assistant_turn": {"output_items": [{"type": "message", "role": "assistant", "content": []}]}
    })
}

/// One request the backend received.
#[derive(Clone, Debug)]
pub struct BackendRequest {
    pub method: String,
    pub path: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl BackendRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    tasks: Mutex<HashMap<String, (u16, Value)>>,
    required_token: Mutex<Option<String>>,
    requests: Mutex<Vec<BackendRequest>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running backend; stops when dropped.
pub struct FakeChatGpt {
    shared: Arc<Shared>,
    server: BackgroundServer,
}

impl FakeChatGpt {
    /// Starts the backend on an ephemeral port, on a thread of its own.
    pub fn start() -> FakeChatGpt {
        let shared = Arc::new(Shared::default());
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let server = BackgroundServer::start("fake-chatgpt", router);
        FakeChatGpt { shared, server }
    }

    /// `http://127.0.0.1:<port>/backend-api/`: what `chatgpt_base_url` should be.
    pub fn base_url(&self) -> String {
        format!("{}{BASE_PATH}/", self.server.url())
    }

    /// Serves `body` with 200 for task `id`.
    pub fn add_task(&self, id: &str, body: Value) {
        self.answer_task(id, 200, body);
    }

    /// Serves `status` and `body` for task `id` (errors, odd shapes).
    pub fn answer_task(&self, id: &str, status: u16, body: Value) {
        lock(&self.shared.tasks).insert(id.to_owned(), (status, body));
    }

    /// Answers 401 to any bearer token but `token` (`None`: accept any).
    pub fn require_token(&self, token: Option<&str>) {
        *lock(&self.shared.required_token) = token.map(str::to_owned);
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<BackendRequest> {
        lock(&self.shared.requests).clone()
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let recorded = BackendRequest {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    };
    let bearer = recorded
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let path = recorded.path.clone();
    let method = recorded.method.clone();
    lock(&shared.requests).push(recorded);

    if let Some(required) = lock(&shared.required_token).clone()
        && bearer.as_deref() != Some(required.as_str())
    {
        return reply(
            401,
            &json!({"detail": "Could not validate your credentials"}),
        );
    }
    let task_id = path
        .strip_prefix(&format!("{BASE_PATH}/wham/tasks/"))
        .filter(|id| !id.is_empty() && !id.contains('/'));
    match (method.as_str(), task_id) {
        ("GET", Some(id)) => match lock(&shared.tasks).get(id) {
            Some((status, body)) => reply(*status, body),
            None => reply(404, &json!({"detail": "Task not found"})),
        },
        _ => reply(
            404,
            &json!({"detail": format!("no route for {method} {path}")}),
        ),
    }
}

fn reply(status: u16, body: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
