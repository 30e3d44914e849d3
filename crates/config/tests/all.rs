//! Loading real config.toml files from a temporary CODEX_HOME.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::Path;

use codex_config::{Config, ConfigError, ConfigOverrides, McpServerTransportConfig};
use codex_protocol::{AskForApproval, SandboxMode, SandboxPolicy, WireApi};
use pretty_assertions::assert_eq;

fn load(toml: &str, overrides: ConfigOverrides) -> Result<Config, ConfigError> {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), toml).unwrap();
    Config::load(ConfigOverrides {
        codex_home: Some(home.path().to_owned()),
        ..overrides
    })
}

fn raw(flags: &[&str]) -> ConfigOverrides {
    ConfigOverrides {
        raw_overrides: flags.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    }
}

const PROFILES: &str = r#"
model = "file-model"
approval_policy = "never"
profile = "work"

[profiles.work]
model = "work-model"
sandbox_mode = "workspace-write"

[profiles.fast]
model = "fast-model"
approval_policy = "on-failure"
"#;

#[test]
fn defaults_without_a_file() {
    let home = tempfile::tempdir().unwrap();
    let config = Config::load(ConfigOverrides {
        codex_home: Some(home.path().into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(config.model, codex_config::DEFAULT_MODEL);
    assert_eq!(config.model_provider_id, "openai");
    assert_eq!(config.model_provider.wire_api, WireApi::Responses);
    assert_eq!(config.approval_policy, AskForApproval::OnRequest);
    assert_eq!(config.sandbox_policy, SandboxPolicy::ReadOnly);
    assert!(config.warnings.is_empty());
}

#[test]
fn chatgpt_base_url_defaults_to_codex_and_follows_file_and_dash_c() {
    let config = load("", ConfigOverrides::default()).unwrap();
    assert_eq!(
        config.chatgpt_base_url,
        codex_config::DEFAULT_CHATGPT_BASE_URL
    );
    let config = load(
        "chatgpt_base_url = \"https://file.example/backend-api\"\n",
        ConfigOverrides::default(),
    )
    .unwrap();
    assert_eq!(config.chatgpt_base_url, "https://file.example/backend-api");
    let config = load(
        "chatgpt_base_url = \"https://file.example/backend-api\"\n",
        raw(&["chatgpt_base_url=http://127.0.0.1:9/x"]),
    )
    .unwrap();
    assert_eq!(config.chatgpt_base_url, "http://127.0.0.1:9/x");
}

#[test]
fn profile_from_file_beats_top_level_keys() {
    let config = load(PROFILES, ConfigOverrides::default()).unwrap();
    assert_eq!(config.model, "work-model");
    assert_eq!(config.approval_policy, AskForApproval::Never);
    assert_eq!(config.sandbox_policy.mode(), SandboxMode::WorkspaceWrite);
}

#[test]
fn profile_flag_selects_another_profile() {
    let config = load(
        PROFILES,
        ConfigOverrides {
            profile: Some("fast".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(config.model, "fast-model");
    assert_eq!(config.approval_policy, AskForApproval::OnFailure);
    assert_eq!(config.sandbox_policy, SandboxPolicy::ReadOnly);
}

#[test]
fn dash_c_beats_profile_and_flags_beat_dash_c() {
    let config = load(PROFILES, raw(&["model=override-1", "model=override-2"])).unwrap();
    assert_eq!(
        config.model, "override-2",
        "later -c wins, and -c beats the profile"
    );
    let config = load(
        PROFILES,
        ConfigOverrides {
            model: Some("flag-model".into()),
            ..raw(&["model=override"])
        },
    )
    .unwrap();
    assert_eq!(config.model, "flag-model");
}

#[test]
fn dash_c_reaches_nested_tables() {
    let config = load(
        "sandbox_mode = \"workspace-write\"\n",
        raw(&[
            "sandbox_workspace_write.network_access=true",
            "sandbox_workspace_write.writable_roots=[\"/data\"]",
        ]),
    )
    .unwrap();
    assert_eq!(
        config.sandbox_policy,
        SandboxPolicy::WorkspaceWrite {
            writable_roots: vec!["/data".into()],
            network_access: true,
            exclude_tmpdir_env_var: false,
            exclude_slash_tmp: false,
        }
    );
}

#[test]
fn unknown_profile_lists_the_defined_ones() {
    let err = load(
        PROFILES,
        ConfigOverrides {
            profile: Some("nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("profile `nope` is not defined"), "{msg}");
    assert!(msg.contains("fast, work"), "{msg}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let err = load(
        "model = \"a\"\n\nmodel_provider = \n",
        ConfigOverrides::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ConfigError::Syntax { line: 3, .. }), "{msg}");
    assert!(msg.contains("config.toml:3:"), "{msg}");
}

#[test]
fn wrong_value_names_line_key_and_allowed_values() {
    let err = load(
        "model = \"a\"\napproval_policy = \"sometimes\"\n",
        ConfigOverrides::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("config.toml:2: approval_policy:"), "{msg}");
    assert!(msg.contains("untrusted"), "{msg}");
}

fn mcp_error(body: &str) -> String {
    let toml = format!("model = \"m\"\n\n[mcp_servers.figma]\n{body}\n");
    load(&toml, ConfigOverrides::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn mcp_transports_parse() {
    let config = load(
        r#"
[mcp_servers.docs]
command = "docs-server"
args = ["--stdio"]
env = { TOKEN_FILE = "/x" }
startup_timeout_sec = 20

[mcp_servers.figma]
url = "https://mcp.example.com/mcp"
bearer_token_env_var = "FIGMA_TOKEN"
enabled = false
"#,
        ConfigOverrides::default(),
    )
    .unwrap();
    let docs = &config.mcp_servers["docs"];
    assert!(
        matches!(&docs.transport, McpServerTransportConfig::Stdio { command, .. } if command == "docs-server")
    );
    assert_eq!(docs.startup_timeout_sec, Some(20.0));
    assert!(docs.enabled);
    let figma = &config.mcp_servers["figma"];
    assert!(
        matches!(&figma.transport, McpServerTransportConfig::StreamableHttp { bearer_token_env_var: Some(v), .. } if v == "FIGMA_TOKEN")
    );
    assert!(!figma.enabled);
}

#[test]
fn mcp_mixed_transport_fields_are_errors() {
    let cases = [
        (
            "command = \"x\"\nbearer_token = \"t\"",
            "bearer_token is not supported for stdio",
        ),
        (
            "command = \"x\"\nbearer_token_env_var = \"T\"",
            "bearer_token_env_var is not supported for stdio",
        ),
        (
            "command = \"x\"\nurl = \"http://h\"",
            "url is not supported for stdio",
        ),
        (
            "url = \"http://h\"\nenv = { A = \"b\" }",
            "env is not supported for streamable_http",
        ),
        (
            "url = \"http://h\"\nargs = [\"a\"]",
            "args is not supported for streamable_http",
        ),
        (
            "url = \"http://h\"\ncwd = \"/\"",
            "cwd is not supported for streamable_http",
        ),
        ("startup_timeout_sec = 3", "invalid transport"),
    ];
    for (body, expected) in cases {
        let msg = mcp_error(body);
        assert!(msg.contains(expected), "{body:?}: {msg}");
        assert!(
            msg.contains("config.toml:3: mcp_servers.figma"),
            "{body:?}: {msg}"
        );
    }
}

#[test]
fn unknown_keys_warn_instead_of_failing() {
    let config = load(
        "model = \"m\"\nfuture_key = 1\n[tui]\nanimations = false\n",
        ConfigOverrides::default(),
    )
    .unwrap();
    assert_eq!(config.model, "m");
    assert!(
        config.warnings.iter().any(|w| w.contains("future_key")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn providers_are_resolved_and_built_ins_are_kept() {
    let config = load(
        r#"
model_provider = "local"
[model_providers.local]
name = "Local"
base_url = "http://127.0.0.1:8080/v1"
wire_api = "responses"
[model_providers.openai]
name = "Not OpenAI"
"#,
        ConfigOverrides::default(),
    )
    .unwrap();
    assert_eq!(config.model_provider.name, "Local");
    assert_eq!(config.model_providers["openai"].name, "OpenAI");
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.contains("built-in provider `openai`"))
    );
}

#[test]
fn unknown_provider_is_an_error() {
    let err = load("model_provider = \"nowhere\"\n", ConfigOverrides::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("model provider `nowhere` is not defined"),
        "{err}"
    );
}

#[test]
fn bad_override_names_the_key() {
    let err = load("", raw(&["approval_policy=sometimes"])).unwrap_err();
    assert!(err.to_string().starts_with("-c approval_policy:"), "{err}");
}

#[test]
fn unreadable_config_names_the_file() {
    let home = tempfile::tempdir().unwrap();
    // A directory where the file should be cannot be read as text, even by root.
    std::fs::create_dir(home.path().join("config.toml")).unwrap();
    let err = Config::load(ConfigOverrides {
        codex_home: Some(home.path().into()),
        ..Default::default()
    })
    .unwrap_err();
    assert!(
        err.to_string().contains(
            &Path::new(home.path())
                .join("config.toml")
                .display()
                .to_string()
        ),
        "{err}"
    );
}

#[test]
fn dash_c_can_set_one_field_of_a_declared_provider() {
    let config = load(
        "model_provider = \"local\"\n[model_providers.local]\nname = \"Local\"\nwire_api = \"responses\"\n",
        raw(&["model_providers.local.base_url=\"http://127.0.0.1:9/v1\""]),
    )
    .unwrap();
    assert_eq!(
        config.model_provider.base_url.as_deref(),
        Some("http://127.0.0.1:9/v1")
    );
}

#[test]
fn unknown_keys_are_reported_once_and_unknown_overrides_too() {
    let config = load("future_key = 1\n", raw(&["model=m", "another_future=2"])).unwrap();
    let about_file: Vec<_> = config
        .warnings
        .iter()
        .filter(|w| w.contains("future_key"))
        .collect();
    assert_eq!(about_file.len(), 1, "{:?}", config.warnings);
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.starts_with("-c another_future")),
        "{:?}",
        config.warnings
    );
}

#[test]
fn a_trusted_project_gets_workspace_write_and_an_untrusted_one_asks() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    let at = |toml: String, flags: &[&str]| {
        load(
            &toml,
            ConfigOverrides {
                cwd: Some(cwd.clone()),
                ..raw(flags)
            },
        )
        .unwrap()
    };
    let entry = |level: &str| {
        format!(
            "[projects.\"{}\"]\ntrust_level = \"{level}\"\n",
            cwd.display()
        )
    };

    let trusted = at(entry("trusted"), &[]);
    assert_eq!(
        trusted.project_trust,
        Some(codex_config::TrustLevel::Trusted)
    );
    assert_eq!(trusted.sandbox_policy.mode(), SandboxMode::WorkspaceWrite);
    assert_eq!(trusted.approval_policy, AskForApproval::OnRequest);
    assert!(trusted.warnings.is_empty(), "{:?}", trusted.warnings);

    let untrusted = at(entry("untrusted"), &[]);
    assert_eq!(untrusted.sandbox_policy.mode(), SandboxMode::ReadOnly);
    assert_eq!(untrusted.approval_policy, AskForApproval::UnlessTrusted);

    // Explicit settings win over the project's defaults.
    let pinned = at(entry("trusted"), &["sandbox_mode=\"read-only\""]);
    assert_eq!(pinned.sandbox_policy.mode(), SandboxMode::ReadOnly);

    let undecided = at(String::new(), &[]);
    assert_eq!(undecided.project_trust, None);
    assert_eq!(undecided.sandbox_policy.mode(), SandboxMode::ReadOnly);
}

#[test]
fn a_keyring_credentials_store_is_warned_about_and_file_or_auto_are_not() {
    let config = load(
        "cli_auth_credentials_store = \"keyring\"\nmcp_oauth_credentials_store = \"keyring\"\n",
        ConfigOverrides::default(),
    )
    .unwrap();
    let about_keyring: Vec<&String> = config
        .warnings
        .iter()
        .filter(|w| w.contains("= \"keyring\" is not supported"))
        .collect();
    assert_eq!(about_keyring.len(), 2, "{:?}", config.warnings);
    assert!(about_keyring[0].starts_with("cli_auth_credentials_store"));
    assert!(about_keyring[0].contains("auth.json"));
    assert!(about_keyring[1].starts_with("mcp_oauth_credentials_store"));
    assert!(about_keyring[1].contains(".credentials.json"));

    for quiet in ["file", "auto"] {
        let toml = format!(
            "cli_auth_credentials_store = \"{quiet}\"\nmcp_oauth_credentials_store = \"{quiet}\"\n"
        );
        let config = load(&toml, ConfigOverrides::default()).unwrap();
        assert!(config.warnings.is_empty(), "{quiet}: {:?}", config.warnings);
    }
    // Codex's in-memory store cannot be honoured either: said, with where the login goes.
    let config = load(
        "cli_auth_credentials_store = \"ephemeral\"\n",
        ConfigOverrides::default(),
    )
    .unwrap();
    assert!(
        config.warnings.iter().any(|w| w
            .starts_with("cli_auth_credentials_store = \"ephemeral\" is not supported")
            && w.contains("auth.json")),
        "{:?}",
        config.warnings
    );
    // A value Codex does not know is an error naming the key, as for any other enum.
    let err = load(
        "cli_auth_credentials_store = \"keychain\"\n",
        ConfigOverrides::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cli_auth_credentials_store"),
        "{err}"
    );
}
