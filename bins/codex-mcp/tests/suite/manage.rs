//! `codex mcp add|list|get|remove` round-trips against a temp CODEX_HOME.

use pretty_assertions::assert_eq;

use super::harness::mcp_transcript;

const START: &str = "# Personal settings; keep this comment.\nmodel = \"o3\" # pinned\n\n# The docs server, added by hand.\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"@acme/docs-mcp\"]\nenv = { API_KEY = \"secret-value\" }\n\n[tui]\nanimations = false # calmer\n";

#[test]
fn add_list_get_remove_round_trip_keeps_comments() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config.toml");
    std::fs::write(&file, START).unwrap();
    let mut transcript = String::new();
    for args in [
        &[
            "add",
            "web",
            "--url",
            "https://mcp.example.com/mcp",
            "--bearer-token-env-var",
            "EX_TOKEN",
        ][..],
        &[
            "add",
            "files",
            "--env",
            "ROOT=/srv",
            "--env",
            "B=2",
            "--",
            "python3",
            "server.py",
            "--flag",
        ],
        &["list"],
        &["get", "docs"],
        &["get", "web"],
        &["list", "--json"],
        &["get", "files", "--json"],
    ] {
        transcript.push_str(&mcp_transcript(home.path(), args));
        transcript.push('\n');
    }
    transcript.push_str("--- config.toml after adding\n");
    transcript.push_str(&std::fs::read_to_string(&file).unwrap());
    for args in [
        &["remove", "files"][..],
        &["remove", "files"],
        &["remove", "web"],
    ] {
        transcript.push('\n');
        transcript.push_str(&mcp_transcript(home.path(), args));
    }
    insta::assert_snapshot!(transcript);
    // Everything the user wrote is back, byte for byte.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), START);
}

#[test]
fn errors_name_the_problem() {
    let home = tempfile::tempdir().unwrap();
    let mut transcript = String::new();
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["get", "nope"],
        &["add", "bad.name", "--", "x"],
        &["add", "web", "--url", "http://h", "--env", "A=1"],
        &["add", "empty"],
        &["add", "e", "--env", "NOEQUALS", "--", "x"],
        &["remove", "nope"],
    ] {
        transcript.push_str(&mcp_transcript(home.path(), args));
        transcript.push('\n');
    }
    insta::assert_snapshot!(transcript);
    assert!(
        !home.path().join("config.toml").exists(),
        "failed adds and removes create no file"
    );
}
