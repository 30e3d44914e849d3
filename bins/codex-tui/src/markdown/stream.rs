//! An answer streaming in: markdown committed to the scrollback line by line, as each source
//! line completes, so nothing already written is ever rewritten.
//!
//! Re-rendering the whole answer at every newline would cost time proportional to its length
//! per line. The source is instead cut into segments at blank lines outside code fences (top-
//! level block boundaries, where [`render_markdown`] output joins with one blank line), and
//! only the open segment is rendered again.

use codex_safe_text::Sanitizer;
use ratatui::text::Line;

use crate::markdown::render::render_markdown;

/// One answer's markdown as it arrives.
#[derive(Default)]
pub(crate) struct MarkdownStream {
    /// The answer so far, made safe for the terminal.
    source: String,
    sanitizer: Sanitizer,
    /// Where the open segment starts in `source`.
    seg_start: usize,
    /// Logical lines of every closed segment, blank separators included.
    base_lines: usize,
    /// Logical lines handed out so far.
    committed: usize,
    /// How far `source` was scanned for fences and blank lines.
    scanned: usize,
    /// The fence that opened the code block we are in (```` ``` ```` or `~~~`).
    fence: Option<&'static str>,
}

impl MarkdownStream {
    /// Adds a delta; returns the logical lines it completed.
    pub(crate) fn push(&mut self, delta: &str) -> Vec<Line<'static>> {
        self.sanitizer.push(delta, &mut self.source);
        let Some(last_nl) = self.source.rfind('\n') else {
            return Vec::new();
        };
        if last_nl < self.scanned {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.advance_segments(last_nl + 1, &mut out);
        let rendered = self.render_open(last_nl + 1);
        out.extend(self.take_new(rendered));
        out
    }

    /// Whether anything arrived.
    pub(crate) fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// The lines not committed yet (the unfinished line included), for the viewport.
    pub(crate) fn tail(&self) -> Vec<Line<'static>> {
        let rendered = self.render_open(self.source.len());
        let skip = self.committed.saturating_sub(self.base_lines);
        rendered.into_iter().skip(skip).collect()
    }

    /// Ends the answer: every remaining line.
    pub(crate) fn finish(&mut self) -> Vec<Line<'static>> {
        self.sanitizer.finish(&mut self.source);
        let rendered = self.render_open(self.source.len());
        let lines = self.take_new(rendered);
        *self = Self::default();
        lines
    }

    /// The open segment's lines up to `end`, with the blank line that separates it from the
    /// closed ones.
    fn render_open(&self, end: usize) -> Vec<Line<'static>> {
        let body = render_markdown(&self.source[self.seg_start..end]);
        if self.base_lines > 0 && !body.is_empty() {
            std::iter::once(Line::default()).chain(body).collect()
        } else {
            body
        }
    }

    fn take_new(&mut self, rendered: Vec<Line<'static>>) -> Vec<Line<'static>> {
        let already = self.committed.saturating_sub(self.base_lines);
        let new: Vec<Line<'static>> = rendered.into_iter().skip(already).collect();
        self.committed += new.len();
        new
    }

    /// Scans complete lines up to `end` and closes the open segment after each blank line
    /// outside a fence, committing (into `out`) what it had not yet.
    fn advance_segments(&mut self, end: usize, out: &mut Vec<Line<'static>>) {
        while self.scanned < end {
            let line_end = self.source[self.scanned..end]
                .find('\n')
                .map_or(end, |i| self.scanned + i + 1);
            let line = &self.source[self.scanned..line_end];
            let trimmed = line.trim_start();
            let marker = if trimmed.starts_with("```") {
                Some("```")
            } else if trimmed.starts_with("~~~") {
                Some("~~~")
            } else {
                None
            };
            match (self.fence, marker) {
                (None, Some(m)) => self.fence = Some(m),
                (Some(open), Some(m)) if open == m => self.fence = None,
                (None, None) if line.trim().is_empty() && line_end > self.seg_start => {
                    // Close the segment here, its lines all committed.
                    let rendered = self.render_open(line_end);
                    let closed_any = !rendered.is_empty();
                    out.extend(self.take_new(rendered));
                    if closed_any {
                        self.base_lines = self.committed;
                    }
                    self.seg_start = line_end;
                }
                _ => {}
            }
            self.scanned = line_end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::plain;

    /// Streaming in pieces commits exactly what rendering the whole answer gives.
    #[test]
    fn pieces_commit_the_same_lines_as_the_whole() {
        let answer = "# Plan\n\nFirst a paragraph\nthat goes on.\n\n- a\n- b\n\n```sh\necho hi\n\necho there\n```\n\nDone with `x`.";
        for chunk in [1, 3, 7, 50] {
            let mut stream = MarkdownStream::default();
            let mut got = Vec::new();
            let chars: Vec<char> = answer.chars().collect();
            for piece in chars.chunks(chunk) {
                got.extend(stream.push(&piece.iter().collect::<String>()));
            }
            got.extend(stream.finish());
            assert_eq!(
                plain(&got),
                plain(&render_markdown(answer)),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn nothing_is_committed_before_a_newline() {
        let mut stream = MarkdownStream::default();
        assert!(stream.push("partial").is_empty());
        assert_eq!(plain(&stream.tail()), ["partial"]);
        assert_eq!(plain(&stream.push(" line\nnext")), ["partial line"]);
        assert_eq!(plain(&stream.tail()), ["next"]);
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        let mut stream = MarkdownStream::default();
        let lines = stream.push("hi\x1b[2J\n");
        assert_eq!(plain(&lines), ["hi\\x1b[2J"]);
    }
}
