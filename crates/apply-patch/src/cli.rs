//! The `apply_patch` command line: `apply_patch 'PATCH'` or `... | apply_patch`.
//!
//! Exit codes: 0 applied, 1 the patch was rejected (some hunks may already be applied; the
//! error says which failed), 2 usage error (no patch, too many arguments, unreadable input).

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::Path;

use crate::apply::apply_patch;

const USAGE: &str = "usage: apply_patch 'PATCH'\n       \
                     apply_patch < patch.txt\n\n\
                     Applies a patch in the '*** Begin Patch' format to files under the current \
                     directory.\n";

/// Runs the command line with the process's stdin and current directory. `args` includes the
/// program name. Returns the exit code.
pub fn run_cli<I, S>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(err) => {
            let _ = writeln!(
                stderr,
                "apply_patch: cannot determine the current directory: {err}"
            );
            return 2;
        }
    };
    run_cli_with(&args, &mut io::stdin().lock(), &cwd, stdout, stderr)
}

/// [`run_cli`] with explicit stdin and working directory (for embedding and tests).
pub fn run_cli_with(
    args: &[OsString],
    stdin: &mut dyn Read,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    let patch = match args {
        [] | [_] => {
            let mut text = String::new();
            if let Err(err) = stdin.read_to_string(&mut text) {
                let _ = writeln!(
                    stderr,
                    "apply_patch: cannot read the patch from stdin: {err}"
                );
                return 2;
            }
            if text.trim().is_empty() {
                let _ = write!(stderr, "apply_patch: no patch given\n{USAGE}");
                return 2;
            }
            text
        }
        [_, flag] if flag == "-h" || flag == "--help" => {
            let _ = stdout.write_all(USAGE.as_bytes());
            return 0;
        }
        [_, patch] => {
            let Some(text) = patch.to_str() else {
                let _ = writeln!(stderr, "apply_patch: the patch argument is not valid UTF-8");
                return 2;
            };
            text.to_owned()
        }
        _ => {
            let _ = write!(
                stderr,
                "apply_patch: expected one argument (the whole patch), got {}; quote the \
                 patch or pipe it on stdin\n{USAGE}",
                args.len() - 1
            );
            return 2;
        }
    };

    match apply_patch(&patch, cwd) {
        Ok(applied) => {
            let _ = stdout.write_all(applied.summary.as_bytes());
            let _ = stdout.flush();
            0
        }
        Err(err) => {
            let _ = writeln!(stderr, "{err}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], stdin: &str, cwd: &Path) -> (i32, String, String) {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_cli_with(&args, &mut stdin.as_bytes(), cwd, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn patch_from_argument_and_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let patch = "*** Begin Patch\n*** Add File: x.txt\n+1\n*** End Patch\n";
        let (code, out, err) = run(&["apply_patch", patch], "", dir.path());
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, "Success. Updated the following files:\nA x.txt\n", "")
        );

        let patch = "*** Begin Patch\n*** Delete File: x.txt\n*** End Patch\n";
        let (code, out, _) = run(&["apply_patch"], patch, dir.path());
        assert_eq!(
            (code, out.as_str()),
            (0, "Success. Updated the following files:\nD x.txt\n")
        );
        assert!(!dir.path().join("x.txt").exists());
    }

    #[test]
    fn usage_errors_exit_2() {
        let dir = tempfile::tempdir().unwrap();
        let (code, _, err) = run(&["apply_patch"], "  \n", dir.path());
        assert_eq!(code, 2);
        assert!(err.contains("no patch given"), "{err}");
        let (code, _, err) = run(&["apply_patch", "a", "b"], "", dir.path());
        assert_eq!(code, 2);
        assert!(err.contains("got 2"), "{err}");
        let (code, out, _) = run(&["apply_patch", "--help"], "", dir.path());
        assert_eq!(code, 0);
        assert!(out.starts_with("usage:"));
    }

    #[test]
    fn rejected_patch_exits_1_with_error_on_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let patch = "*** Begin Patch\n*** Delete File: nope.txt\n*** End Patch";
        let (code, out, err) = run(&["apply_patch", patch], "", dir.path());
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", "cannot delete nope.txt: no such file\n")
        );
    }
}
