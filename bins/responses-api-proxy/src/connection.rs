//! One client connection on its own thread: read a head, answer it, repeat while kept alive.

use std::net::TcpStream;

use ureq::http::StatusCode;

use crate::conn::Conn;
use crate::handler::{self, After, send_empty};
use crate::request::{HeadError, read_head};
use crate::server::Shared;

/// Serves `stream` until the client closes it, an exchange ends it, or a limit does.
pub fn serve(stream: TcpStream, shared: &Shared) {
    let limits = &shared.limits;
    // Disable Nagle: an SSE event written right after another would otherwise wait for the
    // client's delayed ACK (up to 40 ms). Best effort, like the timeouts: if the socket refuses
    // options it is broken and the first read will say so.
    let _ = stream.set_nodelay(true);
    let mut conn = Conn::new(stream);
    if conn.set_io_timeout(limits.idle_timeout).is_err() {
        return;
    }
    let mut first = true;
    loop {
        let head = match read_head(&mut conn, first, limits.header_timeout, limits.idle_timeout) {
            Ok(head) => head,
            Err(HeadError::Idle | HeadError::Broken) => return,
            Err(HeadError::TooLarge) => {
                send_empty(&conn, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, true);
                return conn.linger_close();
            }
            Err(HeadError::Timeout) => {
                send_empty(&conn, StatusCode::REQUEST_TIMEOUT, true);
                return conn.linger_close();
            }
            Err(HeadError::Malformed(_)) => {
                send_empty(&conn, StatusCode::BAD_REQUEST, true);
                return conn.linger_close();
            }
        };
        first = false;
        if conn.set_io_timeout(limits.idle_timeout).is_err() {
            return;
        }
        match handler::handle(&shared.upstream, shared.http_shutdown, &mut conn, &head) {
            After::KeepAlive => {}
            After::Close => return conn.linger_close(),
            After::Stop => {
                let _ = shared.stop.send(Ok("GET /shutdown"));
                return;
            }
        }
    }
}
