//! Finding `CODEX_HOME`, the directory holding config.toml, auth.json and sessions.

use std::path::PathBuf;

use crate::ConfigError;

/// The environment variable that moves CODEX_HOME away from `~/.codex`.
pub const CODEX_HOME_ENV: &str = "CODEX_HOME";

/// Returns the CODEX_HOME directory.
///
/// `$CODEX_HOME` wins and must name an existing directory (as in Codex: a typo there should
/// not silently create a fresh, empty home). Otherwise `~/.codex` is used and created on
/// demand, so a first run on a new machine just works.
pub fn find_codex_home() -> Result<PathBuf, ConfigError> {
    if let Some(value) = std::env::var_os(CODEX_HOME_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(value);
        return match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => path
                .canonicalize()
                .map_err(|error| ConfigError::Io { path, error }),
            Ok(_) => Err(ConfigError::BadCodexHome {
                path,
                problem: "is not a directory".into(),
            }),
            Err(e) => Err(ConfigError::BadCodexHome {
                path,
                problem: format!("cannot be read ({e})"),
            }),
        };
    }
    let home = std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .ok_or(ConfigError::NoHome)?;
    let path = home.join(".codex");
    create_private_dir(&path)?;
    Ok(path)
}

/// Creates `path` (and parents) with mode 0700: it will hold credentials.
fn create_private_dir(path: &std::path::Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|error| ConfigError::Io {
            path: path.to_owned(),
            error,
        })
}
