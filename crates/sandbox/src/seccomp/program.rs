//! The shape of the one BPF program the sandbox installs.
//!
//! seccompiler compiles rules into a chain that compares the system call number with each
//! listed call in turn. When a filter is installed, the kernel runs it in an emulator for
//! every system call number, to learn which calls it always allows (those then skip the
//! filter); behind a chain, every number walks the whole of it, and that emulation was the
//! largest single cost of starting a sandboxed command. So the program opens with a binary
//! search over the listed numbers instead, and only calls with argument rules reach
//! seccompiler's part:
//!
//! ```text
//! if (arch != native) return KILL_PROCESS;          // 32-bit `int 0x80` calls use other numbers
//! if (nr & __X32_SYSCALL_BIT) return ERRNO(EPERM);  // x86_64: x32 calls, never listed
//! search nr among the listed calls:
//!     not listed             → return ALLOW
//!     fails whatever its arguments → return ERRNO(its errno)
//!     has argument rules     → seccompiler's program (which checks the arch again)
//! ```

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, sock_filter};

use crate::error::SandboxError;

/// What the program answers for a listed system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Fails with this errno, whatever the arguments.
    Fail(libc::c_int),
    /// Decided by seccompiler's argument rules, which follow the search.
    CheckArguments,
}

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGE_K: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K

/// Offsets in `struct seccomp_data`.
const NR_OFFSET: u32 = 0;
const ARCH_OFFSET: u32 = 4;

/// `AUDIT_ARCH_*` of the architecture we are built for (`<linux/audit.h>`: the ELF machine,
/// 64-bit, little-endian).
#[cfg(target_arch = "x86_64")]
pub(crate) const NATIVE_AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
pub(crate) const NATIVE_AUDIT_ARCH: u32 = 0xC000_00B7;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) const NATIVE_AUDIT_ARCH: u32 = 0;

/// The whole program: the prelude, the search over `listed`, its exits, then `rules`
/// (seccompiler's program for the calls whose verdict is [`Verdict::CheckArguments`]).
pub(crate) fn assemble(
    listed: &BTreeMap<u32, Verdict>,
    rules: BpfProgram,
) -> Result<BpfProgram, SandboxError> {
    let mut program = prelude();
    let listed: Vec<(u32, Verdict)> = listed.iter().map(|(&nr, &v)| (nr, v)).collect();
    let mut leaves = Vec::new();
    search(&listed, &mut program, &mut leaves)?;

    // The exits, right after the search: allow, one return per errno, then the rules.
    let allow_at = program.len();
    program.push(insn(BPF_RET_K, 0, 0, libc::SECCOMP_RET_ALLOW));
    let mut fail_at = BTreeMap::new();
    for &(_, verdict) in &listed {
        if let Verdict::Fail(errno) = verdict {
            fail_at.entry(errno).or_insert_with(|| {
                program.push(insn(BPF_RET_K, 0, 0, ret_errno(errno)));
                program.len() - 1
            });
        }
    }
    let rules_at = program.len();
    program.extend(rules);

    for (at, verdict) in leaves {
        let target = match verdict {
            Verdict::Fail(errno) => fail_at[&errno],
            Verdict::CheckArguments => rules_at,
        };
        program[at].jt = distance(at, target)?;
        program[at].jf = distance(at, allow_at)?;
    }
    Ok(program)
}

/// Arch check, number load and (on x86_64) the x32 check; falls through to the search.
fn prelude() -> BpfProgram {
    let mut program = vec![
        insn(BPF_LD_W_ABS, 0, 0, ARCH_OFFSET),
        insn(BPF_JEQ_K, 1, 0, NATIVE_AUDIT_ARCH),
        insn(BPF_RET_K, 0, 0, libc::SECCOMP_RET_KILL_PROCESS),
        insn(BPF_LD_W_ABS, 0, 0, NR_OFFSET),
    ];
    #[cfg(target_arch = "x86_64")]
    {
        const BPF_JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
        const X32_SYSCALL_BIT: u32 = 0x4000_0000;
        program.extend([
            insn(BPF_JSET_K, 0, 1, X32_SYSCALL_BIT),
            insn(BPF_RET_K, 0, 0, ret_errno(libc::EPERM)),
        ]);
    }
    program
}

/// Appends a search over `listed` (sorted by number): inner nodes split the range with
/// `nr >= k`, each leaf compares one number. Leaves are left unpatched and recorded in
/// `leaves`, since their targets come after the search.
fn search(
    listed: &[(u32, Verdict)],
    program: &mut BpfProgram,
    leaves: &mut Vec<(usize, Verdict)>,
) -> Result<(), SandboxError> {
    match listed {
        [] => {}
        [(nr, verdict)] => {
            leaves.push((program.len(), *verdict));
            program.push(insn(BPF_JEQ_K, 0, 0, *nr));
        }
        _ => {
            let (low, high) = listed.split_at(listed.len() / 2);
            let split = program.len();
            // Taken when nr >= the high half's first number; falls into the low half.
            program.push(insn(BPF_JGE_K, 0, 0, high[0].0));
            search(low, program, leaves)?;
            program[split].jt = distance(split, program.len())?;
            search(high, program, leaves)?;
        }
    }
    Ok(())
}

/// The jump offset from instruction `from` to `to`: classic BPF jumps are forward and
/// count from the next instruction, in eight bits.
fn distance(from: usize, to: usize) -> Result<u8, SandboxError> {
    u8::try_from(to - from - 1).map_err(|_| {
        SandboxError::SeccompBuild(format!(
            "instruction {from} cannot jump to {to}: too many listed system calls for one search"
        ))
    })
}

fn ret_errno(errno: libc::c_int) -> u32 {
    libc::SECCOMP_RET_ERRNO | errno.unsigned_abs()
}

fn insn(code: u16, jt: u8, jf: u8, k: u32) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// A classic BPF interpreter for the instructions our programs use, so tests can ask the
/// whole program what it answers without installing it.
#[cfg(test)]
pub(crate) fn evaluate(program: &[sock_filter], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
    // struct seccomp_data: nr, arch, instruction_pointer, args[6].
    let mut data = Vec::with_capacity(64);
    data.extend(nr.to_ne_bytes());
    data.extend(arch.to_ne_bytes());
    data.extend(0_u64.to_ne_bytes());
    for arg in args {
        data.extend(arg.to_ne_bytes());
    }
    let mut accumulator = 0_u32;
    let mut pc = 0;
    loop {
        let i = &program[pc];
        let k = i.k;
        pc += 1;
        let jump = |taken: bool| usize::from(if taken { i.jt } else { i.jf });
        match i.code {
            BPF_LD_W_ABS => {
                let at = k as usize;
                accumulator = u32::from_ne_bytes(data[at..at + 4].try_into().unwrap());
            }
            0x54 => accumulator &= k, // BPF_ALU | BPF_AND | BPF_K
            0x05 => pc += k as usize, // BPF_JMP | BPF_JA
            BPF_JEQ_K => pc += jump(accumulator == k), //
            BPF_JGE_K => pc += jump(accumulator >= k),
            0x25 => pc += jump(accumulator > k), // BPF_JMP | BPF_JGT | BPF_K
            0x45 => pc += jump(accumulator & k != 0), // BPF_JMP | BPF_JSET | BPF_K
            BPF_RET_K => return k,
            other => panic!(
                "instruction {} has an opcode the interpreter lacks: {other:#x}",
                pc - 1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;

    fn answer(program: &[sock_filter], nr: u32) -> u32 {
        evaluate(program, nr, NATIVE_AUDIT_ARCH, [0; 6])
    }

    #[test]
    fn the_search_answers_every_number_as_listed() {
        // Enough numbers for a deep, uneven tree; one errno apart from the rest.
        let mut listed: BTreeMap<u32, Verdict> = (0..100)
            .map(|i| (i * 5 + 3, Verdict::Fail(libc::EPERM)))
            .collect();
        listed.insert(250, Verdict::Fail(libc::ENOSYS));
        let sentinel = 0xdead;
        let rules = vec![insn(BPF_RET_K, 0, 0, sentinel)];
        let program = assemble(&listed, rules).unwrap();
        for nr in 0..600 {
            let expected = match listed.get(&nr) {
                None => libc::SECCOMP_RET_ALLOW,
                Some(Verdict::Fail(errno)) => ret_errno(*errno),
                Some(Verdict::CheckArguments) => sentinel,
            };
            assert_eq!(answer(&program, nr), expected, "system call {nr}");
        }
        listed.insert(7, Verdict::CheckArguments);
        let program = assemble(&listed, vec![insn(BPF_RET_K, 0, 0, sentinel)]).unwrap();
        assert_eq!(answer(&program, 7), sentinel);
        assert_eq!(answer(&program, 8), EPERM);
        assert_eq!(answer(&program, 9), libc::SECCOMP_RET_ALLOW);
    }

    #[test]
    fn other_architectures_are_killed_and_nothing_listed_means_allowed() {
        let program = assemble(&BTreeMap::new(), Vec::new()).unwrap();
        assert_eq!(answer(&program, 1), libc::SECCOMP_RET_ALLOW);
        assert_eq!(
            evaluate(&program, 1, 0x4000_0003, [0; 6]), // AUDIT_ARCH_I386
            libc::SECCOMP_RET_KILL_PROCESS
        );
        #[cfg(target_arch = "x86_64")]
        assert_eq!(answer(&program, 0x4000_0001), EPERM, "an x32 call");
    }

    #[test]
    fn a_search_too_wide_for_eight_bit_jumps_is_an_error_not_a_wrong_program() {
        let listed: BTreeMap<u32, Verdict> = (0..400)
            .map(|nr| (nr, Verdict::Fail(libc::EPERM)))
            .collect();
        let error = assemble(&listed, Vec::new()).unwrap_err();
        assert!(error.to_string().contains("too many listed"), "{error}");
    }
}
