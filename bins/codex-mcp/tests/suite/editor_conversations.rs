//! The editor conversation methods end to end: a conversation made with `newConversation`,
//! its events as `codex/event/<type>` through a listener, input with `sendUserMessage`,
//! listing and resuming from the rollouts, idle eviction, and the ChatGPT sign-in against
//! the fake issuer.

use std::time::Duration;

use codex_test_support::MockResponse;
use codex_test_support::fake_issuer::FakeIssuer;
use codex_test_support::responses::{ev_assistant_message, ev_completed};
use serde_json::{Value, json};

use super::harness::{Env, Raw};

fn answer(env: &Env, id: &str, text: &str) {
    env.server.push(MockResponse::sse(&[
        ev_assistant_message(&format!("m-{id}"), text),
        ev_completed(id),
    ]));
}

fn request(mcp: &mut Raw, id: u64, method: &str, params: &Value) -> (Vec<Value>, Value) {
    mcp.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    mcp.response(&json!(id))
}

fn result(reply: &Value) -> &Value {
    assert!(reply.get("error").is_none(), "an error: {reply:#}");
    &reply["result"]
}

fn text(s: &str) -> Value {
    json!({"type": "text", "data": {"text": s}})
}

/// Sends a message and reads the conversation's events up to its `task_complete`.
/// `newConversation` with `params` (request 1) and a listener on it (request 2); the
/// `newConversation` result.
fn listened_conversation(mcp: &mut Raw, params: &Value) -> Value {
    let (_, created) = request(mcp, 1, "newConversation", params);
    let created = result(&created).clone();
    request(
        mcp,
        2,
        "addConversationListener",
        &json!({"conversationId": created["conversationId"]}),
    );
    created
}

fn turn(mcp: &mut Raw, id: u64, conversation: &str, prompt: &str) -> (Vec<Value>, Value) {
    let (mut before, sent) = request(
        mcp,
        id,
        "sendUserMessage",
        &json!({"conversationId": conversation, "items": [text(prompt)]}),
    );
    assert_eq!(result(&sent), &json!({}));
    let (after, done) = mcp.until(|m| m["method"] == "codex/event/task_complete");
    before.extend(after);
    (before, done)
}

const SHA: &str = "8f3a7c2e9b1d4f6a0c5e7b9d2f4a6c8e0b1d3f5a";

#[test]
fn a_new_conversation_streams_its_events_to_a_listener_and_is_listed() {
    let env = Env::new();
    // The workspace's repository gets a commit and an origin, recorded at the session's start.
    let git = env.ws().join(".git");
    std::fs::create_dir_all(git.join("refs/heads")).unwrap();
    std::fs::write(git.join("refs/heads/main"), format!("{SHA}\n")).unwrap();
    std::fs::write(
        git.join("config"),
        "[remote \"origin\"]\n\turl = https://example.invalid/team/repo.git\n",
    )
    .unwrap();
    answer(&env, "r1", "hello back");
    let mut mcp = env.raw();
    mcp.initialize(false);

    let (_, created) = request(
        &mut mcp,
        1,
        "newConversation",
        &json!({"model": "mock-model"}),
    );
    let created = result(&created).clone();
    let conversation = created["conversationId"].as_str().unwrap().to_owned();
    assert_eq!(created["model"], "mock-model");
    assert!(created["rolloutPath"].is_string(), "{created:#}");

    let (_, sub) = request(
        &mut mcp,
        2,
        "addConversationListener",
        &json!({"conversationId": conversation}),
    );
    let subscription = result(&sub)["subscriptionId"].as_str().unwrap().to_owned();

    let (events, done) = turn(&mut mcp, 3, &conversation, "say hello");
    assert_eq!(done["params"]["conversationId"], conversation.as_str());
    assert_eq!(done["params"]["msg"]["type"], "task_complete");
    assert_eq!(done["params"]["msg"]["last_agent_message"], "hello back");
    let methods: Vec<&str> = events.iter().filter_map(|m| m["method"].as_str()).collect();
    assert!(methods.contains(&"codex/event/task_started"), "{methods:?}");
    assert!(
        methods.contains(&"codex/event/agent_message"),
        "{methods:?}"
    );
    for event in events.iter().filter(|m| {
        m["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("codex/event/"))
    }) {
        let params = &event["params"];
        assert_eq!(params["conversationId"], conversation.as_str(), "{event:#}");
        assert!(params["id"].is_string(), "{event:#}");
        assert_eq!(
            format!("codex/event/{}", params["msg"]["type"].as_str().unwrap()),
            event["method"].as_str().unwrap()
        );
    }
    let user_texts = env.server.single_request().message_input_texts("user");
    assert!(
        user_texts.iter().any(|t| t == "say hello"),
        "{user_texts:?}"
    );

    // The session is on disk, listed newest first with what the user typed.
    let (_, listed) = request(&mut mcp, 4, "listConversations", &json!({"pageSize": 5}));
    let items = result(&listed)["items"].as_array().unwrap().clone();
    let ours = items
        .iter()
        .find(|i| i["conversationId"] == conversation.as_str())
        .unwrap_or_else(|| panic!("not listed: {listed:#}"));
    assert_eq!(ours["preview"], "say hello");
    assert_eq!(ours["source"], "mcp");
    assert_eq!(ours["path"], created["rolloutPath"]);
    assert_eq!(
        ours["gitInfo"],
        json!({"sha": SHA, "branch": "main", "origin_url": "https://example.invalid/team/repo.git"}),
        "{ours:#}"
    );
    assert_eq!(result(&listed)["nextCursor"], Value::Null);

    // Bad params are -32602, unknown ids -32600, unknown methods -32601.
    let (_, flat) = request(
        &mut mcp,
        5,
        "sendUserMessage",
        &json!({"conversationId": conversation, "items": [{"type": "text", "text": "flat"}]}),
    );
    assert_eq!(flat["error"]["code"], -32602, "{flat:#}");
    assert!(
        flat["error"]["message"].as_str().unwrap().contains("data"),
        "{flat:#}"
    );
    let (_, cursor) = request(&mut mcp, 6, "listConversations", &json!({"cursor": "nope"}));
    assert_eq!(cursor["error"]["code"], -32602, "{cursor:#}");
    let (_, unknown) = request(
        &mut mcp,
        7,
        "removeConversationListener",
        &json!({"subscriptionId": "nope"}),
    );
    assert_eq!(unknown["error"]["code"], -32600, "{unknown:#}");
    assert_eq!(unknown["error"]["message"], "subscription not found: nope");
    let (_, missing) = request(&mut mcp, 8, "interruptConversation", &json!({}));
    assert_eq!(missing["error"]["code"], -32602, "{missing:#}");
    let (_, nowhere) = request(
        &mut mcp,
        9,
        "interruptConversation",
        &json!({"conversationId": "0199a213-81c0-7800-8aa1-bbab2a035a53"}),
    );
    assert_eq!(nowhere["error"]["code"], -32600, "{nowhere:#}");
    let (_, other) = request(&mut mcp, 10, "archiveEverything", &json!({}));
    assert_eq!(other["error"]["code"], -32601, "{other:#}");

    // A second reader would see half the events: refused while the listener holds it.
    let (_, tool) = mcp.call(
        11,
        "codex-reply",
        &json!({"threadId": conversation, "prompt": "again"}),
    );
    assert_eq!(tool["result"]["isError"], true, "{tool:#}");
    let (_, removed) = request(
        &mut mcp,
        12,
        "removeConversationListener",
        &json!({"subscriptionId": subscription}),
    );
    assert_eq!(result(&removed), &json!({}));
    assert!(mcp.finish().success());
}

#[test]
fn an_idle_conversation_is_closed_and_resumes_from_its_rollout_on_the_next_message() {
    let env = Env::new();
    answer(&env, "r1", "first answer");
    answer(&env, "r2", "second answer");
    let mut cmd = env.command();
    cmd.args(["--idle-timeout", "1"]);
    let mut mcp = Raw::spawn(cmd);
    mcp.initialize(false);

    let created = listened_conversation(&mut mcp, &json!({}));
    let conversation = created["conversationId"].as_str().unwrap().to_owned();
    turn(&mut mcp, 3, &conversation, "first question");

    // Past the idle timeout the conversation is closed; its listener's stream ends.
    std::thread::sleep(Duration::from_millis(2500));
    let (events, done) = turn(&mut mcp, 4, &conversation, "second question");
    assert_eq!(done["params"]["msg"]["last_agent_message"], "second answer");
    assert_eq!(done["params"]["conversationId"], conversation.as_str());
    // Resumed: the session-configured event of the new handle comes first, with the history.
    let configured = events
        .iter()
        .find(|m| m["method"] == "codex/event/session_configured")
        .unwrap_or_else(|| panic!("no session_configured in {events:#?}"));
    assert_eq!(
        configured["params"]["msg"]["session_id"],
        conversation.as_str()
    );
    assert!(
        configured["params"]["msg"]["resumed_items"]
            .as_u64()
            .unwrap()
            > 0
    );
    let requests = env.server.wait_for_requests(2, Duration::from_secs(10));
    let texts = requests[1].message_input_texts("user");
    assert!(texts.iter().any(|t| t == "first question"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "second question"), "{texts:?}");
    let assistant = requests[1].message_input_texts("assistant");
    assert!(
        assistant.iter().any(|t| t == "first answer"),
        "{assistant:?}"
    );
}

#[test]
fn resume_conversation_by_path_in_a_new_server_announces_it_then_continues() {
    let env = Env::new();
    answer(&env, "r1", "one");
    answer(&env, "r2", "two");
    let (conversation, path) = {
        let mut mcp = env.raw();
        mcp.initialize(false);
        let created = listened_conversation(&mut mcp, &json!({}));
        let id = created["conversationId"].as_str().unwrap().to_owned();
        turn(&mut mcp, 3, &id, "remember one");
        assert!(mcp.finish().success());
        (id, created["rolloutPath"].as_str().unwrap().to_owned())
    };

    let mut mcp = env.raw();
    mcp.initialize(false);
    let (before, resumed) = request(&mut mcp, 1, "resumeConversation", &json!({"path": path}));
    assert_eq!(result(&resumed)["conversationId"], conversation.as_str());
    let announced = before
        .iter()
        .find(|m| m["method"] == "sessionConfigured")
        .unwrap_or_else(|| panic!("no sessionConfigured before the answer: {before:#?}"));
    assert_eq!(announced["params"]["sessionId"], conversation.as_str());
    assert_eq!(announced["params"]["rolloutPath"], path.as_str());
    assert!(announced["params"]["historyEntryCount"].as_u64().unwrap() > 0);
    // The conversation so far, for the editor to show: in the answer and the announcement.
    let shown: Vec<(String, String)> = result(&resumed)["initialMessages"]
        .as_array()
        .unwrap_or_else(|| panic!("no initialMessages: {resumed:#}"))
        .iter()
        .filter_map(|m| {
            let text = m["message"].as_str()?;
            Some((m["type"].as_str()?.to_owned(), text.to_owned()))
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("user_message".to_owned(), "remember one".to_owned()),
            ("agent_message".to_owned(), "one".to_owned()),
        ]
    );
    assert_eq!(
        announced["params"]["initialMessages"],
        result(&resumed)["initialMessages"]
    );

    request(
        &mut mcp,
        2,
        "addConversationListener",
        &json!({"conversationId": conversation}),
    );
    let (_, done) = turn(&mut mcp, 3, &conversation, "and two");
    assert_eq!(done["params"]["msg"]["last_agent_message"], "two");
    let requests = env.server.wait_for_requests(2, Duration::from_secs(10));
    let texts = requests[1].message_input_texts("user");
    assert!(texts.iter().any(|t| t == "remember one"), "{texts:?}");

    let (_, missing) = request(
        &mut mcp,
        4,
        "resumeConversation",
        &json!({"path": env.ws().join("nope.jsonl")}),
    );
    assert_eq!(missing["error"]["code"], -32600, "{missing:#}");
}

#[test]
fn login_chatgpt_signs_in_through_the_browser_flow_and_can_be_cancelled() {
    let env = Env::new();
    let issuer = FakeIssuer::start();
    issuer.set(|b| b.client_id = codex_auth::CLIENT_ID.to_owned());
    let mut cmd = env.command();
    cmd.args(["--login-issuer", &issuer.url, "--login-port", "0"]);
    let mut mcp = Raw::spawn(cmd);
    mcp.initialize(false);

    let (_, started) = request(&mut mcp, 1, "loginChatGpt", &json!({}));
    let started = result(&started).clone();
    let login_id = started["loginId"].as_str().unwrap().to_owned();
    let auth_url = started["authUrl"].as_str().unwrap().to_owned();
    assert!(
        auth_url.starts_with(&format!("{}/oauth/authorize?", issuer.url)),
        "{auth_url}"
    );

    // The test plays the browser: issuer -> local callback -> code exchange -> success page.
    let page = ureq::get(&auth_url).call().expect("the sign-in round trip");
    assert_eq!(page.status(), 200);

    let (before, complete) = mcp.until(|m| m["method"] == "loginChatGptComplete");
    assert_eq!(complete["params"]["loginId"], login_id.as_str());
    assert_eq!(
        complete["params"]["success"], true,
        "{complete:#} {before:#?}"
    );
    let (_, change) = mcp.until(|m| m["method"] == "authStatusChange");
    assert_eq!(change["params"]["authMethod"], "chatgpt");
    let stored = codex_test_support::auth_file::read_auth(env.home.path());
    assert_eq!(stored["tokens"]["refresh_token"], "rt-login", "{stored:#}");
    codex_test_support::auth_file::assert_private(env.home.path());
    let (_, status) = request(&mut mcp, 2, "getAuthStatus", &json!({}));
    assert_eq!(result(&status)["authMethod"], "chatgpt");

    // A second sign-in, cancelled: it ends without success and auth.json is untouched.
    let (_, again) = request(&mut mcp, 3, "loginChatGpt", &json!({}));
    let again_id = result(&again)["loginId"].as_str().unwrap().to_owned();
    let (_, cancelled) = request(
        &mut mcp,
        4,
        "cancelLoginChatGpt",
        &json!({"loginId": again_id}),
    );
    assert_eq!(result(&cancelled), &json!({}));
    let (_, complete) = mcp.until(|m| m["method"] == "loginChatGptComplete");
    assert_eq!(complete["params"]["loginId"], again_id.as_str());
    assert_eq!(complete["params"]["success"], false);
    assert!(complete["params"]["error"].is_string(), "{complete:#}");
    let (_, unknown) = request(
        &mut mcp,
        5,
        "cancelLoginChatGpt",
        &json!({"loginId": again_id}),
    );
    assert_eq!(unknown["error"]["code"], -32600, "{unknown:#}");
    assert_eq!(
        unknown["error"]["message"],
        format!("login id not found: {again_id}")
    );
    let stored = codex_test_support::auth_file::read_auth(env.home.path());
    assert_eq!(stored["tokens"]["refresh_token"], "rt-login");
}

#[test]
fn a_listener_answers_exec_approvals_and_interrupt_stops_a_running_turn() {
    use codex_test_support::responses::ev_function_call;
    let env = Env::new();
    let args = json!({"command": ["bash", "-lc", "touch marker"]});
    env.server.push(MockResponse::sse(&[
        ev_function_call("call-1", "shell", &args.to_string()),
        ev_completed("r1"),
    ]));
    answer(&env, "r2", "done");
    env.server
        .push(MockResponse::sse_then_hang(&[ev_assistant_message(
            "m3", "thinking",
        )]));
    let mut mcp = env.raw();
    mcp.initialize(false);
    let created = listened_conversation(
        &mut mcp,
        &json!({"approvalPolicy": "untrusted", "sandbox": "workspace-write", "cwd": env.ws()}),
    );
    let conversation = created["conversationId"].as_str().unwrap().to_owned();
    request(
        &mut mcp,
        3,
        "sendUserMessage",
        &json!({"conversationId": conversation, "items": [text("make a marker")]}),
    );
    let (before, ask) = mcp.until(|m| m["method"] == "execCommandApproval");
    assert!(
        before
            .iter()
            .any(|m| m["method"] == "codex/event/exec_approval_request"),
        "{before:#?}"
    );
    let params = &ask["params"];
    assert_eq!(params["conversationId"], conversation.as_str());
    assert_eq!(params["callId"], "call-1");
    assert_eq!(params["command"], json!(["bash", "-lc", "touch marker"]));
    assert_eq!(params["cwd"], env.ws().to_str().unwrap());
    assert!(!env.ws().join("marker").exists(), "ran before the answer");
    mcp.send(&json!({"jsonrpc": "2.0", "id": ask["id"], "result": {"decision": "approved"}}));
    let (_, done) = mcp.until(|m| m["method"] == "codex/event/task_complete");
    assert_eq!(done["params"]["msg"]["last_agent_message"], "done");
    assert!(env.ws().join("marker").exists());

    // A turn whose model stream hangs: interrupting it answers after `turn_aborted`.
    request(
        &mut mcp,
        4,
        "sendUserMessage",
        &json!({"conversationId": conversation, "items": [text("take your time")]}),
    );
    mcp.until(|m| m["method"] == "codex/event/task_started");
    let (before, interrupted) = request(
        &mut mcp,
        5,
        "interruptConversation",
        &json!({"conversationId": conversation}),
    );
    assert_eq!(result(&interrupted), &json!({"abortReason": "interrupted"}));
    assert!(
        before
            .iter()
            .any(|m| m["method"] == "codex/event/turn_aborted"),
        "{before:#?}"
    );
}

#[test]
fn send_user_turn_with_other_settings_continues_the_history_on_them() {
    let env = Env::new();
    answer(&env, "r1", "first");
    answer(&env, "r2", "second");
    let mut mcp = env.raw();
    mcp.initialize(false);
    let created = listened_conversation(&mut mcp, &json!({"model": "mock-model", "cwd": env.ws()}));
    let conversation = created["conversationId"].as_str().unwrap().to_owned();
    turn(&mut mcp, 3, &conversation, "one");

    let (mut events, sent) = request(
        &mut mcp,
        4,
        "sendUserTurn",
        &json!({"conversationId": conversation, "items": [text("two")], "cwd": env.ws(),
            "approvalPolicy": "never", "sandboxPolicy": {"mode": "read-only"},
            "model": "gpt-5-other-model", "effort": "high", "summary": "concise"}),
    );
    assert_eq!(result(&sent), &json!({}));
    let (after, done) = mcp.until(|m| m["method"] == "codex/event/task_complete");
    events.extend(after);
    assert_eq!(done["params"]["msg"]["last_agent_message"], "second");
    // The listener carried on: the new settings were announced on the same subscription.
    let configured = events
        .iter()
        .find(|m| m["method"] == "codex/event/session_configured")
        .unwrap_or_else(|| panic!("no session_configured in {events:#?}"));
    assert_eq!(configured["params"]["msg"]["model"], "gpt-5-other-model");
    assert_eq!(configured["params"]["msg"]["approval_policy"], "never");
    assert_eq!(
        configured["params"]["msg"]["session_id"],
        conversation.as_str()
    );

    let requests = env.server.wait_for_requests(2, Duration::from_secs(10));
    let body = requests[1].body_json();
    assert_eq!(body["model"], "gpt-5-other-model");
    assert_eq!(body["reasoning"]["effort"], "high", "{body:#}");
    let texts = requests[1].message_input_texts("user");
    assert!(texts.iter().any(|t| t == "one"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "two"), "{texts:?}");

    let (_, missing) = request(
        &mut mcp,
        5,
        "sendUserTurn",
        &json!({"conversationId": conversation, "items": [text("three")]}),
    );
    assert_eq!(missing["error"]["code"], -32602, "{missing:#}");
}
