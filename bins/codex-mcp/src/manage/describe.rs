//! One server as `list` and `get` show it: the JSON object and the pieces of the text forms.
//! Environment and header values are masked; only names are shown.

use std::collections::BTreeMap;

use codex_config::{McpServerConfig, McpServerTransportConfig};
use codex_mcp_client::oauth::McpAuthStatus;
use serde_json::{Value, json};

/// Where a stdio server runs: `read-only`, `workspace-write +network`, `none`.
pub(super) fn sandbox_label(server: &McpServerConfig) -> Option<String> {
    let McpServerTransportConfig::Stdio {
        sandbox, network, ..
    } = &server.transport
    else {
        return None;
    };
    Some(match sandbox {
        codex_config::McpSandboxMode::DangerFullAccess => "none".to_owned(),
        mode if *network => format!("{} +network", mode.as_str()),
        mode => mode.as_str().to_owned(),
    })
}

/// `K=*****, L=*****`, or `-`.
pub(super) fn masked(map: &BTreeMap<String, String>) -> String {
    if map.is_empty() {
        return "-".to_owned();
    }
    map.keys()
        .map(|k| format!("{k}=*****"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON object of one server: `list` adds its auth status, `get` the tool filters.
pub(super) fn to_json(name: &str, server: &McpServerConfig, auth: Option<McpAuthStatus>) -> Value {
    let transport = match &server.transport {
        McpServerTransportConfig::Stdio {
            command,
            args,
            env,
            env_vars,
            cwd,
            sandbox,
            network,
        } => json!({
            "type": "stdio",
            "command": command,
            "args": args,
            "env": if env.is_empty() { Value::Null } else { json!(env) },
            "env_vars": env_vars,
            "cwd": cwd,
            "sandbox": sandbox.as_str(),
            "network": network,
        }),
        McpServerTransportConfig::StreamableHttp {
            url,
            bearer_token_env_var,
            http_headers,
            env_http_headers,
            ..
        } => json!({
            "type": "streamable_http",
            "url": url,
            "bearer_token_env_var": bearer_token_env_var,
            "http_headers": if http_headers.is_empty() { Value::Null } else { json!(http_headers) },
            "env_http_headers": if env_http_headers.is_empty() { Value::Null } else { json!(env_http_headers) },
        }),
    };
    let mut object = json!({
        "name": name,
        "enabled": server.enabled,
        "transport": transport,
        "startup_timeout_sec": server.startup_timeout_sec,
        "tool_timeout_sec": server.tool_timeout_sec,
    });
    if let Some(auth) = auth {
        object["auth_status"] = json!(auth.as_json());
    } else {
        object["enabled_tools"] = json!(server.enabled_tools);
        object["disabled_tools"] = if server.disabled_tools.is_empty() {
            Value::Null
        } else {
            json!(server.disabled_tools)
        };
    }
    object
}
