//! Lines the proxy writes to stderr (its only log). None of them may contain the key: they are
//! built from URLs, addresses and error values that never see it.

use std::fmt;
use std::io::Write as _;

/// Writes `responses-api-proxy: <message>` to stderr. A failed write is ignored: there is no
/// other place to report it.
pub fn line(message: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "responses-api-proxy: {message}");
}

/// Writes the start-up line `responses-api-proxy listening on <addr>` (Codex's format, which
/// launchers may wait for).
pub fn listening(addr: std::net::SocketAddr) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "responses-api-proxy listening on {addr}"
    );
}
