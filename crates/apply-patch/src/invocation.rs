//! Recognising a patch sent as a command instead of through the `apply_patch` tool.
//!
//! Models regularly run patches through the shell tool: `["apply_patch", PATCH]`, or a heredoc
//! in `["bash", "-lc", "apply_patch <<'EOF'\n...\nEOF"]`, sometimes after `cd dir &&`. Catching
//! these lets the agent verify, approve and apply them like any other patch (with diffs and
//! the patch safety rules) instead of running an arbitrary shell script.

use std::path::{Path, PathBuf};

use crate::apply::{FileChange, verify_patch};
use crate::error::ApplyPatchError;
use crate::parser::{ParseError, Patch, parse_patch};

/// Program names that mean "apply this patch".
const APPLY_PATCH_NAMES: [&str; 2] = ["apply_patch", "applypatch"];

/// A patch found in an argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyPatchArgs {
    /// The patch text as sent.
    pub patch: String,
    /// The parsed patch.
    pub parsed: Patch,
    /// Directory from a leading `cd DIR &&`, as written (relative to the command's cwd).
    pub workdir: Option<PathBuf>,
}

/// What [`maybe_parse_apply_patch`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaybeApplyPatch {
    /// The argv is a patch invocation and the patch parses.
    Body(ApplyPatchArgs),
    /// The argv is a patch invocation but the patch text is malformed.
    PatchParseError(ParseError),
    /// The script starts like a patch invocation but is not one of the recognised forms
    /// (something else follows the heredoc, or the quoting is broken).
    ShellParseError(String),
    /// An ordinary command.
    NotApplyPatch,
}

/// A patch invocation checked against the files it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyPatchAction {
    /// What applying would do, per hunk.
    pub changes: Vec<FileChange>,
    /// The patch text.
    pub patch: String,
    /// Directory the patch applies in (the given cwd, joined with any `cd DIR`).
    pub cwd: PathBuf,
}

/// What [`maybe_parse_apply_patch_verified`] found.
#[derive(Debug)]
pub enum MaybeApplyPatchVerified {
    /// A patch that would apply cleanly.
    Body(ApplyPatchAction),
    /// A patch invocation whose patch is malformed or does not fit the files.
    CorrectnessError(ApplyPatchError),
    /// Looks like a patch invocation but is not a recognised form.
    ShellParseError(String),
    /// An ordinary command.
    NotApplyPatch,
}

/// Recognises `[apply_patch|applypatch, PATCH]` and `[bash|zsh, -lc|-c, SCRIPT]` where the
/// script is `[cd DIR && ]apply_patch <<'EOF'` + patch + `EOF` (any delimiter, quoted or not),
/// or `apply_patch 'PATCH'`.
pub fn maybe_parse_apply_patch(argv: &[String]) -> MaybeApplyPatch {
    match argv {
        [program, patch] if APPLY_PATCH_NAMES.contains(&program.as_str()) => body(patch, None),
        [shell, flag, script] if is_shell(shell) && matches!(flag.as_str(), "-lc" | "-c") => {
            parse_script(script)
        }
        _ => MaybeApplyPatch::NotApplyPatch,
    }
}

/// Like [`maybe_parse_apply_patch`], then verifies the patch against the files under `cwd`
/// (nothing is written).
pub fn maybe_parse_apply_patch_verified(argv: &[String], cwd: &Path) -> MaybeApplyPatchVerified {
    match maybe_parse_apply_patch(argv) {
        MaybeApplyPatch::Body(args) => {
            let cwd = args
                .workdir
                .as_ref()
                .map_or_else(|| cwd.to_owned(), |dir| cwd.join(dir));
            match verify_patch(&args.parsed, &cwd) {
                Ok(changes) => MaybeApplyPatchVerified::Body(ApplyPatchAction {
                    changes,
                    patch: args.patch,
                    cwd,
                }),
                Err(err) => MaybeApplyPatchVerified::CorrectnessError(err),
            }
        }
        MaybeApplyPatch::PatchParseError(err) => {
            MaybeApplyPatchVerified::CorrectnessError(err.into())
        }
        MaybeApplyPatch::ShellParseError(msg) => MaybeApplyPatchVerified::ShellParseError(msg),
        MaybeApplyPatch::NotApplyPatch => MaybeApplyPatchVerified::NotApplyPatch,
    }
}

fn is_shell(program: &str) -> bool {
    let name = Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(program);
    matches!(name, "bash" | "zsh")
}

fn body(patch: &str, workdir: Option<PathBuf>) -> MaybeApplyPatch {
    match parse_patch(patch) {
        Ok(parsed) => MaybeApplyPatch::Body(ApplyPatchArgs {
            patch: patch.to_owned(),
            parsed,
            workdir,
        }),
        Err(err) => MaybeApplyPatch::PatchParseError(err),
    }
}

fn parse_script(script: &str) -> MaybeApplyPatch {
    let script = script.trim();
    let (first_line, rest) = script.split_once('\n').unwrap_or((script, ""));

    // `apply_patch 'PATCH'` with the patch as one (multi-line) quoted word.
    if let Some(words) = shlex::split(script)
        && let [program, patch] = words.as_slice()
        && APPLY_PATCH_NAMES.contains(&program.as_str())
    {
        return body(patch, None);
    }

    let Some(words) = shlex::split(first_line) else {
        return MaybeApplyPatch::NotApplyPatch;
    };
    let (workdir, words) = match words.as_slice() {
        [cd, dir, and, tail @ ..] if cd == "cd" && and == "&&" => (Some(PathBuf::from(dir)), tail),
        _ => (None, words.as_slice()),
    };
    let Some((program, heredoc)) = words.split_first() else {
        return MaybeApplyPatch::NotApplyPatch;
    };
    if !APPLY_PATCH_NAMES.contains(&program.as_str()) {
        return MaybeApplyPatch::NotApplyPatch;
    }
    let delimiter = match heredoc {
        [op, word] if op == "<<" => word.as_str(),
        [op] if op.len() > 2 && op.starts_with("<<") && !op.starts_with("<<<") => &op[2..],
        _ => {
            return MaybeApplyPatch::ShellParseError(format!(
                "expected `{program} <<'EOF'` followed by the patch and a line `EOF`, \
                 found `{first_line}`"
            ));
        }
    };
    if delimiter.starts_with('-') || delimiter.is_empty() {
        return MaybeApplyPatch::ShellParseError(format!(
            "unsupported heredoc form in `{first_line}`; use `<<'EOF'`"
        ));
    }

    let mut patch_lines = Vec::new();
    let mut lines = rest.lines();
    for line in lines.by_ref() {
        if line == delimiter {
            break;
        }
        patch_lines.push(line);
    }
    if lines.any(|l| !l.trim().is_empty()) {
        return MaybeApplyPatch::ShellParseError(format!(
            "commands follow the `{delimiter}` that ends the patch; send the patch on its own"
        ));
    }
    body(&patch_lines.join("\n"), workdir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const PATCH: &str = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch";

    fn argv(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn expect_body(result: MaybeApplyPatch) -> ApplyPatchArgs {
        match result {
            MaybeApplyPatch::Body(args) => args,
            other => panic!("expected a patch, got {other:?}"),
        }
    }

    #[test]
    fn direct_forms() {
        for name in ["apply_patch", "applypatch"] {
            let args = expect_body(maybe_parse_apply_patch(&argv(&[name, PATCH])));
            assert_eq!(args.parsed.hunks.len(), 1);
            assert_eq!(args.workdir, None);
        }
    }

    #[test]
    fn heredoc_forms() {
        for opener in ["<<'EOF'", "<<EOF", "<<\"EOF\"", "<< 'PATCH'"] {
            let delim = opener
                .trim_start_matches("<<")
                .trim()
                .trim_matches(['\'', '"']);
            let script = format!("apply_patch {opener}\n{PATCH}\n{delim}\n");
            for shell in ["bash", "/bin/zsh"] {
                let args = expect_body(maybe_parse_apply_patch(&argv(&[shell, "-lc", &script])));
                assert_eq!(args.patch, PATCH);
            }
        }
    }

    #[test]
    fn cd_prefix_sets_workdir() {
        let script = format!("cd 'sub dir' && apply_patch <<'EOF'\n{PATCH}\nEOF");
        let args = expect_body(maybe_parse_apply_patch(&argv(&["bash", "-lc", &script])));
        assert_eq!(args.workdir, Some(PathBuf::from("sub dir")));
    }

    #[test]
    fn quoted_patch_argument_in_script() {
        let script = format!("apply_patch '{PATCH}'");
        expect_body(maybe_parse_apply_patch(&argv(&["bash", "-lc", &script])));
    }

    #[test]
    fn other_commands_are_not_patches() {
        for cmd in [
            argv(&["ls", "-l"]),
            argv(&["bash", "-lc", "echo apply_patch"]),
            argv(&["apply_patch"]),
            argv(&["python", "-c", "apply_patch <<'EOF'"]),
        ] {
            assert_eq!(
                maybe_parse_apply_patch(&cmd),
                MaybeApplyPatch::NotApplyPatch,
                "{cmd:?}"
            );
        }
    }

    #[test]
    fn trailing_commands_are_a_shell_error() {
        let script = format!("apply_patch <<'EOF'\n{PATCH}\nEOF\nrm -rf /\n");
        assert!(matches!(
            maybe_parse_apply_patch(&argv(&["bash", "-lc", &script])),
            MaybeApplyPatch::ShellParseError(_)
        ));
        assert!(matches!(
            maybe_parse_apply_patch(&argv(&["bash", "-lc", "apply_patch < file"])),
            MaybeApplyPatch::ShellParseError(_)
        ));
    }

    #[test]
    fn bad_patch_is_a_parse_error() {
        assert!(matches!(
            maybe_parse_apply_patch(&argv(&["apply_patch", "nope"])),
            MaybeApplyPatch::PatchParseError(ParseError::InvalidPatch(_))
        ));
    }

    #[test]
    fn verified_form_joins_workdir_and_checks_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let script = format!("cd sub && apply_patch <<'EOF'\n{PATCH}\nEOF");
        let MaybeApplyPatchVerified::Body(action) =
            maybe_parse_apply_patch_verified(&argv(&["bash", "-lc", &script]), dir.path())
        else {
            panic!("expected a verified patch");
        };
        assert_eq!(action.cwd, dir.path().join("sub"));
        assert_eq!(action.changes[0].path, dir.path().join("sub/a.txt"));

        let update = "*** Begin Patch\n*** Update File: missing.txt\n@@\n-a\n+b\n*** End Patch";
        let result = maybe_parse_apply_patch_verified(&argv(&["apply_patch", update]), dir.path());
        assert!(matches!(
            result,
            MaybeApplyPatchVerified::CorrectnessError(ApplyPatchError::UpdateMissingFile { .. })
        ));
    }
}
