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
