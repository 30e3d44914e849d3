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
use std::io::{self, Read as _, Write as _};
use std::net::TcpStream;
use std::os::fd::{AsRawFd as _, RawFd};
use std::time::Duration;

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
};
use ureq::{Error, Timeout};

thread_local! {
    /// The client socket whose hang-up cancels this thread's upstream I/O.
    static CLIENT: Cell<Option<RawFd>> = const { Cell::new(None) };
    /// Set when a hang-up of that client cancelled upstream I/O.
    static HUNG_UP: Cell<bool> = const { Cell::new(false) };
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
}

impl Transport for WatchedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let wanted = timeout.not_zero().map(|left| *left);
        if wanted != self.write_timeout {
            self.stream.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        match self.stream.write_all(output) {
            Ok(()) => Ok(()),
            Err(err) if crate::conn::is_timeout(&err) => Err(Error::Timeout(timeout.reason)),
            Err(err) => Err(Error::Io(err)),
        }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        let wait_ms = timeout.not_zero().map_or(-1, |left| {
            libc::c_int::try_from(left.as_millis().saturating_add(1)).unwrap_or(libc::c_int::MAX)
        });
        match wait_for_either(self.stream.as_raw_fd(), CLIENT.get(), wait_ms) {
            Ready::Upstream => {}
            Ready::ClientGone => {
                HUNG_UP.set(true);
                return Err(Error::Io(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the client hung up",
                )));
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
        Ok(n > 0)
    }

    /// Whether a pooled connection may be reused: open, and nothing unasked-for waiting on it.
    fn is_open(&mut self) -> bool {
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
