//! Codex's `apply_patch` format: parse, verify and apply multi-file patches.
//!
//! Models edit files by sending a patch in a small, line-oriented grammar
//! (`*** Begin Patch` / `*** Add File:` / `*** Update File:` / `*** Delete File:` /
//! `*** End Patch`) rather than unified diffs: it needs no line numbers, so it survives the
//! small drift between what the model saw and what is on disk. This crate is the one place the
//! grammar lives:
//!
//! - [`parse_patch`] turns text into a [`Patch`] of [`Hunk`]s (lenient: padded markers and a
//!   leftover heredoc wrapper are accepted), with [`ParseError`]s that carry line numbers.
//! - [`verify_patch`] computes the [`FileChange`]s (with unified diffs) without writing;
//!   [`affected_paths`] lists the files touched as written; [`write_targets`] lists where the
//!   writes really land (symlinks resolved, dangling ones too), for the approval and sandbox
//!   checks. Writes open that resolved path with `O_NOFOLLOW`, so a symlink is never written
//!   through.
//! - [`apply_patch`] writes the changes and returns [`AppliedChanges`] with Codex's
//!   `Success. Updated the following files:` summary; failures are [`ApplyPatchError`]s.
//! - [`maybe_parse_apply_patch`] recognises a patch smuggled through the shell tool
//!   (`["apply_patch", PATCH]`, `bash -lc "apply_patch <<'EOF' ..."`).
//! - [`run_cli`] is the `apply_patch` command-line entry point.
//!
//! Matching of old lines is tolerant ([`seek_sequence`]): exact first, then ignoring trailing
//! whitespace, then surrounding whitespace, then typographic punctuation.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("hello.txt"), "hello\nworld\n")?;
//! let patch = "*** Begin Patch\n*** Update File: hello.txt\n@@\n hello\n-world\n+there\n*** End Patch";
//! let applied = codex_apply_patch::apply_patch(patch, dir.path())?;
//! assert_eq!(applied.summary, "Success. Updated the following files:\nM hello.txt\n");
//! assert_eq!(std::fs::read_to_string(dir.path().join("hello.txt"))?, "hello\nthere\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod apply;
mod cli;
mod error;
mod invocation;
mod parser;
mod paths;
mod resolve;
mod seek;

pub use apply::{
    AppliedChanges, ChangeKind, FileChange, apply_parsed_patch, apply_patch, summary, verify_patch,
};
pub use cli::{run_cli, run_cli_with};
pub use error::ApplyPatchError;
pub use invocation::{
    ApplyPatchAction, ApplyPatchArgs, MaybeApplyPatch, MaybeApplyPatchVerified,
    maybe_parse_apply_patch, maybe_parse_apply_patch_verified,
};
pub use parser::{Hunk, ParseError, Patch, UpdateChunk, parse_patch};
pub use paths::{affected_paths, normalize_lexically};
pub use resolve::{resolve_for_write, write_targets};
pub use seek::seek_sequence;
