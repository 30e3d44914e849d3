//! `--server-info` in a directory other users can write to: nothing they plant there is
//! written through, and the file the launcher reads is the proxy's own.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::process::Command;

use super::harness::{Proxy, as_nobody, can_switch_users};
use super::upstream::dead_url;

/// Runs `sh -c script` as nobody; true when it exits 0.
fn nobody_sh(script: &str) -> bool {
    Command::new("setpriv")
        .args(as_nobody())
        .args(["sh", "-c", script])
        .status()
        .unwrap()
        .success()
}

#[test]
fn planted_symlinks_and_files_in_a_sticky_directory_are_replaced_not_followed() {
    if !can_switch_users() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let shared = root.path().join("tmp");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    // A file only root may write, which the attacker wants overwritten.
    let victim = root.path().join("victim");
    std::fs::write(&victim, "root's data\n").unwrap();

    let info = shared.join("info.json");
    let v = victim.display();
    let s = shared.display();
    // The final name; the temporary name is random, so it cannot be planted in advance.
    assert!(nobody_sh(&format!("ln -s {v} {s}/info.json")));
    let proxy = Proxy::builder(&dead_url()).server_info_at(&info).start();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root's data\n");
    let meta = std::fs::symlink_metadata(&info).unwrap();
    assert!(meta.file_type().is_file(), "{meta:?}");
    assert_eq!((meta.uid(), meta.mode() & 0o7777), (0, 0o644));
    assert_eq!(
        std::fs::read_to_string(&info).unwrap(),
        format!("{{\"port\":{},\"pid\":{}}}\n", proxy.port, proxy.pid)
    );
    assert!(!nobody_sh(&format!("echo forged > {}", info.display())));
    drop(proxy);

    // A file the attacker created in advance is replaced by one they cannot write.
    std::fs::remove_file(&info).unwrap();
    assert!(nobody_sh(&format!(
        "echo forged > {s}/info.json && chmod 666 {s}/info.json"
    )));
    let proxy = Proxy::builder(&dead_url()).server_info_at(&info).start();
    let meta = std::fs::metadata(&info).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o7777), (0, 0o644));
    assert!(!nobody_sh(&format!("echo forged > {}", info.display())));
    assert!(
        std::fs::read_to_string(&info)
            .unwrap()
            .contains(&format!("\"port\":{}", proxy.port))
    );
}
