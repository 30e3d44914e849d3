//! The `@` popup drawn above the composer.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

use super::{FileMatch, SearchResults};

/// Rows the popup shows at most; the selection scrolls through the rest.
const ROWS: usize = 8;

/// What a key did to the popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopupKey {
    /// The popup used the key (moved the selection).
    Handled,
    /// Tab or Enter on a match: put this path in place of the `@` token.
    Accept(String),
    /// Esc: close the popup, leave the text as it is.
    Close,
    /// Not a popup key: the composer edits its text (and then updates the query).
    NotHandled,
}

/// The popup's state: the query shown, its matches and the selection.
#[derive(Debug, Default)]
pub struct FileSearchPopup {
    query: String,
    matches: Vec<FileMatch>,
    selected: usize,
    /// Whether the walk was still going at the last results.
    walking: bool,
    /// Whether any results for `query` have arrived.
    answered: bool,
}

impl FileSearchPopup {
    /// An empty popup waiting for its first results.
    pub fn new() -> Self {
        Self {
            walking: true,
            ..Self::default()
        }
    }

    /// The query now typed after `@`. Returns whether it changed (then send it to the
    /// search). The old matches stay on show until new ones arrive, so the list does not
    /// flicker while typing.
    pub fn set_query(&mut self, query: &str) -> bool {
        if self.query == query && self.answered {
            return false;
        }
        let changed = self.query != query;
        query.clone_into(&mut self.query);
        self.answered = false;
        changed || self.matches.is_empty()
    }

    /// The query the popup shows matches for.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Takes results from the search; those for an older query are dropped.
    pub fn apply(&mut self, results: SearchResults) {
        if results.query != self.query {
            return;
        }
        let keep = self
            .selected_match()
            .map(|m| m.path.clone())
            .filter(|_| self.answered);
        self.matches = results.matches;
        self.walking = results.walking;
        self.answered = true;
        // A match arriving above the selection does not move it off the chosen file.
        self.selected = keep
            .and_then(|path| self.matches.iter().position(|m| m.path == path))
            .unwrap_or(0);
    }

    /// The highlighted match.
    pub fn selected_match(&self) -> Option<&FileMatch> {
        self.matches.get(self.selected)
    }

    /// Up/Down (and Ctrl-P/Ctrl-N) move, Tab/Enter accept, Esc closes.
    pub fn handle_key(&mut self, key: KeyEvent) -> PopupKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Up => self.move_by(-1),
            KeyCode::Char('p') if ctrl => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Char('n') if ctrl => self.move_by(1),
            KeyCode::Tab | KeyCode::Enter => match self.selected_match() {
                Some(m) => PopupKey::Accept(m.path.clone()),
                // Nothing to insert: Enter falls through to the composer (submits), Tab does
                // nothing.
                None if key.code == KeyCode::Enter => PopupKey::NotHandled,
                None => PopupKey::Handled,
            },
            KeyCode::Esc => PopupKey::Close,
            _ => PopupKey::NotHandled,
        }
    }

    fn move_by(&mut self, delta: isize) -> PopupKey {
        let n = self.matches.len();
        if n > 0 {
            self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
        }
        PopupKey::Handled
    }

    /// Rows the popup needs (at least one, for "searching" or "no matches").
    pub fn height(&self) -> u16 {
        self.matches.len().clamp(1, ROWS) as u16
    }

    fn status_line(&self) -> Line<'static> {
        let text = if self.walking || !self.answered {
            "searching…"
        } else {
            "no matching files"
        };
        Line::from(Span::from(format!("  {text}")).italic().dim())
    }
}

impl Widget for &FileSearchPopup {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.matches.is_empty() {
            if area.height > 0 {
                buf.set_line(area.x, area.y, &self.status_line(), area.width);
            }
            return;
        }
        let first = self.selected.saturating_sub(ROWS - 1);
        let rows = self.matches.iter().enumerate().skip(first).take(ROWS);
        for (y, (i, m)) in (area.y..area.bottom()).zip(rows) {
            let line = match_line(m, i == self.selected, area.width);
            buf.set_line(area.x, y, &line, area.width);
        }
    }
}

/// `› path` with the matched characters highlighted; a path too long for `width` loses its
/// start, not its file name.
fn match_line(m: &FileMatch, selected: bool, width: u16) -> Line<'static> {
    let base = if selected {
        Style::new().cyan().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    let hit = base
        .cyan()
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let marker = if selected { "› " } else { "  " };
    let room = usize::from(width).saturating_sub(2);
    let chars: Vec<char> = m.path.chars().collect();
    let total: usize = chars.iter().map(|c| c.width().unwrap_or(0)).sum();
    let mut skip = 0;
    let mut spans = vec![Span::styled(marker, base)];
    if total > room && room > 1 {
        let mut shown = total;
        while shown > room - 1 && skip < chars.len() {
            shown -= chars[skip].width().unwrap_or(0);
            skip += 1;
        }
        spans.push(Span::styled("…", base.dim()));
    }
    let mut hits = m.indices.iter().map(|&i| i as usize).peekable();
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in chars.iter().enumerate() {
        while hits.peek().is_some_and(|&h| h < i) {
            hits.next();
        }
        if i < skip {
            continue;
        }
        let is_hit = hits.peek() == Some(&i);
        if is_hit != run_hit && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_hit { hit } else { base },
            ));
        }
        run_hit = is_hit;
        run.push(*c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hit { hit } else { base }));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn results(query: &str, paths: &[(&str, &[u32])], walking: bool) -> SearchResults {
        SearchResults {
            query: query.to_owned(),
            matches: paths
                .iter()
                .map(|(p, idx)| FileMatch {
                    path: (*p).to_owned(),
                    indices: idx.to_vec(),
                    score: 1,
                })
                .collect(),
            walking,
            files: 100,
        }
    }

    fn draw(popup: &FileSearchPopup, width: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, popup.height())).unwrap();
        term.draw(|f| f.render_widget(popup, f.area())).unwrap();
        term.backend().to_string()
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn sample() -> FileSearchPopup {
        let mut p = FileSearchPopup::new();
        p.set_query("mod");
        p.apply(results(
            "mod",
            &[
                ("src/composer/mod.rs", &[13, 14, 15]),
                ("src/slash/mod.rs", &[10, 11, 12]),
                (
                    "crates/protocol/src/deeply/nested/directory/models.rs",
                    &[43, 44, 45],
                ),
            ],
            false,
        ));
        p
    }

    #[test]
    fn popup_with_matches() {
        let mut p = sample();
        assert_eq!(p.handle_key(key(KeyCode::Down)), PopupKey::Handled);
        insta::assert_snapshot!("file_popup_80", draw(&p, 80));
        insta::assert_snapshot!("file_popup_40", draw(&p, 40));
    }

    #[test]
    fn popup_while_searching_and_without_matches() {
        let mut p = FileSearchPopup::new();
        p.set_query("zz");
        insta::assert_snapshot!("file_popup_searching", draw(&p, 40));
        p.apply(results("zz", &[], false));
        insta::assert_snapshot!("file_popup_no_matches", draw(&p, 40));
    }

    #[test]
    fn keys_move_accept_and_close() {
        let mut p = sample();
        p.handle_key(key(KeyCode::Up));
        assert_eq!(
            p.handle_key(key(KeyCode::Tab)),
            PopupKey::Accept("crates/protocol/src/deeply/nested/directory/models.rs".to_owned())
        );
        p.handle_key(key(KeyCode::Down));
        assert_eq!(
            p.handle_key(key(KeyCode::Enter)),
            PopupKey::Accept("src/composer/mod.rs".to_owned())
        );
        assert_eq!(p.handle_key(key(KeyCode::Esc)), PopupKey::Close);
        assert_eq!(p.handle_key(key(KeyCode::Char('x'))), PopupKey::NotHandled);
    }

    #[test]
    fn stale_results_are_dropped_and_the_selection_follows_its_file() {
        let mut p = sample();
        p.handle_key(key(KeyCode::Down));
        // More results for the same query arrive while walking: the selection stays on
        // src/slash/mod.rs although a better match came first.
        p.apply(results(
            "mod",
            &[
                ("mod.rs", &[0, 1, 2]),
                ("src/composer/mod.rs", &[13, 14, 15]),
                ("src/slash/mod.rs", &[10, 11, 12]),
            ],
            true,
        ));
        assert_eq!(p.selected_match().unwrap().path, "src/slash/mod.rs");
        assert!(p.set_query("mo"));
        p.apply(results("mod", &[], false));
        assert_eq!(
            p.selected_match().unwrap().path,
            "src/slash/mod.rs",
            "stale"
        );
        p.apply(results("mo", &[("mo.txt", &[0, 1])], false));
        assert_eq!(p.selected_match().unwrap().path, "mo.txt");
    }

    #[test]
    fn matched_characters_are_highlighted() {
        let line = match_line(
            &FileMatch {
                path: "src/main.rs".to_owned(),
                indices: vec![4, 5, 6, 7],
                score: 1,
            },
            false,
            40,
        );
        let hit: String = line
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::UNDERLINED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(hit, "main");
    }
}
