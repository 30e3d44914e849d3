//! Writes outside the roots, and into protected paths inside them, must fail.

use std::os::unix::fs::MetadataExt;

use super::harness::{
    Fixture, NOBODY, User, VICTIM, assert_denied, assert_ok, chown_tree, is_root, python, stderr,
    users,
};

#[test]
fn writing_a_new_file_outside_the_roots_fails() {
    for user in users() {
        let f = Fixture::new(user);
        let script = format!("echo pwned > {}/new.txt", f.outside.display());
        assert_denied(&f.sh(&f.policy(), &script), "create outside");
        assert!(!f.outside.join("new.txt").exists(), "{user:?}");
        assert_ok(
            &f.sh_unconfined(&script),
            "control: create outside unconfined",
        );
    }
}

#[test]
fn overwriting_appending_and_truncating_an_outside_file_fail() {
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let v = victim.display();
        for script in [
            format!("echo pwned > {v}"),
            format!("echo pwned >> {v}"),
            format!("truncate -s 0 {v}"),
            format!("/usr/bin/python3 -c 'import os; os.truncate(\"{v}\", 0)'"),
            format!("rm -f {v}"),
        ] {
            assert_denied(&f.sh(&f.policy(), &script), &script);
            assert_eq!(f.read(&victim), VICTIM, "{user:?}: {script}");
        }
        assert_ok(
            &f.sh_unconfined(&format!("truncate -s 0 {v}")),
            "control: truncate",
        );
        assert_eq!(f.read(&victim), "");
    }
}

#[test]
fn writing_through_a_symlink_that_points_out_fails() {
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let link = f.extra.join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let dir_link = f.ws.join("sub/out");
        std::os::unix::fs::symlink(&f.outside, &dir_link).unwrap();
        if user == User::Nobody {
            chown_tree(&f.base, NOBODY);
        }
        let script = format!("echo pwned > {}", link.display());
        assert_denied(&f.sh(&f.policy(), &script), "write via file symlink");
        let script = format!("echo pwned > {}/new.txt", dir_link.display());
        assert_denied(&f.sh(&f.policy(), &script), "create via dir symlink");
        assert_eq!(f.read(&victim), VICTIM);
        assert!(!f.outside.join("new.txt").exists());
    }
}

#[test]
fn hard_linking_an_outside_file_into_a_root_fails() {
    for user in users() {
        let f = Fixture::new(user);
        let victim = f.outside.join("victim.txt");
        let link = f.extra.join("hard");
        let script = format!("ln {} {}", victim.display(), link.display());
        assert_denied(&f.sh(&f.policy(), &script), "hard link in");
        assert!(!link.exists(), "{user:?}");
        assert_ok(&f.sh_unconfined(&script), "control: hard link unconfined");
    }
}

#[test]
fn renaming_a_file_out_of_a_root_fails() {
    for user in users() {
        let f = Fixture::new(user);
        let script = format!("mv {}/file.txt {}/", f.extra.display(), f.outside.display());
        assert_denied(&f.sh(&f.policy(), &script), "rename out");
        assert!(f.extra.join("file.txt").exists());
        assert!(!f.outside.join("file.txt").exists());
        // And a rename into a root from outside (which removes the outside entry).
        let script = format!(
            "mv {}/victim.txt {}/",
            f.outside.display(),
            f.extra.display()
        );
        assert_denied(&f.sh(&f.policy(), &script), "rename in");
        assert!(f.outside.join("victim.txt").exists());
    }
}

/// Both ways of keeping `.git` read-only: read-only mounts, and the fallback rules.
const GUARDS: [(bool, &str); 2] = [(false, "mounts"), (true, "fallback")];

#[test]
fn git_and_codex_dirs_in_the_cwd_stay_read_only() {
    for user in users() {
        for (fallback, guard) in GUARDS {
            let f = Fixture::new(user);
            std::fs::create_dir(f.ws.join(".codex")).unwrap();
            std::fs::write(f.ws.join(".codex/config.toml"), "model = \"a\"\n").unwrap();
            if user == User::Nobody {
                chown_tree(&f.base, NOBODY);
            }
            let config = f.ws.join(".git/config");
            let before = f.read(&config);
            for script in [
                "echo '[core] fsmonitor = evil' >> .git/config",
                "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit",
                "ln -s ../../sub/file .git/hooks/post-checkout",
                "rm .git/HEAD",
                "rm -rf .git",
                "mv .git .git-moved",
                "mv .git/config sub/config",
                "ln .git/config sub/config-link",
                "echo evil > .codex/config.toml",
                "mv .codex .codex-moved",
                "rm -rf .codex",
            ] {
                assert_denied(
                    &f.sh_with(fallback, &f.policy(), script),
                    &format!("{guard}: {script}"),
                );
            }
            assert_eq!(f.read(&config), before, "{user:?} {guard}");
            assert!(f.ws.join(".git/HEAD").exists());
            assert!(!f.ws.join(".git/hooks/pre-commit").exists());
            assert!(!f.ws.join(".git/hooks/post-checkout").exists());
            assert!(!f.ws.join("sub/config-link").exists());
            assert_eq!(f.read(&f.ws.join(".codex/config.toml")), "model = \"a\"\n");
            // The rest of the workspace is writable.
            assert_ok(
                &f.sh_with(
                    fallback,
                    &f.policy(),
                    "echo more >> README && echo new > sub/new",
                ),
                guard,
            );
        }
    }
}

#[test]
fn entries_directly_in_the_cwd_can_be_created_removed_and_renamed() {
    // Regression: `.git` used to be carved out of the cwd by granting the cwd's children
    // instead of the cwd, which made `echo x > new.txt`, `sed -i` and `npm install` fail.
    for user in users() {
        let f = Fixture::new(user);
        let out = f.sh(
            &f.policy(),
            "echo x > new.txt && sed -i s/readme/changed/ README && mv new.txt renamed.txt \
             && mkdir node_modules && echo m > node_modules/m && mv node_modules nm \
             && rm -r nm renamed.txt && echo kept > kept && mkdir kept-dir",
        );
        assert_ok(&out, "top-level create, remove, rename");
        assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
        assert_eq!(f.read(&f.ws.join("README")), "changed\n");
        assert!(!f.ws.join("renamed.txt").exists() && !f.ws.join("nm").exists());
        // Created with the caller's real ids, also through the user namespace.
        let owner = if user == User::Nobody {
            NOBODY
        } else {
            f.ws.metadata().unwrap().uid()
        };
        for created in ["kept", "kept-dir"] {
            let meta = f.ws.join(created).metadata().unwrap();
            assert_eq!(
                (meta.uid(), meta.gid()),
                (owner, owner),
                "{user:?} {created}"
            );
        }
    }
}

#[test]
fn the_fallback_keeps_git_read_only_at_the_price_of_top_level_entries_and_says_so() {
    for user in users() {
        let f = Fixture::new(user);
        let out = f.sh_fallback(&f.policy(), "echo x > new-top-level");
        assert_denied(&out, "fallback: top-level create");
        let err = stderr(&out);
        let note: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("codex-linux-sandbox: note:"))
            .collect();
        assert_eq!(note.len(), 1, "{err}");
        assert!(
            note[0].contains(".git") && note[0].contains("fallback"),
            "{}",
            note[0]
        );
        assert_ok(
            &f.sh_fallback(&f.policy(), "echo x >> README"),
            "top-level append",
        );
        // Every root has a `.git` to keep (a missing one gets a placeholder), so the same
        // price is paid in the extra root.
        let extra = f.extra.display();
        assert_denied(
            &f.sh_fallback(&f.policy(), &format!("echo x > {extra}/new")),
            "fallback: top-level create in the extra root",
        );
        assert_ok(
            &f.sh_fallback(&f.policy(), &format!("echo x >> {extra}/file.txt")),
            "append in the extra root",
        );
    }
}

#[test]
fn a_missing_git_dir_is_kept_from_creation_either_way() {
    // With mounts, over a placeholder removed afterwards; in the fallback, by the child rules.
    for user in users() {
        for (fallback, guard) in GUARDS {
            let f = Fixture::new(user);
            std::fs::remove_dir_all(f.ws.join(".git")).unwrap();
            // The placeholder is a socket inode: it can be neither removed nor renamed away
            // to make room for a real `.git`.
            for script in [
                "git init -q .",
                "mkdir .git",
                "rm -f .git && mkdir .git",
                "mv .git moved && mkdir .git",
                "python3 -c 'import os; os.rename(\".git\", \"x\")'",
            ] {
                assert_denied(&f.sh_with(fallback, &f.policy(), script), script);
                assert!(!f.ws.join(".git").exists(), "{guard}: {script} left a .git");
            }
        }
    }
}

#[test]
fn a_git_file_and_the_git_dir_it_names_stay_read_only() {
    // A worktree or submodule: `.git` is a file naming the real git dir.
    for user in users() {
        for (fallback, guard) in GUARDS {
            let f = Fixture::new(user);
            let gitdir = f.extra.join("real-gitdir");
            std::fs::create_dir_all(gitdir.join("hooks")).unwrap();
            let dot_git = f.extra.join(".git");
            let pointer = format!("gitdir: {}\n", gitdir.display());
            std::fs::write(&dot_git, &pointer).unwrap();
            if user == User::Nobody {
                chown_tree(&f.base, NOBODY);
            }
            let (g, d, x) = (dot_git.display(), gitdir.display(), f.extra.display());
            for script in [
                format!("echo 'gitdir: /elsewhere' > {g}"),
                format!("rm -f {g}"),
                format!("mv {g} {x}/moved"),
                format!("touch {d}/hooks/pre-commit"),
                format!("mv {d} {x}/moved-dir"),
            ] {
                assert_denied(
                    &f.sh_with(fallback, &f.policy(), &script),
                    &format!("{guard}: {script}"),
                );
            }
            assert_eq!(f.read(&dot_git), pointer, "{user:?} {guard}");
            assert!(!gitdir.join("hooks/pre-commit").exists());
            assert_ok(
                &f.sh_with(fallback, &f.policy(), &format!("echo x >> {x}/file.txt")),
                guard,
            );
            if !fallback {
                assert_ok(&f.sh(&f.policy(), &format!("echo x > {x}/new")), guard);
            }
        }
    }
}

#[test]
fn a_cwd_inside_another_root_cannot_be_moved_aside() {
    // With the parent writable too, moving the repository away and creating a fresh `.git`
    // (with hooks) where it was would get around read-only mounts; the parent root is
    // carved around the cwd instead.
    for user in users() {
        for (fallback, guard) in GUARDS {
            let f = Fixture::new(user);
            let policy = f.policy_with(&[&f.base], false);
            for script in [
                "mv ../ws ../ws-moved",
                "rm -rf ../ws",
                "mv ../ws/.git ../git",
            ] {
                assert_denied(
                    &f.sh_with(fallback, &policy, script),
                    &format!("{guard}: {script}"),
                );
            }
            assert!(f.ws.join(".git/HEAD").exists());
            assert!(!f.base.join("ws-moved").exists());
            assert_ok(
                &f.sh_with(fallback, &policy, "echo x >> README && echo y > ../extra/y"),
                guard,
            );
        }
        let f = Fixture::new(user);
        let policy = f.policy_with(&[&f.base], false);
        assert_ok(&f.sh(&policy, "echo x > new-in-cwd"), "create in the cwd");
    }
}

#[test]
fn the_read_only_mounts_cannot_be_undone_or_left_behind() {
    if !is_root() {
        eprintln!("skipping: only root could otherwise unmount or enter another namespace");
        return;
    }
    let f = Fixture::new(User::Me);
    let config = f.ws.join(".git/config");
    let before = f.read(&config);
    let c = config.display();
    for script in [
        "umount .git".to_owned(),
        "umount -l .git".to_owned(),
        "mount -o remount,rw,bind .git".to_owned(),
        "mount --bind sub .git".to_owned(),
        format!("unshare -m sh -c 'umount .git; echo x >> {c}'"),
        format!("nsenter -t 1 -m sh -c 'echo x >> {c}'"),
        format!("nsenter -t $PPID -m sh -c 'echo x >> {c}'"),
    ] {
        assert_denied(&f.sh(&f.policy(), &script), &script);
    }
    // setns through a pidfd, which opens no /proc file.
    let code = "import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for pid in (1, os.getppid()):
    if libc.setns(os.pidfd_open(pid), 0x00020000) == 0:
        open(sys.argv[1], 'a').write('x')";
    let argv = python(code, &[config.to_str().unwrap()]);
    let out = f.sandbox(&f.policy(), &[], &argv).output().unwrap();
    assert_eq!(f.read(&config), before, "setns by pidfd: {out:?}");
    // The mounts live in the command's own namespace only.
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mountinfo.contains(&f.ws.display().to_string()),
        "{mountinfo}"
    );
}

#[test]
fn read_only_policy_writes_nowhere() {
    for user in users() {
        let f = Fixture::new(user);
        let policy = r#"{"mode":"read-only"}"#;
        for script in [
            "echo x >> README",
            "echo x > sub/new",
            "mktemp /tmp/sbx.XXXXXX",
        ] {
            assert_denied(&f.sh(policy, script), script);
        }
        assert_ok(
            &f.sh(policy, "cat README /etc/hostname > /dev/null"),
            "reads",
        );
    }
}

#[test]
fn deny_read_hides_file_contents_but_not_the_rest() {
    for user in users() {
        let f = Fixture::new(user);
        std::fs::create_dir(f.outside.join("keys")).unwrap();
        std::fs::write(f.outside.join("keys/id"), "secret\n").unwrap();
        std::fs::write(f.extra.join(".env"), "TOKEN=1\n").unwrap();
        if user == User::Nobody {
            chown_tree(&f.base, NOBODY);
        }
        let keys = f.outside.join("keys");
        let env = f.extra.join(".env");
        let args = [
            "--deny-read",
            keys.to_str().unwrap(),
            "--deny-read",
            env.to_str().unwrap(),
        ];
        let run = |script: &str| {
            f.sandbox(&f.policy(), &args, &["sh", "-c", script])
                .output()
                .unwrap()
        };
        assert_denied(
            &run(&format!("cat {}/id", keys.display())),
            "read denied dir",
        );
        assert_denied(&run(&format!("cat {}", env.display())), "read denied file");
        assert_denied(
            &run(&format!("cp {} {}/copy", env.display(), f.extra.display())),
            "copy",
        );
        assert_ok(
            &run(&format!(
                "cat {}/victim.txt /etc/hostname {}/file.txt",
                f.outside.display(),
                f.extra.display()
            )),
            "read siblings",
        );
        assert_ok(
            &run(&format!("ls / {} > /dev/null", f.outside.display())),
            "list dirs",
        );
        assert_ok(
            &run(&format!("echo y > {}/new", f.extra.display())),
            "write next to .env",
        );
    }
}
