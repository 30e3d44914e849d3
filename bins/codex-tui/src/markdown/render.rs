//! Markdown to styled logical lines (one per output line, not wrapped).
//!
//! What a terminal can show of it: headings keep their `#` marker (bold, H1 underlined),
//! lists keep `-` / `1.` markers with nested items indented, code blocks get a language label
//! and keep their text verbatim (so copying from the scrollback copies the code), inline code
//! is coloured, links read `text (url)`, quotes keep `> `. A blank line separates top-level
//! blocks and nothing else, so rendering two halves of a document at a block boundary and
//! joining them with one blank line gives the same lines as rendering it whole (the stream
//! relies on this).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// The styles markdown uses.
mod styles {
    use super::{Color, Modifier, Style};
    pub(super) fn code() -> Style {
        Style::new().fg(Color::Cyan)
    }
    pub(super) fn code_label() -> Style {
        Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC)
    }
    pub(super) fn link() -> Style {
        Style::new()
            .fg(Color::Cyan)
            .add_modifier(Modifier::UNDERLINED)
    }
    pub(super) fn quote() -> Style {
        Style::new().fg(Color::Green)
    }
    pub(super) fn list_number() -> Style {
        Style::new().fg(Color::LightBlue)
    }
}

/// Renders `source` (already made safe for the terminal) into logical lines.
pub(crate) fn render_markdown(source: &str) -> Vec<Line<'static>> {
    let mut r = Renderer::default();
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        r.event(event);
    }
    r.finish()
}

#[derive(Default)]
struct Renderer {
    lines: Vec<Line<'static>>,
    /// Spans of the line being built.
    current: Vec<Span<'static>>,
    /// Whether `current` holds a line that has begun (a prefix counts).
    open: bool,
    /// Inline style stack (emphasis, strong, ...).
    inline: Vec<Style>,
    /// One entry per open list: the next number of an ordered list.
    lists: Vec<Option<u64>>,
    /// Prefix for lines in the current list item after its first line.
    item_indent: Vec<usize>,
    /// Blockquote depth.
    quotes: usize,
    /// Inside a fenced or indented code block.
    in_code: bool,
    /// Depth of open block containers; 0 means top level.
    depth: usize,
    /// A marker waiting to start the next line of a list item.
    pending_marker: Option<Vec<Span<'static>>>,
    /// Link destinations, for `text (url)`.
    links: Vec<String>,
    /// The text of the link being rendered (to skip `(url)` when it equals the url).
    link_text: String,
}

impl Renderer {
    fn style(&self) -> Style {
        self.inline
            .iter()
            .fold(Style::default(), |acc, s| acc.patch(*s))
    }

    /// Starts a line if none is open: quote bars, list indentation or marker.
    fn begin_line(&mut self) {
        if self.open {
            return;
        }
        self.open = true;
        for _ in 0..self.quotes {
            self.current.push(Span::styled("> ", styles::quote()));
        }
        if let Some(marker) = self.pending_marker.take() {
            self.current.extend(marker);
        } else if let Some(indent) = self.item_indent.last()
            && *indent > 0
        {
            self.current.push(Span::raw(" ".repeat(*indent)));
        }
    }

    fn end_line(&mut self) {
        if !self.open && self.pending_marker.is_none() {
            return;
        }
        self.begin_line();
        let spans = std::mem::take(&mut self.current);
        self.lines.push(Line::from(spans));
        self.open = false;
    }

    fn text(&mut self, text: &str, style: Style) {
        let mut first = true;
        for piece in text.split('\n') {
            if !first {
                self.end_line();
            }
            first = false;
            if piece.is_empty() {
                continue;
            }
            self.begin_line();
            self.current.push(Span::styled(piece.to_owned(), style));
        }
    }

    /// A blank line between top-level blocks.
    fn block_gap(&mut self) {
        if self.depth == 0 && !self.lines.is_empty() {
            self.lines.push(Line::default());
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                if self.in_code {
                    // Verbatim, one logical line per source line; the closing newline ends
                    // the last one.
                    let body = text.strip_suffix('\n').unwrap_or(&text);
                    for line in body.split('\n') {
                        self.begin_line();
                        if !line.is_empty() {
                            self.current
                                .push(Span::styled(line.to_owned(), styles::code()));
                        }
                        self.end_line();
                    }
                } else {
                    if !self.links.is_empty() {
                        self.link_text.push_str(&text);
                    }
                    let style = self.style();
                    self.text(&text, style);
                }
            }
            Event::Code(code) => {
                if !self.links.is_empty() {
                    self.link_text.push_str(&code);
                }
                self.begin_line();
                self.current
                    .push(Span::styled(code.into_string(), styles::code()));
            }
            Event::SoftBreak | Event::HardBreak => self.end_line(),
            Event::Rule => {
                self.block_gap();
                self.begin_line();
                self.current
                    .push(Span::styled("———", Style::new().fg(Color::DarkGray)));
                self.end_line();
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let style = self.style();
                self.text(html.trim_end_matches('\n'), style);
                if html.ends_with('\n') {
                    self.end_line();
                }
            }
            Event::TaskListMarker(done) => {
                self.begin_line();
                self.current
                    .push(Span::raw(if done { "[x] " } else { "[ ] " }));
            }
            Event::FootnoteReference(name) => {
                self.begin_line();
                self.current.push(Span::raw(format!("[^{name}]")));
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => {
                self.begin_line();
                self.current.push(Span::raw(m.into_string()));
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.block_gap();
                self.depth += 1;
            }
            Tag::Heading { level, .. } => {
                self.block_gap();
                self.depth += 1;
                let hashes = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                let mut style = Style::new().add_modifier(Modifier::BOLD);
                if hashes == 1 {
                    style = style.add_modifier(Modifier::UNDERLINED);
                }
                self.inline.push(style);
                self.begin_line();
                self.current
                    .push(Span::styled(format!("{} ", "#".repeat(hashes)), style));
            }
            Tag::BlockQuote(_) => {
                self.block_gap();
                self.depth += 1;
                self.quotes += 1;
                self.inline.push(styles::quote());
            }
            Tag::CodeBlock(kind) => {
                self.block_gap();
                self.depth += 1;
                self.end_line();
                if let CodeBlockKind::Fenced(lang) = kind {
                    let lang = lang.split([' ', ',']).next().unwrap_or_default().to_owned();
                    if !lang.is_empty() {
                        self.begin_line();
                        self.current.push(Span::styled(lang, styles::code_label()));
                        self.end_line();
                    }
                }
                self.in_code = true;
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block_gap();
                }
                self.end_line();
                self.depth += 1;
                self.lists.push(start);
            }
            Tag::Item => {
                self.end_line();
                let nesting = self.lists.len().saturating_sub(1);
                let base = nesting * 4;
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        Span::styled(m, styles::list_number())
                    }
                    _ => Span::raw("- "),
                };
                let indent = base + marker.content.chars().count();
                let mut spans = Vec::new();
                if base > 0 {
                    spans.push(Span::raw(" ".repeat(base)));
                }
                spans.push(marker);
                self.pending_marker = Some(spans);
                self.item_indent.push(indent);
            }
            Tag::Emphasis => self
                .inline
                .push(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.inline.push(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .inline
                .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push(dest_url.into_string());
                self.link_text.clear();
                self.inline.push(Style::new());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.end_line();
                self.depth = self.depth.saturating_sub(1);
            }
            TagEnd::Heading(_) => {
                self.inline.pop();
                self.end_line();
                self.depth = self.depth.saturating_sub(1);
            }
            TagEnd::BlockQuote(_) => {
                self.end_line();
                self.inline.pop();
                self.quotes = self.quotes.saturating_sub(1);
                self.depth = self.depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.in_code = false;
                self.end_line();
                self.depth = self.depth.saturating_sub(1);
            }
            TagEnd::List(_) => {
                self.end_line();
                self.lists.pop();
                self.depth = self.depth.saturating_sub(1);
            }
            TagEnd::Item => {
                self.end_line();
                self.item_indent.pop();
                self.pending_marker = None;
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.inline.pop();
            }
            TagEnd::Link | TagEnd::Image => {
                self.inline.pop();
                if let Some(url) = self.links.pop()
                    && !url.is_empty()
                    && url != self.link_text
                {
                    self.begin_line();
                    self.current.push(Span::raw(" ("));
                    self.current.push(Span::styled(url, styles::link()));
                    self.current.push(Span::raw(")"));
                }
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        self.end_line();
        while self.lines.last().is_some_and(|l| l.spans.is_empty()) {
            self.lines.pop();
        }
        self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        render_markdown(src)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn blocks_headings_lists_code() {
        let src = "# Title\n\nSome *text* with `code`.\n\n- one\n- two\n  - nested\n\n1. first\n2. second\n\n```rust\nfn main() {}\n\nlet x = 1;\n```\n\n> quoted\n\nSee [docs](https://x.test/d).";
        assert_eq!(
            texts(src),
            [
                "# Title",
                "",
                "Some text with code.",
                "",
                "- one",
                "- two",
                "    - nested",
                "",
                "1. first",
                "2. second",
                "",
                "rust",
                "fn main() {}",
                "",
                "let x = 1;",
                "",
                "> quoted",
                "",
                "See docs (https://x.test/d).",
            ]
        );
    }

    #[test]
    fn soft_breaks_keep_the_lines() {
        assert_eq!(texts("a\nb\nc"), ["a", "b", "c"]);
    }

    #[test]
    fn halves_at_a_block_boundary_join_with_one_blank_line() {
        let a = "para one\nstill one";
        let b = "- x\n- y\n\n## Head";
        let whole = texts(&format!("{a}\n\n{b}"));
        let mut joined = texts(a);
        joined.push(String::new());
        joined.extend(texts(b));
        assert_eq!(whole, joined);
    }

    #[test]
    fn bare_urls_are_not_repeated() {
        assert_eq!(texts("<https://a.test>"), ["https://a.test"]);
    }
}
