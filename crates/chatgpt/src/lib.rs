//! The ChatGPT backend, as Codex Cloud uses it: everything here talks to
//! `chatgpt_base_url` (default `https://chatgpt.com/backend-api/`) rather than to the OpenAI
//! API, with the ChatGPT sign-in that codex-auth stores.
//!
//! Main types:
//! - [`ChatGptClient`]: authenticated GETs. It takes the tokens from an
//!   [`AuthManager`](codex_auth::AuthManager) (refreshed first when they near expiry, and
//!   once more after a 401), sends them with `chatgpt-account-id`, our User-Agent and
//!   `originator`, bounds what it reads, and words the backend's errors without secrets.
//! - [`TaskDiff`] from [`ChatGptClient::get_task_diff`]: the diff of a task's current diff
//!   turn (`GET {base}/wham/tasks/{id}`).
//! - [`ChatGptError`]: what can go wrong; [`ChatGptError::needs_login`] tells the failures
//!   only a new `codex login` fixes.
//!
//! ```no_run
//! # async fn demo() -> Result<(), codex_chatgpt::ChatGptError> {
//! use codex_auth::AuthManager;
//! use codex_chatgpt::ChatGptClient;
//! let auth = AuthManager::builder("/home/me/.codex".into()).build();
//! let client = ChatGptClient::new("https://chatgpt.com/backend-api/", auth)?;
//! let task = client.get_task_diff("task_e_123").await?;
//! println!("{}", task.diff.map(|d| d.diff).unwrap_or_default());
//! # Ok(()) }
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod client;
mod error;
mod mask;
mod task;

pub use client::ChatGptClient;
pub use error::ChatGptError;
pub use task::{Task, TaskDiff};
