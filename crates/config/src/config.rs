//! Resolving the layers (defaults, config.toml, profile, `-c`, flags) into one `Config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codex_protocol::{
    AskForApproval, ModelProviderInfo, OPENAI_PROVIDER_ID, ReasoningEffort, ReasoningSummary,
    SandboxMode, SandboxPolicy, Verbosity, built_in_model_providers,
};
use serde::Deserialize;

use crate::codex_keys::is_codex_key;
use crate::config_toml::{ConfigProfile, ConfigToml, ForcedLoginMethod, HistoryPersistence};
use crate::overrides::{ConfigOverride, apply_overrides, parse_override};
use crate::{ConfigError, McpServerConfig, ShellEnvironmentPolicy, TrustLevel, find_codex_home};

/// The model used when neither config nor flags name one.
pub const DEFAULT_MODEL: &str = "gpt-5-codex";
/// Default budget for AGENTS.md content sent to the model.
pub const DEFAULT_PROJECT_DOC_MAX_BYTES: usize = 32 * 1024;
/// Where the ChatGPT backend (Codex Cloud tasks) lives unless `chatgpt_base_url` says
/// otherwise; Codex's default.
pub const DEFAULT_CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api/";
const DEFAULT_PROVIDER: &str = "openai";
/// Keys that `[profiles.<name>]` may set; for these `-c` must beat the profile.
const PROFILE_KEYS: [&str; 7] = [
    "model",
    "model_provider",
    "approval_policy",
    "sandbox_mode",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
];

/// What the command line says, on top of config.toml. `Default` overrides nothing.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    /// Use this CODEX_HOME instead of finding one.
    pub codex_home: Option<PathBuf>,
    /// `-p/--profile`.
    pub profile: Option<String>,
    /// `-c key=value` flags, in command-line order.
    pub raw_overrides: Vec<String>,
    /// `-C/--cd`.
    pub cwd: Option<PathBuf>,
    /// `-m/--model`.
    pub model: Option<String>,
    /// `-s/--sandbox` (or implied by `--full-auto`).
    pub sandbox_mode: Option<SandboxMode>,
    /// `-a/--ask-for-approval`.
    pub approval_policy: Option<AskForApproval>,
    /// `--oss` style provider selection.
    pub model_provider: Option<String>,
    /// `--add-dir`: more writable roots for workspace-write.
    pub additional_writable_roots: Vec<PathBuf>,
}

/// The effective configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The CODEX_HOME directory.
    pub codex_home: PathBuf,
    /// The config.toml that was read (it may not exist).
    pub config_file: PathBuf,
    /// Absolute working directory of the session.
    pub cwd: PathBuf,
    /// Model name.
    pub model: String,
    /// Id of the provider in use.
    pub model_provider_id: String,
    /// The provider in use.
    pub model_provider: ModelProviderInfo,
    /// Every known provider, built-in and declared.
    pub model_providers: BTreeMap<String, ModelProviderInfo>,
    /// When to ask before running commands.
    pub approval_policy: AskForApproval,
    /// What commands may touch.
    pub sandbox_policy: SandboxPolicy,
    /// Paths sandboxed commands may not read, absolute.
    pub sandbox_deny_read: Vec<PathBuf>,
    /// Path of the sandbox helper set in config, if any.
    pub sandbox_exe: Option<PathBuf>,
    /// Configured MCP servers.
    pub mcp_servers: BTreeMap<String, McpServerConfig>,
    /// Reasoning effort, when set.
    pub model_reasoning_effort: Option<ReasoningEffort>,
    /// Reasoning summary style, when set.
    pub model_reasoning_summary: Option<ReasoningSummary>,
    /// Output verbosity, when set.
    pub model_verbosity: Option<Verbosity>,
    /// Context window override.
    pub model_context_window: Option<u64>,
    /// `model_supports_reasoning_summaries`: reasoning parameters go to this model even when
    /// its family does not take them (`Some(true)`), or never (`Some(false)`).
    pub model_supports_reasoning_summaries: Option<bool>,
    /// Environment policy for commands.
    pub shell_environment_policy: ShellEnvironmentPolicy,
    /// AGENTS.md budget in bytes (0 disables project docs).
    pub project_doc_max_bytes: usize,
    /// Other names tried for AGENTS.md.
    pub project_doc_fallback_filenames: Vec<String>,
    /// Whether prompts go to history.jsonl.
    pub history_enabled: bool,
    /// `[history] max_bytes`: history.jsonl is trimmed to about 80 % of this when an append
    /// takes it past; `None` lets it grow.
    pub history_max_bytes: Option<u64>,
    /// Hide reasoning summaries from output.
    pub hide_agent_reasoning: bool,
    /// `[tui]`: notifications and animations of the terminal UI.
    pub tui: crate::TuiSettings,
    /// Replacement for the built-in base instructions, read from
    /// `experimental_instructions_file`.
    pub base_instructions_override: Option<String>,
    /// Extra developer instructions.
    pub developer_instructions: Option<String>,
    /// Program run after each turn.
    pub notify: Option<Vec<String>>,
    /// Record model exchanges to this JSONL file.
    pub record_model_exchanges: Option<PathBuf>,
    /// Default shell tool timeout in milliseconds.
    pub shell_timeout_ms: Option<u64>,
    /// Base URL of the ChatGPT backend (`chatgpt_base_url`), for Codex Cloud tasks.
    pub chatgpt_base_url: String,
    /// The only kind of login allowed (`forced_login_method`), enforced wherever credentials
    /// are chosen or stored.
    pub forced_login_method: Option<ForcedLoginMethod>,
    /// `preferred_auth_method` (`apikey`: always use the API key, never offer a sign-in).
    pub preferred_auth_method: Option<crate::PreferredAuthMethod>,
    /// What the user decided about trusting `cwd` (or its git repository); `None`: not asked.
    pub project_trust: Option<TrustLevel>,
    /// `[limits]`: bounds on one turn.
    pub limits: crate::Limits,
    /// `[features]` switches with a boolean value. Acted on: `view_image_tool` (`false`
    /// withholds the `view_image` tool) and `apply_patch_freeform` (forces the freeform or
    /// the function shape of `apply_patch`, whatever the model family prefers).
    pub features: BTreeMap<String, bool>,
    /// Selected profile, if any.
    pub profile: Option<String>,
    /// Problems worth telling the user about that did not stop the load (unknown keys, ...).
    pub warnings: Vec<String>,
}

impl Config {
    /// Finds CODEX_HOME, reads config.toml and applies the overrides.
    pub fn load(mut overrides: ConfigOverrides) -> Result<Self, ConfigError> {
        let codex_home = match overrides.codex_home.take() {
            Some(home) => home,
            None => find_codex_home()?,
        };
        let config_file = codex_home.join("config.toml");
        let text = match std::fs::read_to_string(&config_file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => {
                return Err(ConfigError::Io {
                    path: config_file,
                    error,
                });
            }
        };
        Self::from_toml_text(&text, codex_home, config_file, &overrides)
    }

    /// Like [`Config::load`], with config.toml's text given. `config_file` is only used in
    /// messages.
    pub fn from_toml_text(
        text: &str,
        codex_home: PathBuf,
        config_file: PathBuf,
        overrides: &ConfigOverrides,
    ) -> Result<Self, ConfigError> {
        let mut warnings = Vec::new();
        let file_cfg = parse_file(text, &config_file, &mut warnings)?;
        let mut file_table: toml::Table =
            toml::from_str(text).map_err(|e| syntax_error(text, &config_file, &e))?;

        let parsed = overrides
            .raw_overrides
            .iter()
            .map(|raw| parse_override(raw))
            .collect::<Result<Vec<_>, _>>()?;
        let mut override_table = toml::Table::new();
        apply_overrides(&mut override_table, &parsed);
        // Only the keys a profile can also set need to know whether `-c` set them; the rest is
        // read from the merged table (a partial `-c model_providers.x.base_url=...` is not a
        // whole provider on its own).
        let profile_keys: toml::Table = override_table
            .into_iter()
            .filter(|(key, _)| PROFILE_KEYS.contains(&key.as_str()))
            .collect();
        let override_cfg = parse_table(profile_keys, &parsed, &mut warnings)?;
        apply_overrides(&mut file_table, &parsed);
        let merged = if parsed.is_empty() {
            file_cfg
        } else {
            parse_table(file_table, &parsed, &mut warnings)?
        };

        let profile_name = overrides.profile.clone().or_else(|| merged.profile.clone());
        let profile =
            match &profile_name {
                Some(name) => merged.profiles.get(name).cloned().ok_or_else(|| {
                    ConfigError::UnknownProfile {
                        name: name.clone(),
                        path: config_file.clone(),
                        defined: list_or_none(merged.profiles.keys()),
                    }
                })?,
                None => ConfigProfile::default(),
            };

        // Flags beat `-c`, which beats the profile, which beats the file.
        macro_rules! layered {
            ($flag:expr, $field:ident) => {
                $flag
                    .or_else(|| override_cfg.$field.clone())
                    .or_else(|| profile.$field.clone())
                    .or_else(|| merged.$field.clone())
            };
        }
        let model =
            layered!(overrides.model.clone(), model).unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        let model_provider_id = layered!(overrides.model_provider.clone(), model_provider)
            .unwrap_or_else(|| DEFAULT_PROVIDER.to_owned());
        let cwd = resolve_cwd(overrides.cwd.as_deref())?;
        // Codex's defaults for a directory the user decided about: trusted works in the
        // workspace sandbox; untrusted asks before anything not known to be safe.
        let project_trust = crate::project_trust(&merged.projects, &cwd);
        let approval_policy =
            layered!(overrides.approval_policy, approval_policy).unwrap_or(match project_trust {
                Some(TrustLevel::Untrusted) => AskForApproval::UnlessTrusted,
                _ => AskForApproval::default(),
            });
        let sandbox_mode =
            layered!(overrides.sandbox_mode, sandbox_mode).unwrap_or(match project_trust {
                Some(TrustLevel::Trusted) => SandboxMode::WorkspaceWrite,
                _ => SandboxMode::default(),
            });
        let model_reasoning_effort = layered!(None, model_reasoning_effort);
        let model_reasoning_summary = layered!(None, model_reasoning_summary);
        let model_verbosity = layered!(None, model_verbosity);

        let mut model_providers = built_in_model_providers();
        model_providers.insert(OSS_PROVIDER_ID.to_owned(), oss_provider());
        for (id, info) in &merged.model_providers {
            // Codex's documentation has users declare `[model_providers.ollama]` themselves:
            // their declaration of a local provider wins over ours. `openai` stays as built.
            if id == OPENAI_PROVIDER_ID {
                warnings.push(format!(
                    "[model_providers.{id}] cannot replace the built-in provider `{id}`; declare it under another id"
                ));
            } else {
                model_providers.insert(id.clone(), info.clone());
            }
        }
        let model_provider = model_providers
            .get(&model_provider_id)
            .cloned()
            .ok_or_else(|| ConfigError::UnknownProvider {
                id: model_provider_id.clone(),
                known: list_or_none(model_providers.keys()),
            })?;

        let home = std::env::home_dir();
        let ws = merged.sandbox_workspace_write.clone().unwrap_or_default();
        let sandbox_policy = match sandbox_mode {
            SandboxMode::ReadOnly => SandboxPolicy::ReadOnly,
            SandboxMode::DangerFullAccess => SandboxPolicy::DangerFullAccess,
            SandboxMode::WorkspaceWrite => SandboxPolicy::WorkspaceWrite {
                writable_roots: ws
                    .writable_roots
                    .iter()
                    .chain(&overrides.additional_writable_roots)
                    .map(|p| absolutize(p, &cwd, home.as_deref()))
                    .collect(),
                network_access: ws.network_access,
                exclude_tmpdir_env_var: ws.exclude_tmpdir_env_var,
                exclude_slash_tmp: ws.exclude_slash_tmp,
            },
        };
        if !overrides.additional_writable_roots.is_empty()
            && sandbox_mode != SandboxMode::WorkspaceWrite
        {
            warnings.push(format!(
                "--add-dir has no effect in {sandbox_mode} mode; it adds writable directories to workspace-write"
            ));
        }
        for (key, store, file) in [
            (
                "cli_auth_credentials_store",
                merged.cli_auth_credentials_store,
                "auth.json",
            ),
            (
                "mcp_oauth_credentials_store",
                merged.mcp_oauth_credentials_store,
                ".credentials.json",
            ),
        ] {
            let unsupported = match store {
                Some(crate::CredentialsStore::Keyring) => "keyring",
                Some(crate::CredentialsStore::Ephemeral) => "ephemeral",
                _ => continue,
            };
            warnings.push(format!(
                "{key} = \"{unsupported}\" is not supported: credentials are written to {} (readable only by you); set it to \"file\" to silence this",
                codex_home.join(file).display()
            ));
        }
        let sandbox_deny_read = merged
            .sandbox
            .as_ref()
            .map(|s| {
                s.deny_read
                    .iter()
                    .map(|p| absolutize(p, &cwd, home.as_deref()))
                    .collect()
            })
            .unwrap_or_default();

        let base_instructions_override = match &merged.experimental_instructions_file {
            Some(path) => {
                let path = absolutize(path, &codex_home, home.as_deref());
                Some(
                    std::fs::read_to_string(&path)
                        .map_err(|error| ConfigError::Io { path, error })?,
                )
            }
            None => None,
        };

        Ok(Self {
            codex_home,
            config_file,
            cwd,
            model,
            model_provider_id,
            model_provider,
            model_providers,
            approval_policy,
            sandbox_policy,
            sandbox_deny_read,
            sandbox_exe: merged.sandbox_exe.clone(),
            mcp_servers: merged.mcp_servers.clone(),
            model_reasoning_effort,
            model_reasoning_summary,
            model_verbosity,
            model_context_window: merged.model_context_window,
            model_supports_reasoning_summaries: merged.model_supports_reasoning_summaries,
            shell_environment_policy: merged.shell_environment_policy.clone().unwrap_or_default(),
            project_doc_max_bytes: merged
                .project_doc_max_bytes
                .unwrap_or(DEFAULT_PROJECT_DOC_MAX_BYTES),
            project_doc_fallback_filenames: merged.project_doc_fallback_filenames.clone(),
            history_enabled: merged.history.as_ref().and_then(|h| h.persistence)
                != Some(HistoryPersistence::None),
            history_max_bytes: merged.history.as_ref().and_then(|h| h.max_bytes),
            hide_agent_reasoning: merged.hide_agent_reasoning.unwrap_or(false),
            tui: crate::TuiSettings::resolve(merged.tui.as_ref()),
            base_instructions_override,
            developer_instructions: merged.developer_instructions.clone(),
            notify: merged.notify.clone(),
            record_model_exchanges: merged.record_model_exchanges.clone(),
            shell_timeout_ms: merged.shell_timeout_ms,
            chatgpt_base_url: merged
                .chatgpt_base_url
                .filter(|url| !url.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_CHATGPT_BASE_URL.to_owned()),
            forced_login_method: merged.forced_login_method,
            preferred_auth_method: merged.preferred_auth_method,
            project_trust,
            limits: merged.limits.unwrap_or_default(),
            features: merged
                .features
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.as_bool()?)))
                .collect(),
            profile: profile_name,
            warnings,
        })
    }
}

/// The provider `--oss` selects.
pub const OSS_PROVIDER_ID: &str = "oss";

/// The model `--oss` runs unless `-m` names another, as Codex's.
pub const DEFAULT_OSS_MODEL: &str = "gpt-oss:20b";

/// A local OpenAI-compatible server (Ollama by default) at `CODEX_OSS_BASE_URL`, else
/// `http://localhost:$CODEX_OSS_PORT/v1`, else Ollama's port, as Codex reads them.
fn oss_provider() -> ModelProviderInfo {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let base_url = var("CODEX_OSS_BASE_URL").unwrap_or_else(|| match var("CODEX_OSS_PORT") {
        Some(port) => format!("http://localhost:{}/v1", port.trim()),
        None => codex_protocol::OLLAMA_DEFAULT_BASE_URL.to_owned(),
    });
    ModelProviderInfo {
        name: "gpt-oss".to_owned(),
        base_url: Some(base_url),
        wire_api: codex_protocol::WireApi::Chat,
        ..ModelProviderInfo::default()
    }
}

/// Parses the file's text, so errors can point at a line.
fn parse_file(
    text: &str,
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<ConfigToml, ConfigError> {
    let deserializer =
        toml::de::Deserializer::parse(text).map_err(|e| syntax_error(text, path, &e))?;
    let (result, ignored) = deserialize_noting_unknown(deserializer);
    warnings.extend(
        ignored
            .into_iter()
            .filter(|key| !is_codex_key(key))
            .map(|key| format!("{}: unknown key `{key}` ignored", path.display())),
    );
    result.map_err(|err| {
        let key = err.path().to_string();
        let inner = err.into_inner();
        let line = inner.span().map_or(1, |span| line_col(text, span.start).0);
        ConfigError::InvalidKey {
            path: path.to_owned(),
            line,
            key,
            message: inner.message().to_owned(),
        }
    })
}

/// Parses a table built from `-c` overrides (alone or merged into the file).
/// Unknown keys are reported only when they came from `-c` (`from_overrides`); the file's own
/// were reported with their line already.
fn parse_table(
    table: toml::Table,
    from_overrides: &[ConfigOverride],
    warnings: &mut Vec<String>,
) -> Result<ConfigToml, ConfigError> {
    let (result, ignored) = deserialize_noting_unknown(toml::Value::Table(table));
    for key in ignored {
        if is_codex_key(&key) {
            continue;
        }
        if !from_overrides
            .iter()
            .any(|o| key == o.path.join(".") || key.starts_with(&format!("{}.", o.path.join("."))))
        {
            continue;
        }
        let warning = format!("-c {key}: unknown key ignored");
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    result.map_err(|err| ConfigError::InvalidOverride {
        key: err.path().to_string(),
        message: err.into_inner().message().to_owned(),
    })
}

/// Deserializes the schema, keeping the path of the key that failed and collecting the keys
/// the schema does not know.
fn deserialize_noting_unknown<'de, D>(
    deserializer: D,
) -> (
    Result<ConfigToml, serde_path_to_error::Error<toml::de::Error>>,
    Vec<String>,
)
where
    D: serde::Deserializer<'de, Error = toml::de::Error>,
{
    let mut ignored = Vec::new();
    let mut on_ignored = |p: serde_ignored::Path<'_>| ignored.push(p.to_string());
    let result = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
        deserializer,
        &mut on_ignored,
    ));
    (result, ignored)
}

fn syntax_error(text: &str, path: &Path, err: &toml::de::Error) -> ConfigError {
    let (line, column) = err.span().map_or((1, 1), |span| line_col(text, span.start));
    ConfigError::Syntax {
        path: path.to_owned(),
        line,
        column,
        message: err.message().trim().to_owned(),
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = names.map(String::as_str).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

fn resolve_cwd(requested: Option<&Path>) -> Result<PathBuf, ConfigError> {
    let current = std::env::current_dir().map_err(|error| ConfigError::Io {
        path: PathBuf::from("."),
        error,
    })?;
    let Some(requested) = requested else {
        return Ok(current);
    };
    current
        .join(requested)
        .canonicalize()
        .map_err(|error| ConfigError::BadCwd {
            path: requested.to_owned(),
            error,
        })
}

/// Expands a leading `~` and makes a path absolute against `base`.
fn absolutize(path: &Path, base: &Path, home: Option<&Path>) -> PathBuf {
    if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), home) {
        return home.join(rest);
    }
    base.join(path)
}

/// Allows `ConfigToml` to be read straight from a `toml::Value` in tests.
impl ConfigToml {
    /// Parses config.toml text on its own (no overrides), for tools that inspect the file.
    pub fn from_text(text: &str) -> Result<Self, toml::de::Error> {
        Self::deserialize(toml::de::Deserializer::parse(text)?)
    }
}
