//! The state of one conversation and the services its turns use: event emission, approvals,
//! history, token usage and the rollout file.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use codex_config::Config;
use codex_mcp_client::McpConnectionManager;
use codex_model_client::{ModelClient, ModelFamily};
use codex_protocol::protocol::{Event, EventMsg};
use codex_protocol::rollout::RolloutItem;
use codex_protocol::{ResponseItem, ReviewDecision, TokenUsage};
use codex_rollout::RolloutRecorder;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::budget::{Budget, LimitsStatus};
use crate::exec::SandboxLaunch;
use crate::shell_snapshot::ShellSnapshot;
use crate::tools::spec::ToolChoice;

/// Everything a turn needs, shared by the submission loop and the running task.
pub(crate) struct Session {
    pub(crate) conversation_id: String,
    pub(crate) config: Arc<Config>,
    pub(crate) client: ModelClient,
    /// What the model accepts: decides the request's parameters and tools.
    pub(crate) family: ModelFamily,
    /// The tools offered, from the family and `[features]`.
    pub(crate) tool_choice: ToolChoice,
    /// The spending caps and their prices.
    budget: Budget,
    /// Model requests made by the running (or last) turn, for [`Session::limits_status`].
    turn_requests: AtomicU64,
    pub(crate) base_instructions: String,
    pub(crate) output_schema: Option<serde_json::Value>,
    /// The sandbox helper, when the policy needs one (checked at start-up).
    pub(crate) sandbox_exe: Option<PathBuf>,
    /// The user's bash login environment, captured in the background (`None` when
    /// `[features] shell_snapshot = false`).
    pub(crate) shell_snapshot: Option<Arc<ShellSnapshot>>,
    tx_event: mpsc::UnboundedSender<Event>,
    /// The session's MCP servers (starting in the background).
    pub(crate) mcp: Arc<McpConnectionManager>,
    state: Mutex<SessionState>,
    pending_approvals: Mutex<HashMap<String, oneshot::Sender<ReviewDecision>>>,
    recorder: Mutex<RolloutRecorder>,
}

/// What a session is made of, gathered by the conversation manager.
pub(crate) struct SessionInit {
    pub(crate) conversation_id: String,
    pub(crate) config: Arc<Config>,
    pub(crate) client: ModelClient,
    pub(crate) base_instructions: String,
    pub(crate) output_schema: Option<serde_json::Value>,
    pub(crate) sandbox_exe: Option<PathBuf>,
    pub(crate) tx_event: mpsc::UnboundedSender<Event>,
    pub(crate) mcp: Arc<McpConnectionManager>,
    pub(crate) recorder: RolloutRecorder,
    pub(crate) history: Vec<ResponseItem>,
    /// What the session used before (a resumed session's last recorded total).
    pub(crate) usage: TokenUsage,
}

/// Mutable conversation state, reached only through [`Session`]'s methods, each of which states
/// one rule about it.
#[derive(Default)]
struct SessionState {
    /// The whole transcript, sent with every request.
    history: Vec<ResponseItem>,
    /// Commands the user allowed for the rest of the session.
    approved_commands: HashSet<Vec<String>>,
    /// Usage summed over the conversation.
    total_usage: TokenUsage,
    /// User input that arrived while a task was running.
    pending_input: Vec<ResponseItem>,
    /// Whether a task is running. Set and cleared only together with a look at
    /// `pending_input`, under the same lock, so that input is never stranded between a task
    /// that just ended and one that was not started.
    task_running: bool,
}

impl Session {
    pub(crate) fn new(init: SessionInit) -> Self {
        let mut family = *ModelFamily::of(&init.config.model);
        if let Some(reasoning) = init.config.model_supports_reasoning_summaries {
            family.reasoning = reasoning;
        }
        let shell_snapshot = crate::shell_snapshot::wanted(&init.config).then(|| {
            ShellSnapshot::start(
                &init.config.codex_home,
                &init.conversation_id,
                &init.config.cwd,
                command_env(&init.config),
                crate::shell_snapshot::capture_launch(sandbox_launch(
                    &init.config,
                    init.sandbox_exe.as_ref(),
                )),
            )
        });
        Self {
            shell_snapshot,
            conversation_id: init.conversation_id,
            tool_choice: ToolChoice::new(&family, &init.config.features),
            budget: Budget::new(&init.config.limits, &family),
            turn_requests: AtomicU64::new(0),
            family,
            config: init.config,
            client: init.client,
            base_instructions: init.base_instructions,
            output_schema: init.output_schema,
            sandbox_exe: init.sandbox_exe,
            tx_event: init.tx_event,
            mcp: init.mcp,
            state: Mutex::new(SessionState {
                history: init.history,
                total_usage: init.usage,
                ..SessionState::default()
            }),
            pending_approvals: Mutex::new(HashMap::new()),
            recorder: Mutex::new(init.recorder),
        }
    }

    /// Emits an event, first recording it in the rollout file when it is one a session file
    /// keeps (see [`EventMsg::rollout_event`]).
    pub(crate) fn send_event(&self, sub_id: &str, mut msg: EventMsg) {
        if let Some(saved) =
            msg.lend_rollout_event(|persisted| lock(&self.recorder).record_event(persisted))
        {
            self.report_save_error(saved);
        }
        // A front end that stopped listening is shutting down; nothing to report to.
        let _ = self.tx_event.send(Event {
            id: sub_id.to_owned(),
            msg,
        });
    }

    /// Asks the front end for a decision and waits for it (or for an interrupt, which
    /// counts as `Abort`).
    pub(crate) async fn request_approval(
        &self,
        sub_id: &str,
        call_id: &str,
        msg: EventMsg,
        cancel: &CancellationToken,
    ) -> ReviewDecision {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending_approvals).insert(call_id.to_owned(), tx);
        self.send_event(sub_id, msg);
        tokio::select! {
            decision = rx => decision.unwrap_or(ReviewDecision::Abort),
            () = cancel.cancelled() => {
                lock(&self.pending_approvals).remove(call_id);
                ReviewDecision::Abort
            }
        }
    }

    /// Delivers a decision from the front end; unknown ids are ignored (a late answer).
    pub(crate) fn notify_approval(&self, call_id: &str, decision: ReviewDecision) {
        if let Some(tx) = lock(&self.pending_approvals).remove(call_id) {
            let _ = tx.send(decision);
        }
    }

    /// New user input: returns `true` when it starts a task (the caller spawns it), `false`
    /// when a running task takes it at its next model request.
    pub(crate) fn queue_or_start(&self, input: &[ResponseItem]) -> bool {
        let mut state = lock(&self.state);
        if state.task_running {
            state.pending_input.extend(input.iter().cloned());
            false
        } else {
            state.task_running = true;
            true
        }
    }

    /// Input a tool adds for the next request (an image `view_image` read), after the
    /// outputs of the calls in flight.
    pub(crate) fn inject_input(&self, items: Vec<ResponseItem>) {
        lock(&self.state).pending_input.extend(items);
    }

    /// Input that arrived while the task was running, for its next request.
    pub(crate) fn take_pending_input(&self) -> Vec<ResponseItem> {
        std::mem::take(&mut lock(&self.state).pending_input)
    }

    /// Ends the task when no input is waiting (returns `true`); otherwise the task goes on
    /// with that input. Decided under the lock [`queue_or_start`](Self::queue_or_start) takes.
    pub(crate) fn finish_task_unless_input_waits(&self) -> bool {
        let mut state = lock(&self.state);
        if state.pending_input.is_empty() {
            state.task_running = false;
            true
        } else {
            false
        }
    }

    /// Ends the task whatever is waiting (an error or an interrupt); input sent in reaction to
    /// the task's last event starts a new one. Input that was waiting for this task's next
    /// request goes into the history now, where it came: left waiting, it would be sent after
    /// the next prompt and answered in its place.
    pub(crate) fn end_task(&self) {
        // The file's lock is taken first and held until the waiting input is written, and
        // the history gets it under the same lock that ends the task: input that starts the
        // next task is recorded after it, in both.
        let mut recorder = lock(&self.recorder);
        let waiting = {
            let mut state = lock(&self.state);
            state.task_running = false;
            let waiting = std::mem::take(&mut state.pending_input);
            state.history.extend(waiting.iter().cloned());
            waiting
        };
        let saved = if waiting.is_empty() {
            Ok(())
        } else {
            recorder.record_response_items(&waiting)
        };
        drop(recorder);
        self.report_save_error(saved);
    }

    /// The text of the history's last assistant message.
    pub(crate) fn last_assistant_text(&self) -> Option<String> {
        lock(&self.state)
            .history
            .iter()
            .rev()
            .find_map(|item| match item {
                ResponseItem::Message { role, .. } if role == "assistant" => item.message_text(),
                _ => None,
            })
    }

    /// Every tool `call_id` in the history: a new call may not reuse one.
    pub(crate) fn call_ids_in_history(&self) -> HashSet<String> {
        crate::call_guard::call_ids(&lock(&self.state).history)
    }

    /// The history to send, without the items the API does not take back.
    pub(crate) fn prompt_input(&self) -> Vec<ResponseItem> {
        lock(&self.state)
            .history
            .iter()
            .filter(|item| !matches!(item, ResponseItem::Other))
            .cloned()
            .collect()
    }

    /// Replaces the whole history (after a compaction); returns how many items it had.
    pub(crate) fn replace_history(&self, history: Vec<ResponseItem>) -> usize {
        std::mem::replace(&mut lock(&self.state).history, history).len()
    }

    /// Adds a response's usage to the conversation's total and returns the new total.
    pub(crate) fn add_usage(&self, last: &TokenUsage) -> TokenUsage {
        let mut state = lock(&self.state);
        state.total_usage.add(last);
        state.total_usage
    }

    /// Why no further model request may be sent, once the session's usage reached a spending
    /// cap (`limits.max_tokens`, `limits.max_spend_usd`).
    pub(crate) fn budget_exhausted(&self) -> Option<String> {
        self.budget.exhausted(&lock(&self.state).total_usage)
    }

    /// Counts the running turn's model requests (`n` so far), for [`Self::limits_status`].
    pub(crate) fn set_turn_requests(&self, n: u64) {
        self.turn_requests.store(n, Ordering::Relaxed);
    }

    /// Usage against every limit, for a front end to show.
    pub(crate) fn limits_status(&self) -> LimitsStatus {
        let total = lock(&self.state).total_usage;
        self.budget.status(
            total,
            &self.config.limits,
            self.turn_requests.load(Ordering::Relaxed),
        )
    }

    /// The context window reported with usage: config.toml's, else the model family's.
    pub(crate) fn context_window(&self) -> Option<u64> {
        self.config
            .model_context_window
            .or(self.family.context_window)
    }

    /// Runs `f` with the commands the user approved for the rest of the session.
    pub(crate) fn with_approved_commands<R>(
        &self,
        f: impl FnOnce(&HashSet<Vec<String>>) -> R,
    ) -> R {
        f(&lock(&self.state).approved_commands)
    }

    /// Remembers that the user approved `command` for the rest of the session.
    pub(crate) fn approve_for_session(&self, command: &[String]) {
        lock(&self.state).approved_commands.insert(command.to_vec());
    }

    /// Appends items to history and to the rollout file.
    pub(crate) fn record_items(&self, items: &[ResponseItem]) {
        lock(&self.state).history.extend(items.iter().cloned());
        let saved = lock(&self.recorder).record_response_items(items);
        self.report_save_error(saved);
    }

    /// [`Session::record_items`] for items the caller is done with: moved into the history,
    /// not cloned (a 100 MB answer is then held once, not twice).
    pub(crate) fn record_items_owned(&self, items: Vec<ResponseItem>) {
        let saved = lock(&self.recorder).record_response_items(&items);
        lock(&self.state).history.extend(items);
        self.report_save_error(saved);
    }

    /// Appends non-history lines (turn context, events) to the rollout file.
    pub(crate) fn persist(&self, items: &[RolloutItem]) {
        let saved = lock(&self.recorder).record(items);
        self.report_save_error(saved);
    }

    /// Losing the session file must not go unnoticed, but it is no reason to stop work.
    fn report_save_error(&self, saved: Result<(), codex_rollout::RolloutError>) {
        if let Err(e) = saved {
            self.send_event(
                "",
                EventMsg::BackgroundEvent {
                    message: format!("could not save the session: {e}"),
                },
            );
        }
    }

    /// The rollout file, once created.
    pub(crate) fn rollout_path(&self) -> Option<PathBuf> {
        let recorder = lock(&self.recorder);
        recorder.is_created().then(|| recorder.path().to_owned())
    }

    /// Flushes the rollout file to disk, on the blocking pool: an `fsync` can take many
    /// milliseconds, and the front end (the TUI, `codex-exec`) may share this runtime. While it
    /// runs, the front end also gets to take the events already sent, a 100 MB answer among
    /// them, before the turn's end copies that answer into `TaskComplete`. Callers flush
    /// before they mark the task ended, so that no new task starts in the meantime.
    pub(crate) async fn flush(&self) {
        let syncer = match lock(&self.recorder).syncer() {
            Ok(Some(syncer)) => syncer,
            Ok(None) => return,
            Err(e) => return self.report_save_error(Err(e)),
        };
        let path = syncer.path().to_owned();
        let synced = match tokio::task::spawn_blocking(move || syncer.sync()).await {
            Ok(synced) => synced,
            // The runtime is shutting down and dropped the job.
            Err(e) => Err(codex_rollout::RolloutError::Io {
                action: "sync",
                path,
                error: std::io::Error::other(e),
            }),
        };
        self.report_save_error(synced);
    }

    /// How a command should be confined under the session's policy.
    pub(crate) fn sandbox_launch(&self) -> SandboxLaunch {
        sandbox_launch(&self.config, self.sandbox_exe.as_ref())
    }
}

/// How a command is confined under `config`'s policy, given the sandbox helper.
fn sandbox_launch(config: &Config, sandbox_exe: Option<&PathBuf>) -> SandboxLaunch {
    match sandbox_exe {
        Some(exe) if !config.sandbox_policy.has_full_disk_write_access() => SandboxLaunch::Linux {
            exe: exe.clone(),
            policy: config.sandbox_policy.clone(),
            policy_cwd: config.cwd.clone(),
            deny_read: config.sandbox_deny_read.clone(),
        },
        _ => SandboxLaunch::None,
    }
}

/// The environment commands get: the agent's own, filtered by `[shell_environment_policy]`.
pub(crate) fn command_env(config: &Config) -> std::collections::BTreeMap<String, String> {
    crate::exec_env::create_env(
        &config.shell_environment_policy,
        std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }),
    )
}

/// Locks a std mutex, recovering the data if a panicking thread poisoned it: every critical
/// section here leaves the data consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
