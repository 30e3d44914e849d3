//! The editor auth methods on the MCP connection: they change auth.json through the one
//! AuthManager and announce it with `authStatusChange`.

use serde_json::{Value, json};

use super::harness::{Env, Raw};

fn request(mcp: &mut Raw, id: u64, method: &str, params: &Value) -> (Vec<Value>, Value) {
    mcp.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    mcp.response(&json!(id))
}

#[test]
fn login_status_and_logout_change_auth_json_and_notify() {
    let env = Env::new();
    let auth_json = env.home.path().join("auth.json");
    let mut mcp = env.raw();
    mcp.initialize(false);

    let (_, status) = request(&mut mcp, 1, "getAuthStatus", &json!({}));
    assert_eq!(status["result"]["authMethod"], Value::Null, "{status:#}");
    assert_eq!(status["result"]["authToken"], Value::Null);

    let (before, login) = request(
        &mut mcp,
        2,
        "loginApiKey",
        &json!({"apiKey": "sk-mcp-test"}),
    );
    assert_eq!(login["result"], json!({}), "{login:#}");
    let change: Vec<&Value> = before
        .iter()
        .filter(|m| m["method"] == "authStatusChange")
        .collect();
    assert_eq!(change.len(), 1, "{before:#?}");
    assert_eq!(change[0]["params"]["authMethod"], "apikey");
    let stored = codex_test_support::auth_file::read_auth(env.home.path());
    assert_eq!(stored["OPENAI_API_KEY"], "sk-mcp-test");
    codex_test_support::auth_file::assert_private(env.home.path());

    let (_, status) = request(&mut mcp, 3, "getAuthStatus", &json!({"includeToken": true}));
    assert_eq!(status["result"]["authMethod"], "apikey");
    assert_eq!(status["result"]["authToken"], "sk-mcp-test");
    let (_, status) = request(&mut mcp, 4, "getAuthStatus", &json!({}));
    assert_eq!(
        status["result"]["authToken"],
        Value::Null,
        "the token only when asked"
    );

    let (before, logout) = request(&mut mcp, 5, "logoutChatGpt", &json!({}));
    assert_eq!(logout["result"], json!({}));
    let change = before
        .iter()
        .find(|m| m["method"] == "authStatusChange")
        .unwrap();
    assert_eq!(change["params"]["authMethod"], Value::Null);
    assert!(!auth_json.exists());

    let (_, bad) = request(&mut mcp, 6, "loginApiKey", &json!({"key": "x"}));
    assert_eq!(bad["error"]["code"], -32602, "{bad:#}");
}
