//! The Landlock half of the sandbox: which paths get which rights, and the ruleset.
//!
//! Landlock rules only ever add access, and a rule on a directory covers everything beneath
//! it. So "write under the root but not in its `.git`" cannot be one Landlock rule. Normally it
//! does not have to be: the existing `.git` and `.codex` are read-only bind mounts
//! (`mount_guard`) and each writable root is one write rule. Where that is not possible the
//! root's children are enumerated and each one except the protected ones is granted,
//! descending only along the way to a protected path that lies deeper. Deny-read paths are
//! carved out of "read everything" the same way, starting at `/`.
//!
//! Consequences, all deliberate:
//! - A protected path that does not exist yet (no `.git` in the cwd) is not protected from
//!   being created: there is nothing to mount over, and carving it out would cost the whole
//!   root its top-level entries. A command can therefore `git init` or create `.codex` in a
//!   root that has none; it cannot touch an existing one. (Codex's own Landlock helper
//!   protects nothing here.)
//! - A protected mountpoint cannot be renamed or removed (`EBUSY`), and nothing beneath it can
//!   be written (`EROFS`), linked out (`EXDEV`) or mounted over (Landlock forbids mounts).
//! - A root that contains another root (a configured parent of the cwd, or `/tmp` around a
//!   cwd under `/tmp`) is one rule too: the inner root is a mountpoint, which cannot be moved
//!   aside and replaced by a repository with planted hooks. Only a protected path deeper in a
//!   root than its direct children (a git dir named by a `.git` file) has the directories
//!   leading to it carved out, and a root whose `.git` or `.codex` is a symlink has the link
//!   carved out (a mount would land on the target, leaving the link replaceable).
//! - Fallback, when no mount namespace can be had (user namespaces disabled, a container
//!   profile, nested sandboxes): every protected path, even a missing one, is carved out. In
//!   a root with protected paths (the policy cwd always has) the root itself then gets no
//!   rule, so entries directly in it can be written but not created, removed or renamed;
//!   everything in its subdirectories stays fully writable.
//! - Symlinks among the enumerated children get no rule: a rule on a symlink would grant its
//!   target. Writes through a symlink are judged at the target's real path.
//! - Directories that cannot be listed (permissions) get no rule below them: stricter, never
//!   looser.
//! - Deny-read paths are normally covered by mounts (`deny_read`) and need no rule here. Only
//!   when those mounts cannot be made are they carved out of "read everything"; directory
//!   listing then stays allowed everywhere (tools need to list `/` and `$HOME`), so the names
//!   inside a denied directory remain visible, the contents of its files do not.
//! - Rules are path-based: a hard link that already exists inside a root is written through
//!   like any file there. Creating new links to outside files is refused by Landlock.

use std::fs;
use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope,
};

use crate::error::SandboxError;
use crate::roots::WritableRoot;
use crate::shortfall::TARGET_ABI;

/// The kind of access a grant gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Read files, list directories, execute.
    Read,
    /// List directories only.
    List,
    /// Create, write, truncate, remove, rename.
    Write,
}

/// One rule: `grant` on `path` and (for a directory) everything beneath it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) path: PathBuf,
    pub(crate) is_dir: bool,
    pub(crate) grant: Grant,
}

/// Every rule for a sandbox: reads (minus `deny_read`), writes in `roots` and `/dev/null`.
///
/// `mounted` lists the protected paths already made read-only by bind mounts
/// ([`crate::mount_guard`]); a root whose protected paths are all covered that way is one
/// rule. `None` means there are no such mounts: every read-only subpath, even a missing one,
/// is then carved out of its root by [`grant_except`].
pub(crate) fn plan(
    roots: &[WritableRoot],
    deny_read: &[PathBuf],
    mounted: Option<&[PathBuf]>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    if deny_read.is_empty() {
        rules.push(Rule {
            path: PathBuf::from("/"),
            is_dir: true,
            grant: Grant::Read,
        });
    } else {
        rules.push(Rule {
            path: PathBuf::from("/"),
            is_dir: true,
            grant: Grant::List,
        });
        let denied: Vec<&Path> = deny_read.iter().map(PathBuf::as_path).collect();
        grant_except(Path::new("/"), true, &denied, Grant::Read, &mut rules);
    }
    for root in roots {
        if !root.root.is_dir() {
            continue; // Nothing to write into; its parent is not writable either.
        }
        let excluded = match mounted {
            Some(mounted) => carve_outs(root, roots, mounted),
            None => root.read_only_subpaths.clone(),
        };
        let excluded: Vec<&Path> = excluded.iter().map(PathBuf::as_path).collect();
        grant_except(&root.root, true, &excluded, Grant::Write, &mut rules);
    }
    rules.push(Rule {
        path: PathBuf::from("/dev/null"),
        is_dir: false,
        grant: Grant::Write,
    });
    rules
}

/// What must still be left out of `root`'s write grant when the protected paths in `mounted`
/// are read-only mounts and every writable root is itself a bind mount (`layout`): nothing
/// for a mount directly in the root or in a nested root (mountpoints cannot be renamed or
/// removed, so a repository that is a root cannot be moved aside and replaced by one with
/// fresh hooks). For a deeper mount with no root on the way (a git dir named by a `.git`
/// file), the directories leading to it must not be renamable either, so the mount is carved
/// out and those directories get no rule of their own. Protected paths that are not covered
/// by a mount (symlinks) are carved out as before; missing ones are not (nothing exists to
/// protect).
fn carve_outs(root: &WritableRoot, roots: &[WritableRoot], mounted: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in &root.read_only_subpaths {
        let carve = match mounted.iter().find(|m| path.starts_with(m)) {
            Some(mount) if mount.parent() == Some(root.root.as_path()) || *mount == root.root => {
                continue;
            }
            Some(mount) => {
                let nested_root = roots.iter().any(|r| {
                    r.root != root.root
                        && r.root.starts_with(&root.root)
                        && mount.parent() == Some(r.root.as_path())
                });
                if nested_root {
                    continue;
                }
                // Deeper inside a nested root: that root carves it, and this (outer) root
                // must not grant it back, so the nested root is left out whole.
                roots
                    .iter()
                    .map(|r| &r.root)
                    .filter(|r| {
                        **r != root.root && r.starts_with(&root.root) && mount.starts_with(r)
                    })
                    .min_by_key(|r| r.components().count())
                    .unwrap_or(mount)
                    .clone()
            }
            None if fs::symlink_metadata(path).is_err() => continue,
            None => path.clone(),
        };
        if !out.contains(&carve) {
            out.push(carve);
        }
    }
    out
}

/// Grants `grant` on `path` and beneath it, except on the `excluded` paths (and beneath them).
fn grant_except(path: &Path, is_dir: bool, excluded: &[&Path], grant: Grant, out: &mut Vec<Rule>) {
    if excluded.contains(&path) {
        return;
    }
    let inside: Vec<&Path> = excluded
        .iter()
        .copied()
        .filter(|e| e.starts_with(path))
        .collect();
    if inside.is_empty() || !is_dir {
        out.push(Rule {
            path: path.to_path_buf(),
            is_dir,
            grant,
        });
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        // `file_type` does not follow symlinks; a symlink child gets no rule of its own.
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_symlink() {
            continue;
        }
        grant_except(&entry.path(), file_type.is_dir(), &inside, grant, out);
    }
}

/// Builds the ruleset from `rules` and restricts the calling process with it (and sets
/// `no_new_privs`). Signals to processes outside the sandbox's Landlock domain are refused
/// (ABI 6). `network` false also denies TCP bind/connect and connecting to abstract Unix
/// sockets outside the domain, where the kernel can.
pub(crate) fn restrict_self(rules: &[Rule], network: bool) -> Result<(), SandboxError> {
    let abi = ABI::from(TARGET_ABI as i32);
    let all = AccessFs::from_all(abi);
    let file_only = AccessFs::from_file(abi);
    let mut ruleset = Ruleset::default()
        .handle_access(all)?
        .scope(Scope::Signal)?;
    if !network {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(abi))?
            .scope(Scope::AbstractUnixSocket)?;
    }
    let mut created = ruleset.create()?;
    for rule in rules {
        let access: BitFlags<AccessFs> = match rule.grant {
            Grant::Read => AccessFs::from_read(abi),
            Grant::List => AccessFs::ReadDir.into(),
            Grant::Write => AccessFs::from_write(abi),
        };
        let access = if rule.is_dir {
            access
        } else {
            access & file_only
        };
        if access.is_empty() {
            continue;
        }
        let fd = match PathFd::new(&rule.path) {
            Ok(fd) => fd,
            // Gone since it was listed: nothing to grant.
            Err(_) if !rule.path.exists() => continue,
            Err(source) => {
                return Err(SandboxError::RulePath {
                    path: rule.path.clone(),
                    source: std::io::Error::other(source),
                });
            }
        };
        created = created.add_rule(PathBeneath::new(fd, access))?;
    }
    let status = created.restrict_self()?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Err(SandboxError::LandlockNotEnforced);
    }
    if !status.no_new_privs {
        return Err(SandboxError::NoNewPrivs(std::io::Error::other(
            "the kernel did not confirm PR_SET_NO_NEW_PRIVS",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn write_rules(rules: &[Rule]) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = rules
            .iter()
            .filter(|r| r.grant == Grant::Write && r.path != Path::new("/dev/null"))
            .map(|r| r.path.clone())
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn a_root_without_protected_paths_is_one_rule() {
        let dir = tempfile::tempdir().unwrap();
        let root = WritableRoot {
            root: dir.path().to_path_buf(),
            read_only_subpaths: vec![],
        };
        let rules = plan(&[root], &[], None);
        assert_eq!(write_rules(&rules), vec![dir.path().to_path_buf()]);
        assert_eq!(
            rules[0],
            Rule {
                path: "/".into(),
                is_dir: true,
                grant: Grant::Read
            }
        );
    }

    #[test]
    fn protected_children_are_left_out_and_deep_ones_are_descended_to() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        for sub in [".git/hooks", "src", "vendor/repo/.git", "vendor/other"] {
            fs::create_dir_all(base.join(sub)).unwrap();
        }
        fs::write(base.join("README"), "x").unwrap();
        std::os::unix::fs::symlink("/etc", base.join("etc-link")).unwrap();
        let root = WritableRoot {
            root: base.to_path_buf(),
            read_only_subpaths: vec![
                base.join(".git"),
                base.join(".codex"),
                base.join("vendor/repo/.git"),
            ],
        };
        let rules = plan(&[root], &[], None);
        assert_eq!(
            write_rules(&rules),
            vec![
                base.join("README"),
                base.join("src"),
                base.join("vendor/other")
            ]
        );
        let readme = rules
            .iter()
            .find(|r| r.path == base.join("README"))
            .unwrap();
        assert!(!readme.is_dir);
    }

    #[test]
    fn mounted_paths_and_nested_roots_leave_roots_whole_but_symlinks_are_carved() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let ws = base.join("ws");
        for sub in ["ws/.git", "ws/src", "other", "linked/real"] {
            fs::create_dir_all(base.join(sub)).unwrap();
        }
        std::os::unix::fs::symlink(base.join("linked/real"), base.join("linked/.git")).unwrap();
        let roots = [
            WritableRoot {
                root: ws.clone(),
                read_only_subpaths: vec![ws.join(".git"), ws.join(".codex")],
            },
            WritableRoot {
                root: base.clone(),
                read_only_subpaths: vec![
                    ws.join(".git"),
                    ws.join(".codex"),
                    base.join("linked/real"),
                    base.join("linked/.git"),
                ],
            },
            WritableRoot {
                root: base.join("linked"),
                read_only_subpaths: vec![base.join("linked/real"), base.join("linked/.git")],
            },
        ];
        let mounted = [base.join("linked/real"), ws.join(".git")];
        let rules = plan(&roots, &[], Some(&mounted));
        // `ws` is one rule and `base` needs no carving around it (`ws` is a mountpoint that
        // stays put); `linked`, and `base` on the way to it, are carved around the symlinked
        // `.git`.
        assert_eq!(
            write_rules(&rules),
            vec![
                base.join("linked/real"),
                base.join("linked/real"),
                base.join("other"),
                ws.clone(),
                ws.clone()
            ]
        );
        // Without mounts, every protected path, even the missing `.codex`, is carved out.
        let rules = plan(&roots[..1], &[], None);
        assert_eq!(write_rules(&rules), vec![ws.join("src")]);
    }

    #[test]
    fn deny_read_grants_everything_else() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        fs::create_dir_all(base.join("home/.ssh")).unwrap();
        fs::write(base.join("home/notes"), "x").unwrap();
        let rules = plan(&[], &[base.join("home/.ssh")], None);
        assert_eq!(
            rules[0],
            Rule {
                path: "/".into(),
                is_dir: true,
                grant: Grant::List
            }
        );
        let reads: Vec<&PathBuf> = rules
            .iter()
            .filter(|r| r.grant == Grant::Read)
            .map(|r| &r.path)
            .collect();
        assert!(reads.contains(&&base.join("home/notes")));
        assert!(reads.contains(&&PathBuf::from("/usr")));
        assert!(!reads.iter().any(|p| p.starts_with(base.join("home/.ssh"))));
        assert!(
            !reads.iter().any(|p| base.starts_with(p)),
            "no ancestor is granted read"
        );
    }
}
