//! The `<environment_context>` message: where the agent is and what it may do, sent as a user
//! message at the start of a conversation so the model does not have to guess.

use std::fmt::Write as _;
use std::path::Path;

use codex_protocol::{AskForApproval, SandboxPolicy};

/// How the block opens: also how a history's latest one is found again (see
/// `bootstrap::changed_context`).
pub(crate) const OPENING_TAG: &str = "<environment_context>";

/// Renders the environment context block (Codex's tag names, two-space indentation).
pub fn environment_context(
    cwd: &Path,
    approval: AskForApproval,
    sandbox: &SandboxPolicy,
    writable_roots: &[std::path::PathBuf],
    shell: Option<&str>,
) -> String {
    let mut out = format!("{OPENING_TAG}\n");
    let _ = writeln!(out, "  <cwd>{}</cwd>", cwd.display());
    let _ = writeln!(out, "  <approval_policy>{approval}</approval_policy>");
    let _ = writeln!(out, "  <sandbox_mode>{}</sandbox_mode>", sandbox.mode());
    let network = if sandbox.has_full_network_access() {
        "enabled"
    } else {
        "restricted"
    };
    let _ = writeln!(out, "  <network_access>{network}</network_access>");
    if !writable_roots.is_empty() {
        out.push_str("  <writable_roots>\n");
        for root in writable_roots {
            let _ = writeln!(out, "    <root>{}</root>", root.display());
        }
        out.push_str("  </writable_roots>\n");
    }
    if let Some(shell) = shell {
        let _ = writeln!(out, "  <shell>{shell}</shell>");
    }
    out.push_str("</environment_context>");
    out
}

/// The user's shell name from `$SHELL` (`bash`, `zsh`, ...).
pub fn user_shell() -> Option<String> {
    let shell = std::env::var("SHELL").ok()?;
    Path::new(&shell)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}
