//! A client connection with its read buffer: bytes read past a request head (the start of the
//! body, or a pipelined request) stay here for the next reader.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::limits::MAX_HEAD_BYTES;

/// The buffer starts this small and grows, up to [`MAX_HEAD_BYTES`], only for a long head.
const INITIAL_BUFFER: usize = 8 * 1024;

/// How far past a head's deadline a read may wait, to reuse the socket timeout already set.
const DEADLINE_SLACK: Duration = Duration::from_millis(250);

/// How long, and how many bytes, [`Conn::linger_close`] drains.
const LINGER: Duration = Duration::from_millis(500);
const MAX_LINGER_BYTES: usize = 1 << 20;

/// Why [`Conn::fill`] could not add bytes.
#[derive(Debug)]
pub enum FillError {
    /// The buffer already holds [`MAX_HEAD_BYTES`] unconsumed bytes.
    Full,
    /// The socket failed or the deadline passed (`TimedOut` / `WouldBlock`).
    Io(io::Error),
}

/// The socket and the bytes read from it but not yet consumed (`buf[start..end]`).
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The socket's timeouts as last set, to skip `setsockopt` calls that change nothing (they
    /// were a fifth of the proxy's system calls per request).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: Vec::new(),
            start: 0,
            end: 0,
            read_timeout: None,
            write_timeout: None,
        }
    }

    /// The bytes read but not consumed.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Drops the first `n` buffered bytes.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more bytes into the buffer, waiting at most until `deadline`. `Ok(0)` is end of
    /// input.
    pub fn fill(&mut self, deadline: Option<Instant>) -> Result<usize, FillError> {
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.buf.len() < MAX_HEAD_BYTES {
                let size = (self.buf.len() * 2).clamp(INITIAL_BUFFER, MAX_HEAD_BYTES);
                self.buf.resize(size, 0);
            } else {
                return Err(FillError::Full);
            }
        }
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FillError::Io(io::ErrorKind::TimedOut.into()));
            }
            // A timeout already set that ends at most a little after the deadline will do.
            let close_enough = self
                .read_timeout
                .and_then(|set| set.checked_sub(left))
                .is_some_and(|over| over <= DEADLINE_SLACK);
            if !close_enough {
                self.set_read_timeout(left).map_err(FillError::Io)?;
            }
        }
        loop {
            match self.stream.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(FillError::Io(err)),
            }
        }
    }

    /// Closes after an answer the client may still be sending into: the write side shuts first
    /// and unread input is drained for a moment, because closing a socket with unread input
    /// sends a reset that can destroy the answer before the client reads it.
    pub fn linger_close(mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        let _ = self.set_read_timeout(LINGER);
        let deadline = Instant::now() + LINGER;
        let mut sink = [0u8; 8192];
        let mut drained = 0;
        while drained < MAX_LINGER_BYTES && Instant::now() < deadline {
            match self.stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }

    /// Sets the timeout of each later read and write on the socket (body and response).
    pub fn set_io_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        if self.read_timeout != Some(timeout) {
            self.set_read_timeout(timeout)?;
        }
        if self.write_timeout != Some(timeout) {
            self.stream.set_write_timeout(Some(timeout))?;
            self.write_timeout = Some(timeout);
        }
        Ok(())
    }

    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        self.read_timeout = None;
        self.stream.set_read_timeout(Some(timeout))?;
        self.read_timeout = Some(timeout);
        Ok(())
    }
}

/// Reads buffered bytes first, then straight from the socket (no copy through the buffer).
impl Read for Conn {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buffered = self.buffered();
        if !buffered.is_empty() {
            let n = buffered.len().min(out.len());
            out[..n].copy_from_slice(&buffered[..n]);
            self.consume(n);
            return Ok(n);
        }
        self.stream.read(out)
    }
}

/// True for the error kinds a socket read timeout produces.
pub fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}
