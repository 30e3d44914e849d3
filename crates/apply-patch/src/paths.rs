//! The files a patch would touch, for safety checks made before anything is written.

use std::path::{Component, Path, PathBuf};

use crate::parser::{Hunk, Patch};

/// Every path the patch writes or removes (move destinations included), joined onto `cwd` and
/// normalised lexically (`.` dropped, `..` resolved without touching the disk), in patch order
/// and without duplicates. A sandbox check on these paths sees through `sub/../../etc/passwd`.
pub fn affected_paths(patch: &Patch, cwd: &Path) -> Vec<PathBuf> {
    each_target(patch, |p| normalize_lexically(&cwd.join(p)))
}

/// Every path the patch names (move destinations included), mapped by `locate`, in patch order
/// and without duplicates.
pub(crate) fn each_target(patch: &Patch, locate: impl Fn(&Path) -> PathBuf) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |p: &Path| {
        let found = locate(p);
        if !out.contains(&found) {
            out.push(found);
        }
    };
    for hunk in &patch.hunks {
        push(hunk.path());
        if let Hunk::Update {
            move_path: Some(dest),
            ..
        } = hunk
        {
            push(dest);
        }
    }
    out
}

/// Resolves `.` and `..` components of `path` without consulting the file system. `..` above
/// the root stays at the root, as the kernel does.
pub fn normalize_lexically(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_patch;
    use pretty_assertions::assert_eq;

    #[test]
    fn normalises_and_includes_move_destinations() {
        let patch = parse_patch(
            "*** Begin Patch\n*** Add File: ./a/../b.txt\n+x\n*** Update File: c\n\
             *** Move to: ../../outside/d\n@@\n-x\n*** Delete File: b.txt\n*** End Patch",
        )
        .unwrap();
        assert_eq!(
            affected_paths(&patch, Path::new("/project/tree")),
            vec![
                PathBuf::from("/project/tree/b.txt"),
                PathBuf::from("/project/tree/c"),
                PathBuf::from("/outside/d"),
            ]
        );
    }

    #[test]
    fn parent_of_root_is_root() {
        assert_eq!(
            normalize_lexically(Path::new("/a/../../etc")),
            PathBuf::from("/etc")
        );
        assert_eq!(
            normalize_lexically(Path::new("a/../../b")),
            PathBuf::from("../b")
        );
        assert_eq!(
            normalize_lexically(Path::new("../../b/./c")),
            PathBuf::from("../../b/c")
        );
    }
}
