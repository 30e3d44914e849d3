//! The binaries that hold a credential are hardened before `main`: another process of the
//! same user (a sandboxed command, or anything else it left behind) cannot read their
//! environment or memory through `/proc`.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn is_root() -> bool {
    // SAFETY: geteuid only reads this process's credentials.
    unsafe { libc::geteuid() == 0 }
}

/// `program` as the user the test runs as, or as `nobody` when that is root (root may read
/// any process's files, so only an unprivileged reader shows anything).
fn as_reader(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A copy of the binary `nobody` can execute (the target dir may be private). Copied with
/// `cp`, so this multi-threaded test process never holds a writable descriptor on an
/// executable that a sibling test's fork could inherit (executing it would fail with
/// ETXTBSY).
fn runnable(name: &str, dir: &Path) -> PathBuf {
    let copy = dir.join(name);
    let status = Command::new("cp")
        .arg(assert_cmd::cargo::cargo_bin(name))
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success(), "cp {name}");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program args` with a secret in its environment and stdin held open, so it waits.
fn start(program: &Path, args: &[&str], home: &Path) -> Running {
    let stderr = std::fs::File::create(home.join("stderr.txt")).unwrap();
    let mut child = as_reader(program)
        .args(args)
        .env("OPENAI_API_KEY", "sk-test-hardening-secret")
        .env("CODEX_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    // Leave stdin open: the process blocks reading it.
    child.stdin.as_mut().unwrap().write_all(b"").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    Running(child)
}

fn read_environ(pid: u32) -> bool {
    as_reader(Path::new("/bin/cat"))
        .arg(format!("/proc/{pid}/environ"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn credential_holders_hide_their_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();

    // Control: a plain process of the same user is readable.
    let plain = start(Path::new("/bin/cat"), &[], &home);
    // Under load the child may still be switching users when first read: give it time.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !read_environ(plain.0.id()) {
        assert!(
            std::time::Instant::now() < deadline,
            "control: a plain process"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    for (name, args) in [
        ("codex-exec", vec!["-"]),
        ("codex-login", vec!["--with-api-key"]),
    ] {
        let exe = runnable(name, dir.path());
        let mut running = start(&exe, &args, &home);
        if let Some(status) = running.0.try_wait().unwrap() {
            panic!(
                "{name} exited before the check ({status}): {}",
                std::fs::read_to_string(home.join("stderr.txt")).unwrap_or_default()
            );
        }
        assert!(
            !read_environ(running.0.id()),
            "{name}: its environment is readable by the same user"
        );
    }
}
