//! Hiding `deny_read` paths by mounting over them, aliases included.
//!
//! Carving denied paths out of a Landlock "read everything" rule is path-based twice over:
//! another path to the same file (a bind mount of its directory elsewhere) stays readable,
//! and every directory on the way to a denied path loses its read rule, so files created
//! there later cannot be read back. In the sandbox's mount namespace a denied path is covered
//! instead, wherever it is reachable:
//! - a directory by an empty, read-only tmpfs with mode 000;
//! - a file by an empty, read-only file with mode 000 (bound from a tmpfs that is never
//!   attached anywhere the command could see).
//!
//! With every capability dropped, mode 000 refuses root too, and the read-only mounts refuse
//! `chmod`. Other mount points of the same file system are found in `/proc/self/mountinfo`
//! and the denied inode is covered there as well. What mounts cannot find is another hard
//! link to a denied file: such files are reported (a note), not hidden.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::layout::{c_string, mount_fs};
use crate::namespaces::Unavailable;

/// What to cover, computed before the namespaces change the mount table.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Denied paths and their aliases under other mount points.
    pub(crate) paths: Vec<PathBuf>,
    /// Files with more hard links than can be covered, for a note.
    pub(crate) linked: Vec<(PathBuf, u64)>,
}

/// The paths to cover for `denied` (existing, resolved paths).
pub(crate) fn plan(denied: &[PathBuf]) -> Plan {
    if denied.is_empty() {
        return Plan::default();
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .map(|text| parse_mountinfo(&text))
        .unwrap_or_default();
    let mut out = Plan::default();
    for path in denied {
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if meta.is_file() && meta.nlink() > 1 {
            out.linked.push((path.clone(), meta.nlink()));
        }
        for candidate in std::iter::once(path.clone()).chain(aliases(path, &meta, &mounts)) {
            if !out.paths.contains(&candidate) {
                out.paths.push(candidate);
            }
        }
    }
    out
}

/// The directories between a writable root and a denied path inside it. They are bound
/// onto themselves with the roots (`layout`), which makes them mountpoints: a command could
/// otherwise rename one, taking the covered path out from under its cover, and the next
/// command, given the same `deny_read` path (now missing), would read the file where it went.
pub(crate) fn holders(denied: &[PathBuf], roots: &[crate::roots::WritableRoot]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in denied {
        for root in roots.iter().filter(|r| path.starts_with(&r.root)) {
            let between = path
                .ancestors()
                .skip(1)
                .take_while(|dir| *dir != root.root.as_path());
            for dir in between {
                if !out.iter().any(|d: &PathBuf| d == dir) {
                    out.push(dir.to_path_buf());
                }
            }
        }
    }
    out
}

/// Covers every path of the plan. Runs in the sandbox's mount namespace, before Landlock.
pub(crate) fn cover(paths: &[PathBuf]) -> Result<(), Unavailable> {
    let mut empty_file: Option<OwnedFd> = None;
    for path in paths {
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if meta.is_dir() {
            mount_fs(
                "tmpfs",
                path,
                libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                "mode=000,size=4k",
            )
            .map_err(|source| unavailable("mount an empty tmpfs over", path, source))?;
            continue;
        }
        if empty_file.is_none() {
            empty_file = Some(
                detached_empty_file()
                    .map_err(|source| unavailable("make the empty file for", path, source))?,
            );
        }
        if let Some(mount_fd) = &empty_file {
            cover_file(mount_fd, path)
                .map_err(|source| unavailable("mount an empty file over", path, source))?;
        }
    }
    Ok(())
}

fn unavailable(step: &str, path: &Path, source: io::Error) -> Unavailable {
    Unavailable {
        step: format!("{step} {}", path.display()),
        source,
    }
}

/// Name of the empty file inside the detached tmpfs.
const EMPTY: &std::ffi::CStr = c"empty";

/// A read-only tmpfs attached nowhere, holding one empty file with mode 000.
fn detached_empty_file() -> io::Result<OwnedFd> {
    const FSOPEN_CLOEXEC: libc::c_uint = 1;
    const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
    const FSMOUNT_CLOEXEC: libc::c_uint = 1;
    const MOUNT_ATTR_RDONLY: u64 = 0x1;
    const MOUNT_ATTR_NOSUID: u64 = 0x2;
    const MOUNT_ATTR_NODEV: u64 = 0x4;
    const MOUNT_ATTR_NOEXEC: u64 = 0x8;
    // SAFETY: fsopen reads a NUL-terminated name and returns a new descriptor.
    let fs =
        check_fd(unsafe { libc::syscall(libc::SYS_fsopen, c"tmpfs".as_ptr(), FSOPEN_CLOEXEC) })?;
    // SAFETY: FSCONFIG_CMD_CREATE takes no key or value.
    check(unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_void>(),
            0,
        )
    })?;
    // SAFETY: fsmount takes a file-system context descriptor and flags.
    let mount = check_fd(unsafe {
        libc::syscall(
            libc::SYS_fsmount,
            fs.as_raw_fd(),
            FSMOUNT_CLOEXEC,
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        )
    })?;
    // SAFETY: openat on the mount's root with a NUL-terminated name creates the file.
    let file = check_fd(
        unsafe {
            libc::openat(
                mount.as_raw_fd(),
                EMPTY.as_ptr(),
                libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC,
                0,
            )
        }
        .into(),
    )?;
    drop(file);
    let attr = crate::layout::MountAttr {
        attr_set: MOUNT_ATTR_RDONLY,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the empty path with AT_EMPTY_PATH names the descriptor itself; `attr` is a
    // valid mount_attr of the size passed.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            mount.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            &raw const attr,
            size_of::<crate::layout::MountAttr>(),
        )
    })?;
    Ok(mount)
}

/// Binds the empty file of `mount_fd` over `path`.
fn cover_file(mount_fd: &OwnedFd, path: &Path) -> io::Result<()> {
    const OPEN_TREE_CLONE: libc::c_uint = 1;
    const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;
    let target = c_string(path)?;
    // SAFETY: open_tree on a descriptor and a NUL-terminated relative name.
    let tree = check_fd(unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            mount_fd.as_raw_fd(),
            EMPTY.as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint,
        )
    })?;
    // SAFETY: moves the cloned tree (named by its descriptor) onto a NUL-terminated path.
    check(unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    })
}

fn check(rc: libc::c_long) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn check_fd(rc: libc::c_long) -> io::Result<OwnedFd> {
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = i32::try_from(rc).map_err(io::Error::other)?;
    // SAFETY: the kernel just returned this descriptor to us and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// One line of `/proc/self/mountinfo`: the device, the path inside the file system that is
/// mounted, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MountEntry {
    dev: (u32, u32),
    root: PathBuf,
    mountpoint: PathBuf,
}

fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let dev = fields.nth(2)?;
            let (major, minor) = dev.split_once(':')?;
            let root = unescape(fields.next()?);
            let mountpoint = unescape(fields.next()?);
            Some(MountEntry {
                dev: (major.parse().ok()?, minor.parse().ok()?),
                root: PathBuf::from(root),
                mountpoint: PathBuf::from(mountpoint),
            })
        })
        .collect()
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len() + 1
            && let Some(octal) = field.get(i + 1..i + 4)
            && let Ok(value) = u8::from_str_radix(octal, 8)
        {
            out.push(value);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Other paths at which the inode of `path` is reachable through a mount of the same file
/// system (a bind mount of a parent directory elsewhere).
fn aliases(path: &Path, meta: &std::fs::Metadata, mounts: &[MountEntry]) -> Vec<PathBuf> {
    let dev = (libc::major(meta.dev()), libc::minor(meta.dev()));
    let same_fs: Vec<&MountEntry> = mounts.iter().filter(|m| m.dev == dev).collect();
    let Some(home) = same_fs
        .iter()
        .filter(|m| path.starts_with(&m.mountpoint))
        .max_by_key(|m| m.mountpoint.components().count())
    else {
        return Vec::new();
    };
    let Ok(inside) = path.strip_prefix(&home.mountpoint) else {
        return Vec::new();
    };
    let fs_path = home.root.join(inside);
    same_fs
        .iter()
        .filter_map(|m| {
            let rest = fs_path.strip_prefix(&m.root).ok()?;
            let alias = m.mountpoint.join(rest);
            let alias_meta = std::fs::metadata(&alias).ok()?;
            (alias != path && alias_meta.dev() == meta.dev() && alias_meta.ino() == meta.ino())
                .then_some(alias)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn mountinfo_lines_parse_with_escapes() {
        let text = "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n\
                    22 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
        assert_eq!(
            parse_mountinfo(text),
            vec![
                MountEntry {
                    dev: (98, 0),
                    root: "/mnt1".into(),
                    mountpoint: "/mnt/with space".into(),
                },
                MountEntry {
                    dev: (8, 1),
                    root: "/".into(),
                    mountpoint: "/".into(),
                },
            ]
        );
    }
}
