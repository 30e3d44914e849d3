//! The event loop: terminal events (crossterm's `EventStream`), the conversation's events and
//! a tick, feeding the [`App`]; then the finished history goes into the scrollback and the
//! viewport is redrawn, inside one synchronized update so the terminal never shows half a
//! frame.

use std::io::{self, Stdout, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use codex_config::Config;
use codex_core::{Conversation, ConversationManager, ConversationOptions};
use codex_protocol::protocol::{EventMsg, Op, SessionConfiguredEvent};
use crossterm::event::{Event, EventStream};
use crossterm::queue;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::layout::Size;
use tokio::sync::mpsc;

use crate::app::slash::SessionSettings;
use crate::app::{App, Command, UiSettings};
use crate::composer_assist::ComposerAssist;
use crate::history::{ComposerHistory, HistoryLoad};
use crate::screen::inline::InlineScreen;
use crate::screen::surface::TerminalSurface;
use crate::screen::terminal::TerminalGuard;
use crate::slash::diff::{WorkspaceDiff, workspace_diff};
use crate::slash::settings::continue_with;
use crate::slash::status::StatusInfo;

/// How long quitting waits for the conversation to shut down (flush its session file).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);
/// Core events applied before a frame is drawn (a fast stream must not starve the keys).
const EVENTS_PER_FRAME: usize = 512;

/// How the chat ended.
pub(crate) struct ChatOutcome {
    /// Tokens used over the session.
    pub(crate) usage: codex_protocol::TokenUsage,
    /// The session id.
    pub(crate) session_id: Option<String>,
}

/// What the helpers off the UI task hand back to the loop.
enum UiEvent {
    /// The file search or the history read has something: poll.
    Wake,
    /// `/status`'s facts.
    Status(Box<StatusInfo>),
    /// `/diff`'s output.
    Diff(Result<WorkspaceDiff, String>),
}

/// Runs the chat on this terminal until the user quits or the conversation ends. `manager`
/// and `config` start the conversations `/new`, `/model` and `/approvals` switch to.
pub(crate) async fn run_chat(
    manager: ConversationManager,
    mut config: Config,
    conversation: Arc<Conversation>,
    configured: SessionConfiguredEvent,
    entry: crate::entry::ChatEntry,
    warnings: &[String],
    settings: UiSettings,
) -> anyhow::Result<ChatOutcome> {
    let mut guard = TerminalGuard::enter().context("could not set up the terminal")?;
    // One write per frame: stdout alone is line-buffered, and frames are full of line feeds.
    let surface = TerminalSurface::new(io::BufWriter::with_capacity(1 << 16, io::stdout()));
    let mut screen = InlineScreen::new(surface, settings.color)?;

    let mut app = App::new(settings, configured.cwd.clone());
    let (ui_tx, mut ui_rx) = mpsc::unbounded_channel::<UiEvent>();
    let wake: Arc<dyn Fn() + Send + Sync> = {
        let ui_tx = ui_tx.clone();
        Arc::new(move || {
            let _ = ui_tx.send(UiEvent::Wake);
        })
    };
    let history = {
        let wake = Arc::clone(&wake);
        HistoryLoad::spawn(
            config.codex_home.clone(),
            configured.session_id.clone(),
            move || wake(),
        )
    };
    let logged_in = manager.auth_manager().auth().is_some();
    app.attach_extras(
        ComposerAssist::new(
            ComposerHistory::new(history),
            configured.cwd.clone(),
            logged_in,
            wake,
        ),
        SessionSettings::from_config(&config),
    );
    let mut conversation = conversation;
    let mut rollout_path = configured.rollout_path.clone();
    app.handle_core(EventMsg::SessionConfigured(configured));
    for warning in warnings {
        app.warn(warning);
    }
    app.set_session_commands(entry.commands);
    for msg in entry.replay {
        app.handle_core(msg);
    }
    if !entry.first_input.is_empty() {
        app.send_items(entry.first_input);
    }

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut reader = spawn_reader(&conversation, &tx);
    let mut events = EventStream::new();
    let tick_every = if settings.animations {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    };
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let mut dirty = true;
    let mut resize_pending = false;
    let mut quit_deadline: Option<Instant> = None;
    let mut core_closed = false;
    let result: anyhow::Result<()> = async {
        loop {
            for command in app.take_commands() {
                match command {
                    Command::Submit(op) => {
                        if conversation.submit(op).await.is_err() {
                            core_closed = true;
                        }
                    }
                    Command::Notify(text) => notify(screen.surface_mut().writer(), &text)?,
                    Command::NewConversation => {
                        match manager.new_conversation(config.clone(), ConversationOptions::default()) {
                            Ok(new) => {
                                reader.abort();
                                let old = std::mem::replace(&mut conversation, new.conversation);
                                reader = spawn_reader(&conversation, &tx);
                                let _ = old.submit(Op::Shutdown).await;
                                rollout_path.clone_from(&new.session_configured.rollout_path);
                                app.conversation_replaced(new.session_configured);
                            }
                            Err(e) => app.slash_failed(&format!("/new: {e}")),
                        }
                    }
                    Command::Reconfigure(change) => {
                        let mut next = config.clone();
                        let Some(note) = change.apply(&mut next) else {
                            continue;
                        };
                        let Some(path) = rollout_path.clone() else {
                            app.slash_failed("the session has no file yet to continue from; try again after the first message");
                            continue;
                        };
                        match continue_with(&manager, next.clone(), path) {
                            Ok(new) => {
                                reader.abort();
                                let old = std::mem::replace(&mut conversation, new.conversation);
                                reader = spawn_reader(&conversation, &tx);
                                let _ = old.submit(Op::Shutdown).await;
                                config = next;
                                app.settings_changed(SessionSettings::from_config(&config), &note);
                            }
                            Err(e) => app.slash_failed(&format!("the settings were not changed: {e}")),
                        }
                    }
                    Command::ShowStatus => {
                        let config = config.clone();
                        let auth = manager.auth_manager().clone();
                        let session = app.session_id().map(str::to_owned);
                        let usage = app.usage_tracker().clone();
                        let ui_tx = ui_tx.clone();
                        tokio::task::spawn_blocking(move || {
                            let info = StatusInfo::gather(&config, &auth, session, &usage);
                            let _ = ui_tx.send(UiEvent::Status(Box::new(info)));
                        });
                    }
                    Command::ShowLimits => app.show_limits(conversation.limits_status().as_ref()),
                    Command::ShowDiff => {
                        let cwd = config.cwd.clone();
                        let ui_tx = ui_tx.clone();
                        tokio::task::spawn_blocking(move || {
                            let diff = workspace_diff(&cwd).map_err(|e| e.to_string());
                            let _ = ui_tx.send(UiEvent::Diff(diff));
                        });
                    }
                }
            }
            if app.quitting() && quit_deadline.is_none() {
                quit_deadline = Some(Instant::now() + SHUTDOWN_WAIT);
            }
            if app.ended() || core_closed || quit_deadline.is_some_and(|d| Instant::now() >= d) {
                // The last lines (an interrupted answer) still go to the scrollback.
                frame(&mut app, &mut screen)?;
                return Ok(());
            }
            // A resize whose event is still queued must be handled before anything is
            // written: history written with the old size would land where the reflowed
            // screen no longer has the viewport.
            if let Ok((w, h)) = crossterm::terminal::size()
                && (w, h) != (screen.size().width, screen.size().height)
            {
                resize_pending = true;
            }
            if resize_pending {
                resize_pending = false;
                let (w, h) = crossterm::terminal::size()?;
                screen.resized(Size::new(w, h))?;
                dirty = true;
            }
            if dirty {
                frame(&mut app, &mut screen)?;
                dirty = false;
            }
            tokio::select! {
                event = events.next() => match event {
                    Some(Ok(Event::Key(key))) => {
                        app.handle_key(key);
                        dirty = true;
                    }
                    Some(Ok(Event::Paste(text))) => {
                        app.handle_paste(&text);
                        dirty = true;
                    }
                    Some(Ok(Event::Resize(..))) => resize_pending = true,
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e).context("could not read the terminal"),
                    None => return Ok(()),
                },
                msg = rx.recv() => match msg {
                    Some(msg) => {
                        app.handle_core(msg);
                        for _ in 0..EVENTS_PER_FRAME {
                            match rx.try_recv() {
                                Ok(msg) => app.handle_core(msg),
                                Err(_) => break,
                            }
                        }
                        dirty = true;
                    }
                    None => core_closed = true,
                },
                Some(event) = ui_rx.recv() => {
                    match event {
                        UiEvent::Wake => app.poll_extras(),
                        UiEvent::Status(info) => app.show_status(&info),
                        UiEvent::Diff(diff) => app.show_diff(diff),
                    }
                    dirty = true;
                }
                _ = tick.tick() => {
                    if app.tick() {
                        dirty = true;
                    }
                }
                () = sleep_until(quit_deadline) => {}
            }
        }
    }
    .await;
    reader.abort();
    let _ = screen.finish();
    guard.leave();
    result?;
    Ok(ChatOutcome {
        usage: app.usage(),
        session_id: app.session_id().map(str::to_owned),
    })
}

/// Forwards a conversation's events to the loop.
fn spawn_reader(
    conversation: &Arc<Conversation>,
    tx: &mpsc::UnboundedSender<EventMsg>,
) -> tokio::task::JoinHandle<()> {
    let conversation = Arc::clone(conversation);
    let tx = tx.clone();
    tokio::spawn(async move {
        while let Ok(event) = conversation.next_event().await {
            if tx.send(event.msg).is_err() {
                break;
            }
        }
    })
}

/// The terminal the chat draws on.
type Screen = InlineScreen<TerminalSurface<io::BufWriter<Stdout>>>;

/// Writes finished history, then the viewport, as one synchronized update.
fn frame(app: &mut App, screen: &mut Screen) -> io::Result<()> {
    app.set_history_width(screen.size().width);
    queue!(screen.surface_mut().writer(), BeginSynchronizedUpdate)?;
    let history = app.take_history();
    screen.insert_history(&history)?;
    let size = screen.size();
    let height = app.desired_height(size);
    screen.draw(height, |area, buf| app.render(area, buf, size.height))?;
    queue!(screen.surface_mut().writer(), EndSynchronizedUpdate)?;
    screen.surface_mut().writer().flush()
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// A desktop notification: OSC 9, which terminals that support it show (others ignore it).
fn notify(out: &mut impl Write, text: &str) -> io::Result<()> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    write!(out, "\x1b]9;{text}\x07")?;
    out.flush()
}
