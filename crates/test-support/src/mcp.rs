//! Real MCP servers for tests: a small server on the official Python SDK (`mcp` v1, installed
//! by scripts/install-test-deps.sh), over stdio or streamable HTTP. Its tools: `add`
//! (structured result), `echo`, `image`, `fail` (an `isError` result), `slow`, `crash` (the
//! process exits), `probe` (tries a file write and a TCP connect, reports both); resources
//! `res://greeting` and the template `res://item/{item_id}`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server's source.
pub const MCP_TEST_SERVER_PY: &str = include_str!("../mcp/test_server.py");

/// Writes the server script into `dir` and returns its path.
pub fn write_mcp_test_server(dir: &Path) -> PathBuf {
    let path = dir.join("mcp_test_server.py");
    if let Err(e) = std::fs::write(&path, MCP_TEST_SERVER_PY) {
        panic!("cannot write {}: {e}", path.display());
    }
    path
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("cannot find a free port: {e}"),
    }
}

/// The test server over streamable HTTP, killed when dropped.
pub struct HttpMcpServer {
    child: Child,
    /// `http://127.0.0.1:PORT/mcp`
    pub url: String,
}

impl HttpMcpServer {
    /// Starts the server (requiring `token` as a bearer token when given) and waits until it
    /// accepts connections.
    pub fn start(script: &Path, token: Option<&str>) -> Self {
        let port = free_port();
        let mut command = Command::new("python3");
        command
            .arg(script)
            .arg("--http")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(token) = token {
            command.arg("--token").arg(token);
        }
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start python3 {}: {e}", script.display()),
        };
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the MCP test server did not listen on {addr} within 30 s (is the Python `mcp` package installed? scripts/install-test-deps.sh)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for HttpMcpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
