//! The second attack pass (issue 12): every way out found by a hostile pass, tried for real
//! as root and as `nobody`, each beside a control that must succeed in the same sandbox
//! (writing in the workspace, `git status`, a command killing its own child).

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::harness::{
    Fixture, NOBODY, User, VICTIM, assert_denied, assert_ok, chown_tree, command_as, is_root,
    python, stderr, stdout, users,
};

/// The legitimate things that must keep working in every sandbox an attempt ran in.
#[track_caller]
fn controls(f: &Fixture, policy: &str) {
    let out = f.sh(
        policy,
        "echo ok > control.txt && git status --short > /dev/null || exit 1; \
         sleep 30 & child=$!; kill $child; wait $child; [ $? -ne 0 ] && cat control.txt",
    );
    assert_ok(
        &out,
        "control: write in the workspace, git status, kill own child",
    );
    assert_eq!(stdout(&out), "ok\n", "{}", stderr(&out));
}

/// `libc.syscall` from Python, returning `(result, errno)`.
const SYSCALL: &str = "import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(nr, *args):
    ctypes.set_errno(0)
    conv = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return libc.syscall(ctypes.c_long(nr), *conv), ctypes.get_errno()
";

#[test]
fn metadata_outside_the_roots_cannot_change() {
    // Landlock has no hook for these; the read-only view of the host refuses them.
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let v = victim.display();
        let before = victim.metadata().unwrap();
        let mut attempts = vec![
            format!("chmod 4755 {v}"),
            format!("chmod 000 {v}"),
            format!("touch -d 2000-01-01 {v}"),
            format!("/usr/bin/python3 -c 'import os; os.setxattr(\"{v}\", \"user.x\", b\"1\")'"),
            format!("chmod 777 {}", f.outside.display()),
        ];
        if user == User::Me && is_root() {
            attempts.push(format!("chown 1234:1234 {v}"));
        }
        for policy in [f.policy(), r#"{"mode":"read-only"}"#.to_owned()] {
            for script in &attempts {
                assert_denied(&f.sh(&policy, script), script);
            }
        }
        let after = victim.metadata().unwrap();
        assert_eq!(
            (after.mode(), after.uid(), after.mtime()),
            (before.mode(), before.uid(), before.mtime()),
            "{user:?}"
        );
        assert_ok(
            &f.sh(
                &f.policy(),
                "chmod 700 sub/file && touch -d 2000-01-01 README",
            ),
            "control: metadata in the workspace",
        );
        controls(&f, &f.policy());
        assert_ok(&f.sh_unconfined(&attempts[0]), "control: chmod unconfined");
    }
}

#[test]
fn the_mount_api_cannot_lift_read_only_mounts() {
    // x86_64 numbers: mount_setattr, open_tree + move_mount, fsopen, fspick, mount.
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    let code = format!(
        "{SYSCALL}
class attr(ctypes.Structure):
    _fields_ = [('set', ctypes.c_uint64), ('clr', ctypes.c_uint64), ('prop', ctypes.c_uint64), ('fd', ctypes.c_uint64)]
AT_FDCWD = -100
clear = attr(0, 1, 0, 0)
results = [
    call(442, AT_FDCWD, b'.git', 0x8000, ctypes.byref(clear), 32),
    call(442, AT_FDCWD, b'/', 0x8000, ctypes.byref(clear), 32),
    call(428, AT_FDCWD, b'.git', 1 | 0x80000),
    call(430, b'tmpfs', 0),
    call(433, AT_FDCWD, b'.git', 0),
    call(165, b'none', b'.git', b'tmpfs', 0, 0),
    call(166, b'.git', 2),
    call(429, AT_FDCWD, b'sub', AT_FDCWD, b'.git', 0),
]
try:
    open('.git/config', 'a').write('[core]\\n\\tfsmonitor = evil\\n')
    results.append(('wrote .git/config', 0))
except OSError:
    pass
bad = [r for r in results if r[0] != -1]
sys.exit(f'escaped: {{bad}}' if bad else 0)"
    );
    for user in users() {
        let f = Fixture::new(user);
        let config = f.ws.join(".git/config");
        let before = f.read(&config);
        let out = f
            .sandbox(&f.policy(), &[], &python(&code, &[]))
            .output()
            .unwrap();
        assert_ok(&out, &format!("{user:?}: every mount call fails"));
        assert_eq!(f.read(&config), before);
        controls(&f, &f.policy());
    }
}

#[test]
fn root_has_no_capabilities_and_no_host_wide_calls() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    // mknod of a character device (as /dev/sda would be), sethostname, bpf, system-wide
    // perf_event_open, a nested user namespace (by unshare, and by clone3, whose flags the
    // filter cannot read: it must answer ENOSYS so that libc falls back to clone), reading a
    // root-only file.
    let code = format!(
        "{SYSCALL}
import struct
# struct clone_args, version 0: flags = CLONE_NEWUSER, exit_signal = SIGCHLD.
clone_args = ctypes.create_string_buffer(struct.pack('8Q', 0x10000000, 0, 0, 0, 17, 0, 0, 0), 64)
results = {{
    'clone3': call(435, clone_args, 64),
    'mknod': call(133, b'sda', 0o20600, (8 << 8) | 0),
    'sethostname': call(170, b'pwned', 5),
    'bpf': call(321, 0, 0, 0),
    'perf': call(298, ctypes.create_string_buffer(128), -1, 0, -1, 0),
    'unshare': call(272, 0x10000000),
}}
bad = {{k: v for k, v in results.items() if v[0] != -1}}
if results['clone3'][1] != 38:
    bad['clone3 errno, not ENOSYS'] = results['clone3']
status = open('/proc/self/status').read()
caps = [l for l in status.splitlines() if l.startswith('Cap') and not l.endswith('0000000000000000')]
sys.exit(f'escaped: {{bad}} {{caps}}' if bad or caps else 0)"
    );
    for user in users() {
        let f = Fixture::new(user);
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        for policy in [f.policy(), f.policy_with(&[], true)] {
            let out = f
                .sandbox(&policy, &[], &python(&code, &[]))
                .output()
                .unwrap();
            assert_ok(&out, &format!("{user:?}: no capability, no host-wide call"));
            assert!(!f.ws.join("sda").exists());
            for script in ["unshare -Ur true", "unshare -m true", "mknod null2 c 1 3"] {
                assert_denied(&f.sh(&policy, script), script);
            }
        }
        assert_eq!(
            std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap(),
            hostname
        );
        assert_ok(
            &f.sh(&f.policy(), "mkfifo fifo && test -p fifo"),
            "control: fifo",
        );
        controls(&f, &f.policy());
    }
    if is_root() {
        // Root-only files stay unreadable to root without CAP_DAC_OVERRIDE: /etc/shadow is
        // 0640 root:shadow, so only the owner's bits could grant it.
        let f = Fixture::new(User::Me);
        let secret = f.outside.join("secret");
        std::fs::write(&secret, "key\n").unwrap();
        std::os::unix::fs::chown(&secret, Some(NOBODY), Some(NOBODY)).unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        let script = format!("cat {}", secret.display());
        assert_denied(
            &f.sh(&f.policy(), &script),
            "root reads another user's 0600 file",
        );
        assert_ok(
            &f.sh_unconfined(&script),
            "control: root reads it unconfined",
        );
    }
}

/// A stand-in for the agent: a process of the same user holding a secret in its
/// environment.
struct Agent(Child);

impl Agent {
    fn spawn(user: User) -> Self {
        let child = command_as(user, "sleep")
            .arg("60")
            .env("OPENAI_API_KEY", "sk-secret-of-the-agent")
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        Self(child)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn other_processes_are_out_of_sight_and_out_of_reach() {
    for user in users() {
        let f = Fixture::new(user);
        let agent = Agent::spawn(user);
        let pid = agent.0.id();
        for script in [
            format!("cat /proc/{pid}/environ"),
            format!("tr '\\0' '\\n' < /proc/{pid}/environ | grep sk-secret"),
            format!("kill -0 {pid}"),
            format!("kill -TERM {pid}"),
            format!("kill -STOP {pid}"),
            "kill -TERM -1; sleep 0.2; false".to_owned(),
            format!("ls -l /proc/{pid}/cwd"),
        ] {
            assert_denied(&f.sh(&f.policy(), &script), &script);
        }
        let mut agent = agent;
        assert!(
            agent.0.try_wait().unwrap().is_none(),
            "{user:?}: the agent was killed from the sandbox"
        );
        // pidfd_open by number: the pid does not exist in the sandbox.
        let code = format!(
            "import os, sys\ntry:\n    os.pidfd_open({pid})\nexcept OSError:\n    sys.exit(0)\nsys.exit('opened')"
        );
        assert_ok(
            &f.sandbox(&f.policy(), &[], &python(&code, &[]))
                .output()
                .unwrap(),
            "pidfd_open of the agent",
        );
        // kill(1) reaches only the sandbox's own init, which survives it.
        let out = f.sh(
            &f.policy(),
            "kill -KILL 1; kill -STOP 1; sleep 0.1; echo alive",
        );
        assert_eq!(stdout(&out), "alive\n", "{}", stderr(&out));
        controls(&f, &f.policy());
        assert_ok(
            &f.sh_unconfined(&format!("cat /proc/{pid}/environ > /dev/null")),
            "control: the environ is readable unconfined",
        );
    }
}

#[test]
fn background_and_setsid_jobs_die_with_the_command() {
    for user in users() {
        let f = Fixture::new(user);
        let started = Instant::now();
        let out = f.sh(
            &f.policy(),
            "(sleep 1; echo pwned > late-bg) & \
             setsid sh -c 'sleep 1; echo pwned > late-setsid' & \
             nohup sh -c 'trap \"\" HUP TERM; sleep 1; echo pwned > late-nohup' >/dev/null 2>&1 & \
             echo started",
        );
        assert_ok(&out, "the command itself");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "background jobs held the output open"
        );
        std::thread::sleep(Duration::from_millis(1800));
        for late in ["late-bg", "late-setsid", "late-nohup"] {
            assert!(
                !f.ws.join(late).exists(),
                "{user:?}: {late} outlived the command"
            );
        }
        // Control: the same job the command waits for does write.
        assert_ok(
            &f.sh(&f.policy(), "(sleep 0.2; echo ok > waited) & wait"),
            "control: waited job",
        );
        assert!(f.ws.join("waited").exists());
        controls(&f, &f.policy());
    }
}

#[test]
fn a_killed_helper_takes_the_sandbox_with_it() {
    // The caller's timeout kills the helper; nothing inside may keep running.
    for user in users() {
        let f = Fixture::new(user);
        let mut child = f
            .sandbox(
                &f.policy(),
                &[],
                &["sh", "-c", "sleep 1; echo pwned > after-kill"],
            )
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY-free: kill via the std API (SIGKILL to the helper, not its group).
        child.kill().unwrap();
        child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        assert!(!f.ws.join("after-kill").exists(), "{user:?}");
        controls(&f, &f.policy());
    }
}

#[test]
fn the_number_of_processes_is_bounded() {
    for user in users() {
        let f = Fixture::new(user);
        let out = f.sh(
            &f.policy(),
            "grep 'Max processes' /proc/self/limits; cat /proc/sys/kernel/pid_max",
        );
        assert_ok(&out, "read the limits");
        let text = stdout(&out);
        let bounded =
            text.contains("Max processes             4096") || text.lines().last() == Some("4096");
        assert!(bounded, "{user:?}: {text}");
        controls(&f, &f.policy());
    }
}

#[test]
fn descriptors_of_the_launcher_are_not_inherited() {
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&victim)
            .unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
        let run = |policy: &str| {
            let mut command = f.sandbox(policy, &[], &["sh", "-c", "echo pwned >&7"]);
            // SAFETY: dup2 is async-signal-safe; it gives the helper an open fd 7 without
            // close-on-exec, as a careless launcher would.
            unsafe {
                command.pre_exec(move || {
                    if libc::dup2(fd, 7) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            command.output().unwrap()
        };
        assert_denied(&run(&f.policy()), "write through an inherited fd");
        assert_eq!(f.read(&victim), VICTIM);
        assert_ok(
            &run(r#"{"mode":"danger-full-access"}"#),
            "control: the fd works unconfined",
        );
        controls(&f, &f.policy());
    }
}

/// Sends one datagram to a pathname socket and one to an abstract socket, from outside
/// the sandbox's view.
const DGRAM_SEND: &str = "import socket, sys
ok = []
for addr in (sys.argv[1], '\\0' + sys.argv[2]):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b'pwned', addr)
        ok.append(addr)
    except OSError:
        pass
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendmsg([b'pwned'], [], 0, addr)
        ok.append(addr)
    except OSError:
        pass
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(addr)
        ok.append(addr)
    except OSError:
        pass
    try:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        a.sendmsg([b'pwned'], [], 0, addr)
        ok.append(addr)
    except OSError:
        pass
    # The kernel makes a datagram socket of SOCK_RAW (with or without flags) too.
    for kind in (socket.SOCK_RAW, socket.SOCK_RAW | socket.SOCK_CLOEXEC):
        try:
            s = socket.socket(socket.AF_UNIX, kind)
            s.sendmsg([b'pwned'], [], 0, addr)
            ok.append(('raw', addr))
        except OSError:
            pass
sys.exit(f'reached {ok}' if ok else 1)";

#[test]
fn unix_datagrams_cannot_reach_outside_sockets() {
    use std::os::unix::net::UnixDatagram;
    for user in users() {
        let f = Fixture::new(user);
        let path = f.outside.join("dgram.sock");
        let abstract_name = format!("codex-sbx-test-{}-{user:?}", std::process::id());
        let listener = UnixDatagram::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        let abstract_listener = {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(abstract_name.as_bytes())
                .unwrap();
            UnixDatagram::bind_addr(&addr).unwrap()
        };
        for sock in [&listener, &abstract_listener] {
            sock.set_nonblocking(true).unwrap();
        }
        let argv = python(DGRAM_SEND, &[path.to_str().unwrap(), &abstract_name]);
        let out = f.sandbox(&f.policy(), &[], &argv).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{user:?}: {}", stderr(&out));
        let mut buf = [0; 8];
        assert!(listener.recv(&mut buf).is_err(), "pathname socket reached");
        assert!(
            abstract_listener.recv(&mut buf).is_err(),
            "abstract socket reached"
        );
        // Control: with network allowed, the same datagrams arrive.
        let out = f
            .sandbox(&f.policy_with(&[], true), &[], &argv)
            .output()
            .unwrap();
        assert_denied(&out, "control exits non-zero when something was reached");
        assert!(stderr(&out).contains("reached"), "{}", stderr(&out));
        assert!(
            listener.recv(&mut buf).is_ok(),
            "control: pathname datagram"
        );
        controls(&f, &f.policy());
    }
}

#[test]
fn dev_shm_is_private_and_writable() {
    for user in users() {
        let f = Fixture::new(user);
        let name = format!("codex-sbx-{}-{user:?}", std::process::id());
        let out = f.sh(
            &f.policy(),
            &format!("echo x > /dev/shm/{name} && cat /dev/shm/{name} && ls /dev/shm | wc -l"),
        );
        assert_ok(&out, "write /dev/shm");
        assert_eq!(stdout(&out), "x\n1\n", "{user:?}: /dev/shm is not private");
        assert!(!Path::new("/dev/shm").join(&name).exists());
        let code = "import multiprocessing; multiprocessing.Lock(); print('locked')";
        let out = f
            .sandbox(&f.policy(), &[], &python(code, &[]))
            .output()
            .unwrap();
        assert_ok(&out, "multiprocessing.Lock without /dev/shm as a root");
        controls(&f, &f.policy());
    }
}

#[test]
fn a_repository_under_a_writable_tmp_leaves_tmp_writable() {
    // Regression (issue 12, cause 8): `/tmp` around the cwd used to be carved child by child.
    for user in users() {
        let f = Fixture::new(user);
        let tmp = f.base.join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        std::fs::rename(&f.ws, tmp.join("ws")).unwrap();
        let ws = tmp.join("ws");
        if user == User::Nobody {
            chown_tree(&f.base, NOBODY);
        }
        let policy = f.policy_with(&[&tmp], false);
        // The fixture's policy cwd is the old `ws`; point it at the moved one.
        let run_in_ws = |script: &str| {
            let mut command = command_as(user, super::harness::sandbox_bin(user));
            command
                .arg("--sandbox-policy-cwd")
                .arg(&ws)
                .args(["--sandbox-policy", &policy, "--", "sh", "-c", script])
                .current_dir(&ws)
                .env_remove("TMPDIR")
                .output()
                .unwrap()
        };
        let t = tmp.display();
        assert_ok(
            &run_in_ws(&format!(
                "echo x > {t}/new && mkdir {t}/d && mv {t}/new {t}/d/ && rm -r {t}/d"
            )),
            "create, rename, remove directly in /tmp",
        );
        for script in [
            format!("mv {t}/ws {t}/ws-moved"),
            "echo evil >> .git/config".to_owned(),
            format!("rm -rf {t}/ws/.git"),
        ] {
            assert_denied(&run_in_ws(&script), &script);
        }
        assert!(ws.join(".git/HEAD").exists());
        assert_ok(
            &run_in_ws("echo ok > c && git status --short >/dev/null"),
            "control",
        );
    }
}

#[test]
fn output_pipes_close_when_the_command_ends() {
    // A daemon that keeps stdout open must not make the caller wait for it.
    let f = Fixture::new(User::Me);
    let mut child = f
        .sandbox(
            &f.policy(),
            &[],
            &["sh", "-c", "setsid sleep 30 & echo done"],
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    let started = Instant::now();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(text, "done\n");
    assert!(child.wait().unwrap().success());
}

#[test]
fn deny_read_holds_through_bind_aliases_and_leaves_new_files_readable() {
    // Regression (issue 12, cause 7): a denied directory was readable through another mount
    // of it, and with a denied file in the workspace, files created next to it could not be
    // read back.
    for user in users() {
        let f = Fixture::new(user);
        std::fs::create_dir(f.outside.join("keys")).unwrap();
        std::fs::write(f.outside.join("keys/id"), "secret\n").unwrap();
        std::fs::write(f.ws.join(".env"), "TOKEN=1\n").unwrap();
        let alias = f.base.join("alias");
        std::fs::create_dir(&alias).unwrap();
        if user == User::Nobody {
            chown_tree(&f.base, NOBODY);
        }
        let keys = f.outside.join("keys");
        let env = f.ws.join(".env");
        let args = [
            "--deny-read",
            keys.to_str().unwrap(),
            "--deny-read",
            env.to_str().unwrap(),
        ];
        let run = |script: &str| {
            f.sandbox(&f.policy(), &args, &["sh", "-c", script])
                .output()
                .unwrap()
        };
        for script in [
            format!("cat {}/id", keys.display()),
            format!("cat {}", env.display()),
            format!("chmod 644 {}", env.display()),
            format!("ls {}", keys.display()),
            format!("rm {}", env.display()),
            format!("mv {} {}/moved", env.display(), f.ws.display()),
        ] {
            assert_denied(&run(&script), &script);
        }
        assert_eq!(f.read(&env), "TOKEN=1\n");
        // New files beside the denied one are readable; so is the rest.
        let out = run("echo fresh > fresh.txt && cat fresh.txt README");
        assert_ok(&out, "control: a new file in the workspace reads back");
        assert_eq!(stdout(&out), "fresh\nreadme\n");
        controls(&f, &f.policy());

        // The same directory under another mount point (a bind mount made by root in a
        // namespace of its own, as a host's bind mount would be).
        if is_root() {
            let helper = super::harness::sandbox_bin(user);
            let reader = match user {
                User::Me => String::new(),
                User::Nobody => "setpriv --reuid=65534 --regid=65534 --clear-groups".to_owned(),
            };
            let script = format!(
                "mount --bind {outside} {alias} && cd {ws} && {reader} {helper} \
                 --sandbox-policy-cwd {ws} --sandbox-policy '{policy}' --deny-read {keys} \
                 -- cat {alias}/keys/id",
                outside = f.outside.display(),
                alias = alias.display(),
                ws = f.ws.display(),
                helper = helper.display(),
                policy = f.policy(),
                keys = keys.display(),
            );
            let out = std::process::Command::new("unshare")
                .args(["-m", "--propagation", "private", "sh", "-c", &script])
                .output()
                .unwrap();
            assert_denied(&out, &format!("{user:?}: read through a bind alias"));
            assert!(!stdout(&out).contains("secret"), "{}", stdout(&out));
            let control = script.replace(&format!("--deny-read {}", keys.display()), "");
            let out = std::process::Command::new("unshare")
                .args(["-m", "--propagation", "private", "sh", "-c", &control])
                .output()
                .unwrap();
            assert_eq!(
                stdout(&out),
                "secret\n",
                "control: the alias reads without deny_read: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn deny_read_names_hard_links_it_cannot_cover() {
    let f = Fixture::new(User::Me);
    let secret = f.outside.join("secret");
    std::fs::write(&secret, "key\n").unwrap();
    std::fs::hard_link(&secret, f.outside.join("other-link")).unwrap();
    let out = f
        .sandbox(
            &f.policy(),
            &["--deny-read", secret.to_str().unwrap()],
            &["cat", secret.to_str().unwrap()],
        )
        .output()
        .unwrap();
    assert_denied(&out, "the denied path itself");
    assert!(
        stderr(&out).contains("has 2 hard links"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_git_or_codex_cannot_be_created_in_a_writable_root() {
    // A `.git` a command may create is a repository whose config (`core.fsmonitor`, hooks)
    // runs, unconfined, the next time the user types `git` there; a `.codex` is project config.
    for user in users() {
        let f = Fixture::new(user);
        std::fs::remove_dir_all(f.ws.join(".git")).unwrap();
        let policy = f.policy();
        let extra = f.extra.display().to_string();
        let attempts = [
            "mkdir .git".to_owned(),
            "git init -q .".to_owned(),
            "mkdir .git/hooks".to_owned(),
            "echo 'gitdir: sub' > .git".to_owned(),
            "ln -s sub .git".to_owned(),
            "mkdir d && mv d .git".to_owned(),
            "mkdir .codex".to_owned(),
            "mkdir d2 && mv d2 .codex".to_owned(),
            format!("mkdir {extra}/.git"),
            format!("git init -q {extra}"),
            format!("mkdir {extra}/.codex"),
        ];
        for script in &attempts {
            let out = f.sh(&policy, script);
            let made: Vec<String> = [f.ws.join(".git/config"), f.ws.join(".git/hooks")]
                .iter()
                .chain(&[f.extra.join(".git/config"), f.extra.join(".codex/x")])
                .filter(|p| p.exists())
                .map(|p| p.display().to_string())
                .collect();
            assert!(made.is_empty(), "{script}: created {made:?}");
            for name in [".git", ".codex"] {
                for root in [&f.ws, &f.extra] {
                    let left = root.join(name);
                    assert!(
                        std::fs::symlink_metadata(&left).is_err(),
                        "{script} as {user:?}: {} exists after the command (status {:?}, \
                         stderr {})",
                        left.display(),
                        out.status,
                        stderr(&out)
                    );
                }
            }
        }
        // The controls: ordinary files and directories at the top of the roots still work.
        let out = f.sh(
            &policy,
            &format!("mkdir build && echo ok > build/x && echo ok > {extra}/y && cat build/x"),
        );
        assert_ok(&out, "control: create at the top of both roots");
        assert_eq!(stdout(&out), "ok\n");
    }
}

#[test]
fn no_setuid_or_setgid_file_is_left_behind_in_a_root() {
    // nosuid holds inside the sandbox only: a setuid file made in a writable root would
    // raise the privileges of whoever runs it on the host afterwards (root's: anyone's).
    for user in users() {
        let f = Fixture::new(user);
        let attempts = [
            "cp /usr/bin/id suid && chmod 4755 suid",
            "cp /usr/bin/id sgid && chmod 2755 sgid",
            "cp /usr/bin/id plus && chmod u+s,g+s plus",
            "mkdir gdir && chmod g+s gdir",
            "cp /usr/bin/id py && /usr/bin/python3 -c 'import os; os.chmod(\"py\", 0o6755)'",
            "cp /usr/bin/id fd && /usr/bin/python3 -c 'import os; fd = os.open(\"fd\", os.O_RDONLY); os.fchmod(fd, 0o4755)'",
            "cp /usr/bin/id at && /usr/bin/python3 -c 'import os; os.chmod(\"at\", 0o4755, dir_fd=os.open(\".\", os.O_RDONLY))'",
            "install -m 4755 /usr/bin/id installed",
            // Created with the bits: the first write clears them (no CAP_FSETID).
            "/usr/bin/python3 -c 'import os; fd = os.open(\"created\", os.O_CREAT | os.O_WRONLY, 0o6755); os.write(fd, open(\"/usr/bin/id\", \"rb\").read())'",
        ];
        for script in attempts {
            let _ = f.sh(&f.policy(), script);
        }
        for entry in std::fs::read_dir(&f.ws).unwrap() {
            let entry = entry.unwrap();
            let mode = entry.metadata().unwrap().mode();
            assert_eq!(
                mode & 0o6000,
                0,
                "{user:?}: {} left with mode {mode:o}",
                entry.path().display()
            );
        }
        // Control: ordinary modes still change, and unconfined the same chmod works.
        let out = f.sh(
            &f.policy(),
            "cp /usr/bin/id plain && chmod 750 plain && stat -c %a plain",
        );
        assert_ok(&out, "control: chmod 750");
        assert_eq!(stdout(&out), "750\n");
        assert_ok(
            &f.sh_unconfined("chmod 4755 plain && test -u plain && chmod 755 plain"),
            "control: setuid unconfined",
        );
        controls(&f, &f.policy());
    }
}

/// Swaps a symlink to `target` in for every `.git` or `.codex` created in `dir`, as fast as
/// inotify reports it, until `stop` is set: another sandbox whose roots contain `dir`
/// racing the helper that makes its placeholders there.
fn swap_in_symlinks(dir: &Path, target: &Path, stop: &AtomicBool) {
    // SAFETY: plain inotify calls on a descriptor this function owns; the buffer outlives
    // every read into it.
    unsafe {
        let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
        assert!(fd >= 0);
        let c_dir = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).unwrap();
        assert!(libc::inotify_add_watch(fd, c_dir.as_ptr(), libc::IN_CREATE) >= 0);
        let mut buf = [0_u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            if n <= 0 {
                std::thread::yield_now();
                continue;
            }
            let mut at = 0;
            while at < n as usize {
                let event = buf
                    .as_ptr()
                    .add(at)
                    .cast::<libc::inotify_event>()
                    .read_unaligned();
                let name_at = at + size_of::<libc::inotify_event>();
                let name = &buf[name_at..name_at + event.len as usize];
                let name = std::ffi::CStr::from_bytes_until_nul(name)
                    .map_or("", |n| n.to_str().unwrap_or(""));
                if name == ".git" || name == ".codex" {
                    let link = dir.join(format!("link-{name}"));
                    let _ = std::os::unix::fs::symlink(target, &link);
                    let _ = std::fs::rename(&link, dir.join(name));
                }
                at = name_at + event.len as usize;
            }
        }
        libc::close(fd);
    }
}

#[test]
fn placeholder_setup_never_follows_a_symlink_swapped_in() {
    // The helper runs unconfined while it makes placeholders: a chmod by path that a
    // concurrent sandbox turned into a symlink would change any file on the host.
    let f = Fixture::new(User::Me);
    let victim = f.outside.join("victim.txt");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let racer = {
        let (dir, target, stop) = (f.extra.clone(), victim.clone(), Arc::clone(&stop));
        std::thread::spawn(move || swap_in_symlinks(&dir, &target, &stop))
    };
    for _ in 0..300 {
        let _ = f.sh(&f.policy(), "true");
        for name in [".git", ".codex"] {
            let path = f.extra.join(name);
            if path
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
            {
                std::fs::remove_file(&path).unwrap();
            }
        }
        if victim.metadata().unwrap().mode() & 0o7777 != 0o600 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    racer.join().unwrap();
    let mode = victim.metadata().unwrap().mode() & 0o7777;
    assert_eq!(
        mode, 0o600,
        "the helper changed a file outside the roots to {mode:o}"
    );
    controls(&f, &f.policy());
}

/// The sandbox binary with policy cwd `cwd` (also the process's), `TMPDIR` as given.
fn sandbox_in(
    f: &Fixture,
    cwd: &Path,
    policy: &str,
    tmpdir: Option<&Path>,
    script: &str,
) -> std::process::Output {
    let mut command = command_as(f.user, super::harness::sandbox_bin(f.user));
    command
        .arg("--sandbox-policy-cwd")
        .arg(cwd)
        .args(["--sandbox-policy", policy, "--", "sh", "-c", script])
        .current_dir(cwd)
        .env("HOME", &f.base)
        .env("CODEX_HOME", &f.base);
    match tmpdir {
        Some(dir) => command.env("TMPDIR", dir),
        None => command.env_remove("TMPDIR"),
    };
    command.output().unwrap()
}

#[test]
fn a_root_swapped_for_a_symlink_between_commands_does_not_make_its_target_writable() {
    // The helper resolves the cwd and $TMPDIR on every command. A command that may write
    // in a root's parent can put a symlink where the root was (or where $TMPDIR will be),
    // and the next command would get the link's target as a writable root.
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let v = victim.display();
        let policy = serde_json::json!({
            "mode": "workspace-write",
            "writable_roots": [&f.extra],
            "network_access": false,
            "exclude_tmpdir_env_var": false,
            "exclude_slash_tmp": true,
        })
        .to_string();
        let proj = f.extra.join("d/proj");
        std::fs::create_dir_all(&proj).unwrap();
        if user == User::Nobody {
            chown_tree(&f.extra, NOBODY);
        }
        // Control: the nested cwd is writable.
        assert_ok(
            &sandbox_in(&f, &proj, &policy, None, "echo ok > here"),
            "control: write in the cwd",
        );
        let tmpdir = f.extra.join("tmpdir");
        let plant = format!(
            "mv {d} {d}.old && mkdir {d} && ln -s {o} {p} && ln -s {o} {t}",
            d = f.extra.join("d").display(),
            o = f.outside.display(),
            p = proj.display(),
            t = tmpdir.display(),
        );
        // Planted from a command in `extra` itself: where `d` is between two roots (the cwd
        // under it) it is a mountpoint and cannot be renamed at all.
        let out = sandbox_in(&f, &proj, &policy, None, &plant);
        assert!(stderr(&out).contains("busy"), "{}", stderr(&out));
        assert_ok(
            &sandbox_in(&f, &f.extra, &policy, None, &plant),
            "plant the links (allowed: inside a root)",
        );
        let write = format!("echo pwned > {v}");
        let _ = sandbox_in(&f, &proj, &policy, None, &write);
        assert_eq!(
            f.read(&victim),
            VICTIM,
            "{user:?}: the cwd's link made {v} writable"
        );
        let _ = sandbox_in(
            &f,
            &f.ws,
            &policy,
            Some(&tmpdir),
            "echo pwned > $TMPDIR/victim.txt",
        );
        assert_eq!(
            f.read(&victim),
            VICTIM,
            "{user:?}: a planted link made {v} writable"
        );
        // Control: a symlinked cwd outside every root (the user's own) stays writable.
        let link = f.base.join("ws-link");
        std::os::unix::fs::symlink(&f.ws, &link).unwrap();
        let out = sandbox_in(&f, &link, &f.policy(), None, "echo ok > through-link");
        assert_ok(&out, "control: a symlinked cwd the user made");
        assert!(f.ws.join("through-link").exists());
        controls(&f, &f.policy());
    }
}

#[test]
fn no_repository_can_be_planted_between_the_cwd_and_a_root_above_it() {
    // Git looks for a repository in the cwd and then in each parent. A `.git` made in a
    // parent that lies inside a writable root would be found by the next `git` run in the
    // cwd on the host, and its config (core.fsmonitor, hooks) would run unconfined.
    for user in users() {
        let f = Fixture::new(user);
        let mid = f.extra.join("mid");
        let cwd = mid.join("w");
        std::fs::create_dir_all(&cwd).unwrap();
        if user == User::Nobody {
            chown_tree(&f.extra, NOBODY);
        }
        let ran = f.base.join("fsmonitor-ran");
        let plant = format!(
            "git init -q {m}; git -C {m} config core.fsmonitor 'touch {r}; false'; \
             mkdir -p {m}/.codex && echo 'model = \"x\"' > {m}/.codex/config.toml; \
             echo ok > {m}/allowed",
            m = mid.display(),
            r = ran.display(),
        );
        let out = sandbox_in(&f, &cwd, &f.policy(), None, &plant);
        assert_eq!(
            f.read(&mid.join("allowed")),
            "ok\n",
            "control: {}",
            stderr(&out)
        );
        for name in [".git", ".codex"] {
            assert!(
                mid.join(name).symlink_metadata().is_err(),
                "{user:?}: {name} was made in {}",
                mid.display()
            );
        }
        let git = std::process::Command::new("git")
            .args(["status", "--short"])
            .current_dir(&cwd)
            .env("GIT_CEILING_DIRECTORIES", &f.base)
            .output()
            .unwrap();
        assert!(
            !ran.exists(),
            "{user:?}: the planted fsmonitor ran: {git:?}"
        );
        controls(&f, &f.policy());
    }
}

#[test]
fn a_denied_path_inside_a_root_cannot_be_moved_out_from_under_its_cover() {
    // The cover mount cannot be renamed, but a directory holding it could: one command
    // moves the directory, and the next one, given the same --deny-read path (which no
    // longer exists), reads the secret at its new place.
    for user in users() {
        let f = Fixture::new(user);
        let secrets = f.ws.join("config/secrets");
        std::fs::create_dir_all(&secrets).unwrap();
        std::fs::write(secrets.join("key"), "KEY-SECRET\n").unwrap();
        if user == User::Nobody {
            chown_tree(&f.ws, NOBODY);
        }
        let key = secrets.join("key");
        let args = ["--deny-read", key.to_str().unwrap()];
        let run = |script: &str| {
            f.sandbox(&f.policy(), &args, &["sh", "-c", script])
                .output()
                .unwrap()
        };
        assert_denied(&run("cat config/secrets/key"), "read the denied file");
        let moves = [
            (
                "mv config/secrets config/moved",
                "config/moved",
                "config/secrets",
            ),
            ("mv config elsewhere", "elsewhere", "config"),
            (
                "/usr/bin/python3 -c 'import os; os.rename(\"config\", \"renamed\")'",
                "renamed",
                "config",
            ),
        ];
        for (script, moved, original) in moves {
            let _ = run(script);
            let out = run("cat config/moved/key elsewhere/secrets/key renamed/secrets/key");
            assert!(
                !stdout(&out).contains("KEY-SECRET"),
                "{user:?}: the denied file was read after `{script}`"
            );
            // Put it back for the next attempt (a move that went through).
            let _ = std::fs::rename(f.ws.join(moved), f.ws.join(original));
        }
        // Control: files beside it stay writable, and new directories can still be moved.
        let out = run("echo x > config/other && mkdir config/new && mv config/new config/newer");
        assert_ok(&out, "control: write and move beside the denied path");
        controls(&f, &f.policy());
    }
}

/// What a command's `/dev` holds: the harmless nodes, ptys of its own, and links.
const DEV_ENTRIES: [&str; 13] = [
    "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty",
    "urandom", "zero",
];

#[test]
fn only_harmless_devices_can_be_opened() {
    // Root inside the sandbox owns the host's device nodes (disks, consoles, input devices,
    // other root terminals' ptys) and, with no capability, still passes their owner
    // permission bits: a raw disk read bypasses deny_read, /dev/input logs keys.
    let block = std::fs::read_dir("/sys/class/block")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| Path::new("/dev").join(e.file_name()))
        .find(|p| p.exists());
    for user in users() {
        let f = Fixture::new(user);
        let out = f.sh(&f.policy(), "ls -A /dev");
        assert_ok(&out, "list /dev");
        let listed: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
        let unexpected: Vec<&String> = listed
            .iter()
            .filter(|e| !DEV_ENTRIES.contains(&e.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{user:?}: /dev also has {unexpected:?}"
        );
        if let Some(block) = &block {
            let read = format!("head -c 512 {} > /dev/null", block.display());
            assert_denied(&f.sh(&f.policy(), &read), &read);
            if user == User::Me && is_root() {
                assert_ok(
                    &f.sh_unconfined(&read),
                    "control: root reads the disk unconfined",
                );
            }
        }
        // A device node anywhere else in the view is no device either.
        if is_root() {
            let node = f.outside.join("mem-node");
            let c_node = std::ffi::CString::new(node.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: mknod of /dev/null's numbers at a NUL-terminated path we own.
            let rc =
                unsafe { libc::mknod(c_node.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
            assert_eq!(rc, 0, "mknod");
            let script = format!("echo x > {n} || cat {n}", n = node.display());
            assert_denied(&f.sh(&f.policy(), &script), "a device node outside /dev");
            assert_ok(
                &f.sh_unconfined(&script),
                "control: the node works unconfined",
            );
        }
        // Controls: what programs need from /dev still works.
        let out = f.sh(
            &f.policy(),
            "echo x > /dev/null && head -c 4 /dev/urandom | wc -c && ls /dev/fd/ > /dev/null && \
             echo in | cat /dev/stdin && /usr/bin/python3 -c 'import os; m, s = os.openpty(); print(os.ttyname(s).startswith(\"/dev/pts/\"))'",
        );
        assert_ok(&out, "control: null, urandom, fd, stdin, a pty");
        assert_eq!(stdout(&out), "4\nin\nTrue\n", "{user:?}");
        controls(&f, &f.policy());
    }
}

#[test]
fn a_cwd_reached_through_a_link_inside_a_root_keeps_its_git_read_only() {
    // The cwd is not made a root of its own when the way to it passes through a link inside
    // a writable root (a command could have made the link); it must still not lose the
    // protection of its `.git` while the enclosing root lets commands write there.
    for user in users() {
        let f = Fixture::new(user);
        let real = f.extra.join("real");
        let git = std::process::Command::new("git")
            .args(["init", "-q"])
            .arg(&real)
            .output()
            .unwrap();
        assert!(git.status.success());
        let link = f.extra.join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        if user == User::Nobody {
            chown_tree(&f.extra, NOBODY);
        }
        let config = real.join(".git/config");
        let before = f.read(&config);
        let out = sandbox_in(
            &f,
            &link,
            &f.policy(),
            None,
            "echo ok > ctl; printf '[core]\\n\\tfsmonitor = evil\\n' >> .git/config; \
             echo evil > .git/hooks/pre-commit; git init -q sub; mkdir -p .codex",
        );
        assert_eq!(
            f.read(&real.join("ctl")),
            "ok\n",
            "control: {}",
            stderr(&out)
        );
        assert_eq!(f.read(&config), before, "{user:?}: .git/config changed");
        assert!(
            !real.join(".git/hooks/pre-commit").exists(),
            "{user:?}: hook planted"
        );
        assert!(!real.join(".codex").exists(), "{user:?}: .codex made");
        controls(&f, &f.policy());
    }
}

#[test]
fn a_worktrees_shared_git_dir_stays_read_only() {
    // A worktree's `.git` file names its own git dir, whose `commondir` names the main
    // repository's: config and hooks live there, and git in the worktree uses them.
    for user in users() {
        let f = Fixture::new(user);
        let main = f.extra.join("main");
        let work = f.extra.join("work");
        let git = |args: &[&str], dir: &Path| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.email=a@b", "-c", "user.name=a"])
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {out:?}");
        };
        std::fs::create_dir(&main).unwrap();
        git(&["init", "-q"], &main);
        std::fs::write(main.join("f"), "x\n").unwrap();
        git(&["add", "f"], &main);
        git(&["commit", "-qm", "i"], &main);
        git(&["worktree", "add", "-q", work.to_str().unwrap()], &main);
        if user == User::Nobody {
            chown_tree(&f.extra, NOBODY);
        }
        let config = main.join(".git/config");
        let before = f.read(&config);
        let out = sandbox_in(
            &f,
            &work,
            &f.policy(),
            None,
            &format!(
                "echo ok > ctl; printf '[core]\\n\\tfsmonitor = evil\\n' >> {c}; \
                 echo evil > {h}",
                c = config.display(),
                h = main.join(".git/hooks/pre-commit").display(),
            ),
        );
        assert_eq!(
            f.read(&work.join("ctl")),
            "ok\n",
            "control: {}",
            stderr(&out)
        );
        assert_eq!(
            f.read(&config),
            before,
            "{user:?}: the shared config changed"
        );
        assert!(
            !main.join(".git/hooks/pre-commit").exists(),
            "{user:?}: hook planted"
        );
        controls(&f, &f.policy());
    }
}

#[test]
fn no_bare_repository_can_be_planted_in_a_root() {
    // Git takes a directory holding HEAD, objects/ and refs/ for a (bare) repository when it
    // has no `.git`: a config planted beside them (core.worktree, core.fsmonitor) would run
    // on the host at the next `git status` there.
    for user in users() {
        let f = Fixture::new(user);
        let ran = f.base.join("fsmonitor-ran");
        let plant = format!(
            "echo ok > ctl; mkdir -p objects refs/heads; echo 'ref: refs/heads/main' > HEAD; \
             printf '[core]\\n\\trepositoryformatversion = 0\\n\\tworktree = {w}\\n\\tfsmonitor = \"touch {r}; false\"\\n' > config",
            w = f.extra.display(),
            r = ran.display(),
        );
        let out = sandbox_in(&f, &f.extra, &f.policy(), None, &plant);
        assert_eq!(
            f.read(&f.extra.join("ctl")),
            "ok\n",
            "control: {}",
            stderr(&out)
        );
        let git = std::process::Command::new("git")
            .args(["status", "--short"])
            .current_dir(&f.extra)
            .env("GIT_CEILING_DIRECTORIES", &f.base)
            .output()
            .unwrap();
        assert!(
            !ran.exists(),
            "{user:?}: the planted fsmonitor ran: {git:?}"
        );
        assert!(
            f.extra.join("HEAD").symlink_metadata().is_err(),
            "{user:?}: HEAD was made in a root"
        );
        controls(&f, &f.policy());
    }
}
