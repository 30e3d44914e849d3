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
//! Unix datagram and seqpacket sockets are denied too: `sendmsg` with a destination address
//! (which a filter cannot read) would reach any pathname or abstract socket on the host.
//!
//! Denied calls fail with `EPERM`. The rules are seccompiler's; a short hand-written prelude
//! in the same program handles what they cannot express: calls from another architecture
//! (32-bit `int 0x80`) kill the process, every x32 system call (numbers with bit 30 set,
//! which the rules would not recognise) fails with `EPERM`, and `clone3` with `ENOSYS`.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};

use crate::error::SandboxError;

/// `ioctl` requests that inject input into a terminal.
const TIOCSTI: u64 = 0x5412;
const TIOCLINUX: u64 = 0x541C;

/// `open_tree_attr` (Linux 6.15), not yet in every libc release; the number is the same on
/// every architecture.
const SYS_OPEN_TREE_ATTR: i64 = 467;

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

/// The filter to install: one program, because each program costs the kernel a check and a
/// JIT compilation on every command (the per-program cost dominates the sandbox's setup).
/// A hand-written prelude (see [`prelude`]) runs first, then seccompiler's rules.
pub(crate) fn filter(network: bool) -> Result<BpfProgram, SandboxError> {
    let arch = target_arch()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for nr in always_denied() {
        rules.insert(nr, Vec::new());
    }
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
    rules.insert(
        libc::SYS_ioctl,
        vec![
            rule(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, TIOCSTI)?,
            rule(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, TIOCLINUX)?,
        ],
    );
    if !network {
        for nr in [
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
        ] {
            rules.insert(nr, Vec::new());
        }
        let unix = libc::AF_UNIX as u64;
        for nr in [libc::SYS_socket, libc::SYS_socketpair] {
            let mut socket_rules = vec![rule(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, unix)?];
            for kind in [libc::SOCK_DGRAM, libc::SOCK_SEQPACKET] {
                // The type's low bits; SOCK_NONBLOCK and SOCK_CLOEXEC sit above them.
                let conditions = vec![
                    condition(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, unix)?,
                    condition(
                        1,
                        SeccompCmpArgLen::Dword,
                        SeccompCmpOp::MaskedEq(0xf),
                        kind as u64,
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
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| SandboxError::SeccompBuild(e.to_string()))?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| SandboxError::SeccompBuild(e.to_string()))?;
    let mut whole = prelude();
    whole.extend(program);
    Ok(whole)
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

/// The checks seccompiler's rules cannot express, run before them; every path either
/// returns or falls through to the next instruction, where the rules begin:
///
/// ```text
/// if (arch != native) return KILL_PROCESS;  // 32-bit `int 0x80` calls use other numbers
/// if (nr & __X32_SYSCALL_BIT) return ERRNO(EPERM);  // x86_64: x32 calls report the native
///                                                   // arch under numbers the rules never list
/// if (nr == clone3) return ERRNO(ENOSYS);  // its flags sit in memory a filter cannot read;
///                                          // libc falls back to clone, whose flags it reads
/// ```
fn prelude() -> BpfProgram {
    const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const BPF_JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K
    // Offsets in struct seccomp_data.
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    let insn = |code: u16, jt: u8, jf: u8, k: u32| sock_filter { code, jt, jf, k };
    let errno = |e: libc::c_int| libc::SECCOMP_RET_ERRNO | e as u32;
    let mut program = vec![
        insn(BPF_LD_W_ABS, 0, 0, ARCH),
        insn(BPF_JEQ_K, 1, 0, NATIVE_AUDIT_ARCH),
        insn(BPF_RET_K, 0, 0, libc::SECCOMP_RET_KILL_PROCESS),
        insn(BPF_LD_W_ABS, 0, 0, NR),
    ];
    #[cfg(target_arch = "x86_64")]
    {
        const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
        const X32_SYSCALL_BIT: u32 = 0x4000_0000;
        program.extend([
            insn(BPF_JSET_K, 0, 1, X32_SYSCALL_BIT),
            insn(BPF_RET_K, 0, 0, errno(libc::EPERM)),
        ]);
    }
    program.extend([
        insn(BPF_JEQ_K, 0, 1, libc::SYS_clone3 as u32),
        insn(BPF_RET_K, 0, 0, errno(libc::ENOSYS)),
    ]);
    program
}

/// `AUDIT_ARCH_*` of the architecture we are built for (`<linux/audit.h>`: the ELF machine,
/// 64-bit, little-endian).
#[cfg(target_arch = "x86_64")]
const NATIVE_AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const NATIVE_AUDIT_ARCH: u32 = 0xC000_00B7;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const NATIVE_AUDIT_ARCH: u32 = 0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_is_one_program_with_the_prelude_first() {
        let strict = filter(false).unwrap();
        let open = filter(true).unwrap();
        assert!(strict.len() > open.len());
        let prelude = prelude();
        assert_eq!(strict[..prelude.len()], prelude[..]);
        // BPF jumps are relative and forward: none in the prelude may land beyond its end,
        // where the rules take over.
        for (i, insn) in prelude.iter().enumerate() {
            let reach = i + 1 + usize::from(insn.jt.max(insn.jf));
            assert!(
                reach <= prelude.len(),
                "instruction {i} jumps past the prelude"
            );
        }
    }
}
