//! What must keep working inside the sandbox.

use std::path::Path;

use super::harness::{Fixture, assert_ok, python, stdout, users};

#[test]
fn reads_everywhere_and_writes_in_the_roots() {
    for user in users() {
        let f = Fixture::new(user);
        let extra = f.extra.display();
        let script = format!(
            "cat /etc/passwd /usr/bin/true {outside}/victim.txt > /dev/null && ls / > /dev/null \
             && echo new > sub/new && mkdir sub/d && mv sub/new sub/d/moved && rm sub/d/moved \
             && echo more >> README && echo x > {extra}/a && mkdir -p {extra}/b/c \
             && mv {extra}/a {extra}/b/c/a && ln {extra}/b/c/a {extra}/hard \
             && ln -s a {extra}/b/c/sym && truncate -s 0 {extra}/file.txt \
             && mv {extra}/b/c/a sub/from-extra && echo ok",
            outside = f.outside.display(),
        );
        let out = f.sh(&f.policy(), &script);
        assert_ok(&out, "reads and writes");
        assert_eq!(stdout(&out), "ok\n");
        assert!(f.ws.join("sub/from-extra").exists());
        assert_eq!(f.read(&f.ws.join("README")), "readme\nmore\n");
    }
}

#[test]
fn dev_null_pipes_and_exit_codes_pass_through() {
    for user in users() {
        let f = Fixture::new(user);
        let out = f.sh(
            &f.policy(),
            "echo hi > /dev/null && echo hello | tr h H && exit 7",
        );
        assert_eq!(out.status.code(), Some(7));
        assert_eq!(stdout(&out), "Hello\n");
    }
}

#[test]
fn unix_socketpairs_work() {
    // Stream pairs always; datagram pairs only with network (see the escape suite).
    let code = "import socket, sys
kinds = [socket.SOCK_STREAM] + ([socket.SOCK_DGRAM] if sys.argv[1] == 'net' else [])
for kind in kinds:
    a, b = socket.socketpair(socket.AF_UNIX, kind)
    a.send(b'ping')
    assert b.recv(4) == b'ping'
    b.sendall(b'pong')
    assert a.recvfrom(4)[0] == b'pong'
print('ok')";
    for user in users() {
        let f = Fixture::new(user);
        for (policy, arg) in [(f.policy(), "off"), (f.policy_with(&[], true), "net")] {
            let out = f
                .sandbox(&policy, &[], &python(code, &[arg]))
                .output()
                .unwrap();
            assert_ok(&out, "socketpair");
            assert_eq!(stdout(&out), "ok\n");
        }
    }
}

#[test]
fn multiprocessing_lock_works_with_dev_shm_as_a_root() {
    let code = "import multiprocessing; multiprocessing.Lock(); print('locked')";
    for user in users() {
        let f = Fixture::new(user);
        let policy = f.policy_with(&[Path::new("/dev/shm")], false);
        let out = f
            .sandbox(&policy, &[], &python(code, &[]))
            .output()
            .unwrap();
        assert_ok(&out, "multiprocessing.Lock");
        assert_eq!(stdout(&out), "locked\n");
    }
}

#[test]
fn git_status_works_in_the_repository() {
    for user in users() {
        let f = Fixture::new(user);
        let out = f
            .sandbox(&f.policy(), &[], &["git", "status", "--short"])
            .output()
            .unwrap();
        assert_ok(&out, "git status");
        assert!(stdout(&out).contains("README"), "{}", stdout(&out));
        let out = f
            .sandbox(r#"{"mode":"read-only"}"#, &[], &["git", "log", "--oneline"])
            .output()
            .unwrap();
        // An empty repository has no log; the point is git runs and reports it normally.
        assert!(
            out.status.code() == Some(128) || out.status.success(),
            "{out:?}"
        );
    }
}

#[test]
fn network_flag_reaches_the_environment() {
    let f = Fixture::new(super::harness::User::Me);
    let script = "echo \"${CODEX_SANDBOX_NETWORK_DISABLED:-unset}\"";
    assert_eq!(stdout(&f.sh(&f.policy(), script)), "1\n");
    assert_eq!(stdout(&f.sh(&f.policy_with(&[], true), script)), "unset\n");
}

#[test]
fn policy_cwd_and_command_cwd_are_distinct() {
    // Roots resolve against the policy cwd; the command runs wherever it was started.
    let f = Fixture::new(super::harness::User::Me);
    let policy = serde_json::json!({
        "mode": "workspace-write",
        "writable_roots": ["../extra"],
        "exclude_tmpdir_env_var": true,
        "exclude_slash_tmp": true,
    })
    .to_string();
    let out = f
        .sandbox(
            &policy,
            &[],
            &["sh", "-c", "echo x > ../extra/rel && echo y > victim.txt"],
        )
        .current_dir(&f.outside)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "writing in the command cwd (outside) must fail"
    );
    assert!(
        f.extra.join("rel").exists(),
        "relative root resolved against the policy cwd"
    );
    assert_eq!(
        f.read(&f.outside.join("victim.txt")),
        super::harness::VICTIM
    );
}
