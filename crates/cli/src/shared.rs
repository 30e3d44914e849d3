//! Flags shared by the binaries that run the agent.

use std::path::PathBuf;

use clap::Args;
use codex_protocol::{AskForApproval, SandboxMode};

/// Where configuration comes from: `-c` and `-p`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// Override a config.toml key for this run: `-c key=value`. The value is parsed as TOML
    /// (`-c 'x=["a","b"]'`), falling back to a plain string (`-c model=o3`). Dotted keys reach
    /// nested tables. Repeatable; later flags win.
    #[arg(short = 'c', long = "config", value_name = "key=value", global = true)]
    pub overrides: Vec<String>,

    /// Use the named `[profiles.<name>]` of config.toml.
    #[arg(short = 'p', long = "profile", value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Turn a `[features]` flag on for this run (`-c features.NAME=true`). Repeatable.
    #[arg(long = "enable", value_name = "FEATURE", global = true)]
    pub enable: Vec<String>,

    /// Turn a `[features]` flag off for this run (`-c features.NAME=false`). Repeatable.
    #[arg(long = "disable", value_name = "FEATURE", global = true)]
    pub disable: Vec<String>,
}

impl ConfigArgs {
    /// Every `-c` override in command-line order, then `--enable`/`--disable` as the
    /// `features.NAME` overrides they stand for.
    pub fn raw_overrides(&self) -> Vec<String> {
        let toggles = self
            .enable
            .iter()
            .map(|f| format!("features.{f}=true"))
            .chain(self.disable.iter().map(|f| format!("features.{f}=false")));
        self.overrides.iter().cloned().chain(toggles).collect()
    }
}

/// How the agent runs: model, sandbox, approvals, working directory.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Model to use, e.g. `gpt-5-codex` or `o3`.
    #[arg(short = 'm', long = "model", value_name = "MODEL", global = true,
          value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub model: Option<String>,

    /// What commands run by the agent may touch: read-only, workspace-write (the working
    /// directory, temp dirs and --add-dir; no network) or danger-full-access (no sandbox).
    #[arg(short = 's', long = "sandbox", value_name = "MODE", value_parser = parse_sandbox_mode, global = true)]
    pub sandbox: Option<SandboxMode>,

    /// When to ask you before running a command: untrusted (all but known-safe reads),
    /// on-failure (when the sandbox blocked it), on-request (when the model asks) or never.
    #[arg(short = 'a', long = "ask-for-approval", value_name = "POLICY", value_parser = parse_approval)]
    pub approval: Option<AskForApproval>,

    /// Work without interruptions, sandboxed: `-s workspace-write -a on-request` (a `-s` given
    /// with it still wins: asking for less access is never overruled).
    #[arg(long = "full-auto", conflicts_with_all = ["approval", "dangerously_bypass_approvals_and_sandbox"])]
    pub full_auto: bool,

    /// Run every command without a sandbox and without asking. Only for throwaway machines
    /// and containers that are themselves the sandbox.
    #[arg(long = "dangerously-bypass-approvals-and-sandbox", alias = "yolo", conflicts_with_all = ["approval", "sandbox"])]
    pub dangerously_bypass_approvals_and_sandbox: bool,

    /// Let commands also write in DIR (repeatable; with `-s workspace-write`).
    #[arg(long = "add-dir", value_name = "DIR", global = true)]
    pub add_dirs: Vec<PathBuf>,

    /// Use a local open-weights model (Ollama at localhost:11434, or CODEX_OSS_BASE_URL /
    /// CODEX_OSS_PORT): the `oss` provider, with `gpt-oss:20b` unless -m says otherwise. An
    /// Ollama server without the model pulls it first.
    #[arg(long = "oss", global = true)]
    pub oss: bool,

    /// Run as if started in DIR.
    #[arg(short = 'C', long = "cd", value_name = "DIR", global = true)]
    pub cwd: Option<PathBuf>,
}

impl RunArgs {
    /// The sandbox mode these flags ask for, if any.
    pub fn sandbox_mode(&self) -> Option<SandboxMode> {
        if self.dangerously_bypass_approvals_and_sandbox {
            Some(SandboxMode::DangerFullAccess)
        } else if self.full_auto {
            Some(self.sandbox.unwrap_or(SandboxMode::WorkspaceWrite))
        } else {
            self.sandbox
        }
    }

    /// The approval policy these flags ask for, if any.
    pub fn approval_policy(&self) -> Option<AskForApproval> {
        if self.dangerously_bypass_approvals_and_sandbox {
            Some(AskForApproval::Never)
        } else if self.full_auto {
            Some(AskForApproval::OnRequest)
        } else {
            self.approval
        }
    }
}

fn parse_sandbox_mode(s: &str) -> Result<SandboxMode, String> {
    s.parse().map_err(|e| format!("{e}"))
}

fn parse_approval(s: &str) -> Result<AskForApproval, String> {
    s.parse().map_err(|e| format!("{e}"))
}

/// Environment variable the `codex` shim sets to the name a user typed (`codex exec`), so the
/// binary it runs can show that name in help and usage instead of its file name.
pub const INVOKED_AS_ENV: &str = "CODEX_INVOKED_AS";

/// The name to show in usage lines: what the shim says the user typed, else `default`.
pub fn display_name(default: &'static str) -> String {
    std::env::var(INVOKED_AS_ENV)
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_auto_never_widens_an_explicit_sandbox() {
        let full_auto = |sandbox| RunArgs {
            full_auto: true,
            sandbox,
            ..RunArgs::default()
        };
        assert_eq!(
            full_auto(None).sandbox_mode(),
            Some(SandboxMode::WorkspaceWrite)
        );
        assert_eq!(
            full_auto(Some(SandboxMode::ReadOnly)).sandbox_mode(),
            Some(SandboxMode::ReadOnly)
        );
        assert_eq!(
            full_auto(None).approval_policy(),
            Some(AskForApproval::OnRequest)
        );
    }
}
