//! The picker's state: the sessions loaded so far, the search, the selection, and when to ask
//! the loader for another page (the selection nears the end, or a search needs more rows).

use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::Sender;

use chrono::{DateTime, Utc};
use codex_protocol::rollout::SessionSource;
use codex_rollout::{Cursor, SessionFilter, SessionSummary};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::loader::{FIRST_PAGE_SIZE, LoadRequest, PAGE_SIZE, PickerMessage};
use crate::entry::screen::{Screen, Step};

/// How the picker ended.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerOutcome {
    /// Resume this session.
    Resume(Box<SessionSummary>),
    /// Start a new session instead (Esc).
    StartNew,
}

/// One session row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) summary: SessionSummary,
    pub(crate) name: Option<String>,
    pub(crate) messages: Option<usize>,
    /// Lower-cased name, preview, branch and directory: what a search looks in.
    haystack: String,
}

/// The resume picker.
pub struct Picker {
    pub(crate) cwd: PathBuf,
    provider: String,
    pub(crate) all_dirs: bool,
    names: HashMap<String, String>,
    pub(crate) rows: Vec<Row>,
    next_cursor: Option<Cursor>,
    pub(crate) exhausted: bool,
    pub(crate) loading: bool,
    generation: u64,
    pub(crate) query: String,
    /// Indices into `rows` of the rows matching the query, in order.
    pub(crate) matches: Vec<usize>,
    /// Index into `matches`.
    pub(crate) selected: usize,
    /// First match shown (scrolling).
    pub(crate) top: Cell<usize>,
    /// Rows that fit on screen, as of the last draw.
    pub(crate) visible: Cell<usize>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) error: Option<String>,
    loader: Option<Sender<LoadRequest>>,
    /// The last request made, for tests that play the loader's part.
    last_request: Option<LoadRequest>,
}

/// Rows assumed visible before the first draw.
const DEFAULT_VISIBLE: usize = 20;

impl Picker {
    /// A picker of interactive sessions of `provider`, in `cwd` unless `all_dirs`. `names`
    /// are the session names (`/rename`). Pages are requested from `loader` (the thread of
    /// [`super::spawn_loader`]); without one, requests are only recorded (tests feed pages).
    pub fn new(
        cwd: PathBuf,
        provider: String,
        all_dirs: bool,
        names: HashMap<String, String>,
        loader: Option<Sender<LoadRequest>>,
    ) -> Self {
        let mut picker = Self {
            cwd,
            provider,
            all_dirs,
            names,
            rows: Vec::new(),
            next_cursor: None,
            exhausted: false,
            loading: false,
            generation: 0,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
            top: Cell::new(0),
            visible: Cell::new(DEFAULT_VISIBLE),
            now: Utc::now(),
            error: None,
            loader,
            last_request: None,
        };
        picker.request_page();
        picker
    }

    /// Fixes "now" for the relative times (snapshots).
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
    }

    /// The last page request, if any (tests).
    pub fn last_request(&self) -> Option<&LoadRequest> {
        self.last_request.as_ref()
    }

    /// Whether a page is being read.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// Whether every session of the listing is loaded.
    pub fn is_exhausted(&self) -> bool {
        self.exhausted
    }

    /// How many sessions are loaded.
    pub fn loaded(&self) -> usize {
        self.rows.len()
    }

    fn filter(&self) -> SessionFilter {
        SessionFilter {
            model_provider: Some(self.provider.clone()),
            cwd: (!self.all_dirs).then(|| self.cwd.clone()),
            sources: vec![
                SessionSource::Cli,
                SessionSource::VsCode,
                SessionSource::Exec,
            ],
        }
    }

    fn request_page(&mut self) {
        if self.loading || self.exhausted {
            return;
        }
        let request = LoadRequest {
            generation: self.generation,
            size: if self.next_cursor.is_none() {
                FIRST_PAGE_SIZE
            } else {
                PAGE_SIZE
            },
            cursor: self.next_cursor.clone(),
            filter: self.filter(),
        };
        if let Some(loader) = &self.loader
            && loader.send(request.clone()).is_err()
        {
            self.error =
                Some("the session reader stopped; press Esc to start a new session".into());
            return;
        }
        self.loading = true;
        self.last_request = Some(request);
    }

    /// Asks for another page when the rows matching the search do not reach past what the
    /// screen shows below the selection.
    fn load_if_needed(&mut self) {
        let wanted = self.selected + self.visible.get() * 2;
        if self.matches.len() < wanted {
            self.request_page();
        }
    }

    fn rematch(&mut self) {
        let query = self.query.to_lowercase();
        self.matches = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| query.is_empty() || row.haystack.contains(&query))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }

    fn reset(&mut self) {
        self.generation += 1;
        self.rows.clear();
        self.matches.clear();
        self.selected = 0;
        self.top.set(0);
        self.next_cursor = None;
        self.exhausted = false;
        self.loading = false;
        self.error = None;
        self.request_page();
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.load_if_needed();
    }

    /// The selected session, if any.
    pub fn selected_session(&self) -> Option<&SessionSummary> {
        self.matches
            .get(self.selected)
            .map(|&i| &self.rows[i].summary)
    }
}

fn row(summary: SessionSummary, names: &HashMap<String, String>) -> Row {
    let name = names.get(&summary.id).cloned();
    let haystack = format!(
        "{}\n{}\n{}\n{}",
        name.as_deref().unwrap_or_default(),
        summary.preview,
        summary.git_branch.as_deref().unwrap_or_default(),
        summary.cwd.display()
    )
    .to_lowercase();
    Row {
        summary,
        name,
        messages: None,
        haystack,
    }
}

impl Screen for Picker {
    type Output = PickerOutcome;
    type Message = PickerMessage;

    fn handle_key(&mut self, key: KeyEvent) -> Step<PickerOutcome> {
        let page = self.visible.get().max(1) as isize;
        match key.code {
            KeyCode::Esc => return Step::Done(PickerOutcome::StartNew),
            KeyCode::Enter => {
                if let Some(session) = self.selected_session() {
                    return Step::Done(PickerOutcome::Resume(Box::new(session.clone())));
                }
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::Home => self.move_by(isize::MIN / 2),
            KeyCode::End => self.move_by(isize::MAX / 2),
            KeyCode::Tab | KeyCode::BackTab => {
                self.all_dirs = !self.all_dirs;
                self.reset();
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.rematch();
                self.load_if_needed();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.clear();
                self.rematch();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.push(c);
                self.selected = 0;
                self.top.set(0);
                self.rematch();
                self.load_if_needed();
            }
            _ => {}
        }
        Step::Stay
    }

    fn handle_message(&mut self, message: PickerMessage) -> Step<PickerOutcome> {
        match message {
            PickerMessage::Page { generation, .. } if generation != self.generation => {}
            PickerMessage::Page { page, .. } => {
                self.loading = false;
                match page {
                    Ok(page) => {
                        self.exhausted = page.next_cursor.is_none();
                        self.next_cursor = page.next_cursor;
                        let names = &self.names;
                        self.rows
                            .extend(page.items.into_iter().map(|s| row(s, names)));
                        self.rematch();
                        self.load_if_needed();
                    }
                    Err(error) => {
                        self.exhausted = true;
                        self.error = Some(error);
                    }
                }
            }
            PickerMessage::Count { path, count } => {
                if let Some(row) = self.rows.iter_mut().find(|r| r.summary.path == path) {
                    row.messages = Some(count);
                }
            }
        }
        Step::Stay
    }

    fn render(&self, area: Rect, buf: &mut Buffer) {
        super::render::render(self, area, buf);
    }
}
