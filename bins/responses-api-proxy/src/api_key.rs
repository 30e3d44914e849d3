//! Reading the API key from stdin without leaving copies of it behind.
//!
//! The key is read with raw `read(2)` calls (not `std::io::stdin`, whose internal buffer would
//! keep a copy we cannot wipe) into a fixed stack buffer that already holds `Bearer `, so the
//! finished header value needs no second copy. The buffer is zeroized on every path, success or
//! error. The accepted key is copied once into an exactly sized heap string that is leaked (it
//! lives as long as the process) and locked in RAM with `mlock(2)` so it is never swapped out.

use std::io;

use zeroize::Zeroizing;

/// Size of the stack buffer, `Bearer ` prefix included.
pub const BUFFER_SIZE: usize = 1024;

const PREFIX: &[u8] = b"Bearer ";

/// Why no usable key could be read. No variant carries any byte of the input.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// Standard input held no key (it was empty or only a line break).
    #[error(
        "no API key on standard input; pipe it in, e.g. `printenv OPENAI_API_KEY | codex-responses-api-proxy`"
    )]
    Empty,
    /// The input filled the whole buffer without ending; the key cannot be that long.
    #[error(
        "the API key on standard input is too long: it must fit in {max} bytes and end with a newline or end of input",
        max = BUFFER_SIZE - PREFIX.len() - 1
    )]
    TooLarge,
    /// The key holds a byte outside `A-Z a-z 0-9 - _` (this includes spaces and non-UTF-8 bytes).
    #[error(
        "the API key on standard input may only contain ASCII letters, digits, '-' and '_' (found another character at position {position})"
    )]
    InvalidCharacter {
        /// 1-based position of the first offending byte in the key.
        position: usize,
    },
    /// Reading standard input failed; the message is the operating system's.
    #[error("could not read the API key from standard input: {0}")]
    Read(#[source] io::Error),
}

/// Reads the key from file descriptor 0 and returns the full header value `Bearer <key>`.
pub fn read_api_key() -> Result<&'static str, ApiKeyError> {
    read_api_key_with(read_stdin)
}

/// One `read(2)` on fd 0, retried on `EINTR`.
fn read_stdin(buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is a valid, writable region of `buf.len()` bytes for the whole call.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Reads the key with `read` (a `read(2)`-like function) and returns `Bearer <key>`, leaked and
/// locked in memory.
///
/// Reading stops at the first newline, at end of input, or when the buffer is full (an error).
/// Trailing `\r` and `\n` are dropped.
pub fn read_api_key_with(
    mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> Result<&'static str, ApiKeyError> {
    // Zeroizing wipes the buffer when it goes out of scope, on every return path and on unwind.
    let mut buf = Zeroizing::new([0u8; BUFFER_SIZE]);
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut filled = PREFIX.len();

    loop {
        if filled == BUFFER_SIZE {
            return Err(ApiKeyError::TooLarge);
        }
        let n = read(&mut buf[filled..]).map_err(ApiKeyError::Read)?;
        if n == 0 {
            break;
        }
        let newly_read = &buf[filled..filled + n];
        let newline = newly_read.iter().position(|&b| b == b'\n');
        filled += n;
        if let Some(offset) = newline {
            // Anything after the first line is ignored (and wiped with the buffer).
            filled = filled - n + offset + 1;
            break;
        }
    }

    let mut end = filled;
    while end > PREFIX.len() && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let key = &buf[PREFIX.len()..end];
    if key.is_empty() {
        return Err(ApiKeyError::Empty);
    }
    if let Some(index) = key.iter().position(|&b| !is_key_byte(b)) {
        return Err(ApiKeyError::InvalidCharacter {
            position: index + 1,
        });
    }

    let header = &buf[..end];
    let mut value = String::with_capacity(header.len());
    // Every byte was checked to be ASCII above, so each maps to the same char.
    value.extend(header.iter().map(|&b| char::from(b)));
    let leaked: &'static str = value.leak();
    lock_in_memory(leaked.as_bytes());
    Ok(leaked)
}

/// The bytes a key may contain: `A-Z a-z 0-9 - _`.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Keeps the pages holding `data` out of swap. Best effort: a low `RLIMIT_MEMLOCK` makes it a
/// no-op, and the key still works.
fn lock_in_memory(data: &[u8]) {
    if data.is_empty() {
        return;
    }
    // SAFETY: sysconf has no memory-safety preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let Ok(page) = usize::try_from(page) else {
        return;
    };
    if page == 0 {
        return;
    }
    let start = data.as_ptr() as usize;
    let aligned = start & !(page - 1);
    let len = start + data.len() - aligned;
    // SAFETY: the range covers whole pages that contain live memory of this process (`data` is
    // leaked, so it stays mapped); mlock only changes paging, never the contents.
    let _ = unsafe { libc::mlock(aligned as *const libc::c_void, len) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A `read(2)` stand-in that hands out `chunks` one per call, then end of input.
    fn reader(chunks: &[&[u8]]) -> impl FnMut(&mut [u8]) -> io::Result<usize> {
        let mut chunks: VecDeque<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
        move |buf: &mut [u8]| {
            let Some(mut chunk) = chunks.pop_front() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                chunks.push_front(chunk.split_off(n));
            }
            Ok(n)
        }
    }

    #[test]
    fn key_without_newline() {
        assert_eq!(
            read_api_key_with(reader(&[b"sk-abc_123"])).unwrap(),
            "Bearer sk-abc_123"
        );
    }

    #[test]
    fn short_reads_are_joined() {
        let key = read_api_key_with(reader(&[b"sk-", b"abc", b"123\n"])).unwrap();
        assert_eq!(key, "Bearer sk-abc123");
    }

    #[test]
    fn crlf_is_trimmed() {
        assert_eq!(
            read_api_key_with(reader(&[b"sk-abc\r\n"])).unwrap(),
            "Bearer sk-abc"
        );
    }

    #[test]
    fn only_the_first_line_is_used() {
        let key = read_api_key_with(reader(&[b"first\nsecond\n"])).unwrap();
        assert_eq!(key, "Bearer first");
    }

    #[test]
    fn empty_input_is_rejected() {
        assert!(matches!(
            read_api_key_with(reader(&[])),
            Err(ApiKeyError::Empty)
        ));
        assert!(matches!(
            read_api_key_with(reader(&[b"\r\n"])),
            Err(ApiKeyError::Empty)
        ));
    }

    #[test]
    fn a_key_that_fills_the_buffer_is_too_large() {
        let long = vec![b'a'; BUFFER_SIZE - PREFIX.len()];
        let err = read_api_key_with(reader(&[&long])).unwrap_err();
        assert!(matches!(err, ApiKeyError::TooLarge), "{err:?}");
    }

    #[test]
    fn the_longest_key_fits_with_its_newline() {
        let mut line = vec![b'a'; BUFFER_SIZE - PREFIX.len() - 1];
        line.push(b'\n');
        let key = read_api_key_with(reader(&[&line])).unwrap();
        assert_eq!(key.len(), BUFFER_SIZE - 1);
    }

    #[test]
    fn bad_characters_are_rejected_without_echoing_the_key() {
        for input in [
            &b"sk-abc!def"[..],
            b"sk abc",
            b"sk-\xff\xfe",
            b"sk-abc\rdef",
        ] {
            let err = read_api_key_with(reader(&[input])).unwrap_err();
            assert!(
                matches!(err, ApiKeyError::InvalidCharacter { .. }),
                "{input:?}: {err:?}"
            );
            let message = err.to_string();
            assert!(!message.contains("sk-abc"), "{message}");
        }
    }

    #[test]
    fn reports_the_position_of_the_first_bad_character() {
        let err = read_api_key_with(reader(&[b"ab$d"])).unwrap_err();
        assert!(matches!(err, ApiKeyError::InvalidCharacter { position: 3 }));
    }

    #[test]
    fn read_errors_are_passed_on() {
        let err = read_api_key_with(|_: &mut [u8]| Err(io::Error::other("boom"))).unwrap_err();
        let ApiKeyError::Read(inner) = err else {
            panic!("expected a read error, got {err:?}");
        };
        assert_eq!(inner.to_string(), "boom");
    }
}
