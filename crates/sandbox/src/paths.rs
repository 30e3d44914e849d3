//! Path helpers shared by the roots and the rule builders. Comparisons between roots, protected
//! subpaths and enumerated children only work if all of them are spelled the same way, so every
//! path the sandbox reasons about goes through [`resolve`].

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against `base` and normalized without touching the file system:
/// `.` dropped, `..` removes the previous component (never above `/`).
pub(crate) fn normalize(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::from("/");
    for component in joined.components() {
        match component {
            Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(part) => out.push(part),
        }
    }
    out
}

/// The canonical spelling of `path` (symlinks resolved) when it exists, else its normalized
/// spelling. Roots and protected paths are compared in this form.
pub(crate) fn resolve(base: &Path, path: &Path) -> PathBuf {
    let normalized = normalize(base, path);
    std::fs::canonicalize(&normalized).unwrap_or(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn normalize_removes_dots_and_cannot_climb_above_root() {
        let base = Path::new("/project/dir");
        assert_eq!(
            normalize(base, Path::new("a/./b/../c")),
            PathBuf::from("/project/dir/a/c")
        );
        assert_eq!(
            normalize(base, Path::new("/x/../../y")),
            PathBuf::from("/y")
        );
        assert_eq!(normalize(base, Path::new("..")), PathBuf::from("/project"));
    }
}
