//! Every bound the proxy puts on what a peer can make it hold: head size, header count, time,
//! connections and descriptors.
//!
//! Each client connection uses at most two descriptors (the client socket and one upstream
//! socket), and idle upstream connections are pooled. The connection cap is derived from the
//! open-file limit so that accepting, connecting upstream and pooling can never run out of
//! descriptors: a peer that opens connections until the cap is reached gets 503s, it does not
//! make `accept(2)` or `connect(2)` fail.

use std::time::Duration;

use crate::ProxyArgs;

/// Most header lines in a request head; more get 431. Codex sends about fifteen.
pub const MAX_HEADERS: usize = 100;

/// Largest request head (request line and headers); a larger one gets 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Descriptors kept for everything that is not a connection: stdio, the listener, the spare
/// descriptor of the accept loop, the signal thread, and slack for the allocator and resolver.
const RESERVED_DESCRIPTORS: u64 = 16;

/// Idle upstream connections kept for reuse, at most; fewer when the open-file limit is low.
const MAX_POOLED_UPSTREAM: u64 = 64;

/// The connection cap when the open-file limit is very high: thread count, not descriptors, is
/// then the bound that matters.
const MAX_CONNECTIONS_CEILING: u64 = 4096;

/// The bounds in force, resolved from the flags and the open-file limit.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A new connection must deliver its first request head within this time; a keep-alive
    /// connection, the rest of a head once its first byte arrived.
    pub header_timeout: Duration,
    /// Idle time allowed between requests, and per read or write of a body.
    pub idle_timeout: Duration,
    /// Upstream TCP connect.
    pub connect_timeout: Duration,
    /// From a request sent upstream to its response head.
    pub first_byte_timeout: Duration,
    /// Client connections served at once.
    pub max_connections: usize,
    /// Idle upstream connections kept for reuse.
    pub pooled_upstream: usize,
}

impl Limits {
    /// The limits for `args` under the process's current open-file limit. A `--max-connections`
    /// above what the descriptors allow is lowered to that.
    pub fn new(args: &ProxyArgs) -> Limits {
        let (fd_cap, pooled) = descriptor_budget(open_file_limit());
        let wanted = args.max_connections.unwrap_or(u64::MAX);
        Limits {
            header_timeout: Duration::from_secs(args.header_timeout),
            idle_timeout: Duration::from_secs(args.idle_timeout),
            connect_timeout: Duration::from_secs(args.connect_timeout),
            first_byte_timeout: Duration::from_secs(args.first_byte_timeout),
            max_connections: usize::try_from(wanted.min(fd_cap)).unwrap_or(1).max(1),
            pooled_upstream: usize::try_from(pooled).unwrap_or(1),
        }
    }
}

/// The soft `RLIMIT_NOFILE`, or a conservative 1024 when it cannot be read.
fn open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, exclusively borrowed rlimit for the kernel to fill.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) };
    if rc == 0 { limit.rlim_cur } else { 1024 }
}

/// `(connection cap, pooled upstream connections)` for an open-file limit of `nofile`.
fn descriptor_budget(nofile: u64) -> (u64, u64) {
    let pooled = (nofile / 8).clamp(1, MAX_POOLED_UPSTREAM);
    let per_connection = 2;
    let cap = nofile.saturating_sub(RESERVED_DESCRIPTORS + pooled) / per_connection;
    (cap.clamp(1, MAX_CONNECTIONS_CEILING), pooled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_and_pool_fit_in_the_descriptor_limit() {
        for nofile in [20, 64, 256, 1024, 4096, 65_536, 1 << 20] {
            let (cap, pooled) = descriptor_budget(nofile);
            assert!(cap >= 1 && pooled >= 1, "{nofile}");
            if nofile >= 64 {
                assert!(
                    RESERVED_DESCRIPTORS + pooled + 2 * cap <= nofile,
                    "{nofile}: cap {cap}, pool {pooled}"
                );
            }
        }
        assert_eq!(descriptor_budget(64), (20, 8));
        assert_eq!(descriptor_budget(1024), (472, 64));
        assert_eq!(descriptor_budget(1 << 20).0, MAX_CONNECTIONS_CEILING);
    }
}
