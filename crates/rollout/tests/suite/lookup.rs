//! Finding a session by full id or unique prefix.

use std::fs;

use codex_rollout::{RolloutError, find_by_id};
use pretty_assertions::assert_eq;
use uuid::Uuid;

use super::support::{Spec, local, write_session};

fn with_id(id: &str, day: u32) -> Spec {
    let mut spec = Spec::new(local(2025, 7, day, 12, 0, 0));
    spec.id = Uuid::parse_str(id).unwrap();
    spec
}

#[test]
fn by_full_id_and_by_unique_prefix() {
    let home = tempfile::tempdir().unwrap();
    let a = write_session(
        home.path(),
        &with_id("aaaa1111-0000-4000-8000-000000000001", 1),
    );
    let b = write_session(
        home.path(),
        &with_id("aaaa2222-0000-4000-8000-000000000002", 2),
    );
    let c = write_session(
        home.path(),
        &with_id("bbbb3333-0000-4000-8000-000000000003", 3),
    );

    assert_eq!(
        find_by_id(home.path(), "aaaa1111-0000-4000-8000-000000000001").unwrap(),
        a
    );
    assert_eq!(find_by_id(home.path(), "aaaa2").unwrap(), b);
    assert_eq!(find_by_id(home.path(), "B").unwrap(), c, "case is ignored");
    assert_eq!(
        find_by_id(home.path(), "aaaa22220000").unwrap(),
        b,
        "hyphens are optional"
    );
    assert_eq!(find_by_id(home.path(), " aaaa1111-0000 ").unwrap(), a);
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates() {
    let home = tempfile::tempdir().unwrap();
    write_session(
        home.path(),
        &with_id("aaaa1111-0000-4000-8000-000000000001", 1),
    );
    write_session(
        home.path(),
        &with_id("aaaa2222-0000-4000-8000-000000000002", 2),
    );
    let err = find_by_id(home.path(), "aaaa").unwrap_err();
    let RolloutError::Ambiguous {
        total, candidates, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*total, 2);
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "aaaa2222-0000-4000-8000-000000000002",
            "aaaa1111-0000-4000-8000-000000000001"
        ]
    );
    let message = err.to_string();
    assert!(
        message.starts_with("session id prefix `aaaa` matches 2 sessions:\n"),
        "{message}"
    );
    assert!(
        message.contains("aaaa1111-0000-4000-8000-000000000001"),
        "{message}"
    );
    assert!(
        message.contains("aaaa2222-0000-4000-8000-000000000002"),
        "{message}"
    );
}

#[test]
fn unknown_and_invalid_ids_are_errors() {
    let home = tempfile::tempdir().unwrap();
    write_session(
        home.path(),
        &with_id("aaaa1111-0000-4000-8000-000000000001", 1),
    );
    let err = find_by_id(home.path(), "cccc").unwrap_err();
    assert!(matches!(err, RolloutError::NotFound { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("no session with id `cccc` under "),
        "{err}"
    );
    for bad in ["", "zz", "../etc", "aaaa1111-0000-4000-8000-0000000000011"] {
        let err = find_by_id(home.path(), bad).unwrap_err();
        assert!(
            matches!(err, RolloutError::InvalidIdPrefix { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn files_of_the_early_flat_layout_are_found() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("sessions");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rollout-2025-05-07-0196a2a8-1111-7000-8000-000000000000.jsonl");
    fs::write(
        &path,
        "{\"id\":\"0196a2a8-1111-7000-8000-000000000000\",\"timestamp\":\"t\"}\n",
    )
    .unwrap();
    assert_eq!(find_by_id(home.path(), "0196a2a8").unwrap(), path);
}
