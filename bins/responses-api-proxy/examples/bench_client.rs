//! Load generator for `scripts/bench-proxy.sh`: keep-alive HTTP/1.1 `POST /v1/responses` requests.
//!
//! - `bench_client latency PORT COUNT`: COUNT sequential requests on one connection; prints the
//!   median and 90th percentile round trip in microseconds.
//! - `bench_client throughput PORT CONNECTIONS SECONDS`: one thread per connection, each sending
//!   requests back to back; prints requests per second, the fewest requests any connection
//!   completed, and the longest wait for any one response (a stalled connection shows there).
//! - `bench_client total PORT CONNECTIONS REQUESTS`: REQUESTS spread over the connections;
//!   prints how many completed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

const BODY: &str = r#"{"model":"gpt-5","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}],"stream":true}"#;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| {
        args.get(i)
            .context("usage: bench_client latency|throughput PORT ...")
    };
    let port: u16 = arg(2)?.parse()?;
    match arg(1)?.as_str() {
        "latency" => latency(port, arg(3)?.parse()?),
        "throughput" => throughput(port, arg(3)?.parse()?, arg(4)?.parse()?),
        "total" => total(port, arg(3)?.parse()?, arg(4)?.parse()?),
        other => bail!("unknown mode {other}"),
    }
}

fn latency(port: u16, count: usize) -> anyhow::Result<()> {
    let mut connection = Connection::open(port)?;
    for _ in 0..count / 10 {
        connection.round_trip()?;
    }
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        connection.round_trip()?;
        samples.push(start.elapsed());
    }
    samples.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "median_us={:.1} p90_us={:.1}",
        micros(samples[count / 2]),
        micros(samples[count * 9 / 10])
    );
    Ok(())
}

fn throughput(port: u16, connections: usize, seconds: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            std::thread::spawn(move || -> anyhow::Result<(u64, Duration)> {
                let mut connection = Connection::open(port)?;
                let (mut done, mut longest) = (0, Duration::ZERO);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    connection.round_trip()?;
                    longest = longest.max(sent.elapsed());
                    done += 1;
                }
                Ok((done, longest))
            })
        })
        .collect();
    let (mut total, mut fewest, mut longest) = (0, u64::MAX, Duration::ZERO);
    for worker in workers {
        let (done, wait) = worker
            .join()
            .map_err(|_| anyhow::anyhow!("worker panicked"))??;
        total += done;
        fewest = fewest.min(done);
        longest = longest.max(wait);
    }
    println!(
        "rps={:.0} fewest={fewest} longest_ms={:.1}",
        total as f64 / start.elapsed().as_secs_f64(),
        longest.as_secs_f64() * 1e3
    );
    Ok(())
}

fn total(port: u16, connections: usize, requests: u64) -> anyhow::Result<()> {
    let per_connection = requests.div_ceil(connections as u64);
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let mut connection = Connection::open(port)?;
                for _ in 0..per_connection {
                    connection.round_trip()?;
                }
                Ok(per_connection)
            })
        })
        .collect();
    let mut done = 0;
    for worker in workers {
        done += worker
            .join()
            .map_err(|_| anyhow::anyhow!("worker panicked"))??;
    }
    println!("done={done}");
    Ok(())
}

struct Connection {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    request: Vec<u8>,
    line: String,
}

impl Connection {
    fn open(port: u16) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        // A response that takes this long is a stalled connection: fail the run loudly.
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let request = format!(
            "POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer client\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
            BODY.len()
        )
        .into_bytes();
        Ok(Connection {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            request,
            line: String::new(),
        })
    }

    /// Sends one request and reads the whole response (Content-Length or chunked).
    fn round_trip(&mut self) -> anyhow::Result<()> {
        self.writer.write_all(&self.request)?;
        let status = self.read_line()?;
        if !status.starts_with("HTTP/1.1 200") {
            bail!("unexpected status line {status:?}");
        }
        let (mut length, mut chunked) = (0, false);
        loop {
            let header = self.read_line()?;
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                bail!("bad header {header:?}");
            };
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = true;
            }
        }
        if !chunked {
            return self.skip(length);
        }
        loop {
            let size = usize::from_str_radix(&self.read_line()?, 16)?;
            self.skip(size + 2)?;
            if size == 0 {
                return Ok(());
            }
        }
    }

    fn read_line(&mut self) -> anyhow::Result<String> {
        self.line.clear();
        if self.reader.read_line(&mut self.line)? == 0 {
            bail!("connection closed");
        }
        Ok(self.line.trim_end().to_owned())
    }

    fn skip(&mut self, n: usize) -> anyhow::Result<()> {
        let copied = std::io::copy(&mut (&mut self.reader).take(n as u64), &mut std::io::sink())?;
        if copied as usize != n {
            bail!("short body");
        }
        Ok(())
    }
}
