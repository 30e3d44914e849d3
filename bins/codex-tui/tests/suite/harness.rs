//! `codex-tui` in tmux with a temp CODEX_HOME pointing at the mock model, in a workspace that
//! is a git repository.

use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_test_support::tmux::Tmux;
use codex_test_support::{MockServer, TestHome};

/// Generous: the machine running the tests may be busy.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

pub(crate) struct Env {
    pub(crate) server: MockServer,
    pub(crate) home: TestHome,
    pub(crate) workspace: tempfile::TempDir,
    user_home: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        let server = MockServer::start();
        let home = TestHome::sandboxed_for_mock(&server);
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir(workspace.path().join(".git")).unwrap();
        std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        // Decided before: the chat starts without the first-run trust prompt. The sandbox stays
        // read-only, as these tests were written for, rather than a trusted folder's default.
        let config = std::fs::read_to_string(home.config_path()).unwrap();
        home.write_config(&format!("sandbox_mode = \"read-only\"\n{config}"));
        home.append_config(&format!(
            "[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            workspace.path().canonicalize().unwrap().display()
        ));
        Self {
            server,
            home,
            workspace,
            user_home: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn ws(&self) -> &Path {
        self.workspace.path()
    }

    /// Starts the chat with these arguments in a `width`×`height` terminal and waits for the
    /// composer.
    pub(crate) fn start(&self, args: &[&str], width: u16, height: u16) -> Tmux {
        let term = Tmux::builder(tui_bin())
            .args(args)
            .size(width, height)
            .cwd(self.ws())
            .home(self.user_home.path())
            .env("CODEX_HOME", self.home.path())
            .env("CODEX_API_KEY", "")
            .env("OPENAI_API_KEY", "")
            .start();
        term.wait_for("Ask for a change", WAIT);
        term
    }
}

fn tui_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("codex-tui")
}

/// How often `needle` occurs in `haystack`.
pub(crate) fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}
