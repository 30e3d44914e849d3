//! `[shell_environment_policy]`: which environment variables commands run by the agent see.
//! Applying the policy to a real environment happens in the core; this is the config side.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Which variables a command inherits before excludes and `set` are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShellEnvironmentPolicyInherit {
    /// The whole environment of the agent.
    #[default]
    All,
    /// A short list of basics (HOME, PATH, USER, ...).
    Core,
    /// Nothing.
    None,
}

/// A case-insensitive glob over variable names (`*KEY*`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct EnvironmentVariablePattern(pub String);

/// The policy as written in config.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ShellEnvironmentPolicy {
    /// Starting set.
    #[serde(default)]
    pub inherit: ShellEnvironmentPolicyInherit,
    /// Keep variables whose names contain KEY, SECRET or TOKEN (dropped by default).
    #[serde(default)]
    pub ignore_default_excludes: bool,
    /// Patterns to drop.
    #[serde(default)]
    pub exclude: Vec<EnvironmentVariablePattern>,
    /// Variables to set.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// When non-empty, only variables matching one of these survive.
    #[serde(default)]
    pub include_only: Vec<EnvironmentVariablePattern>,
}
