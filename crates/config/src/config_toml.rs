//! The schema of config.toml as written by users (and by Codex). Every field is optional:
//! defaults are applied when the layers are resolved into a `Config`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use codex_protocol::{
    AskForApproval, ModelProviderInfo, ReasoningEffort, ReasoningSummary, SandboxMode, Verbosity,
};
use serde::Deserialize;

use crate::{McpServerConfig, ShellEnvironmentPolicy};

/// The whole file. Keys we do not know are ignored here and reported as warnings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigToml {
    /// Model name.
    pub model: Option<String>,
    /// Provider id: built-in or a `[model_providers]` key.
    pub model_provider: Option<String>,
    /// When to ask before running commands.
    pub approval_policy: Option<AskForApproval>,
    /// How commands are sandboxed.
    pub sandbox_mode: Option<SandboxMode>,
    /// Details of `workspace-write`.
    pub sandbox_workspace_write: Option<SandboxWorkspaceWrite>,
    /// Our sandbox additions (deny-read paths).
    pub sandbox: Option<SandboxSettings>,
    /// Reasoning effort for reasoning models.
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary style.
    pub model_reasoning_summary: Option<ReasoningSummary>,
    /// Output verbosity (Responses only).
    pub model_verbosity: Option<Verbosity>,
    /// Context window of the model, in tokens, when the default guess is wrong.
    pub model_context_window: Option<u64>,
    /// Send reasoning parameters even to a model the family table does not know to take them
    /// (a local reasoning model), as Codex does.
    pub model_supports_reasoning_summaries: Option<bool>,
    /// Selected profile name.
    pub profile: Option<String>,
    /// Named sets of overrides.
    #[serde(default)]
    pub profiles: BTreeMap<String, ConfigProfile>,
    /// Providers declared by the user.
    #[serde(default)]
    pub model_providers: BTreeMap<String, ModelProviderInfo>,
    /// MCP servers the agent may use.
    #[serde(default)]
    pub mcp_servers: BTreeMap<String, McpServerConfig>,
    /// Environment of commands the agent runs.
    pub shell_environment_policy: Option<ShellEnvironmentPolicy>,
    /// Budget for AGENTS.md files, in bytes.
    pub project_doc_max_bytes: Option<usize>,
    /// Other file names tried when a directory has no AGENTS.md.
    #[serde(default)]
    pub project_doc_fallback_filenames: Vec<String>,
    /// Prompt history settings.
    pub history: Option<History>,
    /// Hide reasoning summaries from output.
    pub hide_agent_reasoning: Option<bool>,
    /// A file whose contents replace the built-in base instructions.
    pub experimental_instructions_file: Option<PathBuf>,
    /// Extra instructions sent as a developer message.
    pub developer_instructions: Option<String>,
    /// Program run after each turn with a JSON payload appended.
    pub notify: Option<Vec<String>>,
    /// Path of the sandbox helper, when it is not beside the binary or on PATH.
    pub sandbox_exe: Option<PathBuf>,
    /// Record every model exchange to this JSONL file.
    pub record_model_exchanges: Option<PathBuf>,
    /// Default command timeout for the shell tool, in milliseconds.
    pub shell_timeout_ms: Option<u64>,
    /// Base URL of the ChatGPT backend.
    pub chatgpt_base_url: Option<String>,
    /// The only kind of login an organisation allows.
    pub forced_login_method: Option<ForcedLoginMethod>,
    /// Where the CLI's own login is kept. Read only to warn: this toolkit keeps it in a file.
    pub cli_auth_credentials_store: Option<CredentialsStore>,
    /// Where MCP servers' OAuth tokens are kept. Read only to warn, as above.
    pub mcp_oauth_credentials_store: Option<CredentialsStore>,
    /// Bounds on one turn (our addition).
    pub limits: Option<crate::Limits>,
    /// The terminal UI's settings.
    pub tui: Option<crate::TuiToml>,
    /// Directories the user decided to trust or not (`[projects."<dir>"]`).
    #[serde(default)]
    pub projects: BTreeMap<String, crate::ProjectConfig>,
    /// Which credential the TUI prefers when both could apply (Codex's older key).
    pub preferred_auth_method: Option<PreferredAuthMethod>,
    /// `[features]`: named switches (`--enable`/`--disable` set them for a run). Only
    /// boolean values are read; the ones this toolkit acts on are listed on
    /// [`crate::Config::features`].
    #[serde(default)]
    pub features: BTreeMap<String, toml::Value>,
}

/// `preferred_auth_method`: `apikey` means "always use the API key": the TUI then does not
/// offer the ChatGPT sign-in when `OPENAI_API_KEY` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PreferredAuthMethod {
    /// Sign in with ChatGPT (the default).
    Chatgpt,
    /// Use an API key.
    Apikey,
}

/// `cli_auth_credentials_store` and `mcp_oauth_credentials_store`: Codex can keep credentials
/// in the OS keyring, or only in memory. This toolkit always uses its files (mode 0600 in
/// CODEX_HOME), which is what Codex's `file` means and what its `auto` falls back to;
/// `keyring` and `ephemeral` get a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialsStore {
    /// Files in CODEX_HOME.
    File,
    /// The OS keyring only.
    Keyring,
    /// The keyring when there is one, else files.
    Auto,
    /// In memory for one run, never written.
    Ephemeral,
}

/// `forced_login_method`: which credentials may be used, as an organisation's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForcedLoginMethod {
    /// Only a ChatGPT sign-in.
    Chatgpt,
    /// Only an API key.
    Api,
}

impl ForcedLoginMethod {
    /// The value as written in config.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chatgpt => "chatgpt",
            Self::Api => "api",
        }
    }
}

/// `[profiles.<name>]`: the keys a profile may set.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigProfile {
    /// Model name.
    pub model: Option<String>,
    /// Provider id.
    pub model_provider: Option<String>,
    /// Approval policy.
    pub approval_policy: Option<AskForApproval>,
    /// Sandbox mode.
    pub sandbox_mode: Option<SandboxMode>,
    /// Reasoning effort.
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary style.
    pub model_reasoning_summary: Option<ReasoningSummary>,
    /// Output verbosity.
    pub model_verbosity: Option<Verbosity>,
}

/// `[sandbox_workspace_write]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SandboxWorkspaceWrite {
    /// Writable directories besides the cwd.
    #[serde(default)]
    pub writable_roots: Vec<PathBuf>,
    /// Allow outbound network.
    #[serde(default)]
    pub network_access: bool,
    /// Leave `$TMPDIR` read-only.
    #[serde(default)]
    pub exclude_tmpdir_env_var: bool,
    /// Leave `/tmp` read-only.
    #[serde(default)]
    pub exclude_slash_tmp: bool,
}

/// `[sandbox]`: settings Codex does not have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SandboxSettings {
    /// Paths sandboxed commands may not even read (`~/.ssh`, `.env`); `~` is expanded.
    #[serde(default)]
    pub deny_read: Vec<PathBuf>,
}

/// `[history]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct History {
    /// `save-all` (default) or `none`.
    pub persistence: Option<HistoryPersistence>,
    /// Trim history.jsonl when it grows past this many bytes.
    pub max_bytes: Option<u64>,
}

/// Whether prompts are saved to history.jsonl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryPersistence {
    /// Save every prompt.
    #[default]
    SaveAll,
    /// Save nothing.
    None,
}
