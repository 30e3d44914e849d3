//! The key on stdin: what is accepted, what is refused, and that refusals never echo it.

use assert_cmd::Command;

use super::client::post;
use super::harness::{Proxy, proxy_bin};
use super::upstream::{Upstream, dead_url};

fn refused(stdin: &[u8], expected: &str, secret: &str) {
    let output = Command::new(proxy_bin())
        .args(["--upstream-url", &dead_url()])
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdin:?}: {stderr}");
    assert!(stderr.contains(expected), "{stdin:?}: {stderr}");
    assert!(!stderr.contains("listening"), "{stderr}");
    if !secret.is_empty() {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{stderr}"
        );
    }
}

#[test]
fn an_empty_key_is_refused() {
    refused(b"", "no API key on standard input", "");
    refused(b"\n", "no API key on standard input", "");
    refused(b"\r\n", "no API key on standard input", "");
}

#[test]
fn a_key_that_does_not_fit_is_refused() {
    let long = "sk-".to_owned() + &"x".repeat(2000);
    refused(long.as_bytes(), "too long", "xxxxxxxx");
    let exactly_full = "y".repeat(1017);
    refused(exactly_full.as_bytes(), "too long", "yyyyyyyy");
}

#[test]
fn bad_characters_are_refused_without_echoing_the_key() {
    refused(b"sk-secret!value\n", "may only contain", "sk-secret");
    refused(b"sk-secret value\n", "may only contain", "sk-secret");
    refused(b"sk-secret\rvalue\n", "may only contain", "sk-secret");
    refused(
        "sk-secret\u{e9}value\n".as_bytes(),
        "may only contain",
        "sk-secret",
    );
    refused(b"sk-secret\x00\n", "may only contain", "sk-secret");
}

#[test]
fn crlf_is_trimmed_and_the_longest_key_works() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::builder(&upstream.url())
        .key_input(b"sk-crlf_key-1\r\n")
        .start();
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert_eq!(
        upstream.requests()[0].header("authorization"),
        Some("Bearer sk-crlf_key-1")
    );

    let longest = "k".repeat(1016);
    let proxy = Proxy::builder(&upstream.url())
        .key_input(format!("{longest}\n").as_bytes())
        .start();
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert_eq!(
        upstream.requests()[1].header("authorization"),
        Some(format!("Bearer {longest}").as_str())
    );
}
