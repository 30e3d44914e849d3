//! Dropping every capability, for root too.
//!
//! Root keeps its capabilities across Landlock and seccomp, and with them it could lift the
//! read-only mounts (`mount_setattr`), make device nodes, read any process's memory through
//! `/proc`, or change host-wide settings. So before the command starts, every capability
//! leaves every set: bounding (so no `execve`, not even of a root-owned file, brings one
//! back), ambient, inheritable, permitted and effective. The securebits that would let root
//! regain them at `execve` are set and locked first, while `CAP_SETPCAP` is still held.
//!
//! Outside root's namespace the same calls run inside the sandbox's own user namespace,
//! where the helper holds every capability of that namespace until this drops them.

use std::io;

/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// Highest capability number the loop tries; the kernel answers `EINVAL` past its last one.
const MAX_CAP: libc::c_ulong = 63;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Drops every capability of the calling thread (the helper is single-threaded) and locks
/// the securebits against regaining them. Fails only if the sets are not empty afterwards.
pub(crate) fn drop_all() -> io::Result<()> {
    let locked = libc::SECBIT_NOROOT
        | libc::SECBIT_NOROOT_LOCKED
        | libc::SECBIT_NO_SETUID_FIXUP
        | libc::SECBIT_NO_SETUID_FIXUP_LOCKED
        | libc::SECBIT_KEEP_CAPS_LOCKED
        | libc::SECBIT_NO_CAP_AMBIENT_RAISE
        | libc::SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    // SAFETY: prctl with integer arguments only changes this thread's credentials. Without
    // CAP_SETPCAP (an unprivileged caller with no namespace) it fails, and there is then no
    // capability to regain: the result is ignored on purpose.
    unsafe {
        libc::prctl(libc::PR_SET_SECUREBITS, locked as libc::c_ulong, 0, 0, 0);
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
    }
    for cap in 0..=MAX_CAP {
        // SAFETY: as above; EINVAL past the last capability ends the loop, EPERM means we
        // hold no CAP_SETPCAP and so no capability a bounding set could matter for.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0
            && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL)
        {
            break;
        }
    }
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [CapData::default(); 2];
    // SAFETY: header and two data words are the layout capset(2) expects for version 3, and
    // both outlive the call.
    if unsafe { libc::syscall(libc::SYS_capset, &raw mut header, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut check = [CapData::default(); 2];
    // SAFETY: as above; capget writes two data words.
    if unsafe { libc::syscall(libc::SYS_capget, &raw mut header, check.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if check
        .iter()
        .any(|d| d.effective | d.permitted | d.inheritable != 0)
    {
        return Err(io::Error::other("capabilities remain after capset"));
    }
    Ok(())
}
