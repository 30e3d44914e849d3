//! The seccomp half of the sandbox: system calls a sandboxed command may not make.
//!
//! Always denied (any sandboxed policy):
//! - `ptrace`, `process_vm_readv`/`process_vm_writev` and `pidfd_getfd` (reading or writing
//!   another process's memory or descriptors), and the terminal ioctls `TIOCSTI`/`TIOCLINUX`
//!   (typing into the user's terminal). Landlock already scopes ptrace to the sandbox's own
//!   children; this closes it entirely;
//! - the whole mount API, old and new (`mount`, `umount2`, `pivot_root`, `chroot`,
//!   `mount_setattr`, `open_tree`, `open_tree_attr`, `fsopen`, `fsconfig`, `fsmount`, `fspick`,
//!   `move_mount`): Landlock has no hook for `mount_setattr` and `open_tree`, and the
//!   read-only mounts are what keeps `.git` and the rest of the host read-only;
//! - new namespaces (`unshare`, `setns`, `clone` with any `CLONE_NEW*` flag; `clone3`, whose
//!   flags a filter cannot read, fails with `ENOSYS` so libc falls back to `clone`): a nested
//!   user namespace would hand the command a fresh set of capabilities;
//! - `mknod`/`mknodat` of character and block devices (fifos and sockets stay allowed);
//! - setting the setuid or setgid bit (`chmod`, `fchmod`, `fchmodat`, `fchmodat2`): the
//!   writable roots are `nosuid` only inside the sandbox, and such a file left behind would
//!   run with its owner's rights (root's, when root ran the command) for anyone on the host.
//!   A new file cannot carry the bits past its first write, which clears them for a process
//!   without `CAP_FSETID`;
//! - host-wide and kernel calls: `sethostname`, `setdomainname`, `bpf`, `perf_event_open`,
//!   module loading, `kexec_*`, `reboot`, `swapon`/`swapoff`, `acct`, clock setting, `syslog`,
//!   `quotactl`, `iopl`/`ioperm`, the kernel keyring (`keyctl`, `add_key`, `request_key`,
//!   which would reach the user's session keyring), `userfaultfd` and `open_by_handle_at`.
//!   Without capabilities most of these fail anyway; the filter does not rely on that.
//!
//! Denied unless the policy allows network: creating any socket but `AF_UNIX`, `connect`,
//! `bind`, `listen`, `accept`/`accept4`, `sendto` with a destination address, `sendmmsg`,
//! `recvmmsg`, `getsockopt`/`setsockopt`, `getpeername`/`getsockname`, `shutdown` and the
//! io_uring calls (which could do all of the above without passing through seccomp).
//! `send`/`recv`/`sendmsg`/`recvmsg`/`read`/`write` stay allowed, so Unix stream socketpairs
//! and pipes work; `send()` is `sendto` with no address, hence the address condition.
//! Unix sockets other than streams (datagram, seqpacket, and raw, which the kernel turns into
//! datagram) are denied too: `sendmsg` with a destination address (which a filter cannot
//! read) would reach any pathname or abstract socket on the host.
//!
//! Denied calls fail with `EPERM` (`clone3` with `ENOSYS`). Calls from another
//! architecture (32-bit `int 0x80`) kill the process, and every x32 system call fails. One
//! program holds it all: a search over the listed numbers (`program`), then seccompiler's
//! rules for the calls whose arguments decide.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::error::SandboxError;
use program::Verdict;

mod program;

/// `ioctl` requests that inject input into a terminal.
const TIOCSTI: u64 = 0x5412;
const TIOCLINUX: u64 = 0x541C;

/// Every socket type but `SOCK_STREAM` (1), as `(type & mask) == value` tests on the type's
/// low four bits (`SOCK_NONBLOCK` and `SOCK_CLOEXEC` sit above them): 0, 2-3, 4-7, 8-15.
/// Listing the datagram types one by one is not enough: the kernel makes a datagram socket
/// of `AF_UNIX` + `SOCK_RAW` as well.
const NOT_STREAM: [(u64, u64); 4] = [(0xf, 0), (0xe, 2), (0xc, 4), (0x8, 8)];

/// `open_tree_attr` (Linux 6.15), not yet in every libc release; the number is the same on
/// every architecture.
const SYS_OPEN_TREE_ATTR: i64 = 467;

/// `fchmodat2` (Linux 6.6), not yet in every libc release; the same number everywhere.
const SYS_FCHMODAT2: i64 = 452;

/// The `CLONE_NEW*` flags, each of which creates a namespace.
const CLONE_NEW_FLAGS: [libc::c_int; 8] = [
    libc::CLONE_NEWNS,
    libc::CLONE_NEWCGROUP,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
    0x80, // CLONE_NEWTIME
];

/// System calls denied outright under every sandboxed policy.
fn always_denied() -> Vec<i64> {
    let mut out = vec![
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_pidfd_getfd,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_mount_setattr,
        libc::SYS_open_tree,
        SYS_OPEN_TREE_ATTR,
        libc::SYS_fsopen,
        libc::SYS_fsconfig,
        libc::SYS_fsmount,
        libc::SYS_fspick,
        libc::SYS_move_mount,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_sethostname,
        libc::SYS_setdomainname,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_reboot,
        libc::SYS_swapon,
        libc::SYS_swapoff,
        libc::SYS_acct,
        libc::SYS_settimeofday,
        libc::SYS_clock_settime,
        libc::SYS_clock_adjtime,
        libc::SYS_adjtimex,
        libc::SYS_syslog,
        libc::SYS_quotactl,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
    ];
    #[cfg(target_arch = "x86_64")]
    out.extend([libc::SYS_iopl, libc::SYS_ioperm]);
    out
}

/// The filter to install: one program (each program costs the kernel a check and a JIT
/// compilation on every command). Calls denied whatever their arguments are answered by the
/// search at its head (see [`program`]); seccompiler compiles the argument rules.
pub(crate) fn filter(network: bool) -> Result<BpfProgram, SandboxError> {
    let arch = target_arch()?;
    let mut listed: BTreeMap<u32, Verdict> = always_denied()
        .into_iter()
        .map(|nr| (number(nr), Verdict::Fail(libc::EPERM)))
        .collect();
    // Its flags sit in memory a filter cannot read; libc falls back to clone, whose flags
    // it reads.
    listed.insert(number(libc::SYS_clone3), Verdict::Fail(libc::ENOSYS));
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    // clone(flags, ...): flags are the first argument on both architectures.
    rules.insert(
        libc::SYS_clone,
        CLONE_NEW_FLAGS
            .iter()
            .map(|&flag| masked(0, flag as u64, flag as u64))
            .collect::<Result<_, _>>()?,
    );
    let device_types = [libc::S_IFCHR, libc::S_IFBLK];
    rules.insert(
        libc::SYS_mknodat,
        device_types
            .iter()
            .map(|&kind| masked(2, u64::from(libc::S_IFMT), u64::from(kind)))
            .collect::<Result<_, _>>()?,
    );
    #[cfg(target_arch = "x86_64")]
    rules.insert(
        libc::SYS_mknod,
        device_types
            .iter()
            .map(|&kind| masked(1, u64::from(libc::S_IFMT), u64::from(kind)))
            .collect::<Result<_, _>>()?,
    );
    // chmod(path, mode), fchmod(fd, mode), fchmodat(dirfd, path, mode[, flags]).
    let mut mode_args = vec![
        (libc::SYS_fchmod, 1),
        (libc::SYS_fchmodat, 2),
        (SYS_FCHMODAT2, 2),
    ];
    #[cfg(target_arch = "x86_64")]
    mode_args.push((libc::SYS_chmod, 1));
    for (nr, arg) in mode_args {
        let set_id_bits = [libc::S_ISUID, libc::S_ISGID];
        rules.insert(
            nr,
            set_id_bits
                .iter()
                .map(|&bit| masked(arg, u64::from(bit), u64::from(bit)))
                .collect::<Result<_, _>>()?,
        );
    }
    rules.insert(
        libc::SYS_ioctl,
        vec![
            rule(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, TIOCSTI)?,
            rule(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, TIOCLINUX)?,
        ],
    );
    if !network {
        for nr in network_denied() {
            listed.insert(number(nr), Verdict::Fail(libc::EPERM));
        }
        let unix = libc::AF_UNIX as u64;
        for nr in [libc::SYS_socket, libc::SYS_socketpair] {
            let mut socket_rules = vec![rule(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, unix)?];
            for (mask, value) in NOT_STREAM {
                let conditions = vec![
                    condition(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, unix)?,
                    condition(
                        1,
                        SeccompCmpArgLen::Dword,
                        SeccompCmpOp::MaskedEq(mask),
                        value,
                    )?,
                ];
                socket_rules.push(
                    SeccompRule::new(conditions)
                        .map_err(|e| SandboxError::SeccompBuild(e.to_string()))?,
                );
            }
            rules.insert(nr, socket_rules);
        }
        rules.insert(
            libc::SYS_sendto,
            vec![rule(4, SeccompCmpArgLen::Qword, SeccompCmpOp::Ne, 0)?],
        );
    }
    for &nr in rules.keys() {
        listed.insert(number(nr), Verdict::CheckArguments);
    }
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| SandboxError::SeccompBuild(e.to_string()))?;
    let rules: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| SandboxError::SeccompBuild(e.to_string()))?;
    program::assemble(&listed, rules)
}

/// Calls denied outright unless the policy allows network.
fn network_denied() -> [i64; 15] {
    [
        libc::SYS_connect,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_getpeername,
        libc::SYS_getsockname,
        libc::SYS_shutdown,
        libc::SYS_sendmmsg,
        libc::SYS_recvmmsg,
        libc::SYS_getsockopt,
        libc::SYS_setsockopt,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
    ]
}

/// A system call number as the filter sees it (`seccomp_data.nr`); the `SYS_*` constants
/// are small and positive.
fn number(nr: i64) -> u32 {
    nr as u32
}

/// Installs `program` on the calling thread (the helper is single-threaded, and `execve`
/// keeps it). Sets `no_new_privs` first, as seccomp requires without `CAP_SYS_ADMIN`.
pub(crate) fn install(program: &BpfProgram) -> Result<(), SandboxError> {
    seccompiler::apply_filter(program).map_err(|e| SandboxError::SeccompInstall(e.to_string()))
}

fn condition(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompCondition, SandboxError> {
    SeccompCondition::new(arg, len, op, value)
        .map_err(|e| SandboxError::SeccompBuild(e.to_string()))
}

fn rule(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompRule, SandboxError> {
    SeccompRule::new(vec![condition(arg, len, op, value)?])
        .map_err(|e| SandboxError::SeccompBuild(e.to_string()))
}

/// Matches when `(arg & mask) == value`.
fn masked(arg: u8, mask: u64, value: u64) -> Result<SeccompRule, SandboxError> {
    rule(
        arg,
        SeccompCmpArgLen::Qword,
        SeccompCmpOp::MaskedEq(mask),
        value,
    )
}

fn target_arch() -> Result<TargetArch, SandboxError> {
    if cfg!(target_arch = "x86_64") {
        Ok(TargetArch::x86_64)
    } else if cfg!(target_arch = "aarch64") {
        Ok(TargetArch::aarch64)
    } else {
        Err(SandboxError::UnsupportedArch(std::env::consts::ARCH))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
    const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    const ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

    fn answer(program: &BpfProgram, nr: i64, args: [u64; 6]) -> u32 {
        program::evaluate(program, number(nr), program::NATIVE_AUDIT_ARCH, args)
    }

    /// With all-zero arguments, only the calls denied outright (and `socket(AF_UNSPEC)`
    /// without network) are refused.
    #[test]
    fn every_system_call_number_gets_the_policys_answer() {
        for network in [false, true] {
            let program = filter(network).unwrap();
            let mut denied = always_denied();
            if !network {
                denied.extend(network_denied());
                denied.extend([libc::SYS_socket, libc::SYS_socketpair]);
            }
            for nr in 0..512 {
                let expected = if nr == libc::SYS_clone3 {
                    ENOSYS
                } else if denied.contains(&nr) {
                    EPERM
                } else {
                    ALLOW
                };
                assert_eq!(
                    answer(&program, nr, [0; 6]),
                    expected,
                    "system call {nr}, network {network}"
                );
            }
        }
    }

    #[test]
    fn argument_rules_decide_clone_mknod_ioctl_and_sockets() {
        let strict = filter(false).unwrap();
        let open = filter(true).unwrap();
        for program in [&strict, &open] {
            let sigchld = libc::SIGCHLD as u64;
            for flag in CLONE_NEW_FLAGS {
                let flags = flag as u64 | sigchld;
                assert_eq!(
                    answer(program, libc::SYS_clone, [flags, 0, 0, 0, 0, 0]),
                    EPERM
                );
            }
            let thread = (libc::CLONE_VM | libc::CLONE_FS | libc::CLONE_FILES) as u64;
            assert_eq!(
                answer(program, libc::SYS_clone, [thread, 0, 0, 0, 0, 0]),
                ALLOW
            );
            for (kind, expected) in [
                (libc::S_IFCHR, EPERM),
                (libc::S_IFBLK, EPERM),
                (libc::S_IFIFO, ALLOW),
                (libc::S_IFSOCK, ALLOW),
            ] {
                let mode = u64::from(kind | 0o600);
                assert_eq!(
                    answer(program, libc::SYS_mknodat, [0, 0, mode, 0, 0, 0]),
                    expected
                );
            }
            // The request is an int: bits above it must not hide TIOCSTI.
            for request in [TIOCSTI, TIOCLINUX, TIOCSTI | 1 << 32] {
                assert_eq!(
                    answer(program, libc::SYS_ioctl, [0, request, 0, 0, 0, 0]),
                    EPERM
                );
            }
            let tcgets = libc::TCGETS;
            assert_eq!(
                answer(program, libc::SYS_ioctl, [0, tcgets, 0, 0, 0, 0]),
                ALLOW
            );
        }
        let unix = libc::AF_UNIX as u64;
        let inet = libc::AF_INET as u64;
        let stream = (libc::SOCK_STREAM | libc::SOCK_CLOEXEC) as u64;
        let datagram = (libc::SOCK_DGRAM | libc::SOCK_NONBLOCK) as u64;
        let seqpacket = libc::SOCK_SEQPACKET as u64;
        let raw = (libc::SOCK_RAW | libc::SOCK_CLOEXEC) as u64;
        for nr in [libc::SYS_socket, libc::SYS_socketpair] {
            assert_eq!(answer(&strict, nr, [unix, stream, 0, 0, 0, 0]), ALLOW);
            for denied in [
                [inet, stream],
                [unix, datagram],
                [unix, seqpacket],
                [unix, raw],
            ] {
                assert_eq!(
                    answer(&strict, nr, [denied[0], denied[1], 0, 0, 0, 0]),
                    EPERM
                );
                assert_eq!(answer(&open, nr, [denied[0], denied[1], 0, 0, 0, 0]), ALLOW);
            }
        }
        for kind in 0..16_u64 {
            let flags = kind | libc::SOCK_NONBLOCK as u64;
            let expected = if kind == stream & 0xf { ALLOW } else { EPERM };
            let answer = answer(&strict, libc::SYS_socket, [unix, flags, 0, 0, 0, 0]);
            assert_eq!(answer, expected, "AF_UNIX socket type {kind}");
        }
        let address = 0x7fff_0000_1000;
        assert_eq!(
            answer(&strict, libc::SYS_sendto, [3, 0, 1, 0, address, 16]),
            EPERM
        );
        assert_eq!(answer(&strict, libc::SYS_sendto, [3, 0, 1, 0, 0, 0]), ALLOW);
        assert_eq!(
            answer(&open, libc::SYS_sendto, [3, 0, 1, 0, address, 16]),
            ALLOW
        );
    }
}
