//! No way up or sideways: ptrace of a sibling, setuid binaries.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};

use super::harness::{
    Fixture, User, assert_denied, assert_ok, command_as, is_root, python, stdout, users,
};

/// Attaches to the pid in argv[1] with PTRACE_ATTACH, then detaches.
const PTRACE_ATTACH: &str = "import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
if libc.ptrace(16, pid, None, None) != 0:
    sys.exit('attach failed: ' + os.strerror(ctypes.get_errno()))
os.waitpid(pid, 0)
libc.ptrace(17, pid, None, None)
print('attached')";

/// Reads a word of another process's memory with process_vm_readv.
const VM_READV: &str = "import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]
pid = int(sys.argv[1])
maps = open(f'/proc/{pid}/maps').readline()
start = int(maps.split('-')[0], 16)
buf = ctypes.create_string_buffer(8)
local = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)
remote = iovec(start, 8)
libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
n = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
if n != 8:
    sys.exit('readv failed: ' + os.strerror(ctypes.get_errno()))
print('read')";

struct Sibling(Child);

impl Sibling {
    fn spawn(user: User) -> Self {
        let child = command_as(user, "sleep")
            .arg("30")
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        Self(child)
    }

    fn pid(&self) -> String {
        self.0.id().to_string()
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn ptrace_and_memory_access_of_a_sibling_fail() {
    for user in users() {
        let f = Fixture::new(user);
        for (code, what) in [
            (PTRACE_ATTACH, "ptrace attach"),
            (VM_READV, "process_vm_readv"),
        ] {
            let sibling = Sibling::spawn(user);
            let pid = sibling.pid();
            let argv = python(code, &[&pid]);
            for policy in [f.policy(), f.policy_with(&[], true)] {
                let out = f.sandbox(&policy, &[], &argv).output().unwrap();
                assert_denied(&out, &format!("{what} ({policy})"));
            }
            let control = f
                .sandbox(r#"{"mode":"danger-full-access"}"#, &[], &argv)
                .output()
                .unwrap();
            assert_ok(&control, &format!("control: {what} unconfined"));
        }
    }
}

#[test]
fn a_setuid_binary_does_not_raise_privileges() {
    if !is_root() {
        eprintln!("skipping: creating a root-owned setuid binary needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let id = dir.path().join("id");
    std::fs::copy("/usr/bin/id", &id).unwrap();
    std::fs::set_permissions(&id, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let id = id.to_str().unwrap();

    // Control: without the sandbox, nobody running the copy gets euid 0.
    let control = command_as(User::Nobody, id).arg("-u").output().unwrap();
    if stdout(&control).trim() != "0" {
        eprintln!("skipping: setuid does not take effect here ({control:?}); nosuid mount?");
        return;
    }
    let f = Fixture::new(User::Nobody);
    for policy in [
        f.policy(),
        r#"{"mode":"read-only"}"#.to_owned(),
        f.policy_with(&[], true),
    ] {
        let out = f.sandbox(&policy, &[], &[id, "-u"]).output().unwrap();
        assert_ok(&out, "id under sandbox");
        assert_eq!(
            stdout(&out).trim(),
            "65534",
            "setuid took effect under {policy}"
        );
    }
}

#[test]
fn no_new_privs_and_seccomp_are_on_in_the_command() {
    for user in users() {
        let f = Fixture::new(user);
        for policy in [
            f.policy(),
            r#"{"mode":"read-only"}"#.to_owned(),
            f.policy_with(&[], true),
        ] {
            let out = f
                .sandbox(&policy, &[], &["cat", "/proc/self/status"])
                .output()
                .unwrap();
            assert_ok(&out, "cat status");
            let status = stdout(&out);
            assert!(status.contains("NoNewPrivs:\t1"), "{policy}: {status}");
            assert!(status.contains("Seccomp:\t2"), "{policy}: {status}");
        }
        let out = f.sh_unconfined("cat /proc/self/status");
        assert!(
            stdout(&out).contains("Seccomp:\t0"),
            "danger-full-access adds nothing"
        );
    }
}

#[test]
fn terminal_injection_ioctl_is_denied() {
    // TIOCSTI on our own stdin: refused by the filter before the tty layer is consulted.
    let code = "import fcntl, sys, errno
try:
    fcntl.ioctl(0, 0x5412, b'x')
except OSError as e:
    sys.exit(0 if e.errno == errno.EPERM else 'unexpected ' + str(e))
sys.exit('TIOCSTI was allowed')";
    let f = Fixture::new(User::Me);
    let out = f
        .sandbox(&f.policy(), &[], &python(code, &[]))
        .output()
        .unwrap();
    assert_ok(&out, "TIOCSTI gets EPERM");
}
