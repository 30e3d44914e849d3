//! A client that hangs up cancels its upstream request, even while the proxy is blocked waiting
//! for the upstream.
//!
//! The HTTP client (`ureq`) reads from the upstream socket only through its [`Transport`]
//! trait, on the thread that runs the request. The connector here opens upstream TCP
//! connections whose transport, before each read, polls the upstream socket together with the
//! socket of the client being served on this thread (registered by [`watch`]). If the client's
//! side reports a hang-up (`POLLRDHUP`, `POLLHUP`, `POLLERR`) first, the read fails and `ureq`
//! drops the upstream connection, which is how the upstream learns the request is abandoned.
//! TLS wraps this transport, so it works the same for `https` upstreams.

use std::cell::Cell;
use std::io::{self, IoSlice, Read as _, Write as _};
use std::net::TcpStream;
use std::os::fd::{AsRawFd as _, RawFd};
use std::time::Duration;

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
};
use ureq::{Error, Timeout};

use crate::stream::ResponseBody;

thread_local! {
    /// The client socket whose hang-up cancels this thread's upstream I/O.
    static CLIENT: Cell<Option<RawFd>> = const { Cell::new(None) };
    /// Set when a hang-up of that client cancelled upstream I/O.
    static HUNG_UP: Cell<bool> = const { Cell::new(false) };
    /// Set while a read must not wait: see [`UpstreamBody::read_now`].
    static NO_WAIT: Cell<bool> = const { Cell::new(false) };
}

/// The upstream response body, readable without waiting too (for [`ResponseBody`]).
pub struct UpstreamBody<R>(pub R);

impl<R: io::Read> io::Read for UpstreamBody<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: io::Read> ResponseBody for UpstreamBody<R> {
    /// Reads with the transport in no-wait mode: with nothing buffered in ureq and nothing
    /// readable on the socket, the transport fails the read with `WouldBlock`, which leaves
    /// ureq's body state as it was (it returns such errors without recording them).
    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        NO_WAIT.set(true);
        let read = self.0.read(buf);
        NO_WAIT.set(false);
        match read {
            Ok(n) => Ok(Some(n)),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Registers `client` as the socket whose hang-up cancels this thread's upstream I/O, until the
/// returned guard is dropped. The descriptor must stay open for as long as the guard lives.
pub fn watch(client: &TcpStream) -> Watch {
    CLIENT.set(Some(client.as_raw_fd()));
    HUNG_UP.set(false);
    Watch(())
}

/// Ends the registration of [`watch`] when dropped.
pub struct Watch(());

impl Watch {
    /// True when a hang-up of the client cancelled upstream I/O.
    pub fn client_hung_up(&self) -> bool {
        HUNG_UP.get()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        CLIENT.set(None);
    }
}

/// Opens plain TCP connections to the upstream (TLS, if any, is chained after it) and wraps
/// them in [`WatchedTransport`].
#[derive(Debug)]
pub struct WatchedTcpConnector {
    pub connect_timeout: Duration,
}

impl<In: Transport> Connector<In> for WatchedTcpConnector {
    type Out = Either<In, WatchedTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if let Some(transport) = chained {
            // Another connector (a CONNECT proxy) already made the connection.
            return Ok(Some(Either::A(transport)));
        }
        let mut last = None;
        for addr in &details.addrs {
            match TcpStream::connect_timeout(addr, self.connect_timeout) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    let config = details.config;
                    let buffers =
                        LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
                    return Ok(Some(Either::B(WatchedTransport {
                        stream,
                        buffers,
                        write_timeout: None,
                        pending: Vec::new(),
                        pending_reason: Timeout::SendRequest,
                        just_read: false,
                    })));
                }
                Err(err) => last = Some(err),
            }
        }
        Err(match last {
            Some(err) if matches!(err.kind(), io::ErrorKind::TimedOut) => {
                Error::Timeout(Timeout::Connect)
            }
            Some(err) => Error::Io(err),
            None => Error::HostNotFound,
        })
    }
}

/// A TCP transport whose reads give up when the watched client hangs up. Reads wait in
/// `poll(2)` (which also enforces ureq's timeouts), so the socket itself has no timeouts.
#[derive(Debug)]
pub struct WatchedTransport {
    stream: TcpStream,
    buffers: LazyBuffers,
    /// The socket's write timeout as last set, to skip `setsockopt` calls that change nothing.
    write_timeout: Option<Duration>,
    /// A small output (a request head) held back to leave in one system call with what
    /// follows it (the body); sent at the latest before waiting for input.
    pending: Vec<u8>,
    /// The timeout that applies to `pending`.
    pending_reason: Timeout,
    /// The last I/O was a read that ended a response: see [`Transport::is_open`].
    just_read: bool,
}

/// Outputs up to this size may be held back in [`WatchedTransport::pending`].
const MAX_PENDING: usize = 4096;

impl WatchedTransport {
    fn flush_pending(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let result = write_two(&self.stream, &self.pending, &[]);
        self.pending.clear();
        result.map_err(|err| write_error(err, self.pending_reason))
    }
}

/// Writes `first` then `second` with as few system calls as the socket allows.
fn write_two(mut stream: &TcpStream, first: &[u8], second: &[u8]) -> io::Result<()> {
    let mut slices = [IoSlice::new(first), IoSlice::new(second)];
    let mut left: &mut [IoSlice<'_>] = &mut slices;
    while left.iter().any(|s| !s.is_empty()) {
        match stream.write_vectored(left) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

fn write_error(err: io::Error, reason: Timeout) -> Error {
    if crate::conn::is_timeout(&err) {
        Error::Timeout(reason)
    } else {
        Error::Io(err)
    }
}

impl Transport for WatchedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.just_read = false;
        let timeout = timeout.for_write();
        let wanted = timeout.not_zero().map(|left| *left);
        if wanted != self.write_timeout {
            self.stream.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        if self.pending.is_empty() && amount <= MAX_PENDING {
            self.pending
                .extend_from_slice(&self.buffers.output()[..amount]);
            self.pending_reason = timeout.reason;
            return Ok(());
        }
        let result = write_two(
            &self.stream,
            &self.pending,
            &self.buffers.output()[..amount],
        );
        self.pending.clear();
        result.map_err(|err| write_error(err, timeout.reason))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush_pending()?;
        let timeout = timeout.for_read();
        let wait_ms = if NO_WAIT.get() {
            0
        } else {
            timeout.not_zero().map_or(-1, |left| {
                libc::c_int::try_from(left.as_millis().saturating_add(1))
                    .unwrap_or(libc::c_int::MAX)
            })
        };
        match wait_for_either(self.stream.as_raw_fd(), CLIENT.get(), wait_ms) {
            Ready::TimedOut if wait_ms == 0 => {
                return Err(Error::Io(io::ErrorKind::WouldBlock.into()));
            }
            Ready::Upstream => {}
            Ready::ClientGone => {
                HUNG_UP.set(true);
                // Not ConnectionAborted: ureq takes that for the upstream closing.
                return Err(Error::Io(io::Error::other("the client hung up")));
            }
            Ready::TimedOut => return Err(Error::Timeout(timeout.reason)),
            Ready::Failed(err) => return Err(Error::Io(err)),
        }
        let input = self.buffers.input_append_buf();
        let n = loop {
            match self.stream.read(input) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        self.buffers.input_appended(n);
        self.just_read = n > 0;
        Ok(n > 0)
    }

    /// Whether a pooled connection may be reused: open, and nothing unasked-for waiting on it.
    ///
    /// ureq asks twice per request: when the connection goes back to the pool, right after the
    /// read that ended a response, and when it is taken out again. Only the second answer can
    /// have changed (a server closing an idle connection, or bytes it should not have sent), so
    /// the first is answered without a system call.
    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.just_read) {
            return true;
        }
        let mut fds = [libc::pollfd {
            fd: self.stream.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: `fds` is one valid, initialised pollfd; the descriptor is owned by `self`.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), 1, 0) };
        rc == 0
    }
}

enum Ready {
    Upstream,
    ClientGone,
    TimedOut,
    Failed(io::Error),
}

/// Waits until the upstream socket is readable (or closed) or the client, if any, hangs up.
fn wait_for_either(upstream: RawFd, client: Option<RawFd>, wait_ms: libc::c_int) -> Ready {
    let mut fds = [
        libc::pollfd {
            fd: upstream,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            // A negative descriptor is skipped by poll(2).
            fd: client.unwrap_or(-1),
            events: libc::POLLRDHUP,
            revents: 0,
        },
    ];
    loop {
        // SAFETY: `fds` is a valid array of two initialised pollfd structs for the whole call;
        // the descriptors are open (owned by the transport and by the connection's thread).
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, wait_ms) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Ready::Failed(err);
        }
        if rc == 0 {
            return Ready::TimedOut;
        }
        // Data from the upstream wins: a response that is ready is still read and passed on
        // (the write to the client then decides).
        // Only hang-up conditions were asked for on the client socket, so any event there
        // (POLLRDHUP, POLLHUP, POLLERR, POLLNVAL) means the client is gone.
        return if fds[0].revents != 0 {
            Ready::Upstream
        } else {
            Ready::ClientGone
        };
    }
}
