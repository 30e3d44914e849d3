//! The seccomp half of the sandbox: system calls a sandboxed command may not make.
//!
//! Always denied (any sandboxed policy): `ptrace`, `process_vm_readv`/`process_vm_writev`
//! and `pidfd_getfd` (reading or writing another process's memory or descriptors), and the
//! terminal ioctls `TIOCSTI`/`TIOCLINUX` (typing into the user's terminal). Landlock already
//! scopes ptrace to the sandbox's own children; this closes it entirely.
//!
//! Denied unless the policy allows network: creating any socket but `AF_UNIX`, `connect`,
//! `bind`, `listen`, `accept`/`accept4`, `sendto` with a destination address, `sendmmsg`,
//! `recvmmsg`, `getsockopt`/`setsockopt`, `getpeername`/`getsockname`, `shutdown` and the
//! io_uring calls (which could do all of the above without passing through seccomp).
//! `send`/`recv`/`sendmsg`/`recvmsg`/`read`/`write` stay allowed, so Unix socketpairs and
//! pipes work; `send()` is `sendto` with no address, hence the address condition.
//!
//! Denied calls fail with `EPERM`. On x86_64 a second, hand-written filter denies every x32
//! system call (numbers with bit 30 set), which the first filter would not recognise; calls
//! from another architecture (32-bit `int 0x80`) kill the process.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};

use crate::error::SandboxError;

/// `ioctl` requests that inject input into a terminal.
const TIOCSTI: u64 = 0x5412;
const TIOCLINUX: u64 = 0x541C;

/// The filters to install, in order.
pub(crate) fn filters(network: bool) -> Result<Vec<BpfProgram>, SandboxError> {
    let arch = target_arch()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for nr in [
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_pidfd_getfd,
    ] {
        rules.insert(nr, Vec::new());
    }
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
        let not_unix = libc::AF_UNIX as u64;
        for nr in [libc::SYS_socket, libc::SYS_socketpair] {
            rules.insert(
                nr,
                vec![rule(
                    0,
                    SeccompCmpArgLen::Dword,
                    SeccompCmpOp::Ne,
                    not_unix,
                )?],
            );
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
    let mut programs = vec![program];
    if cfg!(target_arch = "x86_64") {
        programs.push(deny_x32());
    }
    Ok(programs)
}

/// Installs `programs` on the calling thread (the helper is single-threaded, and `execve`
/// keeps them). Sets `no_new_privs` first, as seccomp requires without `CAP_SYS_ADMIN`.
pub(crate) fn install(programs: &[BpfProgram]) -> Result<(), SandboxError> {
    for program in programs {
        seccompiler::apply_filter(program)
            .map_err(|e| SandboxError::SeccompInstall(e.to_string()))?;
    }
    Ok(())
}

fn rule(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompRule, SandboxError> {
    let condition = SeccompCondition::new(arg, len, op, value)
        .map_err(|e| SandboxError::SeccompBuild(e.to_string()))?;
    SeccompRule::new(vec![condition]).map_err(|e| SandboxError::SeccompBuild(e.to_string()))
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

/// `if (nr & __X32_SYSCALL_BIT) return ERRNO(EPERM); return ALLOW;` — the arch check of the
/// main filter passes x32 calls (they report AUDIT_ARCH_X86_64) under numbers it never lists.
fn deny_x32() -> BpfProgram {
    const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    let errno = libc::SECCOMP_RET_ERRNO | (libc::EPERM as u32);
    vec![
        // seccomp_data.nr is at offset 0.
        sock_filter {
            code: BPF_LD_W_ABS,
            jt: 0,
            jf: 0,
            k: 0,
        },
        sock_filter {
            code: BPF_JSET_K,
            jt: 0,
            jf: 1,
            k: X32_SYSCALL_BIT,
        },
        sock_filter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: errno,
        },
        sock_filter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_compile_with_and_without_network() {
        let strict = filters(false).unwrap();
        let open = filters(true).unwrap();
        assert!(strict[0].len() > open[0].len());
        assert_eq!(
            strict.len(),
            if cfg!(target_arch = "x86_64") { 2 } else { 1 }
        );
    }
}
