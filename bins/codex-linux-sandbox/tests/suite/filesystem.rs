//! Writes outside the roots, and into protected paths inside them, must fail.

use super::harness::{Fixture, VICTIM, assert_denied, assert_ok, users};

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
        if user == super::harness::User::Nobody {
            super::harness::chown_tree(&f.base, super::harness::NOBODY);
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

#[test]
fn git_and_codex_dirs_in_the_cwd_stay_read_only() {
    for user in users() {
        let f = Fixture::new(user);
        let config = f.ws.join(".git/config");
        let before = f.read(&config);
        for script in [
            "echo '[core] fsmonitor = evil' >> .git/config",
            "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit",
            "ln -s ../../sub/file .git/hooks/post-checkout",
            "rm .git/HEAD",
            "mv .git .git-moved",
            "mv .git/config sub/config",
            "mkdir .codex",
            "ln -s sub .codex",
        ] {
            assert_denied(&f.sh(&f.policy(), script), script);
        }
        assert_eq!(f.read(&config), before);
        assert!(f.ws.join(".git/HEAD").exists());
        assert!(!f.ws.join(".git/hooks/pre-commit").exists());
        assert!(!f.ws.join(".git/hooks/post-checkout").exists());
        assert!(!f.ws.join(".codex").exists());
        // The rest of the workspace is writable.
        assert_ok(
            &f.sh(&f.policy(), "echo more >> README && echo new > sub/new"),
            "ws",
        );
    }
}

#[test]
fn a_git_dir_cannot_be_created_in_a_cwd_without_one() {
    for user in users() {
        let f = Fixture::new(user);
        std::fs::remove_dir_all(f.ws.join(".git")).unwrap();
        assert_denied(&f.sh(&f.policy(), "git init -q ."), "git init");
        assert_denied(&f.sh(&f.policy(), "mkdir .git"), "mkdir .git");
        assert!(!f.ws.join(".git").exists());
    }
}

#[test]
fn entries_directly_in_a_protected_root_cannot_be_created_documented_limit() {
    // A rule on the cwd itself would also cover its `.git`, so the cwd gets rules on its
    // children only: existing top-level files are writable, new ones cannot be created.
    // Roots without protected subpaths (here `extra`) have no such limit.
    for user in users() {
        let f = Fixture::new(user);
        assert_denied(
            &f.sh(&f.policy(), "echo x > new-top-level"),
            "top-level create",
        );
        assert_ok(&f.sh(&f.policy(), "echo x >> README"), "top-level append");
        let script = format!(
            "echo x > {}/new && mkdir {}/d",
            f.extra.display(),
            f.extra.display()
        );
        assert_ok(&f.sh(&f.policy(), &script), "create in extra root");
    }
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
        if user == super::harness::User::Nobody {
            super::harness::chown_tree(&f.base, super::harness::NOBODY);
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
