//! Diffs that apply: what changes in the repository, what is printed, what the backend and
//! the issuer were sent.

use codex_test_support::fake_chatgpt::{FakeChatGpt, task_with_diff};
use codex_test_support::fake_issuer::{FakeIssuer, RefreshReply};
use serde_json::Value;

use super::harness::{ACCOUNT, Home, Repo, apply, scrub};

const TASK: &str = "task_e_0123abcd";

#[test]
fn diff_is_applied_and_staged_and_the_request_carries_token_and_account() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, Some(&repo.head())));
    let (home, token) = Home::chatgpt(3600);

    let out = apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(0);
    let output = out.get_output();
    insta::assert_snapshot!("applied_human", scrub(&output.stdout, repo.path()));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");

    assert_eq!(
        repo.read("README.md"),
        "# Demo\nline two, changed by the task\nline three\n"
    );
    assert_eq!(repo.read("src/new.rs"), "pub fn two() -> u32 {\n    2\n}\n");
    assert!(!repo.path().join("src/old.rs").exists());
    // Three-way apply: the result is staged.
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "M  README.md\nA  src/new.rs\nD  src/old.rs\n"
    );

    let requests = backend.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("/backend-api/wham/tasks/{TASK}"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(request.header("chatgpt-account-id"), Some(ACCOUNT));
    assert_eq!(request.header("originator"), Some("codex_cli_rs"));
    let agent = request.header("user-agent").unwrap();
    assert!(agent.starts_with("codex_cli_rs/"), "{agent}");
}

#[test]
fn json_reports_what_was_applied() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, Some("0123456789abcdef0123")));
    let (home, _) = Home::chatgpt(3600);

    let out = apply(&home, repo.path(), &backend, None)
        .args([TASK, "--json"])
        .assert()
        .code(0);
    let stdout = scrub(&out.get_output().stdout, repo.path());
    let value: Value = serde_json::from_str(&stdout).unwrap();
    insta::assert_json_snapshot!("applied_json", value);
}

#[test]
fn local_changes_to_the_files_fall_back_to_the_work_tree() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    // An unstaged edit elsewhere in README.md: the index no longer matches the work tree, so
    // no three-way merge, but the diff's hunk still applies.
    repo.write(
        "README.md",
        "# Demo\nline two\nline three\nmy own line four\n",
    );
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, None));
    let (home, _) = Home::chatgpt(3600);

    let out = apply(&home, repo.path(), &backend, None)
        .args([TASK, "--json"])
        .assert()
        .code(0);
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(value["method"], "work_tree");
    assert_eq!(value["staged"], false);
    assert_eq!(
        repo.read("README.md"),
        "# Demo\nline two, changed by the task\nline three\nmy own line four\n"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " M README.md\n D src/old.rs\n?? src/new.rs\n"
    );
}

#[test]
fn an_expired_access_token_is_refreshed_through_the_issuer_before_the_request() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.client_id = codex_auth::CLIENT_ID.to_owned());
    let RefreshReply::Tokens {
        access_token: fresh,
        ..
    } = issuer.behavior().refresh
    else {
        unreachable!()
    };
    let backend = FakeChatGpt::start();
    backend.require_token(Some(&fresh));
    backend.add_task(TASK, task_with_diff(&diff, None));
    let (home, expired) = Home::chatgpt(-60);

    apply(&home, repo.path(), &backend, Some(&issuer))
        .arg(TASK)
        .assert()
        .code(0);

    assert_eq!(issuer.refresh_count(), 1);
    let refresh = issuer.grants("refresh_token")[0].fields();
    assert_eq!(refresh["refresh_token"], "rt-stored");
    let requests = backend.requests();
    assert_eq!(
        requests.len(),
        1,
        "refreshed before the request, not after a 401"
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {fresh}").as_str())
    );
    let saved = codex_test_support::auth_file::read_auth(home.path());
    assert_eq!(saved["tokens"]["access_token"], fresh.as_str());
    assert_ne!(saved["tokens"]["access_token"], expired.as_str());
    codex_test_support::auth_file::assert_private(home.path());
}

#[test]
fn a_401_refreshes_once_and_retries_with_the_new_token() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.client_id = codex_auth::CLIENT_ID.to_owned());
    let RefreshReply::Tokens {
        access_token: fresh,
        ..
    } = issuer.behavior().refresh
    else {
        unreachable!()
    };
    let backend = FakeChatGpt::start();
    backend.require_token(Some(&fresh));
    backend.add_task(TASK, task_with_diff(&diff, None));
    // Not expired, but revoked server-side: the backend answers 401.
    let (home, stale) = Home::chatgpt(3600);

    let out = apply(&home, repo.path(), &backend, Some(&issuer))
        .args([TASK, "--json"])
        .env("RUST_LOG", "codex_chatgpt=debug")
        .assert()
        .code(0);
    // The diagnostics go to stderr; stdout stays one JSON object.
    let output = out.get_output();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("answered 401"), "{stderr}");
    assert!(!stderr.contains(&stale), "{stderr}");
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["applied"], true);
    assert_eq!(issuer.refresh_count(), 1);
    let sent: Vec<_> = backend
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(sent, [format!("Bearer {stale}"), format!("Bearer {fresh}")]);
}

#[test]
fn from_a_subdirectory_or_with_dash_c_the_diff_goes_to_the_top_of_the_work_tree() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, None));
    let (home, _) = Home::chatgpt(3600);

    // From src/, README.md at the top is changed too.
    apply(&home, &repo.path().join("src"), &backend, None)
        .arg(TASK)
        .assert()
        .code(0);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "M  README.md\nA  src/new.rs\nD  src/old.rs\n"
    );
    // A staged addition goes with the reset too.
    repo.git(&["reset", "-q", "--hard"]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // -C from somewhere else entirely.
    let elsewhere = tempfile::tempdir().unwrap();
    apply(&home, elsewhere.path(), &backend, None)
        .args([TASK, "-C"])
        .arg(repo.path().join("src"))
        .assert()
        .code(0);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "M  README.md\nA  src/new.rs\nD  src/old.rs\n"
    );
}
