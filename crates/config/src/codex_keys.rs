//! Keys of Codex's config.toml that this toolkit reads without acting on them: settings of
//! another front end, of features it does not have, or older spellings. A user's existing file
//! carries them, so they are accepted silently; only keys that no Codex release documented are
//! reported as unknown (a typo, most likely).
//!
//! A declarative table, apart from the logic: add a key here when a Codex release documents it.

/// Top-level keys (and whole tables) from Codex's documentation since mid-2025.
const CODEX_KEYS: &[&str] = &[
    // Another front end's settings, or services this toolkit does not run.
    "check_for_update_on_startup",
    "file_opener",
    "tui",
    "projects",
    "otel",
    "notice",
    "windows_wsl_setup_acknowledged",
    // Features, tools and their older spellings.
    "features",
    "tools",
    "ghost_snapshot",
    "experimental_use_exec_command_tool",
    "experimental_use_unified_exec_tool",
    "experimental_use_rmcp_client",
    "experimental_use_freeform_apply_patch",
    "include_apply_patch_tool",
    "include_plan_tool",
    "include_view_image_tool",
    "use_experimental_streamable_shell_tool",
    "tools_web_search_request",
    // Model tuning Codex documents.
    "model_auto_compact_token_limit",
    "model_reasoning_summary_format",
    "tool_output_token_limit",
    "show_raw_agent_reasoning",
    "instructions",
    "review_model",
    "disable_response_storage",
    "oss_provider",
    // Credentials: where they are kept and which kinds are allowed.
    "preferred_auth_method",
    "forced_chatgpt_workspace_id",
];

/// Whether `key` (a dotted path as reported for an unknown key, e.g. `tui.notifications` or
/// `profiles.work.file_opener`) is one Codex documents.
pub(crate) fn is_codex_key(key: &str) -> bool {
    let key = match key.strip_prefix("profiles.") {
        // `profiles.<name>.<key>`: a profile may set any top-level key.
        Some(rest) => rest.split_once('.').map_or(rest, |(_, key)| key),
        None => key,
    };
    CODEX_KEYS
        .iter()
        .any(|known| key == *known || key.strip_prefix(known).is_some_and(|r| r.starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::is_codex_key;

    #[test]
    fn codex_keys_tables_and_profile_keys_are_known() {
        for key in [
            "file_opener",
            "tui",
            "tui.notifications",
            "projects./home/me/repo.trust_level",
            "features.web_search_request",
            "profiles.work.check_for_update_on_startup",
        ] {
            assert!(is_codex_key(key), "{key}");
        }
    }

    #[test]
    fn made_up_keys_and_near_misses_are_not() {
        for key in [
            "modle",
            "tuition",
            "features_x",
            "profiles.work.modle",
            "file_openers",
        ] {
            assert!(!is_codex_key(key), "{key}");
        }
    }
}
