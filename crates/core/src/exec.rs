//! Running one command for the agent: sandboxed or not, with a timeout, its own process group,
//! stdin from /dev/null, a prepared environment, and output captured within a cap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codex_protocol::SandboxPolicy;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Timeout when the model does not give one.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Exit code reported for a command killed by its timeout (as `timeout(1)` does).
pub const TIMEOUT_EXIT_CODE: i32 = 124;
/// Bytes kept per stream; the rest is dropped (the model only sees a few KiB anyway).
const OUTPUT_CAP_BYTES: usize = 1024 * 1024;
/// How long to wait for pipes after the process ended (grandchildren may hold them open).
const IO_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// What to run.
#[derive(Debug, Clone)]
pub struct ExecParams {
    /// The argv.
    pub command: Vec<String>,
    /// Where to run it.
    pub cwd: PathBuf,
    /// Kill it after this long.
    pub timeout: Duration,
    /// Its whole environment.
    pub env: BTreeMap<String, String>,
}

/// How to confine it.
#[derive(Debug, Clone)]
pub enum SandboxLaunch {
    /// Run the command directly.
    None,
    /// Run it through the `codex-linux-sandbox` helper.
    Linux {
        /// The helper binary.
        exe: PathBuf,
        /// The policy.
        policy: SandboxPolicy,
        /// The directory writable roots resolve against.
        policy_cwd: PathBuf,
        /// Paths the command may not read.
        deny_read: Vec<PathBuf>,
    },
}

/// What happened.
#[derive(Debug, Clone)]
pub struct ExecOutput {
    /// Exit code; [`TIMEOUT_EXIT_CODE`] on timeout, 128+N when killed by signal N.
    pub exit_code: i32,
    /// Standard output (capped, lossily decoded).
    pub stdout: String,
    /// Standard error (capped, lossily decoded).
    pub stderr: String,
    /// Both, in arrival order.
    pub aggregated: String,
    /// Wall time.
    pub duration: Duration,
    /// Whether the timeout killed it.
    pub timed_out: bool,
    /// Whether an interrupt killed it.
    pub interrupted: bool,
}

/// Errors starting a command. Output of a command that ran is never an error.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The program could not be started (not found, not executable).
    #[error("could not start `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The model sent an empty argv.
    #[error("the command is empty")]
    EmptyCommand,
}

/// Runs a command to completion, timeout or interrupt.
pub async fn run(
    params: ExecParams,
    sandbox: &SandboxLaunch,
    cancel: &CancellationToken,
) -> Result<ExecOutput, ExecError> {
    let Some(program) = params.command.first().cloned() else {
        return Err(ExecError::EmptyCommand);
    };
    let std_command = match sandbox {
        SandboxLaunch::None => {
            let mut c = std::process::Command::new(&program);
            c.args(&params.command[1..]);
            c
        }
        SandboxLaunch::Linux {
            exe,
            policy,
            policy_cwd,
            deny_read,
        } => codex_sandbox::sandboxed_command(exe, policy, policy_cwd, deny_read, &params.command),
    };
    // The command gets exactly `params.env`, plus whatever the sandbox launcher set for the
    // helper (its network flag, say).
    let launcher_env: Vec<(std::ffi::OsString, std::ffi::OsString)> = std_command
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let mut command = tokio::process::Command::from(std_command);
    command
        .current_dir(&params.cwd)
        .env_clear()
        .envs(&params.env)
        .envs(launcher_env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe; this runs in the child between fork and exec and
    // only asks the kernel to SIGTERM the child when the agent dies.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = command.spawn().map_err(|source| ExecError::Spawn {
        program: program.clone(),
        source,
    })?;
    let aggregated = Arc::new(Mutex::new(Vec::new()));
    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let stderr_buf = Arc::new(Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.push(tokio::spawn(read_capped(
            out,
            Arc::clone(&stdout_buf),
            Arc::clone(&aggregated),
        )));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(tokio::spawn(read_capped(
            err,
            Arc::clone(&stderr_buf),
            Arc::clone(&aggregated),
        )));
    }
    let pgid = child.id();

    let (status, timed_out, interrupted) = tokio::select! {
        status = child.wait() => (status.ok(), false, false),
        () = tokio::time::sleep(params.timeout) => { kill_group(pgid); (child.wait().await.ok(), true, false) }
        () = cancel.cancelled() => { kill_group(pgid); (child.wait().await.ok(), false, true) }
    };
    // A background grandchild may keep the pipes open: read what comes within a short grace
    // period, keep what was read, and stop reading.
    let drain = futures::future::join_all(readers.iter_mut());
    if tokio::time::timeout(IO_DRAIN_TIMEOUT, drain).await.is_err() {
        for reader in &readers {
            reader.abort();
        }
    }
    let stdout = String::from_utf8_lossy(&stdout_buf.lock().await).into_owned();
    let stderr = String::from_utf8_lossy(&stderr_buf.lock().await).into_owned();
    let aggregated = String::from_utf8_lossy(&aggregated.lock().await).into_owned();
    let exit_code = if timed_out {
        TIMEOUT_EXIT_CODE
    } else {
        status.map_or(-1, exit_code_of)
    };
    Ok(ExecOutput {
        exit_code,
        stdout,
        stderr,
        aggregated,
        duration: start.elapsed(),
        timed_out,
        interrupted,
    })
}

fn exit_code_of(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// Kills the whole process group, so a shell's children die with it.
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: plain syscall on a process group we created (process_group(0) above).
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

async fn read_capped<R: AsyncRead + Unpin>(
    mut reader: R,
    own: Arc<Mutex<Vec<u8>>>,
    aggregated: Arc<Mutex<Vec<u8>>>,
) {
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                append_capped(&mut *own.lock().await, chunk, OUTPUT_CAP_BYTES);
                append_capped(&mut *aggregated.lock().await, chunk, 2 * OUTPUT_CAP_BYTES);
            }
        }
    }
}

fn append_capped(buffer: &mut Vec<u8>, chunk: &[u8], cap: usize) {
    let room = cap.saturating_sub(buffer.len());
    buffer.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

/// Joins an argv into one shell-quoted string, for display.
pub fn join_command(command: &[String]) -> String {
    shlex::try_join(command.iter().map(String::as_str)).unwrap_or_else(|_| command.join(" "))
}

/// Resolves a working directory the model asked for against the session's cwd.
pub fn resolve_workdir(session_cwd: &Path, requested: Option<&str>) -> PathBuf {
    match requested {
        Some(dir) if !dir.is_empty() => session_cwd.join(dir),
        _ => session_cwd.to_owned(),
    }
}
