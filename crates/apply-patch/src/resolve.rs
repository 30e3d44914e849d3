//! Where a write really lands: every symlink on the way resolved, as the kernel would walk
//! the path, dangling links included.
//!
//! `std::fs::canonicalize` fails on a dangling symlink, and a check that then falls back to
//! the link's own path approves `link -> /outside/new-file` as a file inside the workspace
//! while the write creates the target outside it. [`resolve_for_write`] follows the link
//! whether or not its target exists, and [`write_targets`] applies it to every path of a
//! patch, so the policy check and the write see the same path. The write itself then opens
//! that path with `O_NOFOLLOW` (see `apply`), so a link planted after the check is refused
//! rather than followed.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::parser::Patch;

/// Symlinks followed before giving up, as the kernel's `ELOOP` limit.
const MAX_LINKS: usize = 40;

/// The physical path a write to `path` reaches: symlinks resolved component by component in
/// the order the kernel walks them (so `link/..` is the parent of the link's target, not the
/// directory holding the link), a dangling link resolved to its target, and missing
/// components appended as written. A relative `path` is taken against the current directory.
pub fn resolve_for_write(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    // Components still to walk, last first.
    let mut pending: Vec<OsString> = Vec::new();
    push_components(&mut pending, &absolute);
    let mut out = PathBuf::from("/");
    let mut links = 0;
    let mut exists = true;
    while let Some(part) = pending.pop() {
        if part == ".." {
            out.pop();
            continue;
        }
        let next = out.join(&part);
        if exists {
            match std::fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() && links < MAX_LINKS => {
                    links += 1;
                    if let Ok(target) = std::fs::read_link(&next) {
                        if target.is_absolute() {
                            out = PathBuf::from("/");
                        }
                        push_components(&mut pending, &target);
                        continue;
                    }
                }
                Ok(_) => {}
                Err(_) => exists = false,
            }
        }
        out = next;
    }
    out
}

/// Pushes the components of `path` onto `pending` so that they pop in order.
fn push_components(pending: &mut Vec<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    pending.extend(parts.into_iter().rev());
}

/// Every path the patch writes or removes (move destinations included), joined onto `cwd` and
/// resolved by [`resolve_for_write`], in patch order and without duplicates: the paths a
/// policy check must judge.
pub fn write_targets(patch: &Patch, cwd: &Path) -> Vec<PathBuf> {
    crate::paths::each_target(patch, |p| resolve_for_write(&cwd.join(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::os::unix::fs::symlink;

    fn canonical_tempdir() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().canonicalize().unwrap();
        (dir, path)
    }

    #[test]
    fn dangling_links_resolve_to_their_target() {
        let (_root, root) = canonical_tempdir();
        let (_out, outside) = canonical_tempdir();
        symlink(outside.join("new.txt"), root.join("link")).unwrap();
        assert_eq!(
            resolve_for_write(&root.join("link")),
            outside.join("new.txt")
        );
        // A relative dangling link into a missing directory.
        symlink("../nowhere/deeper/file", root.join("rel")).unwrap();
        assert_eq!(
            resolve_for_write(&root.join("rel")),
            root.parent().unwrap().join("nowhere/deeper/file")
        );
    }

    #[test]
    fn directory_links_and_dot_dot_follow_kernel_order() {
        let (_root, root) = canonical_tempdir();
        let (_out, outside) = canonical_tempdir();
        std::fs::create_dir(outside.join("inner")).unwrap();
        symlink(outside.join("inner"), root.join("dir")).unwrap();
        assert_eq!(
            resolve_for_write(&root.join("dir/new/file.txt")),
            outside.join("inner/new/file.txt")
        );
        // `dir/..` is the parent of the target, not `root`.
        assert_eq!(resolve_for_write(&root.join("dir/../x")), outside.join("x"));
        assert_eq!(resolve_for_write(&root.join("a/../b")), root.join("b"));
    }

    #[test]
    fn loops_do_not_hang() {
        let (_root, root) = canonical_tempdir();
        symlink(root.join("b"), root.join("a")).unwrap();
        symlink(root.join("a"), root.join("b")).unwrap();
        let got = resolve_for_write(&root.join("a/file"));
        assert!(got.starts_with(&root), "{got:?}");
    }

    #[test]
    fn write_targets_resolve_every_path_of_a_patch() {
        let (_root, root) = canonical_tempdir();
        let (_out, outside) = canonical_tempdir();
        symlink(outside.join("planted"), root.join("innocent.txt")).unwrap();
        let patch = crate::parse_patch(
            "*** Begin Patch\n*** Add File: innocent.txt\n+x\n*** Add File: ok.txt\n+y\n\
             *** End Patch",
        )
        .unwrap();
        assert_eq!(
            write_targets(&patch, &root),
            vec![outside.join("planted"), root.join("ok.txt")]
        );
    }
}
