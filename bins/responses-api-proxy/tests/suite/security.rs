//! The hardening, checked from the outside: the proxy runs as an unprivileged user, and that same
//! user can neither read its memory or environment nor attach to it. Each check has a control
//! (an ordinary process of the same user) so that a pass means the hardening did it.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};

use super::client::post;
use super::harness::{KEY, NOBODY, Proxy, as_nobody, can_switch_users};
use super::upstream::{Upstream, dead_url};

/// Runs `sh -c script` as nobody; true when it exits 0.
fn nobody_sh(script: &str) -> bool {
    Command::new("setpriv")
        .args(as_nobody())
        .args(["sh", "-c", script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// An ordinary long-running process of nobody, for the controls.
struct Control(Child);

impl Control {
    fn start() -> Control {
        let child = Command::new("setpriv")
            .args(as_nobody())
            .args(["sleep", "30"])
            .env("CONTROL_MARKER", "1")
            .spawn()
            .unwrap();
        // Let setpriv exec sleep, so the pid is sleep's.
        std::thread::sleep(std::time::Duration::from_millis(100));
        Control(child)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Tries `ptrace(PTRACE_ATTACH, pid)` as nobody; returns the errno, or 0 when the attach worked.
fn ptrace_attach_as_nobody(pid: u32) -> i32 {
    const ATTACHED: i32 = libc::EUCLEAN; // Any errno that ptrace itself never returns.
    let mut command = Command::new("true");
    command.uid(NOBODY).gid(NOBODY);
    // SAFETY: the closure runs in the forked child before exec and only makes raw syscalls
    // (ptrace, waitpid) that are async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let pid = pid as libc::pid_t;
            if libc::ptrace(libc::PTRACE_ATTACH, pid, 0, 0) == 0 {
                let mut status = 0;
                libc::waitpid(pid, &raw mut status, libc::__WALL);
                libc::ptrace(libc::PTRACE_DETACH, pid, 0, 0);
                return Err(std::io::Error::from_raw_os_error(ATTACHED));
            }
            Err(std::io::Error::last_os_error())
        });
    }
    let err = command.spawn().expect_err("the pre-exec hook always fails");
    match err.raw_os_error() {
        Some(ATTACHED) => 0,
        Some(errno) => errno,
        None => panic!("unexpected error {err}"),
    }
}

#[test]
fn an_unprivileged_proxy_works_and_its_user_cannot_look_inside() {
    if !can_switch_users() {
        return;
    }
    let upstream = Upstream::json_ok();
    let proxy = Proxy::builder(&upstream.url()).unprivileged().start();
    let control = Control::start();

    let uid_line = std::fs::read_to_string(format!("/proc/{}/status", proxy.pid))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .unwrap()
        .to_owned();
    assert!(
        uid_line.split_whitespace().skip(1).all(|id| id == "65534"),
        "{uid_line}"
    );
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert_eq!(
        upstream.requests()[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );

    for file in ["environ", "mem"] {
        let script = |pid: u32| format!("exec 3< /proc/{pid}/{file}");
        assert!(
            nobody_sh(&script(control.pid())),
            "control: nobody cannot open its own {file}"
        );
        assert!(
            !nobody_sh(&script(proxy.pid)),
            "nobody could open the proxy's /proc/pid/{file}"
        );
    }
    assert!(!nobody_sh(&format!("cat /proc/{}/environ", proxy.pid)));

    assert_eq!(
        ptrace_attach_as_nobody(control.pid()),
        0,
        "control: attach should work"
    );
    assert_eq!(ptrace_attach_as_nobody(proxy.pid), libc::EPERM);
    proxy.assert_key_not_printed();
}

#[test]
fn core_dumps_are_off() {
    let proxy = Proxy::start(&dead_url());
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", proxy.pid)).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

#[test]
fn the_key_never_reaches_stdout_or_stderr() {
    let upstream = Upstream::json_ok();
    let proxy = Proxy::start(&upstream.url());
    let dead = Proxy::start(&dead_url());
    assert_eq!(post(proxy.port, &[]).status, 200);
    assert_eq!(post(dead.port, &[]).status, 502);
    assert_eq!(
        super::client::send(proxy.port, "GET", "/x", &[], b"").status,
        403
    );
    dead.wait_for_stderr("forwarding error");
    proxy.assert_key_not_printed();
    dead.assert_key_not_printed();
}
