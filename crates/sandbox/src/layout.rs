//! The file-system view of a sandboxed command, built in its own mount namespace (the
//! bubblewrap approach, without a second root): everything read-only, the writable roots
//! read-write, a private `/dev` with a private `/dev/shm`, and a `/proc` of the command's own
//! PID namespace.
//!
//! In order, all in the namespace's init before Landlock:
//! 1. `/` is made recursively private, so nothing propagates back to the host;
//! 2. a private `/dev`: a tmpfs with `null`, `zero`, `full`, `random`, `urandom` and `tty`
//!    bound from the host, a `devpts` of its own, and the `fd`/`std*` links;
//! 3. every mount is made read-only, `nosuid` and (outside that `/dev`) `nodev` at once
//!    (`mount_setattr(AT_RECURSIVE)`). A read-only mount refuses what Landlock has no hook
//!    for: `chmod`, `chown`, `utimes` and extended attributes outside the roots, even for
//!    root;
//! 4. a fresh procfs on `/proc`: only the sandbox's own processes appear, so the agent's
//!    `/proc/<pid>/environ` cannot even be named;
//! 5. a fresh tmpfs on `/dev/shm` (Python's `multiprocessing` needs one, and the host's
//!    would be a channel to other processes);
//! 6. each writable root (and each directory between a root and a `deny_read` path inside
//!    it, `deny_read::holders`) is bind-mounted onto itself and made writable again (`nodev`,
//!    `nosuid`), outermost first so nested roots stay on top. A root is then a mountpoint:
//!    it cannot be renamed or removed (`EBUSY`), so a repository cannot be moved aside and
//!    replaced even when its parent is writable too (`/tmp` around a cwd under `/tmp`);
//! 7. `mount_guard` mounts the existing `.git` and `.codex` read-only on top;
//! 8. `deny_read` covers the denied paths, wherever they are reachable.
//!
//! Mounts below a writable root (a tmpfs inside the workspace) stay read-only: only the
//! root's own mount is made writable again.

use std::ffi::CString;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::namespaces::Unavailable;

const MOUNT_ATTR_RDONLY: u64 = 0x1;
const MOUNT_ATTR_NOSUID: u64 = 0x2;
const MOUNT_ATTR_NODEV: u64 = 0x4;

/// `struct mount_attr` of `mount_setattr(2)`.
#[repr(C)]
pub(crate) struct MountAttr {
    pub(crate) attr_set: u64,
    pub(crate) attr_clr: u64,
    pub(crate) propagation: u64,
    pub(crate) userns_fd: u64,
}

/// Step 1: nothing mounted from here on propagates back to the host.
pub(crate) fn make_private() -> Result<(), Unavailable> {
    mount(None, Path::new("/"), None, libc::MS_REC | libc::MS_PRIVATE)
        .map_err(|source| unavailable("make / private", Path::new("/"), source))
}

/// The host's device nodes a command gets in its private `/dev`.
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];

/// Step 2: a private `/dev` (the bubblewrap `--dev` set): a tmpfs with the harmless nodes
/// bound from the host's, a `devpts` of its own (so ptys work and no other terminal can be
/// opened), the `fd`/`stdin`/`stdout`/`stderr` links, and an empty `shm` for step 5.
/// Without it root, even with no capability, opens every device node it owns by their
/// owner bits: disks (around `deny_read`), consoles, input devices, other root terminals.
pub(crate) fn private_dev() -> Result<(), Unavailable> {
    let dev = Path::new("/dev");
    // The host's nodes stay reachable through this descriptor once the tmpfs covers them.
    let host = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(dev)
        .map_err(|source| unavailable("open", dev, source))?;
    let host_dir = PathBuf::from(format!("/proc/self/fd/{}", host.as_raw_fd()));
    mount_fs(
        "tmpfs",
        dev,
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        "mode=0755,size=64k",
    )
    .map_err(|source| unavailable("mount tmpfs on", dev, source))?;
    for name in DEVICES {
        let source = host_dir.join(name);
        if std::fs::metadata(&source).is_err() {
            continue; // Not on this host (a minimal container): not in the sandbox either.
        }
        let target = dev.join(name);
        std::fs::File::create(&target).map_err(|e| unavailable("create", &target, e))?;
        mount(Some(&source), &target, None, libc::MS_BIND)
            .map_err(|e| unavailable("bind the host's node onto", &target, e))?;
    }
    let pts = dev.join("pts");
    std::fs::create_dir(&pts).map_err(|e| unavailable("create", &pts, e))?;
    mount_fs(
        "devpts",
        &pts,
        libc::MS_NOSUID | libc::MS_NOEXEC,
        "newinstance,ptmxmode=0666,mode=0620",
    )
    .map_err(|source| unavailable("mount devpts on", &pts, source))?;
    let links = [
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ];
    for (name, target) in links {
        let link = dev.join(name);
        std::os::unix::fs::symlink(target, &link).map_err(|e| unavailable("link", &link, e))?;
    }
    let shm = dev.join("shm");
    std::fs::create_dir(&shm).map_err(|e| unavailable("create", &shm, e))
}

/// Step 3: every mount read-only, `nosuid` and, when `/dev` is the private one of step 2,
/// `nodev` outside it, at once (`mount_setattr(AT_RECURSIVE)`). A read-only mount refuses
/// what Landlock has no hook for: `chmod`, `chown`, `utimes` and extended attributes outside
/// the roots, even for root.
pub(crate) fn read_only_view(private_dev: bool) -> Result<(), Unavailable> {
    let nodev = if private_dev { MOUNT_ATTR_NODEV } else { 0 };
    set_attributes(
        Path::new("/"),
        true,
        MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | nodev,
        0,
    )
    .map_err(|source| {
        unavailable(
            "mount_setattr(AT_RECURSIVE, read-only)",
            Path::new("/"),
            source,
        )
    })?;
    if private_dev {
        let dev = Path::new("/dev");
        set_attributes(dev, true, 0, MOUNT_ATTR_NODEV)
            .map_err(|source| unavailable("mount_setattr(AT_RECURSIVE, dev)", dev, source))?;
    }
    Ok(())
}

/// Step 5: a private tmpfs on `/dev/shm`, when the host has that directory (`Ok(false)`
/// when it does not).
pub(crate) fn private_dev_shm() -> Result<bool, Unavailable> {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        return Ok(false);
    }
    mount_fs("tmpfs", shm, libc::MS_NOSUID | libc::MS_NODEV, "mode=1777")
        .map_err(|source| unavailable("mount tmpfs on", shm, source))?;
    Ok(true)
}

/// Step 4: a procfs of the current PID namespace on `/proc`.
pub(crate) fn private_proc() -> Result<(), Unavailable> {
    let proc = Path::new("/proc");
    mount_fs(
        "proc",
        proc,
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        "",
    )
    .map_err(|source| unavailable("mount proc on", proc, source))
}

/// Step 6: each root (existing directories, sorted so that outer roots come first) bound
/// onto itself and writable. A root on a mount that was read-only before the sandbox stays
/// read-only (the kernel locks that flag in a user namespace).
pub(crate) fn writable_roots(roots: &[PathBuf]) -> Result<(), Unavailable> {
    for root in roots {
        mount(Some(root), root, None, libc::MS_BIND | libc::MS_REC)
            .map_err(|source| unavailable("bind-mount", root, source))?;
        let cleared = set_attributes(
            root,
            false,
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
            MOUNT_ATTR_RDONLY,
        );
        match cleared {
            Ok(()) => {}
            // Read-only before the sandbox: keep it so, but still nodev and nosuid.
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
                set_attributes(root, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0)
                    .map_err(|source| unavailable("mount_setattr", root, source))?;
            }
            Err(source) => return Err(unavailable("mount_setattr(read-write)", root, source)),
        }
    }
    Ok(())
}

/// The roots to bind: existing directories, without duplicates, outer first.
pub(crate) fn bind_order(roots: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = roots.into_iter().filter(|r| r.is_dir()).collect();
    out.sort_by_key(|r| r.components().count());
    out.dedup();
    out
}

fn unavailable(step: &str, path: &Path, source: io::Error) -> Unavailable {
    Unavailable {
        step: format!("{step} {}", path.display()),
        source,
    }
}

fn set_attributes(path: &Path, recursive: bool, set: u64, clear: u64) -> io::Result<()> {
    let c_path = c_string(path)?;
    let attr = MountAttr {
        attr_set: set,
        attr_clr: clear,
        propagation: 0,
        userns_fd: 0,
    };
    let flags = if recursive { libc::AT_RECURSIVE } else { 0 };
    // SAFETY: the path is NUL-terminated, `attr` is a valid mount_attr of the size passed,
    // and both outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            flags,
            &raw const attr,
            size_of::<MountAttr>(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub(crate) fn mount_fs(
    fstype: &str,
    target: &Path,
    flags: libc::c_ulong,
    data: &str,
) -> io::Result<()> {
    mount_with_data(
        Some(Path::new(fstype)),
        target,
        Some(fstype),
        flags,
        Some(data),
    )
}

pub(crate) fn mount(
    source: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
) -> io::Result<()> {
    mount_with_data(source, target, fstype, flags, None)
}

fn mount_with_data(
    source: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let source = source.map(c_string).transpose()?;
    let target = c_string(target)?;
    let fstype = fstype
        .map(CString::new)
        .transpose()
        .map_err(io::Error::other)?;
    let data = data
        .map(CString::new)
        .transpose()
        .map_err(io::Error::other)?;
    let source_ptr = source.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    let fstype_ptr = fstype.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    let data_ptr = data
        .as_ref()
        .map_or(std::ptr::null(), |s| s.as_ptr().cast::<libc::c_void>());
    // SAFETY: the strings are NUL-terminated and outlive the call; null source, type and
    // data are what bind mounts, remounts and propagation changes expect.
    let rc = unsafe { libc::mount(source_ptr, target.as_ptr(), fstype_ptr, flags, data_ptr) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub(crate) fn c_string(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(io::Error::other)
}
