//! The command line: `codex-tui [OPTIONS] [PROMPT]` and `codex-tui resume [SESSION_ID]
//! [--last] [--all]`. The flags are defined in `codex-cli` (shared with the `codex` shim's
//! help and completion, and with `codex-exec`); this module turns them into a [`Config`].

use anyhow::Context;
use codex_config::{Config, ConfigOverrides, DEFAULT_OSS_MODEL, OSS_PROVIDER_ID};

pub use codex_cli::tui::{TuiCli, TuiCommand, TuiResumeArgs};

/// Loads config.toml with the command line on top.
pub fn load_config(cli: &TuiCli) -> anyhow::Result<Config> {
    let run = &cli.run;
    let overrides = ConfigOverrides {
        profile: cli.config.profile.clone(),
        raw_overrides: cli.config.raw_overrides(),
        cwd: run.cwd.clone(),
        model: run
            .model
            .clone()
            .or_else(|| run.oss.then(|| DEFAULT_OSS_MODEL.to_owned())),
        model_provider: run.oss.then(|| OSS_PROVIDER_ID.to_owned()),
        sandbox_mode: run.sandbox_mode(),
        approval_policy: run.approval_policy(),
        additional_writable_roots: run.add_dirs.clone(),
        ..ConfigOverrides::default()
    };
    Config::load(overrides).context("could not load the configuration")
}
