//! A program under a real terminal: tmux, detached, on a private server socket. The harness
//! every TUI end-to-end test shares.
//!
//! ```no_run
//! use std::time::Duration;
//! use codex_test_support::tmux::Tmux;
//! let term = Tmux::builder("/path/to/codex-tui")
//!     .size(100, 30)
//!     .env("CODEX_HOME", "/tmp/home")
//!     .start();
//! term.wait_for("›", Duration::from_secs(10));
//! term.send_text("hello");
//! term.send_keys(&["Enter"]);
//! let everything = term.wait_for("answer", Duration::from_secs(10));
//! # drop(everything);
//! ```
//!
//! Each terminal has its own tmux server (`tmux -L <unique name>`, no user config) with our
//! settings (no status bar, so the pane is the whole window; a long scrollback; panes stay
//! after their program exits, so its exit status can be read). Dropping the handle kills the
//! server. Needs `tmux` on PATH (scripts/install-test-deps.sh installs it).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often waits look at the screen.
const POLL: Duration = Duration::from_millis(25);

/// Settings of a terminal to start.
#[must_use]
pub struct TmuxBuilder {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
    cwd: Option<PathBuf>,
    width: u16,
    height: u16,
}

impl TmuxBuilder {
    /// An argument for the program.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Arguments for the program.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// An environment variable for the program (on top of the test's environment).
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.to_owned(), value.as_ref().to_owned()));
        self
    }

    /// `HOME` for the program (keeps it away from the real home's files).
    pub fn home(self, home: impl AsRef<Path>) -> Self {
        self.env("HOME", home.as_ref())
    }

    /// The working directory.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Columns and rows (default 100×30).
    pub fn size(mut self, width: u16, height: u16) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Starts the program in a new detached terminal.
    pub fn start(self) -> Tmux {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let socket = format!(
            "codex-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut cmd = Command::new("tmux");
        // Our settings, not the user's ~/.tmux.conf; set before the session so the pane gets
        // the long history, and given as commands (some options in a `-f` file stop tmux 3.3
        // from starting).
        cmd.arg("-L")
            .arg(&socket)
            .args(["-f", "/dev/null", "start-server"]);
        for option in [
            ["-g", "history-limit", "100000"],
            ["-g", "remain-on-exit", "on"],
            ["-g", "status", "off"],
            ["-s", "escape-time", "0"],
            ["-g", "default-terminal", "xterm-256color"],
        ] {
            cmd.arg(";").arg("set-option").args(option);
        }
        cmd.args([";", "new-session", "-d", "-s", "main"]);
        cmd.arg("-x").arg(self.width.to_string());
        cmd.arg("-y").arg(self.height.to_string());
        if let Some(dir) = &self.cwd {
            cmd.arg("-c").arg(dir);
        }
        for (key, value) in &self.env {
            let mut pair = OsString::from(key);
            pair.push("=");
            pair.push(value);
            cmd.arg("-e").arg(pair);
        }
        cmd.arg(&self.program).args(&self.args);
        let output = run(&mut cmd);
        assert!(
            output.status.success(),
            "tmux could not start {}: {}",
            self.program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        Tmux {
            socket,
            program: self.program,
        }
    }
}

/// A running terminal; dropping it kills its tmux server.
pub struct Tmux {
    socket: String,
    program: PathBuf,
}

impl Tmux {
    /// Settings for a terminal that will run `program`.
    pub fn builder(program: impl AsRef<Path>) -> TmuxBuilder {
        TmuxBuilder {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
            width: 100,
            height: 30,
        }
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-L").arg(&self.socket);
        cmd
    }

    fn checked(&self, args: &[&str]) -> String {
        let mut cmd = self.tmux();
        cmd.args(args);
        let output = run(&mut cmd);
        assert!(
            output.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Presses keys, by tmux name: `Enter`, `Escape`, `C-c`, `C-j`, `Up`, `BSpace`, `y`.
    pub fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.checked(&args);
    }

    /// Types text literally (no key names).
    pub fn send_text(&self, text: &str) {
        self.checked(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Pastes text as the terminal would (bracketed when the program asked for it).
    pub fn paste(&self, text: &str) {
        self.checked(&["set-buffer", "-b", "test-paste", "--", text]);
        self.checked(&["paste-buffer", "-p", "-d", "-b", "test-paste", "-t", "main"]);
    }

    /// What the screen shows now (trailing spaces trimmed).
    pub fn screen(&self) -> String {
        self.checked(&["capture-pane", "-p", "-t", "main"])
    }

    /// The scrollback and the screen, oldest line first.
    pub fn everything(&self) -> String {
        self.checked(&["capture-pane", "-p", "-t", "main", "-S", "-", "-E", "-"])
    }

    /// Waits until `text` is on the screen or in the scrollback; returns everything. Panics
    /// after `timeout` with what the terminal showed.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait_until(timeout, &format!("`{text}` to appear"), |all| {
            all.contains(text)
        })
    }

    /// Waits until `check` holds for the scrollback and screen; returns them. Panics after
    /// `timeout` with what the terminal showed and whether the program is still running.
    pub fn wait_until(
        &self,
        timeout: Duration,
        what: &str,
        mut check: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.everything();
            if check(&all) {
                return all;
            }
            if Instant::now() >= deadline {
                let state = match self.exit_status() {
                    Some(code) => format!("exited with status {code}"),
                    None => "still running".to_owned(),
                };
                panic!(
                    "waited {timeout:?} for {what}; {} is {state}. The terminal (scrollback, then screen):\n\
                     ----------------------------------------\n{all}\n----------------------------------------",
                    self.program.display()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    pub fn resize(&self, width: u16, height: u16) {
        self.checked(&[
            "resize-window",
            "-t",
            "main",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    /// The program's exit status once it has exited (128 + N when signal N killed it);
    /// `None` while it runs.
    pub fn exit_status(&self) -> Option<i32> {
        let mut cmd = self.tmux();
        cmd.args([
            "display-message",
            "-p",
            "-t",
            "main",
            "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}:#{pane_pid}:#{pid}",
        ]);
        let output = run(&mut cmd);
        let text = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<&str> = text.trim().split(':').collect();
        let [dead, status, signal, pane_pid, server_pid] = fields[..] else {
            return None;
        };
        if dead == "1" {
            if let Ok(code) = status.parse::<i32>() {
                return Some(code);
            }
            if let Ok(signal) = signal.parse::<i32>() {
                return Some(128 + signal);
            }
        }
        // Exited but not reaped: tmux may have lost the SIGCHLD (see `nudge_reaper`); the
        // next look has the status.
        if let (Ok(pane_pid), Ok(server_pid)) = (pane_pid.parse::<u32>(), server_pid.parse::<u32>())
            && is_unreaped_child_of(pane_pid, server_pid)
        {
            nudge_reaper(server_pid);
        }
        None
    }

    /// Waits for the program to exit; its status. Panics after `timeout` with the screen.
    pub fn wait_exit(&self, timeout: Duration) -> i32 {
        let mut status = None;
        self.wait_until(timeout, "the program to exit", |_| {
            status = self.exit_status();
            status.is_some()
        });
        status.unwrap_or(-1)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

/// Whether process `pid` has exited and waits for `parent` to reap it.
fn is_unreaped_child_of(pid: u32, parent: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| state_and_parent(&stat).map(|(state, ppid)| (state == "Z", ppid)))
        .is_some_and(|(zombie, ppid)| zombie && ppid == parent)
}

/// The state and parent pid from a `/proc/<pid>/stat` line: `pid (comm) state ppid ...`,
/// where the command name may itself hold spaces and parentheses.
fn state_and_parent(stat: &str) -> Option<(&str, u32)> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Sends SIGCHLD to the tmux server. tmux built with libutempter can lose the SIGCHLD of a
/// pane's program: when the program exits, closing the pane runs utempter, which swaps in its
/// own SIGCHLD handler for a moment, and a signal that lands then never reaches tmux
/// (tmux/tmux#311, #4559). The program is left a zombie and tmux never learns its status
/// until something else makes it call waitpid again.
fn nudge_reaper(server_pid: u32) {
    let Ok(pid) = libc::pid_t::try_from(server_pid) else {
        return;
    };
    // SAFETY: kill takes plain integers. SIGCHLD is ignored unless handled, and a handler
    // only looks for children to reap, so the signal harms no process it reaches.
    unsafe {
        libc::kill(pid, libc::SIGCHLD);
    }
}

fn run(cmd: &mut Command) -> Output {
    match cmd.output() {
        Ok(output) => output,
        Err(e) => panic!(
            "cannot run tmux (is it installed? scripts/install-test-deps.sh installs it): {e}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::state_and_parent;

    #[test]
    fn stat_lines_are_read_past_a_command_name_with_parentheses() {
        assert_eq!(
            state_and_parent("4242 (codex-tui) Z 4241 4242 4242 0 -1"),
            Some(("Z", 4241))
        );
        assert_eq!(state_and_parent("7 (a) Z (b) S 1 7 7 0 -1"), Some(("S", 1)));
        assert_eq!(state_and_parent("garbage"), None);
    }
}
