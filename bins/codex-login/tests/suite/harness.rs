//! Spawning `codex-login` with its own CODEX_HOME and reading what it prints; auth.json is
//! checked with codex-test-support's `auth_file`.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

pub(crate) use codex_test_support::auth_file::{assert_private, auth_path, read_auth};
use tokio::io::{AsyncBufReadExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStderr};

const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

pub(crate) fn bin() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("codex-login")
}

/// `codex-login` with CODEX_HOME (and HOME) pointing at `home`, no proxies, no browser.
pub(crate) fn command(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.env("CODEX_HOME", home).env("HOME", home);
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(30));
    cmd
}

/// A `codex-login` sign-in running in the background, stderr read line by line.
pub(crate) struct LoginProcess {
    child: Child,
    lines: Lines<BufReader<ChildStderr>>,
    pub(crate) stderr: String,
}

impl LoginProcess {
    /// Starts `codex-login <args>` against `issuer` with a callback on any free port.
    pub(crate) fn spawn(home: &Path, issuer: &str, args: &[&str]) -> LoginProcess {
        let mut cmd = tokio::process::Command::new(bin());
        cmd.env("CODEX_HOME", home)
            .env("HOME", home)
            .args([
                "--issuer",
                issuer,
                "--client-id",
                codex_test_support::fake_issuer::CLIENT_ID,
            ])
            .arg("--no-browser")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for var in PROXY_VARS {
            cmd.env_remove(var);
        }
        let mut child = cmd.spawn().unwrap();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        LoginProcess {
            child,
            lines,
            stderr: String::new(),
        }
    }

    /// Reads stderr until a line satisfies `want`; returns that line.
    pub(crate) async fn line_matching(&mut self, want: impl Fn(&str) -> bool) -> String {
        let read = async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                self.stderr.push_str(&line);
                self.stderr.push('\n');
                if want(&line) {
                    return line;
                }
            }
            panic!(
                "codex-login ended without the expected line; stderr:\n{}",
                self.stderr
            );
        };
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .unwrap()
    }

    /// The authorize URL it printed.
    pub(crate) async fn auth_url(&mut self) -> url::Url {
        let line = self.line_matching(|l| l.starts_with("http")).await;
        url::Url::parse(line.trim()).unwrap()
    }

    /// Waits for it to exit; returns the status and all of stderr.
    pub(crate) async fn finish(mut self) -> (ExitStatus, String) {
        let rest = async {
            while let Some(line) = self.lines.next_line().await.unwrap() {
                self.stderr.push_str(&line);
                self.stderr.push('\n');
            }
            self.child.wait().await.unwrap()
        };
        let status = tokio::time::timeout(Duration::from_secs(20), rest)
            .await
            .unwrap();
        (status, self.stderr)
    }
}

/// An HTTP client playing the browser: follows redirects, never uses a proxy.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The query parameters of `url`.
pub(crate) fn query(url: &url::Url) -> std::collections::HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}
