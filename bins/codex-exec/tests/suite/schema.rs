//! The JSON Schema of `--json` events in docs/ is generated from the event types; this test
//! fails when they drift apart. Regenerate with `UPDATE_SCHEMA=1 cargo test -p codex-exec schema`.

use codex_protocol::exec_events::ThreadEvent;

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/exec-events.schema.json"
);

#[test]
fn exec_events_schema_is_current() {
    let schema = schemars::schema_for!(ThreadEvent);
    let generated = format!("{}\n", serde_json::to_string_pretty(&schema).unwrap());
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/exec-events.schema.json is out of date; run `UPDATE_SCHEMA=1 cargo test -p codex-exec schema`"
    );
}
