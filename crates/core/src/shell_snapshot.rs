//! The shell snapshot: the user's bash login environment, read once per session, so that the
//! `["bash", "-lc", CMD]` commands models send do not read the profile (and its version
//! managers, often ~100 ms) again on every call.
//!
//! At session start a background task runs `bash -lc` with a script that prints, after a
//! marker, what the profile left behind: variables (`declare -p`, read-only and per-process
//! ones left out), functions, `set -o` and `shopt` options, and aliases. It runs as a command
//! would (same environment, under the sandbox helper), read-only, so the snapshot holds
//! nothing a command could not have seen and the profile writes nothing. The output is written by the agent to
//! `$CODEX_HOME/shell_snapshots/<session>.sh`, created new with mode 0600 (a profile may
//! export secrets), and removed when the session ends.
//!
//! A `bash -lc CMD` call then runs as `bash -c CMD` with `BASH_ENV` naming the snapshot: bash
//! sources it before CMD (aliases included, since CMD is parsed afterwards), and the snapshot's
//! last line unsets `BASH_ENV`, so scripts CMD starts do not source it again. When the capture
//! failed (the profile exits, hangs past [`CAPTURE_TIMEOUT`], prints too much) or is still
//! running, the command runs as sent: the plain login shell.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::exec::{ExecParams, SandboxLaunch};

/// How long the profile may take to load before the capture is given up.
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(10);

/// The directory under CODEX_HOME that holds snapshots.
const DIR: &str = "shell_snapshots";

/// Variables that belong to one bash process, or that bash does not let a script set: never
/// carried from the capture to a command. `CODEX_SANDBOX*` describe the capture's own
/// confinement, not the command's.
const SKIPPED_VARIABLES: &str = " BASHOPTS BASHPID BASH_ALIASES BASH_ARGC BASH_ARGV BASH_ARGV0 BASH_CMDS BASH_COMMAND BASH_ENV BASH_EXECUTION_STRING BASH_LINENO BASH_LOADABLES_PATH BASH_REMATCH BASH_SOURCE BASH_SUBSHELL BASH_VERSINFO BASH_VERSION CODEX_SANDBOX CODEX_SANDBOX_NETWORK_DISABLED COLUMNS COMP_WORDBREAKS DIRSTACK EPOCHREALTIME EPOCHSECONDS EUID FUNCNAME GROUPS HISTCMD LINENO LINES OLDPWD OPTERR OPTIND PIPESTATUS PPID PWD RANDOM SECONDS SHELLOPTS SHLVL SRANDOM UID _ ";

/// Whether `config` wants a snapshot: on unless `[features] shell_snapshot = false`, and off
/// when `[sandbox] deny_read` hides CODEX_HOME from commands (they could not read it).
pub(crate) fn wanted(config: &codex_config::Config) -> bool {
    let dir = config.codex_home.join(DIR);
    config.features.get("shell_snapshot") != Some(&false)
        && !config
            .sandbox_deny_read
            .iter()
            .any(|denied| dir.starts_with(denied))
}

/// How the capture is confined: as commands are, but read-only. The profile has nothing to
/// write, and a capture cut short when the session ends (the agent kills it) must not leave
/// behind what a writable sandbox sets up in its roots.
pub(crate) fn capture_launch(launch: SandboxLaunch) -> SandboxLaunch {
    match launch {
        SandboxLaunch::Linux {
            exe,
            policy_cwd,
            deny_read,
            ..
        } => SandboxLaunch::Linux {
            exe,
            policy: codex_protocol::SandboxPolicy::ReadOnly,
            policy_cwd,
            deny_read,
        },
        SandboxLaunch::None => SandboxLaunch::None,
    }
}

/// Where a capture stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Running,
    Ready,
    Failed,
}

/// One session's snapshot. Dropping it removes the file.
#[derive(Debug)]
pub(crate) struct ShellSnapshot {
    path: PathBuf,
    state: watch::Receiver<State>,
}

impl ShellSnapshot {
    /// Starts capturing in the background (needs a Tokio runtime).
    pub(crate) fn start(
        codex_home: &Path,
        session_id: &str,
        cwd: &Path,
        env: BTreeMap<String, String>,
        launch: SandboxLaunch,
    ) -> Arc<Self> {
        let path = codex_home.join(DIR).join(format!("{session_id}.sh"));
        let (tx, state) = watch::channel(State::Running);
        let task_path = path.clone();
        let cwd = cwd.to_owned();
        tokio::spawn(async move {
            let outcome = capture(&task_path, &cwd, env, &launch).await;
            if let Err(problem) = &outcome {
                tracing::debug!("shell snapshot not taken, commands read the profile: {problem}");
            }
            let state = if outcome.is_ok() {
                State::Ready
            } else {
                State::Failed
            };
            // Nobody is left to use it (the session ended meanwhile): do not leave it behind.
            if tx.send(state).is_err() {
                let _ = std::fs::remove_file(&task_path);
            }
        });
        Arc::new(Self { path, state })
    }

    /// The snapshot file, when the capture has succeeded. A command that comes while it is
    /// still running does not wait: the capture is itself a login shell, so waiting for it
    /// costs more than the command's own login shell (measured: +30 ms on a one-call turn
    /// under a 100 ms profile).
    pub(crate) fn ready(&self) -> Option<&Path> {
        (*self.state.borrow() == State::Ready).then_some(self.path.as_path())
    }
}

impl Drop for ShellSnapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether `command` is `["bash", "-lc", CMD, ...]`, the form a snapshot serves.
pub(crate) fn is_bash_login(command: &[String]) -> bool {
    matches!(command, [shell, flag, _, ..]
        if matches!(shell.as_str(), "bash" | "/bin/bash" | "/usr/bin/bash") && flag == "-lc")
}

/// `["bash", "-lc", CMD, ...]` as `["bash", "-c", CMD, ...]` with `BASH_ENV` set to the
/// snapshot; `None` for any other command, which runs as sent.
pub(crate) fn rewrite(
    command: &[String],
    snapshot: &Path,
) -> Option<(Vec<String>, (String, String))> {
    if !is_bash_login(command) {
        return None;
    }
    let [shell, _, rest @ ..] = command else {
        return None;
    };
    let mut argv = vec![shell.clone(), "-c".to_owned()];
    argv.extend(rest.iter().cloned());
    Some((
        argv,
        (
            "BASH_ENV".to_owned(),
            snapshot.to_string_lossy().into_owned(),
        ),
    ))
}

/// Runs the profile once and writes what it left behind to `path`.
async fn capture(
    path: &Path,
    cwd: &Path,
    env: BTreeMap<String, String>,
    launch: &SandboxLaunch,
) -> Result<(), String> {
    let marker = format!(
        "__codex_shell_snapshot_{:016x}__",
        rand_u64().ok_or("no random marker")?
    );
    let script = capture_script(&marker);
    let params = ExecParams {
        command: vec!["bash".to_owned(), "-lc".to_owned(), script],
        cwd: cwd.to_owned(),
        timeout: CAPTURE_TIMEOUT,
        env,
    };
    let out = crate::exec::run(params, launch, &CancellationToken::new())
        .await
        .map_err(|e| e.to_string())?;
    if out.timed_out || out.exit_code != 0 {
        return Err(format!(
            "the login shell exited with {} before the snapshot was taken",
            out.exit_code
        ));
    }
    // Whatever the profile printed comes before the marker; a truncated dump has no last line.
    let body = out
        .stdout
        .split_once(&format!("{marker}\n"))
        .map(|(_, body)| body)
        .ok_or("the login shell never reached the snapshot script")?;
    if !body.ends_with("unset BASH_ENV\n") {
        return Err("the snapshot was cut short".to_owned());
    }
    write_private(path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The script run after the profile: a marker, then commands that recreate its state.
fn capture_script(marker: &str) -> String {
    format!(
        r#"printf '%s\n' '{marker}'
__codex_skip='{SKIPPED_VARIABLES}'
for __codex_n in $(compgen -v); do
  case "$__codex_skip" in *" $__codex_n "*) continue ;; esac
  case "$__codex_n" in __codex_*) continue ;; esac
  case "${{!__codex_n@a}}" in *r*) continue ;; esac
  declare -p "$__codex_n"
done
declare -f
set +o
shopt -p | while IFS= read -r __codex_line; do
  case "$__codex_line" in *' login_shell') ;; *) printf '%s\n' "$__codex_line" ;; esac
done
alias -p
printf '%s\n' 'unset BASH_ENV'
"#
    )
}

/// Creates `path` (and its directory, 0700) new, mode 0600, never through a symlink.
fn write_private(path: &Path, body: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(body.as_bytes())?;
    file.sync_data()
}

fn rand_u64() -> Option<u64> {
    let mut bytes = [0u8; 8];
    // SAFETY: getrandom writes at most `bytes.len()` bytes into the buffer it is given.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    (usize::try_from(n).ok() == Some(bytes.len())).then(|| u64::from_ne_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bash_login_commands_are_rewritten() {
        let snap = Path::new("/s.sh");
        let argv = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (cmd, env) = rewrite(&argv(&["bash", "-lc", "ls"]), snap).unwrap();
        assert_eq!(cmd, argv(&["bash", "-c", "ls"]));
        assert_eq!(env, ("BASH_ENV".to_owned(), "/s.sh".to_owned()));
        assert!(rewrite(&argv(&["bash", "-c", "ls"]), snap).is_none());
        assert!(rewrite(&argv(&["zsh", "-lc", "ls"]), snap).is_none());
        assert!(rewrite(&argv(&["bash", "-lc"]), snap).is_none());
        assert!(rewrite(&argv(&["ls"]), snap).is_none());
    }

    #[test]
    fn the_file_is_private_and_never_replaced() {
        use std::os::unix::fs::PermissionsExt as _;
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(DIR).join("s.sh");
        write_private(&path, "x=1\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        assert!(write_private(&path, "y=2\n").is_err());
    }
}
