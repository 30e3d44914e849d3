//! `[tui]`: settings of the terminal UI, as Codex documents them.
//!
//! ```toml
//! [tui]
//! notifications = true            # or ["agent-turn-complete", "approval-requested"]
//! animations = false              # still spinners, fewer redraws
//! ```

use serde::Deserialize;

/// The `[tui]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TuiToml {
    /// Desktop notifications: all, none, or the named kinds.
    pub notifications: Option<Notifications>,
    /// Moving spinners (default true).
    pub animations: Option<bool>,
}

/// `notifications = true` or a list of kinds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Notifications {
    /// Every kind, or none.
    All(bool),
    /// Only these kinds (`agent-turn-complete`, `approval-requested`).
    Only(Vec<String>),
}

/// The terminal UI's resolved settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TuiSettings {
    /// Notify (OSC 9) when a turn completes.
    pub notify_turn_complete: bool,
    /// Notify (OSC 9) when the agent asks for approval.
    pub notify_approval: bool,
    /// Moving spinners.
    pub animations: bool,
}

impl Default for TuiSettings {
    fn default() -> Self {
        Self {
            notify_turn_complete: false,
            notify_approval: false,
            animations: true,
        }
    }
}

impl TuiSettings {
    /// Defaults with the file's `[tui]` on top.
    pub fn resolve(toml: Option<&TuiToml>) -> Self {
        let Some(toml) = toml else {
            return Self::default();
        };
        let (turn, approval) = match &toml.notifications {
            None => (false, false),
            Some(Notifications::All(on)) => (*on, *on),
            Some(Notifications::Only(kinds)) => (
                kinds.iter().any(|k| k == "agent-turn-complete"),
                kinds.iter().any(|k| k == "approval-requested"),
            ),
        };
        Self {
            notify_turn_complete: turn,
            notify_approval: approval,
            animations: toml.animations.unwrap_or(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TuiSettings {
        let toml: TuiToml = toml::from_str(text).unwrap();
        TuiSettings::resolve(Some(&toml))
    }

    #[test]
    fn codex_spellings() {
        assert_eq!(TuiSettings::resolve(None), TuiSettings::default());
        let all = parse("notifications = true\nanimations = false\n");
        assert!(all.notify_turn_complete && all.notify_approval && !all.animations);
        let some = parse("notifications = [\"approval-requested\"]\n");
        assert!(!some.notify_turn_complete && some.notify_approval && some.animations);
    }
}
