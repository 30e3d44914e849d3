//! Running `codex-exec` as a user would, against a scripted mock model.

use std::path::Path;

use assert_cmd::Command;
use codex_test_support::{MockServer, TestHome};

/// A mock server, a CODEX_HOME pointing at it, and a workspace that is a git repository.
pub(crate) struct Env {
    pub(crate) server: MockServer,
    pub(crate) home: TestHome,
    pub(crate) workspace: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        let server = MockServer::start();
        let home = TestHome::sandboxed_for_mock(&server);
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir(workspace.path().join(".git")).unwrap();
        std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        Self {
            server,
            home,
            workspace,
        }
    }

    pub(crate) fn ws(&self) -> &Path {
        self.workspace.path()
    }

    /// `codex-exec` with CODEX_HOME and cwd set, and no stray credentials.
    pub(crate) fn exec(&self) -> Command {
        let mut cmd = Command::cargo_bin("codex-exec").unwrap();
        cmd.env("CODEX_HOME", self.home.path())
            .env_remove("CODEX_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .env_remove("CODEX_INTERNAL_ORIGINATOR_OVERRIDE")
            .env("NO_COLOR", "1")
            .current_dir(self.ws());
        cmd
    }
}

/// The parsed JSON string a shell call's output carries.
pub(crate) fn shell_output(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("shell output is not JSON ({e}): {text}"))
}

/// What a run on a pseudo-terminal showed: stdout and stderr interleaved, as a user sees it.
pub(crate) struct PtyRun {
    pub(crate) status: std::process::ExitStatus,
    pub(crate) screen: Vec<u8>,
}

impl Env {
    /// Runs `codex-exec ARGS` with stdin, stdout and stderr on a fresh pseudo-terminal, the
    /// way a person at a terminal runs it, and collects everything the terminal received.
    pub(crate) fn exec_on_pty(&self, args: &[&str]) -> PtyRun {
        use std::io::Read;
        use std::os::fd::{FromRawFd, OwnedFd};

        let mut master: libc::c_int = -1;
        let mut slave: libc::c_int = -1;
        // SAFETY: openpty writes two descriptors into the given ints; the name, termios and
        // winsize arguments may be null.
        let rc = unsafe {
            libc::openpty(
                &raw mut master,
                &raw mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened by openpty and are owned by nobody else.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("codex-exec"))
            .args(args)
            .env("CODEX_HOME", self.home.path())
            .env_remove("CODEX_API_KEY")
            .env_remove("OPENAI_API_KEY")
            .env("NO_COLOR", "1")
            .env("TERM", "xterm-256color")
            .current_dir(self.ws())
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave.try_clone().unwrap())
            .spawn()
            .unwrap();
        drop(slave);
        let mut master = std::fs::File::from(master);
        let mut screen = Vec::new();
        let mut buf = vec![0u8; 65536];
        // Ends with EIO once every slave descriptor is closed (the child is gone), or 0.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            screen.extend_from_slice(&buf[..n]);
        }
        let status = child.wait().unwrap();
        PtyRun { status, screen }
    }
}
