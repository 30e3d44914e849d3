//! A throwaway CODEX_HOME whose config.toml points a provider at the mock server.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::MockServer;

/// Which wire API the mock provider is declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MockWire {
    /// `wire_api = "responses"`.
    Responses,
    /// `wire_api = "chat"`.
    Chat,
}

/// A temporary CODEX_HOME, deleted when dropped. Pass [`TestHome::path`] as `CODEX_HOME` to
/// a spawned binary (never set it in the test's own environment).
pub struct TestHome {
    dir: TempDir,
}

impl TestHome {
    /// An empty CODEX_HOME.
    pub fn new() -> Self {
        match tempfile::Builder::new().prefix("codex-home-").tempdir() {
            Ok(dir) => Self { dir },
            Err(e) => panic!("cannot create a temporary CODEX_HOME: {e}"),
        }
    }

    /// A CODEX_HOME whose config.toml selects model `mock-model` from provider `mock`, served
    /// by `server` over the Responses API, with retries off so failures show at once.
    pub fn for_mock(server: &MockServer) -> Self {
        Self::for_mock_wire(server, MockWire::Responses)
    }

    /// As [`TestHome::for_mock`], with the wire API of your choice.
    pub fn for_mock_wire(server: &MockServer, wire: MockWire) -> Self {
        let home = Self::new();
        home.write_config(&mock_provider_config(server, wire));
        home
    }

    /// [`TestHome::for_mock`] for tests whose commands run under the real sandbox helper of
    /// this build ([`sandbox_exe`]), with the temp directories left out of the writable roots:
    /// a test's "outside every root" path (and, in a checkout under /tmp, the build itself)
    /// must really be outside.
    pub fn sandboxed_for_mock(server: &MockServer) -> Self {
        let home = Self::new();
        home.write_config(&format!(
            "sandbox_exe = \"{}\"\n{}\n{NO_TEMP_ROOTS}",
            sandbox_exe().display(),
            mock_provider_config(server, MockWire::Responses)
        ));
        home
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `<home>/config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    /// Replaces config.toml.
    pub fn write_config(&self, toml: &str) {
        if let Err(e) = std::fs::write(self.config_path(), toml) {
            panic!("cannot write {}: {e}", self.config_path().display());
        }
    }

    /// Appends to config.toml (top-level keys must come before any table, so append tables).
    pub fn append_config(&self, toml: &str) {
        let mut current = std::fs::read_to_string(self.config_path()).unwrap_or_default();
        current.push('\n');
        current.push_str(toml);
        self.write_config(&current);
    }
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

/// Keeps /tmp and $TMPDIR out of `workspace-write`'s writable roots (a table: append it after
/// the top-level keys).
pub const NO_TEMP_ROOTS: &str =
    "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n";

/// `codex-linux-sandbox` of this build (see [`workspace_bin_dir`]).
pub fn sandbox_exe() -> PathBuf {
    workspace_bin_dir().join("codex-linux-sandbox")
}

/// Where cargo put this build's binaries, found from the running test or example:
/// `target/<profile>/`, with tests in its `deps/` and examples in its `examples/`.
pub fn workspace_bin_dir() -> PathBuf {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => panic!("cannot find the running test binary: {e}"),
    };
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") || dir.ends_with("examples") {
        dir.pop();
    }
    dir
}

/// The config.toml text used by [`TestHome::for_mock_wire`].
pub fn mock_provider_config(server: &MockServer, wire: MockWire) -> String {
    let wire = match wire {
        MockWire::Responses => "responses",
        MockWire::Chat => "chat",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "model = \"mock-model\"\n\
         model_provider = \"mock\"\n\
         \n\
         [model_providers.mock]\n\
         name = \"mock\"\n\
         base_url = \"{}\"\n\
         wire_api = \"{wire}\"\n\
         request_max_retries = 0\n\
         stream_max_retries = 0\n\
         stream_idle_timeout_ms = 10000\n",
        server.base_url()
    );
    out
}
