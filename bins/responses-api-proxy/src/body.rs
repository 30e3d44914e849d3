//! The request body as a reader, so that it streams upstream as it arrives: nothing is buffered
//! beyond one read, whatever the body's size. Chunked bodies are decoded here (the upstream
//! request is framed afresh by the HTTP client).

use std::io::{self, Read};

use crate::conn::{Conn, FillError};
use crate::request::BodyFraming;

/// A chunk-size line longer than this (extensions included) is refused.
const MAX_CHUNK_LINE: usize = 4096;

/// Trailer section bytes accepted after the last chunk (they are read and dropped).
const MAX_TRAILERS: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Bytes left of a `Content-Length` body.
    Length(u64),
    /// Expecting a chunk-size line.
    ChunkSize,
    /// Bytes left of the current chunk's data.
    ChunkData(u64),
    /// Expecting the CRLF after a chunk's data.
    ChunkEnd,
    /// The whole body has been read.
    Done,
}

/// Reads one request body from a connection; reading stops exactly at the body's end, so a
/// pipelined request that follows stays in the connection's buffer.
pub struct RequestBody<'a> {
    conn: &'a mut Conn,
    state: State,
    /// The first failure reading from the client (timeout, reset, bad chunking), kept so that
    /// the caller can tell a client fault from an upstream one.
    client_error: Option<io::ErrorKind>,
}

impl<'a> RequestBody<'a> {
    pub fn new(conn: &'a mut Conn, framing: BodyFraming) -> RequestBody<'a> {
        let state = match framing {
            BodyFraming::Length(0) => State::Done,
            BodyFraming::Length(n) => State::Length(n),
            BodyFraming::Chunked => State::ChunkSize,
        };
        RequestBody {
            conn,
            state,
            client_error: None,
        }
    }

    /// True once the body was read to its end.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// What went wrong reading from the client, if anything did.
    pub fn client_error(&self) -> Option<io::ErrorKind> {
        self.client_error
    }

    fn step(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Length(left) => {
                    let n = self.read_data(out, left)?;
                    self.state = if n as u64 == left {
                        State::Done
                    } else {
                        State::Length(left - n as u64)
                    };
                    return Ok(n);
                }
                State::ChunkData(left) => {
                    let n = self.read_data(out, left)?;
                    self.state = if n as u64 == left {
                        State::ChunkEnd
                    } else {
                        State::ChunkData(left - n as u64)
                    };
                    return Ok(n);
                }
                State::ChunkSize => {
                    let line = self.line(MAX_CHUNK_LINE)?;
                    let size = parse_chunk_size(&line)?;
                    self.state = if size == 0 {
                        self.skip_trailers()?;
                        State::Done
                    } else {
                        State::ChunkData(size)
                    };
                }
                State::ChunkEnd => {
                    if !self.line(2)?.is_empty() {
                        return Err(invalid("chunk data longer than its size"));
                    }
                    self.state = State::ChunkSize;
                }
            }
        }
    }

    /// Up to `left` bytes of data.
    fn read_data(&mut self, out: &mut [u8], left: u64) -> io::Result<usize> {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(out.len());
        if want == 0 {
            return Ok(0);
        }
        let n = loop {
            match self.conn.read(&mut out[..want]) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client closed the connection before the end of the body",
            ));
        }
        Ok(n)
    }

    /// One line without its CRLF (a bare LF is accepted), at most `max` bytes.
    fn line(&mut self, max: usize) -> io::Result<Vec<u8>> {
        loop {
            let buffered = self.conn.buffered();
            if let Some(end) = buffered.iter().position(|&b| b == b'\n') {
                let mut line = buffered[..end].to_vec();
                self.conn.consume(end + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if buffered.len() > max {
                return Err(invalid("a chunk-size line is too long"));
            }
            match self.conn.fill(None) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the client closed the connection inside a chunked body",
                    ));
                }
                Ok(_) => {}
                Err(FillError::Full) => return Err(invalid("a chunk-size line is too long")),
                Err(FillError::Io(err)) => return Err(err),
            }
        }
    }

    fn skip_trailers(&mut self) -> io::Result<()> {
        let mut total = 0;
        loop {
            let line = self.line(MAX_TRAILERS)?;
            if line.is_empty() {
                return Ok(());
            }
            total += line.len() + 2;
            if total > MAX_TRAILERS {
                return Err(invalid("the chunked trailer section is too long"));
            }
        }
    }
}

impl Read for RequestBody<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(kind) = self.client_error {
            return Err(io::Error::new(kind, "the request body already failed"));
        }
        self.step(out)
            .inspect_err(|err| self.client_error = Some(err.kind()))
    }
}

fn invalid(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The hex size before any `;extension`; at most 15 digits (far beyond any real chunk).
fn parse_chunk_size(line: &[u8]) -> io::Result<u64> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return Err(invalid("a chunk size is not a hex number"));
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let value = char::from(d)
            .to_digit(16)
            .ok_or_else(|| invalid("a chunk size is not a hex number"))?;
        Ok(n << 4 | u64::from(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes() {
        assert_eq!(parse_chunk_size(b"1a").unwrap(), 26);
        assert_eq!(parse_chunk_size(b"0;ext=1").unwrap(), 0);
        assert_eq!(parse_chunk_size(b"FFFF ").unwrap(), 0xffff);
        for bad in [&b""[..], b"-1", b"0x10", b"g", b"1000000000000000"] {
            assert!(parse_chunk_size(bad).is_err(), "{bad:?}");
        }
    }
}
