//! Everything that can go wrong while finding and reading configuration.

use std::path::PathBuf;

/// A configuration problem, worded for the person who has to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `CODEX_HOME` is set but names nothing usable. Retrying will not help; fix the variable.
    #[error(
        "CODEX_HOME is set to `{path}`, which {problem}; point it at an existing directory or unset it"
    )]
    BadCodexHome {
        /// The value of the variable.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// No home directory to put `~/.codex` in, and `CODEX_HOME` is unset.
    #[error("cannot find your home directory to use ~/.codex; set CODEX_HOME to a directory")]
    NoHome,
    /// A file or directory could not be read or created.
    #[error("{path}: {error}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error (part of the message, so not repeated as a source).
        error: std::io::Error,
    },
    /// `-C/--cd` names a directory that cannot be used.
    #[error("-C {path}: {error}; give an existing directory")]
    BadCwd {
        /// The directory as given.
        path: PathBuf,
        /// Why it cannot be used.
        error: std::io::Error,
    },
    /// config.toml is not valid TOML.
    #[error("{path}:{line}:{column}: invalid TOML: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A key in config.toml has a value of the wrong shape.
    #[error("{path}:{line}: {key}: {message}")]
    InvalidKey {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending value.
        line: usize,
        /// Dotted path of the key, e.g. `mcp_servers.figma`.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A `-c key=value` flag could not be parsed or gives a key a wrong value.
    #[error("-c {key}: {message}")]
    InvalidOverride {
        /// The key (or the whole flag when it has no key).
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// `--profile` or `profile =` names a profile config.toml does not define.
    #[error("profile `{name}` is not defined in {path}; defined profiles: {defined}")]
    UnknownProfile {
        /// The requested profile.
        name: String,
        /// The config file searched.
        path: PathBuf,
        /// The profiles that exist, comma-separated, or `none`.
        defined: String,
    },
    /// `model_provider` names a provider that is neither built in nor declared.
    #[error(
        "model provider `{id}` is not defined; built-in providers are {known}, or declare [model_providers.{id}] in config.toml"
    )]
    UnknownProvider {
        /// The requested provider id.
        id: String,
        /// Every id that would have worked.
        known: String,
    },
}
