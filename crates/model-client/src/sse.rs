//! A small incremental decoder for `text/event-stream` bodies.
//!
//! We only need each event's `data`: both wire APIs name the event inside the JSON, and
//! Codex ignores the `event:` line too. Bytes go in as they arrive; complete events come out
//! without the whole body ever being held. Lines end in `\n` or `\r\n` (a lone `\r` is not a
//! line end here; no model server sends it).

/// A first data line at least this long becomes its event's data without a copy.
const TAKE_OVER: usize = 1024 * 1024;

/// Splits a byte stream into the `data` of its events.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    /// Start of the first unparsed line in `buf`.
    start: usize,
    data: String,
    has_data: bool,
    /// `buf[start..searched]` holds no newline: a long line arriving in many pieces is
    /// searched once, not once per piece (which made a 100 MB line quadratic).
    searched: usize,
    /// Where the line scan of [`SseDecoder::push`] stands, and how far into `buf` it got.
    scan: LineScan,
    scanned: usize,
}

/// What [`SseDecoder::push`] knows about the line being received.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum LineScan {
    /// At the start of a line.
    #[default]
    Start,
    /// Inside a `data` line (or one that may still turn out to be).
    Data,
    /// Inside a comment or another field's line.
    Other,
}

impl SseDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes received from the network. Returns whether any of them belong to a
    /// `data` line: comments (`: keep-alive`), blank lines and other fields do not count,
    /// so a server that only keeps the connection warm cannot hold off an idle timeout.
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.drop_parsed();
        }
        self.buf.extend_from_slice(bytes);
        self.scan_lines()
    }

    /// Advances [`LineScan`] over the bytes not scanned yet; true when a data line got some.
    fn scan_lines(&mut self) -> bool {
        const FIELD: &[u8] = b"data";
        let mut data = false;
        while self.scanned < self.buf.len() {
            let rest = &self.buf[self.scanned..];
            match self.scan {
                LineScan::Start => {
                    if matches!(rest[0], b'\n' | b'\r') {
                        self.scanned += 1;
                        continue;
                    }
                    let n = rest.len().min(FIELD.len());
                    if rest[..n] != FIELD[..n] {
                        self.scan = LineScan::Other;
                    } else if rest.len() <= FIELD.len() {
                        // "dat": the field name is not complete yet; decide on the next push.
                        break;
                    } else if matches!(rest[FIELD.len()], b':' | b'\n' | b'\r') {
                        self.scan = LineScan::Data;
                    } else {
                        self.scan = LineScan::Other;
                    }
                }
                LineScan::Data | LineScan::Other => {
                    data |= self.scan == LineScan::Data;
                    match rest.iter().position(|&b| b == b'\n') {
                        Some(i) => {
                            self.scanned += i + 1;
                            self.scan = LineScan::Start;
                        }
                        None => self.scanned = self.buf.len(),
                    }
                }
            }
        }
        data
    }

    /// Marks the end of the body: a last event without its closing blank line is still
    /// delivered (servers that forget it exist; the standard would drop it).
    pub fn finish(&mut self) {
        self.buf.extend_from_slice(b"\n\n");
        self.scan = LineScan::Start;
        self.scanned = self.buf.len();
    }

    /// Drops the bytes already parsed, `buf[..start]`.
    fn drop_parsed(&mut self) {
        self.buf.drain(..self.start);
        self.parsed_removed();
    }

    /// Moves the positions into `buf` back after its first `start` bytes (parsed) left it.
    fn parsed_removed(&mut self) {
        self.scanned -= self.start;
        self.searched = self.searched.saturating_sub(self.start);
        self.start = 0;
    }

    /// After a huge event: drops the bytes already parsed and gives back the buffer's
    /// excess capacity, so a 100 MB line is not kept twice (raw here and as the event's
    /// data) while the rest of the stream is read.
    fn release_consumed(&mut self) {
        const KEEP: usize = 1024 * 1024;
        if self.start < KEEP {
            return;
        }
        self.drop_parsed();
        if self.buf.capacity() > 2 * KEEP.max(self.buf.len()) {
            self.buf.shrink_to(KEEP.max(self.buf.len()));
        }
    }

    /// Makes `buf[value]`, the value of an event's first data line, the event's data by
    /// handing the buffer over rather than copying it: a 100 MB line is not held twice while
    /// its event is read. What follows the line moves to a new buffer.
    fn take_line_as_data(&mut self, value: std::ops::Range<usize>) {
        let after = self.buf.split_off(self.start);
        let mut line = std::mem::replace(&mut self.buf, after);
        self.parsed_removed();
        line.truncate(value.end);
        line.drain(..value.start);
        line.shrink_to_fit();
        self.data = String::from_utf8(line)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }

    /// The data of the next complete event, if one is buffered. Multi-line data is joined
    /// with `\n`; invalid UTF-8 is replaced (such data is skipped as unparseable later).
    pub fn next_data(&mut self) -> Option<String> {
        loop {
            let from = self.searched.max(self.start);
            let Some(found) = self.buf[from..].iter().position(|&b| b == b'\n') else {
                self.searched = self.buf.len();
                return None;
            };
            let line_start = self.start;
            let newline = from + found - line_start;
            let rest = &self.buf[line_start..];
            let mut line = &rest[..newline];
            if let [head @ .., b'\r'] = line {
                line = head;
            }
            self.start += newline + 1;
            if line.is_empty() {
                if self.has_data {
                    self.has_data = false;
                    self.release_consumed();
                    return Some(std::mem::take(&mut self.data));
                }
                continue;
            }
            let (field, value_at) = match line.iter().position(|&b| b == b':') {
                Some(0) => continue, // a comment (keep-alive)
                Some(i) if line.get(i + 1) == Some(&b' ') => (&line[..i], i + 2),
                Some(i) => (&line[..i], i + 1),
                None => (line, line.len()),
            };
            let value = &line[value_at..];
            if field == b"data" && !self.has_data && value.len() >= TAKE_OVER {
                let line_len = line.len();
                self.take_line_as_data(line_start + value_at..line_start + line_len);
                self.has_data = true;
                continue;
            }
            if field == b"data" {
                if self.has_data {
                    self.data.push('\n');
                }
                self.has_data = true;
                match std::str::from_utf8(value) {
                    Ok(s) => self.data.push_str(s),
                    Err(_) => self.data.push_str(&String::from_utf8_lossy(value)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn all(decoder: &mut SseDecoder) -> Vec<String> {
        std::iter::from_fn(|| decoder.next_data()).collect()
    }

    #[test]
    fn events_split_across_pushes() {
        let body = b"event: a\ndata: {\"x\":1}\n\n: keep-alive\n\ndata:{\"y\":2}\r\ndata: z\r\n\r\nevent: only\n\n";
        for split in 0..body.len() {
            let mut d = SseDecoder::new();
            d.push(&body[..split]);
            let mut got = all(&mut d);
            d.push(&body[split..]);
            got.extend(all(&mut d));
            d.finish();
            got.extend(all(&mut d));
            assert_eq!(
                got,
                vec!["{\"x\":1}".to_owned(), "{\"y\":2}\nz".to_owned()],
                "split {split}"
            );
        }
    }

    #[test]
    fn only_data_lines_count_as_progress() {
        let mut d = SseDecoder::new();
        assert!(!d.push(b": keep-alive\n\n"));
        assert!(!d.push(b":"));
        assert!(!d.push(b" still a comment, split\n"));
        assert!(!d.push(b"event: ping\n\n\r\n"));
        assert!(
            !d.push(b"dat"),
            "the split field is decided by the next push"
        );
        assert!(d.push(b"a: {\"x\""));
        assert!(
            d.push(b"1}"),
            "the rest of a long data line is progress too"
        );
        assert!(d.push(b"\n\n"));
        assert_eq!(d.next_data().as_deref(), Some("{\"x\"1}"));
        assert!(!d.push(b"date: no\n"));
        assert!(d.push(b"data\n\n"));
    }

    #[test]
    fn a_long_data_line_is_handed_over_whole() {
        let long = "x".repeat(TAKE_OVER + 3);
        let body = format!("data: a\n\ndata: {long}\r\ndata: tail\n\ndata:{long}\n\ndata: b\n\n");
        for split in [0, 10, 20, TAKE_OVER, TAKE_OVER + 9, body.len() - 12] {
            let mut d = SseDecoder::new();
            d.push(&body.as_bytes()[..split]);
            let mut got = all(&mut d);
            d.push(&body.as_bytes()[split..]);
            got.extend(all(&mut d));
            d.finish();
            got.extend(all(&mut d));
            assert_eq!(
                got,
                vec![
                    "a".to_owned(),
                    format!("{long}\ntail"),
                    long.clone(),
                    "b".to_owned()
                ],
                "split {split}"
            );
        }
    }

    #[test]
    fn last_event_without_blank_line_is_kept() {
        let mut d = SseDecoder::new();
        d.push(b"data: [DONE]");
        assert_eq!(d.next_data(), None);
        d.finish();
        assert_eq!(d.next_data().as_deref(), Some("[DONE]"));
        assert_eq!(d.next_data(), None);
    }
}
