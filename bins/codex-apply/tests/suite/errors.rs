//! Every failure says what went wrong and what to do, exits with its documented code, and
//! leaves the repository alone.

use codex_test_support::fake_chatgpt::{FakeChatGpt, task_with_diff, task_without_diff};
use serde_json::{Value, json};

use super::harness::{Home, Repo, apply, scrub};

const TASK: &str = "task_e_0123abcd";

#[test]
fn a_conflicting_diff_leaves_work_tree_and_index_exactly_as_they_were() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let base = repo.head();
    // Upstream changed the same line since the task started...
    repo.write(
        "README.md",
        "# Demo\nline two, changed upstream\nline three\n",
    );
    repo.git(&["commit", "-q", "-am", "upstream change"]);
    // ... and the user has work in progress: staged, unstaged and untracked.
    repo.write("src/lib.rs", "pub fn one() -> u32 {\n    11\n}\n");
    repo.write("notes.txt", "staged notes\n");
    repo.git(&["add", "notes.txt"]);
    repo.write("scratch.txt", "untracked\n");
    let before = repo.state();

    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, Some(&base)));
    let (home, _) = Home::chatgpt(3600);
    let out = apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(5);

    assert_eq!(repo.state(), before, "the repository was changed");
    assert!(!repo.path().join("src/new.rs").exists());
    let output = out.get_output();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    let stderr = scrub(&output.stderr, repo.path()).replace(&base[..12], "[BASE]");
    assert!(stderr.contains("README.md"), "{stderr}");
    insta::assert_snapshot!("conflict_human", stderr);

    // The same with --json: the failed files, for scripts.
    let out = apply(&home, repo.path(), &backend, None)
        .args([TASK, "--json"])
        .assert()
        .code(5);
    assert_eq!(repo.state(), before);
    let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(value["applied"], false);
    assert_eq!(value["error"]["kind"], "does_not_apply");
    assert_eq!(value["failed_files"][0]["path"], "README.md");
}

#[test]
fn applying_twice_says_it_is_already_applied() {
    let repo = Repo::new();
    let diff = repo.task_diff();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff(&diff, None));
    let (home, _) = Home::chatgpt(3600);
    apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(0);
    let before = repo.state();
    let out = apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(5);
    assert_eq!(repo.state(), before);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("already applied"), "{stderr}");
}

#[test]
fn an_unknown_task_is_named() {
    let repo = Repo::new();
    let backend = FakeChatGpt::start();
    let (home, _) = Home::chatgpt(3600);
    let out = apply(&home, repo.path(), &backend, None)
        .arg("task_e_missing")
        .assert()
        .code(4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let stderr = stderr.replace(&backend.base_url(), "[BACKEND]/");
    insta::assert_snapshot!("unknown_task", stderr);
}

#[test]
fn a_task_without_a_diff_says_so() {
    let repo = Repo::new();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_without_diff());
    let (home, _) = Home::chatgpt(3600);
    let before = repo.state();
    let out = apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(4);
    assert_eq!(repo.state(), before);
    insta::assert_snapshot!("no_diff", String::from_utf8_lossy(&out.get_output().stderr));
}

#[test]
fn without_a_chatgpt_login_nothing_is_fetched_and_login_is_explained() {
    let repo = Repo::new();
    let backend = FakeChatGpt::start();
    backend.add_task(TASK, task_with_diff("unused", None));

    let out = apply(&Home::empty(), repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(3);
    insta::assert_snapshot!(
        "not_logged_in",
        String::from_utf8_lossy(&out.get_output().stderr)
    );

    let out = apply(&Home::api_key(), repo.path(), &backend, None)
        .args([TASK, "--json"])
        .assert()
        .code(3);
    let output = out.get_output();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("API key"), "{stderr}");
    assert!(stderr.contains("codex login"), "{stderr}");
    assert!(!stderr.contains("sk-test"), "{stderr}");
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["error"]["kind"], "not_logged_in");
    assert_eq!(value["error"]["exit_code"], 3);

    assert!(backend.requests().is_empty(), "{:?}", backend.requests());
}

#[test]
fn outside_a_git_repository_nothing_is_fetched() {
    let not_a_repo = tempfile::tempdir().unwrap();
    let backend = FakeChatGpt::start();
    let (home, _) = Home::chatgpt(3600);
    let out = apply(&home, not_a_repo.path(), &backend, None)
        .arg(TASK)
        .env(
            "GIT_CEILING_DIRECTORIES",
            not_a_repo.path().parent().unwrap(),
        )
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("is not inside a git repository"),
        "{stderr}"
    );
    assert!(stderr.contains("-C DIR"), "{stderr}");
    assert!(backend.requests().is_empty());
}

#[test]
fn backend_errors_show_status_and_message_but_never_the_token() {
    let repo = Repo::new();
    let backend = FakeChatGpt::start();
    let (home, token) = Home::chatgpt(3600);
    backend.answer_task(
        TASK,
        503,
        json!({"detail": format!("overloaded; your token {token} is fine")}),
    );
    let out = apply(&home, repo.path(), &backend, None)
        .arg(TASK)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!stderr.contains(&token), "{stderr}");
    let stderr = stderr.replace(&backend.base_url(), "[BACKEND]/");
    insta::assert_snapshot!("backend_error", stderr);
}

#[test]
fn help_documents_the_exit_codes() {
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("codex-apply"))
        .arg("--help")
        .assert()
        .success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in [
        "0  the diff was applied",
        "3  not signed in with ChatGPT",
        "4  the task does not exist, or has no diff yet",
        "5  the diff does not apply; nothing was changed",
        "--json",
    ] {
        assert!(help.contains(line), "{line}\n{help}");
    }
}

#[test]
fn a_diff_reaching_outside_the_work_tree_or_into_git_is_refused() {
    let repo = Repo::new();
    let backend = FakeChatGpt::start();
    let (home, _) = Home::chatgpt(3600);
    let cases = [
        ("task_escape", "../escape.txt"),
        ("task_hook", ".git/hooks/post-checkout"),
    ];
    for (task, path) in cases {
        let diff = format!(
            "diff --git a/{path} b/{path}\nnew file mode 100755\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1 @@\n+echo pwned\n"
        );
        backend.add_task(task, task_with_diff(&diff, None));
        let before = repo.state();
        let out = apply(&home, repo.path(), &backend, None)
            .args([task, "--json"])
            .assert()
            .code(1);
        let value: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(value["error"]["kind"], "invalid_diff", "{path}");
        assert_eq!(repo.state(), before, "{path}");
    }
    assert!(!repo.path().parent().unwrap().join("escape.txt").exists());
    assert!(!repo.path().join(".git/hooks/post-checkout").exists());
}
