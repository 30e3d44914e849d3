//! Test support shared by every crate: real local fakes of the servers our code talks to (a
//! scripted mock model server, an OAuth issuer, the ChatGPT backend) and a temporary CODEX_HOME.
//!
//! - [`MockServer`]: HTTP/1.1 on 127.0.0.1 (ephemeral port), on its own runtime thread, so it
//!   serves async tests and tests that spawn our binaries alike. Script answers with
//!   [`MockResponse`] (whole SSE bodies, slow streams, disconnects, hangs, 429 with
//!   `Retry-After`, 500s, raw bodies) for the Responses API ([`responses`] builders) or Chat
//!   Completions ([`chat`] builders). Every request is recorded ([`RecordedRequest`]) and
//!   checked: each tool output must answer a call made earlier in the same request.
//! - [`mcp`]: a real MCP server (Python SDK) over stdio or streamable HTTP.
//! - [`tmux::Tmux`]: a program under a real terminal (tmux, detached, private server): keys,
//!   text, pastes, the screen and scrollback, waits with a dump on timeout, resizes.
//! - [`oauth_mcp::OAuthMcpServer`]: an MCP server protected by OAuth, with its authorization
//!   server (metadata, registration, PKCE, refresh), and a stand-in browser.
//! - [`TestHome`]: a temp CODEX_HOME with a config.toml pointing provider `mock` at the server.
//! - [`fake_issuer::FakeIssuer`]: a fake OAuth issuer (sign-in, API-key exchange, refresh,
//!   device code) and fake JWTs, for tests of credentials; [`auth_file`] reads and checks the
//!   auth.json they produce.
//! - [`fake_chatgpt::FakeChatGpt`]: a fake ChatGPT backend serving Codex Cloud tasks.
//!
//! Responses are written with TCP_NODELAY set; whole bodies go out with their headers in one
//! vectored write, which avoids the ~40 ms Nagle/delayed-ACK stall of two small writes.
//!
//! ```no_run
//! use codex_test_support::{MockResponse, MockServer, TestHome, responses::sse_assistant_turn};
//! let server = MockServer::start();
//! server.push(MockResponse::sse_body(sse_assistant_turn("resp-1", "hello")));
//! let home = TestHome::for_mock(&server);
//! // run `codex-exec` with CODEX_HOME=home.path(), then inspect server.single_request()
//! # drop(home);
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod auth_file;
mod background;
pub mod chat;
pub mod fake_chatgpt;
pub mod fake_issuer;
mod home;
pub mod mcp;
pub mod oauth_mcp;
mod request;
mod response;
pub mod responses;
mod server;
pub mod tmux;

pub use home::{
    MockWire, NO_TEMP_ROOTS, TestHome, mock_provider_config, sandbox_exe, workspace_bin_dir,
};
pub use request::{RecordedRequest, tool_output_problems};
pub use response::{BodyGenerator, MockResponse};
pub use server::MockServer;
