//! Coming back to a session: `resume <id|prefix|name>` and `resume --last` go straight to
//! core's [`ResumeTarget`]; a bare `resume` opens the picker. Whatever is chosen, core reads
//! the rollout (the same path as `codex-exec resume` and the MCP server), and hands back the
//! persisted events that [`transcript`] turns into what the scrollback shows.

use std::io;

use codex_config::Config;
use codex_core::ResumeTarget;
use codex_protocol::rollout::EventMsg;
use crossterm::event::EventStream;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::unbounded_channel;

use super::driver::run_screen;
use super::picker::{Picker, PickerOutcome, spawn_loader};

/// What `codex-tui resume` was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumeRequest {
    /// A session id, a unique prefix of one, or a name given with `/rename`.
    pub session: Option<String>,
    /// The newest session (`--last`).
    pub last: bool,
    /// Beyond this directory (`--all`).
    pub all: bool,
}

/// What the resume step decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeChoice {
    /// Continue this session.
    Resume(ResumeTarget),
    /// Start a new session.
    New,
    /// The user quit.
    Quit,
}

/// The target a request names without asking, or `None` when the picker must ask.
pub fn direct_target(request: &ResumeRequest) -> Option<ResumeTarget> {
    if let Some(session) = &request.session {
        return Some(ResumeTarget::Id(session.clone()));
    }
    request.last.then_some(ResumeTarget::Last {
        all_dirs: request.all,
    })
}

/// Opens the picker (on `terminal`, expected in the alternate screen) and returns the choice.
pub async fn pick<B>(
    terminal: &mut Terminal<B>,
    events: &mut EventStream,
    config: &Config,
    all_dirs: bool,
) -> io::Result<ResumeChoice>
where
    B: Backend,
    B::Error: Into<io::Error>,
{
    let (tx, mut rx) = unbounded_channel();
    // Subscribed to the loader's messages before its first page is requested, so the first
    // page is drawn the moment it arrives.
    let loader = spawn_loader(config.codex_home.clone(), tx)?;
    let names = codex_rollout::session_names(&config.codex_home).unwrap_or_default();
    let mut picker = Picker::new(
        config.cwd.clone(),
        config.model_provider_id.clone(),
        all_dirs,
        names,
        Some(loader),
    );
    Ok(
        match run_screen(terminal, events, &mut picker, &mut rx).await? {
            Some(PickerOutcome::Resume(session)) => {
                ResumeChoice::Resume(ResumeTarget::Path(session.path))
            }
            Some(PickerOutcome::StartNew) => ResumeChoice::New,
            None => ResumeChoice::Quit,
        },
    )
}

/// Who said a line of a restored transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The user.
    User,
    /// The agent.
    Agent,
}

/// The transcript of a resumed session from its persisted events: what the user typed and
/// what the agent answered, in order. Tool work and reasoning are not replayed, as in Codex;
/// injected context (environment, AGENTS.md) is not something the user typed.
pub fn transcript(events: &[EventMsg]) -> Vec<(Speaker, String)> {
    events
        .iter()
        .filter_map(|event| match event {
            EventMsg::UserMessage { message, .. }
                if !codex_rollout::is_injected_context(message) =>
            {
                Some((Speaker::User, message.clone()))
            }
            EventMsg::AgentMessage { message } => Some((Speaker::Agent, message.clone())),
            _ => None,
        })
        .collect()
}

/// The transcript as the chat's own events, so it is drawn exactly like a live conversation.
pub fn replay_events(events: &[EventMsg]) -> Vec<codex_protocol::protocol::EventMsg> {
    use codex_protocol::protocol::EventMsg as Live;
    transcript(events)
        .into_iter()
        .map(|(speaker, message)| match speaker {
            Speaker::User => Live::UserMessage {
                message,
                images: None,
            },
            Speaker::Agent => Live::AgentMessage { message },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_keeps_what_was_said_and_drops_the_rest() {
        let events = vec![
            EventMsg::UserMessage {
                message: "<environment_context>\n</environment_context>".into(),
                images: None,
            },
            EventMsg::UserMessage {
                message: "fix it".into(),
                images: None,
            },
            EventMsg::AgentReasoning {
                text: "thinking".into(),
            },
            EventMsg::AgentMessage {
                message: "fixed".into(),
            },
        ];
        assert_eq!(
            transcript(&events),
            vec![
                (Speaker::User, "fix it".to_owned()),
                (Speaker::Agent, "fixed".to_owned())
            ]
        );
        assert_eq!(replay_events(&events).len(), 2);
    }

    #[test]
    fn direct_targets_skip_the_picker() {
        let named = ResumeRequest {
            session: Some("fix ci".into()),
            ..ResumeRequest::default()
        };
        assert_eq!(
            direct_target(&named),
            Some(ResumeTarget::Id("fix ci".into()))
        );
        let last = ResumeRequest {
            last: true,
            all: true,
            ..ResumeRequest::default()
        };
        assert_eq!(
            direct_target(&last),
            Some(ResumeTarget::Last { all_dirs: true })
        );
        assert_eq!(direct_target(&ResumeRequest::default()), None);
    }
}
