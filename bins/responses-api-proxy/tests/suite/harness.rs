//! Starting the proxy binary as a child process and observing it.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The key every test proxy holds; no test output may ever contain it.
pub(crate) const KEY: &str = "sk-proxy-test-KEY_0123456789";

/// uid/gid of `nobody`, used for the unprivileged runs.
pub(crate) const NOBODY: u32 = 65534;

pub(crate) fn proxy_bin() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("codex-responses-api-proxy")
}

/// True when the tests may switch users (they run as root); otherwise the caller skips.
pub(crate) fn can_switch_users() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("skipped: switching to an unprivileged user needs root");
    }
    root
}

/// `setpriv` arguments that run the rest of the command line as `nobody`.
pub(crate) fn as_nobody() -> Vec<String> {
    vec![
        format!("--reuid={NOBODY}"),
        format!("--regid={NOBODY}"),
        "--clear-groups".to_owned(),
    ]
}

pub(crate) struct ProxyBuilder {
    stdin: Vec<u8>,
    upstream_url: String,
    args: Vec<String>,
    unprivileged: bool,
    nofile: Option<u32>,
    server_info: Option<std::path::PathBuf>,
}

pub(crate) struct Proxy {
    child: Child,
    pub(crate) port: u16,
    pub(crate) pid: u32,
    pub(crate) info_line: String,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    _dir: tempfile::TempDir,
}

impl ProxyBuilder {
    pub(crate) fn key_input(mut self, stdin: &[u8]) -> Self {
        self.stdin = stdin.to_vec();
        self
    }

    pub(crate) fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub(crate) fn unprivileged(mut self) -> Self {
        self.unprivileged = true;
        self
    }

    /// Runs the proxy with this open-file limit (soft and hard), as `ulimit -n` would.
    pub(crate) fn nofile(mut self, limit: u32) -> Self {
        self.nofile = Some(limit);
        self
    }

    /// Writes the server-info file to `path` instead of a private temporary directory.
    pub(crate) fn server_info_at(mut self, path: &Path) -> Self {
        self.server_info = Some(path.to_path_buf());
        self
    }

    pub(crate) fn start(self) -> Proxy {
        let dir = tempfile::tempdir().unwrap();
        if self.unprivileged {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let info = self
            .server_info
            .clone()
            .unwrap_or_else(|| dir.path().join("run/info.json"));
        let mut launcher: Vec<String> = Vec::new();
        if let Some(limit) = self.nofile {
            launcher.extend([
                "prlimit".to_owned(),
                format!("--nofile={limit}:{limit}"),
                "--".to_owned(),
            ]);
        }
        if self.unprivileged {
            launcher.push("setpriv".to_owned());
            launcher.extend(as_nobody());
        }
        let mut command = match launcher.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(proxy_bin());
                c
            }
            None => Command::new(proxy_bin()),
        };
        command
            .arg("--server-info")
            .arg(&info)
            .arg("--upstream-url")
            .arg(&self.upstream_url)
            .args(&self.args)
            // No proxy variables: the upstream is on loopback.
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LD_BOGUS_FOR_TEST", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(&self.stdin).unwrap();
        let stdout = capture(child.stdout.take().unwrap());
        let stderr = capture(child.stderr.take().unwrap());

        let deadline = Instant::now() + Duration::from_secs(20);
        // Wait for this proxy's line: a test may have planted something at the path first.
        let own_pid = format!("\"pid\":{}}}", child.id());
        let info_line = loop {
            if let Ok(text) = std::fs::read_to_string(&info)
                && text.contains(&own_pid)
            {
                break text;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "proxy exited early with {status}: {}",
                    String::from_utf8_lossy(&stderr.lock().unwrap())
                );
            }
            assert!(Instant::now() < deadline, "no server-info file after 20 s");
            std::thread::sleep(Duration::from_millis(5));
        };
        let parsed: serde_json::Value = serde_json::from_str(&info_line).unwrap();
        let port = u16::try_from(parsed["port"].as_u64().unwrap()).unwrap();
        let pid = u32::try_from(parsed["pid"].as_u64().unwrap()).unwrap();
        Proxy {
            child,
            port,
            pid,
            info_line,
            stdout,
            stderr,
            _dir: dir,
        }
    }
}

fn capture(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buffer);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    buffer
}

impl Proxy {
    pub(crate) fn builder(upstream_url: &str) -> ProxyBuilder {
        ProxyBuilder {
            stdin: format!("{KEY}\n").into_bytes(),
            upstream_url: upstream_url.to_owned(),
            args: Vec::new(),
            unprivileged: false,
            nofile: None,
            server_info: None,
        }
    }

    pub(crate) fn start(upstream_url: &str) -> Proxy {
        Proxy::builder(upstream_url).start()
    }

    pub(crate) fn child_id(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits up to 5 s for `needle` to appear on stderr (the capture thread may lag).
    pub(crate) fn wait_for_stderr(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "{needle:?} not on stderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Asserts the key appears in neither output stream.
    pub(crate) fn assert_key_not_printed(&self) {
        let (out, err) = (self.stdout(), self.stderr());
        assert!(
            !out.contains(KEY) && !err.contains(KEY),
            "key leaked:\n{out}\n{err}"
        );
        assert!(!err.contains("KEY_0123"), "part of the key leaked: {err}");
    }

    pub(crate) fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits up to `timeout` for the process to exit.
    pub(crate) fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A `kB` field of `/proc/<pid>/status`, such as `VmHWM` or `VmRSS`.
    pub(crate) fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with(&format!("{field}:")))
            .unwrap_or_else(|| panic!("no {field} in /proc status"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// How many descriptors the proxy has open.
    pub(crate) fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid)).map_or(0, Iterator::count)
    }

    /// Asserts the proxy is still running and printed no panic.
    pub(crate) fn assert_alive(&mut self) {
        assert!(self.is_running(), "the proxy died: {}", self.stderr());
        assert!(!self.stderr().contains("panicked"), "{}", self.stderr());
    }

    pub(crate) fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child.
        let rc = unsafe { libc::kill(self.pid as libc::pid_t, signal) };
        assert_eq!(rc, 0);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
