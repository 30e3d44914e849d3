//! Listing sessions page by page and `--last`.

use std::collections::HashSet;

use chrono::Utc;
use codex_protocol::rollout::SessionSource;
use codex_rollout::{Cursor, SessionFilter, find_latest, list_sessions};
use pretty_assertions::assert_eq;

use super::support::{Spec, local, write_session};

#[test]
fn pages_walk_every_session_newest_first_across_days() {
    let home = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for i in 0..30u32 {
        // Three months, several sessions a day, some in the same second.
        let spec = Spec::new(local(2025, 1 + i % 3, 1 + i % 5, 10, i / 2, 0));
        written.push((spec.created, spec.id.to_string()));
        write_session(home.path(), &spec);
    }
    written.sort_by(|a, b| b.cmp(a));

    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut pages = Vec::new();
    loop {
        let page =
            list_sessions(home.path(), 12, cursor.as_ref(), &SessionFilter::default()).unwrap();
        pages.push(page.items.len());
        seen.extend(page.items.iter().map(|s| (s.created, s.id.clone())));
        // A cursor survives a round trip through text, as a CLI flag would carry it.
        cursor = page.next_cursor.map(|c| c.to_string().parse().unwrap());
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(pages, [12, 12, 6]);
    let ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
    let expected: Vec<&String> = written.iter().map(|(_, id)| id).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "no session twice"
    );
    let times: Vec<_> = seen.iter().map(|(t, _)| *t).collect();
    let expected_times: Vec<_> = written.iter().map(|(t, _)| t.with_timezone(&Utc)).collect();
    assert_eq!(times, expected_times, "newest first");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>(),
        expected.iter().collect::<HashSet<_>>()
    );
}

#[test]
fn a_first_page_reads_only_the_files_it_needs() {
    let home = tempfile::tempdir().unwrap();
    for i in 0..60u32 {
        write_session(
            home.path(),
            &Spec::new(local(2024, 12, 1 + i % 28, 9, i, 0)),
        );
    }
    let page = list_sessions(home.path(), 10, None, &SessionFilter::default()).unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(
        page.scanned_files, 11,
        "ten for the page, one to know a next page exists"
    );
}

#[test]
fn summaries_show_preview_branch_cwd_and_times() {
    let home = tempfile::tempdir().unwrap();
    let mut spec = Spec::new(local(2025, 2, 3, 4, 5, 6));
    spec.prompt = Some("Fix the flaky test".into());
    let path = write_session(home.path(), &spec);
    let mut empty = Spec::new(local(2025, 2, 4, 4, 5, 6));
    empty.prompt = None; // Only injected context: nothing a person typed, so not listed.
    write_session(home.path(), &empty);

    let page = list_sessions(home.path(), 25, None, &SessionFilter::default()).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.next_cursor, None);
    let summary = &page.items[0];
    assert_eq!(summary.id, spec.id.to_string());
    assert_eq!(summary.path, path);
    assert_eq!(summary.preview, "Fix the flaky test");
    assert_eq!(summary.git_branch.as_deref(), Some("main"));
    assert_eq!(summary.git_commit.as_deref(), Some("0123abcd"));
    assert_eq!(
        summary.git_origin_url.as_deref(),
        Some("https://example.invalid/r.git")
    );
    assert_eq!(summary.cwd, std::path::Path::new("/projects/a"));
    assert_eq!(summary.model.as_deref(), Some("gpt-test"));
    assert!(summary.updated >= summary.created);

    let json = serde_json::to_value(summary).unwrap();
    assert_eq!(json["source"], "exec");
    assert!(json["updated"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn last_is_filtered_by_provider_cwd_and_source() {
    let home = tempfile::tempdir().unwrap();
    let mut old_a = Spec::new(local(2025, 5, 1, 9, 0, 0));
    old_a.cwd = "/projects/a";
    let mut newer_b = Spec::new(local(2025, 5, 2, 9, 0, 0));
    newer_b.cwd = "/projects/b";
    let mut newest_other_provider = Spec::new(local(2025, 5, 3, 9, 0, 0));
    newest_other_provider.provider = "ollama";
    newest_other_provider.cwd = "/projects/a";
    let mut interactive = Spec::new(local(2025, 4, 1, 9, 0, 0));
    interactive.source = SessionSource::Cli;
    for spec in [&old_a, &newer_b, &newest_other_provider, &interactive] {
        write_session(home.path(), spec);
    }
    let last = |provider: Option<&str>, cwd: Option<&str>, sources: Vec<SessionSource>| {
        let filter = SessionFilter {
            model_provider: provider.map(str::to_owned),
            cwd: cwd.map(Into::into),
            sources,
        };
        find_latest(home.path(), &filter).unwrap().map(|s| s.id)
    };
    let id = |spec: &Spec| Some(spec.id.to_string());

    assert_eq!(last(None, None, vec![]), id(&newest_other_provider));
    assert_eq!(
        last(Some("openai"), None, vec![]),
        id(&newer_b),
        "--all: any cwd"
    );
    assert_eq!(
        last(Some("openai"), Some("/projects/a"), vec![]),
        id(&old_a)
    );
    assert_eq!(last(Some("ollama"), Some("/projects/b"), vec![]), None);
    assert_eq!(
        last(None, None, vec![SessionSource::Cli, SessionSource::VsCode]),
        id(&interactive)
    );
}

#[test]
fn an_empty_codex_home_lists_nothing() {
    let home = tempfile::tempdir().unwrap();
    let page = list_sessions(home.path(), 25, None, &SessionFilter::default()).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor, None);
    assert_eq!(
        find_latest(home.path(), &SessionFilter::default()).unwrap(),
        None
    );
}

#[test]
fn message_counts_come_from_user_and_agent_events() {
    use codex_protocol::rollout::{EventMsg, RolloutItem};
    use codex_rollout::{RolloutRecorder, count_messages, load_rollout};

    let home = tempfile::tempdir().unwrap();
    let path = write_session(home.path(), &Spec::new(local(2025, 3, 1, 9, 0, 0)));
    assert_eq!(count_messages(&path).unwrap(), 1);
    let mut recorder = RolloutRecorder::resume(&load_rollout(&path).unwrap()).unwrap();
    recorder
        .record(&[
            RolloutItem::EventMsg(EventMsg::AgentMessage {
                message: "a \"user_message\" quoted".into(),
            }),
            RolloutItem::EventMsg(EventMsg::UserMessage {
                message: "again".into(),
                images: None,
            }),
        ])
        .unwrap();
    assert_eq!(count_messages(&path).unwrap(), 3);
    let missing = home.path().join("nope.jsonl");
    let err = count_messages(&missing).unwrap_err();
    assert!(err.to_string().contains("nope.jsonl"), "{err}");
}
