//! The environment a command run by the agent gets, from `[shell_environment_policy]`.
//!
//! Default: inherit everything except variables whose names contain KEY, SECRET or TOKEN, so
//! an API key in the agent's environment does not leak into commands the model chose.

use std::collections::BTreeMap;

use codex_config::{
    EnvironmentVariablePattern, ShellEnvironmentPolicy, ShellEnvironmentPolicyInherit,
};
use wildmatch::WildMatchPattern;

const CORE_VARS: &[&str] = &[
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP", "LANG",
    "LC_ALL", "TERM",
];
const DEFAULT_EXCLUDES: &[&str] = &["*KEY*", "*SECRET*", "*TOKEN*"];

/// Applies `policy` to `vars` (normally the agent's own environment).
pub fn create_env(
    policy: &ShellEnvironmentPolicy,
    vars: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = match policy.inherit {
        ShellEnvironmentPolicyInherit::All => vars.into_iter().collect(),
        ShellEnvironmentPolicyInherit::Core => vars
            .into_iter()
            .filter(|(k, _)| CORE_VARS.contains(&k.as_str()))
            .collect(),
        ShellEnvironmentPolicyInherit::None => BTreeMap::new(),
    };
    if !policy.ignore_default_excludes {
        let defaults: Vec<EnvironmentVariablePattern> = DEFAULT_EXCLUDES
            .iter()
            .map(|p| EnvironmentVariablePattern((*p).to_owned()))
            .collect();
        env.retain(|name, _| !matches_any(name, &defaults));
    }
    env.retain(|name, _| !matches_any(name, &policy.exclude));
    env.extend(policy.set.iter().map(|(k, v)| (k.clone(), v.clone())));
    if !policy.include_only.is_empty() {
        env.retain(|name, _| matches_any(name, &policy.include_only));
    }
    env
}

fn matches_any(name: &str, patterns: &[EnvironmentVariablePattern]) -> bool {
    patterns
        .iter()
        .any(|p| WildMatchPattern::<'*', '?'>::new_case_insensitive(&p.0).matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vec<(String, String)> {
        [
            ("PATH", "/bin"),
            ("HOME", "/root"),
            ("OPENAI_API_KEY", "sk"),
            ("github_token", "t"),
            ("EDITOR", "vi"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn secrets_are_dropped_by_default() {
        let env = create_env(&ShellEnvironmentPolicy::default(), vars());
        assert!(env.contains_key("PATH") && env.contains_key("EDITOR"));
        assert!(!env.contains_key("OPENAI_API_KEY"));
        assert!(
            !env.contains_key("github_token"),
            "matching is case-insensitive"
        );
    }

    #[test]
    fn core_inherit_set_and_include_only() {
        let policy = ShellEnvironmentPolicy {
            inherit: ShellEnvironmentPolicyInherit::Core,
            set: BTreeMap::from([("CI".to_owned(), "1".to_owned())]),
            ..ShellEnvironmentPolicy::default()
        };
        let env = create_env(&policy, vars());
        assert_eq!(env.keys().collect::<Vec<_>>(), ["CI", "HOME", "PATH"]);
        let only = ShellEnvironmentPolicy {
            include_only: vec![EnvironmentVariablePattern("P*".into())],
            ..ShellEnvironmentPolicy::default()
        };
        assert_eq!(
            create_env(&only, vars()).keys().collect::<Vec<_>>(),
            ["PATH"]
        );
    }
}
