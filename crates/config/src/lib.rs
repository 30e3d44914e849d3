//! Where the toolkit's settings come from: `CODEX_HOME`, `config.toml`, profiles and
//! `-c key=value` overrides, resolved into one [`Config`].
//!
//! Precedence, highest first: dedicated command-line flags (`-m`, `-s`, ...), `-c` overrides,
//! the selected profile, `config.toml`, built-in defaults. This is Codex's order, so a user's
//! existing `~/.codex/config.toml` means the same thing here.
//!
//! Errors name the file, line and key and say what is allowed; unknown keys are kept as
//! warnings (a newer Codex may have written them), never errors.
//!
//! ```no_run
//! use codex_config::{Config, ConfigOverrides};
//! let config = Config::load(ConfigOverrides {
//!     raw_overrides: vec!["model=o3".into()],
//!     ..ConfigOverrides::default()
//! })?;
//! assert_eq!(config.model, "o3");
//! # Ok::<(), codex_config::ConfigError>(())
//! ```
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod codex_home;
mod codex_keys;
mod config;
mod config_edit;
mod config_toml;
mod error;
mod limits;
mod mcp;
mod mcp_edit;
mod overrides;
mod projects;
mod shell_env;
mod tui;

pub use codex_home::{CODEX_HOME_ENV, find_codex_home};
pub use config::{
    Config, ConfigOverrides, DEFAULT_CHATGPT_BASE_URL, DEFAULT_MODEL, DEFAULT_OSS_MODEL,
    DEFAULT_PROJECT_DOC_MAX_BYTES, OSS_PROVIDER_ID,
};
pub use config_edit::edit_config_file;
pub use config_toml::{
    ConfigProfile, ConfigToml, CredentialsStore, ForcedLoginMethod, PreferredAuthMethod,
    SandboxSettings, SandboxWorkspaceWrite,
};
pub use error::ConfigError;
pub use limits::{
    DEFAULT_MAX_PLAN_STEPS, DEFAULT_MAX_TOOL_ARGUMENT_BYTES, DEFAULT_MAX_TOOL_CALLS_PER_RESPONSE,
    DEFAULT_MAX_TURNS, Limits, PriceOverride,
};
pub use mcp::{
    DEFAULT_MCP_STARTUP_TIMEOUT_SEC, DEFAULT_MCP_TOOL_TIMEOUT_SEC, McpOAuthConfig, McpSandboxMode,
    McpServerConfig, McpServerTransportConfig, is_valid_mcp_server_name,
};
pub use mcp_edit::{NewMcpServer, add_mcp_server, remove_mcp_server};
pub use overrides::{ConfigOverride, parse_override};
pub use projects::{ProjectConfig, TrustLevel, git_repo_root, project_trust, set_project_trust};
pub use shell_env::{
    EnvironmentVariablePattern, ShellEnvironmentPolicy, ShellEnvironmentPolicyInherit,
};
pub use tui::{Notifications, TuiSettings, TuiToml};
