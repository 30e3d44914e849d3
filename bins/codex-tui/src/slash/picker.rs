//! A titled list to choose one item from (what `/model` and `/approvals` open in place of the
//! composer): numbered rows, the current setting marked, Up/Down or a digit to move, Enter to
//! choose, Esc to go back.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// One choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerItem {
    /// What it is called.
    pub name: String,
    /// A short explanation, shown dimmed after the name.
    pub description: String,
    /// Whether it is the setting in force now.
    pub current: bool,
}

/// What a key did to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKey {
    /// Moved the selection (or ignored the key).
    Handled,
    /// Enter (or the item's digit): this item.
    Chosen(usize),
    /// Esc: nothing chosen.
    Cancelled,
}

/// The list's state.
#[derive(Debug, Clone)]
pub struct Picker {
    title: String,
    subtitle: Option<String>,
    items: Vec<PickerItem>,
    selected: usize,
}

impl Picker {
    /// A list starting on the current item (or the first).
    pub fn new(title: &str, subtitle: Option<&str>, items: Vec<PickerItem>) -> Self {
        let selected = items.iter().position(|i| i.current).unwrap_or(0);
        Self {
            title: title.to_owned(),
            subtitle: subtitle.map(str::to_owned),
            items,
            selected,
        }
    }

    /// The highlighted item's index.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Up/Down (Ctrl-P/Ctrl-N, k/j) move, Enter chooses, a digit chooses that row, Esc cancels.
    pub fn handle_key(&mut self, key: KeyEvent) -> PickerKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.items.len();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.step(-1),
            KeyCode::Char('p') if ctrl => self.step(-1),
            KeyCode::Down | KeyCode::Char('j') => self.step(1),
            KeyCode::Char('n') if ctrl => self.step(1),
            KeyCode::Enter if n > 0 => PickerKey::Chosen(self.selected),
            KeyCode::Char(c @ '1'..='9') if !ctrl => {
                let i = (c as usize) - ('1' as usize);
                if i < n {
                    self.selected = i;
                    PickerKey::Chosen(i)
                } else {
                    PickerKey::Handled
                }
            }
            KeyCode::Esc => PickerKey::Cancelled,
            _ => PickerKey::Handled,
        }
    }

    fn step(&mut self, delta: isize) -> PickerKey {
        let n = self.items.len();
        if n > 0 {
            self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
        }
        PickerKey::Handled
    }

    /// Rows needed: title, subtitle, a blank, the items, a blank and the key hint.
    pub fn height(&self) -> u16 {
        (self.items.len() + 4 + usize::from(self.subtitle.is_some())) as u16
    }
}

impl Widget for &Picker {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![Line::from(Span::from(self.title.clone()).bold())];
        if let Some(sub) = &self.subtitle {
            lines.push(Line::from(Span::from(sub.clone()).dim()));
        }
        lines.push(Line::default());
        let name_width = self
            .items
            .iter()
            .map(|i| i.name.chars().count() + if i.current { 10 } else { 0 })
            .max()
            .unwrap_or(0);
        for (i, item) in self.items.iter().enumerate() {
            let selected = i == self.selected;
            let style = if selected {
                Style::new().cyan().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let marker = if selected { "›" } else { " " };
            let mut name = item.name.clone();
            if item.current {
                name.push_str(" (current)");
            }
            lines.push(Line::from(vec![
                Span::styled(format!("{marker} {}. {name:<name_width$}  ", i + 1), style),
                Span::styled(item.description.clone(), Style::new().dim()),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::from(
            Span::from("enter to choose · esc to go back").dim(),
        ));
        for (y, line) in (area.y..area.bottom()).zip(lines.iter()) {
            buf.set_line(area.x, y, line, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<PickerItem> {
        ["a", "b", "c"]
            .iter()
            .map(|n| PickerItem {
                name: (*n).to_owned(),
                description: String::new(),
                current: *n == "b",
            })
            .collect()
    }

    #[test]
    fn starts_on_the_current_item_and_chooses() {
        let mut p = Picker::new("t", None, items());
        assert_eq!(p.selected(), 1);
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        p.handle_key(key(KeyCode::Down));
        assert_eq!(p.handle_key(key(KeyCode::Enter)), PickerKey::Chosen(2));
        assert_eq!(p.handle_key(key(KeyCode::Char('1'))), PickerKey::Chosen(0));
        assert_eq!(p.handle_key(key(KeyCode::Char('9'))), PickerKey::Handled);
        assert_eq!(p.handle_key(key(KeyCode::Esc)), PickerKey::Cancelled);
    }
}
