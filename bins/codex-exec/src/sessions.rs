//! `codex-exec sessions`: recorded sessions for scripts (JSON lines) and people (a table).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use codex_cli::exec::{ExecArgs, SessionsArgs};
use codex_rollout::{SessionFilter, list_sessions};
use serde_json::json;

pub(crate) fn run(exec: &ExecArgs, args: &SessionsArgs) -> anyhow::Result<ExitCode> {
    let config = crate::run::load_config(exec)?;
    let filter = SessionFilter {
        model_provider: None,
        cwd: if args.all {
            None
        } else {
            Some(config.cwd.clone())
        },
        sources: Vec::new(),
    };
    let page = list_sessions(&config.codex_home, args.limit, None, &filter).with_context(|| {
        format!(
            "could not list sessions in {}",
            config.codex_home.join("sessions").display()
        )
    })?;
    let mut out = std::io::stdout().lock();
    for s in &page.items {
        let line = if args.json {
            json!({
                "id": s.id,
                "path": s.path,
                "created": s.created.to_rfc3339(),
                "updated": s.updated.to_rfc3339(),
                "cwd": s.cwd,
                "git_branch": s.git_branch,
                "model_provider": s.model_provider,
                "model": s.model,
                "preview": s.preview,
            })
            .to_string()
        } else {
            let preview: String = s
                .preview
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(60)
                .collect();
            // Branch names and prompts come from files others may have written.
            format!(
                "{}  {}  {:<20}  {}",
                s.id,
                s.updated.format("%Y-%m-%d %H:%M"),
                codex_safe_text::sanitize(s.git_branch.as_deref().unwrap_or("-")),
                codex_safe_text::sanitize(&preview)
            )
        };
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    if page.items.is_empty() && !args.json {
        eprintln!(
            "no sessions recorded{}",
            if args.all {
                ""
            } else {
                " in this directory (try --all)"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
