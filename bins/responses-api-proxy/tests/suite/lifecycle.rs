//! Start-up output, the server-info file, and the ways to stop the proxy.

use std::time::Duration;

use assert_cmd::Command;

use super::client::send;
use super::harness::{Proxy, proxy_bin};
use super::upstream::Upstream;

#[test]
fn server_info_is_one_json_line_with_port_and_pid() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    assert!(proxy.info_line.ends_with('\n'));
    assert_eq!(proxy.info_line.lines().count(), 1);
    assert_eq!(
        proxy.info_line,
        format!("{{\"port\":{},\"pid\":{}}}\n", proxy.port, proxy.child_id())
    );
    assert_eq!(send(proxy.port, "GET", "/", &[], b"").status, 403);
    proxy.wait_for_stderr(&format!(
        "responses-api-proxy listening on 127.0.0.1:{}",
        proxy.port
    ));
}

#[test]
fn get_shutdown_answers_200_and_exits_0_when_enabled() {
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::builder(&upstream.url())
        .arg("--http-shutdown")
        .start();
    let reply = send(proxy.port, "GET", "/shutdown", &[], b"");
    assert_eq!(reply.status, 200);
    let status = proxy
        .wait_exit(Duration::from_secs(5))
        .expect("still running after /shutdown");
    assert_eq!(status.code(), Some(0), "stderr: {}", proxy.stderr());
}

#[test]
fn sigterm_stops_it_cleanly() {
    let upstream = Upstream::json_ok();
    let mut proxy = Proxy::start(&upstream.url());
    proxy.signal(libc::SIGTERM);
    let status = proxy
        .wait_exit(Duration::from_secs(5))
        .expect("still running after SIGTERM");
    assert_eq!(status.code(), Some(0), "stderr: {}", proxy.stderr());
    proxy.wait_for_stderr("stopping: SIGTERM");
}

#[test]
fn a_bad_upstream_url_is_named_in_the_error() {
    Command::new(proxy_bin())
        .args(["--upstream-url", "api.example.com/v1/responses"])
        .write_stdin("sk-abc\n")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--upstream-url"))
        .stderr(predicates::str::contains("api.example.com/v1/responses"));
}

#[test]
fn a_taken_port_is_named_in_the_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    Command::new(proxy_bin())
        .args(["--port", &port])
        .write_stdin("sk-abc\n")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!("127.0.0.1:{port}")))
        .stderr(predicates::str::contains("--port"));
}

#[test]
fn help_documents_exit_codes() {
    Command::new(proxy_bin())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicates::str::contains("Exit codes"))
        .stdout(predicates::str::contains("--upstream-url"));
}
