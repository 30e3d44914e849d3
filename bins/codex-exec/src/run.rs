//! One run: configuration, prompt, conversation, events, exit status.

use std::process::ExitCode;

use anyhow::{Context, bail};
use codex_cli::exec::{ExecArgs, ResumeArgs};
use codex_config::{Config, ConfigOverrides, DEFAULT_OSS_MODEL, OSS_PROVIDER_ID};
use codex_core::{
    ConversationManager, ConversationOptions, LocalModelProgress, ManagerOptions, ResumeTarget,
    prepare_local_model,
};
use codex_protocol::protocol::{EventMsg, InputItem, LimitCode, Op};
use codex_protocol::rollout::SessionSource;
use codex_protocol::{AskForApproval, ReviewDecision};

use crate::human::HumanOutput;
use crate::json::JsonOutput;
use crate::output::{EventSink, Style};
use crate::{EXIT_BUDGET, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_LIMIT};

/// The `originator` codex-exec announces, as Codex's exec does.
const ORIGINATOR: &str = "codex_exec";

/// Loads config.toml with the command line on top. A resumed session runs on these settings
/// too, whatever it was recorded with, as Codex's resume does.
pub(crate) fn load_config(args: &ExecArgs) -> anyhow::Result<Config> {
    let overrides = ConfigOverrides {
        profile: args.config.profile.clone(),
        raw_overrides: args.config.raw_overrides(),
        cwd: args.run.cwd.clone(),
        model: args
            .run
            .model
            .clone()
            .or_else(|| args.run.oss.then(|| DEFAULT_OSS_MODEL.to_owned())),
        model_provider: args.run.oss.then(|| OSS_PROVIDER_ID.to_owned()),
        sandbox_mode: args.run.sandbox_mode(),
        // Nobody is there to answer: exec never asks.
        approval_policy: Some(AskForApproval::Never),
        additional_writable_roots: args.run.add_dirs.clone(),
        ..ConfigOverrides::default()
    };
    let mut config = Config::load(overrides).context("could not load the configuration")?;
    if let Some(n) = args.max_turns {
        config.limits.max_turns = n;
    }
    if let Some(n) = args.max_tokens {
        config.limits.max_tokens = Some(n);
    }
    if let Some(timeout) = args.timeout {
        config.limits.turn_timeout_ms =
            Some(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX));
    }
    Ok(config)
}

pub(crate) fn run(
    args: &ExecArgs,
    prompt_arg: Option<String>,
    resume: Option<&ResumeArgs>,
) -> anyhow::Result<ExitCode> {
    if let Some(policy) = args.run.approval.filter(|p| *p != AskForApproval::Never) {
        bail!(
            "codex-exec cannot ask for approval (nobody is there to answer), so `-a {policy}` has no effect here; drop it, or use the terminal UI"
        );
    }
    let style = Style::for_stderr(args.color);
    // Which session to continue, and the prompt (with --last the positional is the prompt).
    let (resume_target, prompt_arg) = match resume {
        None => (None, prompt_arg),
        Some(r) if r.last => (
            Some(ResumeTarget::Last { all_dirs: r.all }),
            r.prompt
                .clone()
                .or_else(|| r.session_id.clone())
                .or(prompt_arg),
        ),
        Some(r) => match &r.session_id {
            Some(id) => (
                Some(ResumeTarget::Id(id.clone())),
                r.prompt.clone().or(prompt_arg),
            ),
            None => bail!(
                "resume needs a session id or --last; list sessions with `codex-exec sessions`"
            ),
        },
    };

    let config = load_config(args)?;
    // On stderr in both modes: a script reading `--json` gets Codex's stream, unchanged.
    for warning in &config.warnings {
        eprintln!("{}", style.paint(&format!("warning: {warning}"), "33"));
    }

    let bypass = args.run.dangerously_bypass_approvals_and_sandbox;
    if !args.skip_git_repo_check && !bypass && codex_rollout::git_root(&config.cwd).is_none() {
        bail!(
            "{} is not inside a git repository, so changes could not be reviewed or undone; run from a repository or pass --skip-git-repo-check",
            config.cwd.display()
        );
    }
    let output_schema = match &args.output_schema {
        Some(path) => Some(read_output_schema(path)?),
        None => None,
    };
    // Mistakes a script can make are refused before the model is paid for an answer.
    if let Some(path) = &args.output_last_message {
        check_output_path(path)?;
    }
    for image in &args.images {
        std::fs::metadata(image)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .with_context(|| {
                format!(
                    "cannot attach the image {}: not found, or not a file",
                    image.display()
                )
            })?;
    }
    let mut notices = |m: &str| {
        if !args.json {
            eprintln!("{m}");
        }
    };
    let prompt = crate::prompt::resolve_prompt(prompt_arg.as_deref(), &mut notices)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        // Ollama streams a progress line per chunk: show each status once, and the
        // percentage in steps of ten.
        let mut last_shown = None;
        prepare_local_model(&config, |progress| {
            if let Some(line) = describe_local_model(&progress)
                && last_shown.as_ref() != Some(&line)
            {
                eprintln!("{}", style.paint(&line, "2"));
                last_shown = Some(line);
            }
        })
        .await?;
        let manager = ConversationManager::from_config(
            &config,
            ManagerOptions {
                source: SessionSource::Exec,
                originator: ORIGINATOR.to_owned(),
            },
        );
        let hide_reasoning = config.hide_agent_reasoning;
        let wanted_resume = resume_target.is_some();
        let options = ConversationOptions {
            output_schema,
            resume: resume_target,
            record_exchanges: args.record.clone(),
        };
        let new = manager.new_conversation(config, options)?;
        if wanted_resume && new.resumed_from.is_none() && !args.json {
            eprintln!(
                "{}",
                style.paint("no earlier session matched; starting a new one", "33")
            );
        }
        let mut sink: Box<dyn EventSink> = if args.json {
            Box::new(JsonOutput::default())
        } else {
            Box::new(HumanOutput::new(style, hide_reasoning))
        };
        sink.session_configured(&new.session_configured, &prompt);

        let mut items = vec![InputItem::Text { text: prompt }];
        items.extend(
            args.images
                .iter()
                .map(|path| InputItem::LocalImage { path: path.clone() }),
        );
        let conversation = new.conversation;
        conversation.submit(Op::UserInput { items }).await?;

        let mut failed = false;
        let mut limited: Option<LimitCode> = None;
        // The signal that stopped the run (Ctrl-C, or a supervisor's SIGTERM or SIGHUP).
        let mut interrupted: Option<i32> = None;
        let mut last_message_written = false;
        let stop = stop_signal();
        tokio::pin!(stop);
        let mut stop_seen = false;
        let mut turn_over = false;
        loop {
            let event = tokio::select! {
                event = conversation.next_event() => event?,
                signal = &mut stop, if !stop_seen => {
                    stop_seen = true;
                    // After the turn ended there is nothing to interrupt; the run is finishing.
                    if !turn_over {
                        interrupted = Some(signal);
                        let _ = conversation.submit(Op::Interrupt).await;
                    }
                    continue;
                }
            };
            match &event.msg {
                EventMsg::ExecApprovalRequest(request) => {
                    conversation
                        .submit(Op::ExecApproval {
                            id: request.call_id.clone(),
                            decision: ReviewDecision::Denied,
                        })
                        .await?;
                }
                EventMsg::ApplyPatchApprovalRequest(request) => {
                    conversation
                        .submit(Op::PatchApproval {
                            id: request.call_id.clone(),
                            decision: ReviewDecision::Denied,
                        })
                        .await?;
                }
                EventMsg::TaskComplete { last_agent_message } => {
                    turn_over = true;
                    // Written from the event: a huge answer is not copied to be kept.
                    if let Some(path) = &args.output_last_message {
                        // The answer still goes to stdout and the stream still ends properly.
                        if let Err(e) = write_last_message(path, last_agent_message.as_deref()) {
                            eprintln!("codex-exec: {e:#}");
                            failed = true;
                        }
                        last_message_written = true;
                    }
                    sink.event(event.msg);
                    conversation.submit(Op::Shutdown).await?;
                    continue;
                }
                EventMsg::Error { .. } | EventMsg::TurnAborted { .. } => {
                    turn_over = true;
                    failed = true;
                    if let EventMsg::Error {
                        code: Some(code), ..
                    } = &event.msg
                    {
                        limited = Some(*code);
                    }
                    sink.event(event.msg);
                    conversation.submit(Op::Shutdown).await?;
                    continue;
                }
                EventMsg::ShutdownComplete => break,
                _ => {}
            }
            sink.event(event.msg);
        }
        sink.finish(failed);
        if let Some(path) = &args.output_last_message
            && !last_message_written
        {
            write_last_message(path, None)?;
        }
        Ok(if let Some(signal) = interrupted {
            // 128 + the signal, as a shell reports a process it killed: 130 for Ctrl-C.
            ExitCode::from(u8::try_from(128 + signal).unwrap_or(EXIT_INTERRUPTED))
        } else if limited == Some(LimitCode::BudgetExceeded) {
            ExitCode::from(EXIT_BUDGET)
        } else if limited.is_some() {
            ExitCode::from(EXIT_LIMIT)
        } else if failed {
            ExitCode::from(EXIT_FAILURE)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// The first of SIGINT (Ctrl-C), SIGTERM and SIGHUP, by number. Each stops the turn the same
/// way, so a supervisor's kill (a CI timeout, a closed terminal) still ends the `--json`
/// stream with the turn's end and leaves the session file whole; the exit status says which.
async fn stop_signal() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    const SIGHUP: i32 = 1;
    const SIGINT: i32 = 2;
    const SIGTERM: i32 = 15;
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return SIGINT;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => SIGINT,
        _ = term.recv() => SIGTERM,
        _ = hup.recv() => SIGHUP,
    }
}

/// `-o FILE` must name a file in an existing directory.
fn check_output_path(path: &std::path::Path) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!(
            "cannot write the last message to {}: it is a directory; name a file",
            path.display()
        );
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        bail!(
            "cannot write the last message to {}: the directory {} does not exist",
            path.display(),
            parent.display()
        );
    }
    Ok(())
}

fn write_last_message(path: &std::path::Path, text: Option<&str>) -> anyhow::Result<()> {
    std::fs::write(path, text.unwrap_or_default())
        .with_context(|| format!("could not write the last message to {}", path.display()))
}

fn read_output_schema(path: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the output schema file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "the output schema file {} is not valid JSON",
            path.display()
        )
    })
}

/// What `--oss` preparation shows on stderr: pulls with their progress, nothing when all is
/// ready.
fn describe_local_model(progress: &LocalModelProgress) -> Option<String> {
    match progress {
        LocalModelProgress::NotOllama | LocalModelProgress::Present => None,
        LocalModelProgress::Pulling {
            status,
            percent: Some(percent),
        } => Some(format!(
            "pulling the model: {status} {}%",
            percent / 10 * 10
        )),
        LocalModelProgress::Pulling {
            status,
            percent: None,
        } => Some(format!("pulling the model: {status}")),
        LocalModelProgress::Pulled => Some("model pulled".to_owned()),
    }
}
