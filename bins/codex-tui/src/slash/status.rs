//! `/status`: the session's settings and token use, as a card in the history.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use codex_protocol::{
    AskForApproval, ReasoningEffort, ReasoningSummary, SandboxPolicy, TokenUsage,
};
use ratatui::style::Style;
use ratatui::text::Line;

use super::card::{self, Row};
use super::model::{effort_name, summary_name};
use super::usage::thousands;

/// How the session reaches its model provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// Signed in with ChatGPT.
    ChatGpt {
        /// The account's email, when the token names one.
        email: Option<String>,
        /// The plan (`plus`, `pro`, ...), when known.
        plan: Option<String>,
    },
    /// An OpenAI API key from auth.json.
    ApiKey,
    /// A key from an environment variable the provider names.
    EnvKey {
        /// The variable.
        var: String,
        /// Whether it is set.
        set: bool,
    },
    /// The provider needs no credential (a local model, say).
    NotNeeded,
    /// Signed out, for a provider that needs a login.
    SignedOut,
}

/// Everything `/status` shows, gathered by the app from its config, login and events.
#[derive(Debug, Clone)]
pub struct StatusInfo {
    /// The program's version.
    pub version: String,
    /// The model in use.
    pub model: String,
    /// Its reasoning effort, when set.
    pub effort: Option<ReasoningEffort>,
    /// Its reasoning summaries, when set.
    pub summary: Option<ReasoningSummary>,
    /// Provider id (`openai`, `ollama`, ...).
    pub provider: String,
    /// Provider's display name.
    pub provider_name: String,
    /// Working directory.
    pub cwd: PathBuf,
    /// The user's home, to shorten paths to `~`.
    pub home: Option<PathBuf>,
    /// When to ask before running commands.
    pub approval: AskForApproval,
    /// What commands may touch.
    pub sandbox: SandboxPolicy,
    /// The AGENTS.md files the session was given, in order.
    pub agents_files: Vec<PathBuf>,
    /// The credential in use.
    pub account: Account,
    /// The conversation's id (there is one from the start).
    pub session_id: Option<String>,
    /// Tokens used so far.
    pub usage: TokenUsage,
    /// Percent of the context window free, when known.
    pub context_left_percent: Option<u64>,
}

impl StatusInfo {
    /// Gathers the card's facts for a session on `config`. Reads the AGENTS.md files (to
    /// list those the session was given) and the login: call it off the UI thread.
    pub fn gather(
        config: &codex_config::Config,
        auth: &codex_core::AuthManager,
        session_id: Option<String>,
        usage: &super::usage::UsageTracker,
    ) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            model: config.model.clone(),
            effort: config.model_reasoning_effort,
            summary: config.model_reasoning_summary,
            provider: config.model_provider_id.clone(),
            provider_name: config.model_provider.name.clone(),
            cwd: config.cwd.clone(),
            home: std::env::var_os("HOME").map(PathBuf::from),
            approval: config.approval_policy,
            sandbox: config.sandbox_policy.clone(),
            agents_files: codex_core::project_doc::project_doc_paths(
                &config.codex_home,
                &config.cwd,
                config.project_doc_max_bytes,
                &config.project_doc_fallback_filenames,
            ),
            account: account_for(config, auth),
            session_id,
            usage: usage.total,
            context_left_percent: usage.context_left_percent(),
        }
    }
}

/// How `config`'s provider is reached: OpenAI's through the login, others through their
/// `env_key`, local ones with nothing.
fn account_for(config: &codex_config::Config, auth: &codex_core::AuthManager) -> Account {
    let provider = &config.model_provider;
    if provider.requires_openai_auth {
        match auth.auth() {
            Some(found) if found.tokens().is_some() => {
                return Account::ChatGpt {
                    email: found.email().map(str::to_owned),
                    plan: found.plan_type().map(str::to_owned),
                };
            }
            Some(found) if found.api_key().is_some() => return Account::ApiKey,
            _ => {}
        }
    }
    match &provider.env_key {
        Some(var) => Account::EnvKey {
            var: var.clone(),
            set: std::env::var_os(var).is_some_and(|v| !v.is_empty()),
        },
        None if provider.requires_openai_auth => Account::SignedOut,
        None => Account::NotNeeded,
    }
}

/// The `/status` card for a terminal `width` columns wide.
pub fn status_card(info: &StatusInfo, width: u16) -> Vec<Line<'static>> {
    card::render(&status_rows(info), width)
}

fn status_rows(info: &StatusInfo) -> Vec<Row> {
    let mut rows = vec![
        Row::Title(format!(">_ codex ({})", info.version)),
        Row::Blank,
    ];
    let mut model = info.model.clone();
    let details: Vec<String> = [
        info.effort.map(|e| format!("reasoning {}", effort_name(e))),
        info.summary
            .map(|s| format!("summaries {}", summary_name(s))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !details.is_empty() {
        model = format!("{model} ({})", details.join(", "));
    }
    rows.push(Row::styled("Model", model, Style::new().cyan()));
    rows.push(Row::field(
        "Provider",
        if info.provider_name.is_empty() || info.provider_name == info.provider {
            info.provider.clone()
        } else {
            format!("{} ({})", info.provider_name, info.provider)
        },
    ));
    rows.push(Row::field(
        "Directory",
        display_path(&info.cwd, info.home.as_deref()),
    ));
    rows.push(Row::field("Approval", info.approval.as_str()));
    rows.push(Row::field("Sandbox", sandbox_text(&info.sandbox)));
    if let SandboxPolicy::WorkspaceWrite { writable_roots, .. } = &info.sandbox {
        for root in writable_roots {
            rows.push(Row::field(
                "",
                format!("+ {}", display_path(root, info.home.as_deref())),
            ));
        }
    }
    if info.agents_files.is_empty() {
        rows.push(Row::styled("AGENTS.md", "(none)", Style::new().dim()));
    }
    for (i, file) in info.agents_files.iter().enumerate() {
        let shown = file.strip_prefix(&info.cwd).map_or_else(
            |_| display_path(file, info.home.as_deref()),
            |p| p.display().to_string(),
        );
        rows.push(Row::field(if i == 0 { "AGENTS.md" } else { "" }, shown));
    }
    rows.push(Row::field("Account", account_text(&info.account)));
    rows.push(Row::field(
        "Session",
        info.session_id
            .clone()
            .unwrap_or_else(|| "(not started)".to_owned()),
    ));
    rows.push(Row::Blank);
    let u = &info.usage;
    let mut usage = format!(
        "{} total ({} input + {} output)",
        thousands(u.input_plus_output()),
        thousands(u.input_tokens),
        thousands(u.output_tokens)
    );
    if u.cached_input_tokens > 0 {
        let _ = write!(usage, ", {} cached", thousands(u.cached_input_tokens));
    }
    rows.push(Row::field("Token usage", usage));
    rows.push(Row::field(
        "Context",
        info.context_left_percent.map_or_else(
            || "window size unknown".to_owned(),
            |p| format!("{p}% left"),
        ),
    ));
    rows
}

fn sandbox_text(policy: &SandboxPolicy) -> String {
    match policy {
        SandboxPolicy::DangerFullAccess => "danger-full-access (no sandbox)".to_owned(),
        SandboxPolicy::ReadOnly => "read-only".to_owned(),
        SandboxPolicy::WorkspaceWrite {
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
            ..
        } => {
            let mut writable = vec!["workdir"];
            if !exclude_slash_tmp {
                writable.push("/tmp");
            }
            if !exclude_tmpdir_env_var {
                writable.push("$TMPDIR");
            }
            format!(
                "workspace-write (writes: {}; network {})",
                writable.join(", "),
                if *network_access { "on" } else { "off" }
            )
        }
    }
}

fn account_text(account: &Account) -> String {
    match account {
        Account::ChatGpt { email, plan } => {
            let mut text = "signed in with ChatGPT".to_owned();
            if let Some(email) = email {
                let _ = write!(text, " as {email}");
            }
            if let Some(plan) = plan {
                let _ = write!(text, " ({plan} plan)");
            }
            text
        }
        Account::ApiKey => "API key (auth.json)".to_owned(),
        Account::EnvKey { var, set: true } => format!("key from ${var}"),
        Account::EnvKey { var, set: false } => format!("${var} is not set: requests will fail"),
        Account::NotNeeded => "no credential needed".to_owned(),
        Account::SignedOut => "signed out".to_owned(),
    }
}

/// `path` with the home directory shortened to `~`.
pub fn display_path(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    pub(crate) fn sample() -> StatusInfo {
        StatusInfo {
            version: "0.1.0".to_owned(),
            model: "gpt-5-codex".to_owned(),
            effort: Some(ReasoningEffort::Medium),
            summary: Some(ReasoningSummary::Auto),
            provider: "openai".to_owned(),
            provider_name: "OpenAI".to_owned(),
            cwd: PathBuf::from("/home/dev/projects/app"),
            home: Some(PathBuf::from("/home/dev")),
            approval: AskForApproval::OnRequest,
            sandbox: SandboxPolicy::WorkspaceWrite {
                writable_roots: vec![PathBuf::from("/srv/shared/cache")],
                network_access: false,
                exclude_tmpdir_env_var: false,
                exclude_slash_tmp: false,
            },
            agents_files: vec![
                PathBuf::from("/home/dev/.codex/AGENTS.md"),
                PathBuf::from("/home/dev/projects/app/AGENTS.md"),
            ],
            account: Account::ChatGpt {
                email: Some("dev@example.com".to_owned()),
                plan: Some("plus".to_owned()),
            },
            session_id: Some("0199a213-81c0-7800-8aa1-bbab2a035a53".to_owned()),
            usage: TokenUsage {
                input_tokens: 12_345,
                cached_input_tokens: 4_096,
                output_tokens: 678,
                reasoning_output_tokens: 128,
                total_tokens: 13_023,
            },
            context_left_percent: Some(96),
        }
    }

    #[test]
    fn status_card_at_two_widths() {
        let info = sample();
        insta::assert_snapshot!("status_80", plain(&status_card(&info, 80)).join("\n"));
        insta::assert_snapshot!("status_44", plain(&status_card(&info, 44)).join("\n"));
    }

    #[test]
    fn status_card_before_any_turn_with_a_local_model() {
        let info = StatusInfo {
            effort: None,
            summary: None,
            provider: "ollama".to_owned(),
            provider_name: "Ollama".to_owned(),
            sandbox: SandboxPolicy::ReadOnly,
            agents_files: Vec::new(),
            account: Account::NotNeeded,
            usage: TokenUsage::default(),
            context_left_percent: None,
            ..sample()
        };
        insta::assert_snapshot!("status_fresh", plain(&status_card(&info, 80)).join("\n"));
    }

    #[test]
    fn gathers_from_a_loaded_config() {
        let home = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("AGENTS.md"), "be brief").unwrap();
        std::fs::write(
            home.path().join("config.toml"),
            "model = \"local-model\"\nmodel_provider = \"local\"\n[model_providers.local]\nname = \"Local\"\nbase_url = \"http://127.0.0.1:9/v1\"\n",
        )
        .unwrap();
        let config = codex_config::Config::load(codex_config::ConfigOverrides {
            codex_home: Some(home.path().to_owned()),
            cwd: Some(work.path().to_owned()),
            ..Default::default()
        })
        .unwrap();
        let auth = codex_core::AuthManager::new(home.path().to_owned(), false);
        let info = StatusInfo::gather(
            &config,
            &auth,
            Some("id".to_owned()),
            &super::super::usage::UsageTracker::default(),
        );
        assert_eq!(info.model, "local-model");
        assert_eq!(info.provider_name, "Local");
        assert_eq!(info.account, Account::NotNeeded);
        assert_eq!(info.agents_files, [work.path().join("AGENTS.md")]);
    }

    #[test]
    fn shortens_home() {
        let home = Path::new("/home/dev");
        assert_eq!(display_path(Path::new("/home/dev"), Some(home)), "~");
        assert_eq!(display_path(Path::new("/home/dev/x"), Some(home)), "~/x");
        assert_eq!(display_path(Path::new("/etc"), Some(home)), "/etc");
    }
}
