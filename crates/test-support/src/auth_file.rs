//! Reading and checking the auth.json a test's CODEX_HOME ends up with. Tests only read it
//! here; writing credentials is the job of the code under test (or of a test's own fixture).

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// `<home>/auth.json`.
pub fn auth_path(home: &Path) -> PathBuf {
    home.join("auth.json")
}

/// auth.json parsed as JSON; panics (naming the file) when it is missing or not JSON.
pub fn read_auth(home: &Path) -> Value {
    let path = auth_path(home);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{} is not JSON: {e}\n{text}", path.display()),
    }
}

/// Asserts auth.json exists with mode 0600 (it holds tokens).
pub fn assert_private(home: &Path) {
    let path = auth_path(home);
    let mode = match std::fs::metadata(&path) {
        Ok(m) => m.permissions().mode() & 0o777,
        Err(e) => panic!("cannot stat {}: {e}", path.display()),
    };
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}
