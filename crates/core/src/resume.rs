//! Which earlier session a conversation continues: the one place a front end's "resume" (exec's
//! `resume <id>` and `--last`, the TUI's picker, the MCP server's `codex-reply` after a restart)
//! becomes a rollout file.

use std::path::PathBuf;

use codex_config::Config;
use codex_rollout::SessionFilter;

use crate::CoreError;

/// The session to continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeTarget {
    /// A session name given with `/rename`, else a session id or a unique prefix of one.
    Id(String),
    /// The newest session recorded with the configured provider, in the working directory
    /// (or anywhere, with `all_dirs`).
    Last {
        /// Look beyond the working directory.
        all_dirs: bool,
    },
    /// A rollout file named directly.
    Path(PathBuf),
}

impl ResumeTarget {
    /// The rollout file to continue. `Ok(None)` only for [`ResumeTarget::Last`] when no
    /// session matches; an unknown id is an error that names it.
    pub(crate) fn locate(&self, config: &Config) -> Result<Option<PathBuf>, CoreError> {
        match self {
            Self::Id(id) => {
                // A name the user chose is an explicit intent: it wins over an id prefix
                // that happens to spell the same.
                let id = codex_rollout::find_by_name(&config.codex_home, id)?
                    .unwrap_or_else(|| id.clone());
                Ok(Some(codex_rollout::find_by_id(&config.codex_home, &id)?))
            }
            Self::Path(path) => Ok(Some(path.clone())),
            Self::Last { all_dirs } => {
                let filter = SessionFilter {
                    model_provider: Some(config.model_provider_id.clone()),
                    cwd: (!all_dirs).then(|| config.cwd.clone()),
                    sources: Vec::new(),
                };
                Ok(codex_rollout::find_latest(&config.codex_home, &filter)?.map(|s| s.path))
            }
        }
    }
}
