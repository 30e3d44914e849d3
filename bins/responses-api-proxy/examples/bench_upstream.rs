//! A fast stand-in for the Responses API, used by `scripts/bench-proxy.sh`: answers every request
//! on every keep-alive connection with the same small SSE body, in one write.
//!
//! Usage: `bench_upstream PORT DELAY_MS sized|chunked`. PORT 0 picks a free port, which is
//! printed on stdout. DELAY_MS is a service time slept before each response (a model server
//! never answers instantly); `sized` sends `Content-Length`, `chunked` sends the body as one
//! chunk, as the real API streams it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const BODY: &str = "event: response.created\ndata: {\"type\":\"response.created\"}\n\n\
event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n\
event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\"}}\n\n";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: bench_upstream PORT DELAY_MS sized|chunked";
    let (Some(port), Some(delay), Some(framing)) = (args.get(1), args.get(2), args.get(3)) else {
        anyhow::bail!(usage);
    };
    let port: u16 = port.parse()?;
    let delay = Duration::from_millis(delay.parse()?);
    let response: &'static [u8] = match framing.as_str() {
        "sized" => format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\n\r\n{BODY}",
            BODY.len()
        ),
        "chunked" => format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
             {:x}\r\n{BODY}\r\n0\r\n\r\n",
            BODY.len()
        ),
        _ => anyhow::bail!(usage),
    }
    .into_bytes()
    .leak();
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("{}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            // A connection error ends that connection only.
            let _ = serve(stream, delay, response);
        });
    }
    Ok(())
}

fn serve(stream: TcpStream, delay: Duration, response: &[u8]) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        let mut length = 0;
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        writer.write_all(response)?;
    }
}
