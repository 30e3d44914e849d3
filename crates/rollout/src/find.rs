//! Finding a session's file by its id or a unique prefix of it (`resume <id>`).
//!
//! Only file names are read: every rollout file's name ends in its session id.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::error::{RolloutError, SessionCandidate};
use crate::paths::{rollout_files, sessions_dir, walk_newest_first};

/// Most candidates an ambiguity error lists.
const MAX_CANDIDATES: usize = 10;

/// The rollout file of the session whose id is `id_or_prefix`, or starts with it (hyphens
/// optional, case ignored). Newest sessions are searched first; files of the early flat layout
/// (`sessions/rollout-YYYY-MM-DD-<uuid>.jsonl`) too.
pub fn find_by_id(codex_home: &Path, id_or_prefix: &str) -> Result<PathBuf, RolloutError> {
    let wanted = id_or_prefix.trim().to_ascii_lowercase();
    let valid = !wanted.is_empty()
        && wanted.len() <= 36
        && wanted.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !valid {
        return Err(RolloutError::InvalidIdPrefix {
            value: id_or_prefix.to_owned(),
        });
    }
    let hyphenated = wanted.contains('-');
    let matches = |id: &Uuid| {
        let mut buf = Uuid::encode_buffer();
        let text: &str = if hyphenated {
            id.hyphenated().encode_lower(&mut buf)
        } else {
            id.simple().encode_lower(&mut buf)
        };
        text.starts_with(&wanted)
    };

    let dir = sessions_dir(codex_home);
    let mut found: Vec<SessionCandidate> = Vec::new();
    let mut total = 0;
    let mut note = |id: Uuid, path: PathBuf| {
        total += 1;
        if found.len() < MAX_CANDIDATES {
            found.push(SessionCandidate {
                id: id.to_string(),
                path,
            });
        }
    };
    walk_newest_first(&dir, None, |file| {
        if matches(&file.id) {
            note(file.id, file.path);
        }
        Ok(ControlFlow::Continue(()))
    })?;
    for file in rollout_files(&dir)? {
        if matches(&file.id) {
            note(file.id, file.path);
        }
    }

    let Some(first) = found.first() else {
        return Err(RolloutError::NotFound {
            id: id_or_prefix.to_owned(),
            sessions_dir: dir,
        });
    };
    // Copies of one session (same id in two files) are not an ambiguity: take the newest.
    if found.iter().all(|candidate| candidate.id == first.id) {
        return Ok(first.path.clone());
    }
    Err(RolloutError::Ambiguous {
        prefix: id_or_prefix.to_owned(),
        total,
        candidates: found,
    })
}
