//! Runs every scenario under `tests/fixtures/scenarios/NNN_name/`:
//!
//! - `input/`: the tree before (copied to a fresh temp dir),
//! - `patch.txt`: the patch, applied through the `apply_patch` command-line entry point,
//! - `expected/`: the tree after (compared file by file, `.gitkeep` ignored),
//! - `expected_error.txt`: present for rejections: the exact stderr, exit code 1,
//! - `expected_summary.txt`: optional: the exact stdout of a success, exit code 0.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use codex_apply_patch::ChangeKind::{Add, Delete, Update};
use pretty_assertions::assert_eq;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

/// Relative path -> bytes for every file under `root`, ignoring `.gitkeep` placeholders.
fn snapshot(root: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != ".gitkeep") {
                out.insert(path.strip_prefix(root)?.to_path_buf(), fs::read(&path)?);
            }
        }
    }
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for (rel, bytes) in snapshot(from)? {
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(dest, bytes)?;
    }
    Ok(())
}

fn run_scenario(dir: &Path) -> Result<()> {
    let work = tempfile::tempdir()?;
    copy_tree(&dir.join("input"), work.path())?;
    let patch = fs::read_to_string(dir.join("patch.txt"))?;

    let args = [OsString::from("apply_patch"), OsString::from(patch)];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = codex_apply_patch::run_cli_with(
        &args,
        &mut &b""[..],
        work.path(),
        &mut stdout,
        &mut stderr,
    );
    let stdout = String::from_utf8(stdout)?;
    let stderr = String::from_utf8(stderr)?;

    if let Ok(expected_err) = fs::read_to_string(dir.join("expected_error.txt")) {
        assert_eq!(stderr, expected_err, "stderr of {}", dir.display());
        assert_eq!(
            (code, stdout.as_str()),
            (1, ""),
            "rejection of {}",
            dir.display()
        );
    } else {
        assert_eq!(
            (code, stderr.as_str()),
            (0, ""),
            "success of {}",
            dir.display()
        );
        if let Ok(summary) = fs::read_to_string(dir.join("expected_summary.txt")) {
            assert_eq!(stdout, summary, "summary of {}", dir.display());
        }
    }

    let actual = snapshot(work.path())?;
    let expected = snapshot(&dir.join("expected"))?;
    let show = |m: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, String> {
        m.iter()
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect()
    };
    assert_eq!(
        show(&actual),
        show(&expected),
        "tree after {}",
        dir.display()
    );
    Ok(())
}

#[test]
fn every_scenario_matches_its_expected_tree() -> Result<()> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(scenarios_dir())?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    dirs.sort();
    if dirs.len() < 22 {
        bail!("expected at least 22 scenarios, found {}", dirs.len());
    }
    for dir in &dirs {
        run_scenario(dir).with_context(|| format!("scenario {}", dir.display()))?;
    }
    Ok(())
}

/// The lenient parser and the bash heredoc form meet: a patch sent through the shell tool is
/// recognised, verified without writing, then applied with the same result as a fixture.
#[test]
fn shell_heredoc_patch_verifies_then_applies() -> Result<()> {
    let dir = scenarios_dir().join("002_multiple_operations");
    let work = tempfile::tempdir()?;
    copy_tree(&dir.join("input"), work.path())?;
    let patch = fs::read_to_string(dir.join("patch.txt"))?;
    let script = format!("apply_patch <<'EOF'\n{patch}EOF\n");
    let argv = vec!["bash".to_owned(), "-lc".to_owned(), script];

    let codex_apply_patch::MaybeApplyPatchVerified::Body(action) =
        codex_apply_patch::maybe_parse_apply_patch_verified(&argv, work.path())
    else {
        bail!("heredoc patch was not recognised");
    };
    assert_eq!(
        snapshot(work.path())?,
        snapshot(&dir.join("input"))?,
        "verify wrote files"
    );
    let kinds: Vec<_> = action.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![Add, Delete, Update]);
    assert_eq!(
        action.changes[2].unified_diff.as_deref(),
        Some("@@ -1,3 +1,3 @@\n alpha\n-beta\n+BETA\n gamma\n")
    );

    let applied = codex_apply_patch::apply_patch(&action.patch, &action.cwd)?;
    assert_eq!(applied.changes, action.changes);
    assert_eq!(snapshot(work.path())?, snapshot(&dir.join("expected"))?);
    Ok(())
}
