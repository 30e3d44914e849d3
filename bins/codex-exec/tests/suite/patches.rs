//! apply_patch end to end: add, update, move, delete, and refusals.

use codex_test_support::MockResponse;
use codex_test_support::responses::{
    ev_apply_patch_custom_tool_call, ev_apply_patch_function_call, ev_assistant_message,
    ev_completed,
};

use super::harness::Env;

fn patch_then_answer(env: &Env, call: serde_json::Value) {
    env.server
        .push(MockResponse::sse(&[call, ev_completed("r1")]));
    env.server.push(MockResponse::sse(&[
        ev_assistant_message("m2", "patched"),
        ev_completed("r2"),
    ]));
}

#[test]
fn adds_updates_moves_and_deletes_files() {
    let env = Env::new();
    std::fs::write(env.ws().join("keep.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(env.ws().join("old.txt"), "moving\n").unwrap();
    std::fs::write(env.ws().join("gone.txt"), "bye\n").unwrap();
    let patch = "*** Begin Patch\n\
*** Add File: src/new.txt\n\
+fresh\n\
*** Update File: keep.txt\n\
@@\n one\n-two\n+TWO\n three\n\
*** Update File: old.txt\n\
*** Move to: moved/new-name.txt\n\
@@\n-moving\n+moved\n\
*** Delete File: gone.txt\n\
*** End Patch";
    patch_then_answer(&env, ev_apply_patch_function_call("p1", patch));
    env.exec()
        .args(["-s", "workspace-write", "edit"])
        .assert()
        .success()
        .stdout("patched\n");
    assert_eq!(
        std::fs::read_to_string(env.ws().join("src/new.txt")).unwrap(),
        "fresh\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.ws().join("keep.txt")).unwrap(),
        "one\nTWO\nthree\n"
    );
    assert_eq!(
        std::fs::read_to_string(env.ws().join("moved/new-name.txt")).unwrap(),
        "moved\n"
    );
    assert!(!env.ws().join("old.txt").exists());
    assert!(!env.ws().join("gone.txt").exists());
    let output = env.server.requests()[1]
        .function_call_output_text("p1")
        .unwrap();
    assert!(
        output.starts_with("Success. Updated the following files:"),
        "{output}"
    );
}

#[test]
fn freeform_patch_calls_work_too() {
    let env = Env::new();
    patch_then_answer(
        &env,
        ev_apply_patch_custom_tool_call(
            "p1",
            "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch",
        ),
    );
    env.exec()
        .args(["-s", "workspace-write", "edit"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(env.ws().join("a.txt")).unwrap(),
        "a\n"
    );
    let output = env.server.requests()[1]
        .custom_tool_call_output("p1")
        .unwrap();
    assert!(
        output["output"].as_str().unwrap().contains("A a.txt"),
        "{output}"
    );
}

#[test]
fn a_bad_patch_is_explained_to_the_model_and_changes_nothing() {
    let env = Env::new();
    std::fs::write(env.ws().join("keep.txt"), "one\n").unwrap();
    patch_then_answer(
        &env,
        ev_apply_patch_function_call(
            "p1",
            "*** Begin Patch\n*** Update File: keep.txt\n@@\n-absent\n+x\n*** End Patch",
        ),
    );
    env.exec()
        .args(["-s", "workspace-write", "edit"])
        .assert()
        .success();
    let output = env.server.requests()[1]
        .function_call_output_text("p1")
        .unwrap();
    assert!(
        output.contains("apply_patch verification failed"),
        "{output}"
    );
    assert_eq!(
        std::fs::read_to_string(env.ws().join("keep.txt")).unwrap(),
        "one\n"
    );
}

#[test]
fn patches_outside_the_workspace_are_rejected_under_never() {
    let env = Env::new();
    // Not under /tmp: that is a writable root of workspace-write.
    let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let target = outside.path().join("evil.txt");
    let patch = format!(
        "*** Begin Patch\n*** Add File: {}\n+x\n*** End Patch",
        target.display()
    );
    patch_then_answer(&env, ev_apply_patch_function_call("p1", &patch));
    env.exec()
        .args(["-s", "workspace-write", "edit"])
        .assert()
        .success();
    assert!(!target.exists());
    let output = env.server.requests()[1]
        .function_call_output_text("p1")
        .unwrap();
    assert!(output.contains("rejected"), "{output}");
}

#[test]
fn read_only_sandbox_rejects_patches() {
    let env = Env::new();
    patch_then_answer(
        &env,
        ev_apply_patch_function_call(
            "p1",
            "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch",
        ),
    );
    env.exec()
        .args(["-s", "read-only", "edit"])
        .assert()
        .success();
    assert!(!env.ws().join("a.txt").exists());
}

#[test]
fn human_output_names_changed_files_as_they_are_spelled() {
    let env = Env::new();
    patch_then_answer(
        &env,
        ev_apply_patch_function_call(
            "p1",
            "*** Begin Patch\n*** Add File: Docs/ReadMe.md\n+hi\n*** End Patch",
        ),
    );
    let out = env
        .exec()
        .args(["-s", "workspace-write", "edit"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let added = format!("add {}", env.ws().join("Docs/ReadMe.md").display());
    assert!(stderr.lines().any(|l| l == added), "{stderr}");
    assert!(stderr.contains("A Docs/ReadMe.md"), "{stderr}");
}
