//! Flags of `responses-api-proxy`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use clap::{CommandFactory as _, Parser};

/// The clap command, for the shim's help and completion.
pub fn command() -> clap::Command {
    ProxyArgs::command()
}

/// Where requests go when `--upstream-url` is not given.
pub const DEFAULT_UPSTREAM_URL: &str = "https://api.openai.com/v1/responses";

const AFTER_HELP: &str = "\
The API key is read from standard input (one line; letters, digits, '-' and '_'), for example:
  printenv OPENAI_API_KEY | codex-responses-api-proxy --port 8080

Only `POST /v1/responses` is forwarded; every other request gets 403, and a WebSocket upgrade on
/v1/responses gets 426 (clients then fall back to HTTP). Request bodies stream upstream as they
arrive, whatever their size. Request heads are limited to 100 header lines and 64 KiB (431 beyond).
Connections beyond --max-connections get 503 and are closed. Point Codex at the proxy with
  -c 'model_providers.proxy={ name = \"Proxy\", base_url = \"http://127.0.0.1:8080/v1\", wire_api = \"responses\" }' -c model_provider=proxy

Exit codes: 0 stopped by SIGTERM, SIGINT or `GET /shutdown`; 1 startup or server error;
2 bad command line; 5 or 7 the process could not be hardened (prctl, setrlimit).";

/// A key-holding HTTP sidecar: forwards `POST /v1/responses` upstream with its own API key.
#[derive(Debug, Clone, Parser)]
// A later flag overrides an earlier one, so that a container image can put defaults such as
// `--listen 0.0.0.0 --port 8080` in its entrypoint and users can still change them.
#[command(
    name = "responses-api-proxy",
    version,
    after_help = AFTER_HELP,
    args_override_self = true
)]
pub struct ProxyArgs {
    /// Port to listen on; a free port is chosen when omitted.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// Address to listen on. Keep the loopback default unless other hosts must reach the proxy
    /// (for example `0.0.0.0` inside a container).
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub listen: IpAddr,

    /// Once listening, write `{"port":N,"pid":N}` and a newline to FILE (parent directories are
    /// created).
    #[arg(long, value_name = "FILE")]
    pub server_info: Option<PathBuf>,

    /// Answer `GET /shutdown` with 200 and exit; lets users who cannot signal the process stop it.
    #[arg(long)]
    pub http_shutdown: bool,

    /// Full URL that `POST /v1/responses` is forwarded to (http or https, with a host).
    #[arg(long, value_name = "URL", default_value = DEFAULT_UPSTREAM_URL)]
    pub upstream_url: String,

    /// Seconds to wait for a TCP connection to the upstream; the client gets 502 after that.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,

    /// Seconds from sending a request upstream until its response headers arrive; the client
    /// gets 504 after that. A streaming response may then run for as long as it needs.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub first_byte_timeout: u64,

    /// Seconds a client has to send a complete request head, counted from its connection or
    /// its first byte; the connection is closed after that.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds a client connection may sit idle between requests, or stall while sending a body
    /// or reading a response, before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// Client connections served at once; more get 503 and are closed. The default, and the
    /// ceiling, follow from the open-file limit (`ulimit -n`), so that descriptors never run out.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn defaults_are_loopback_and_openai() {
        let args = ProxyArgs::try_parse_from(["responses-api-proxy"]).unwrap();
        assert_eq!(args.listen, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(args.port, None);
        assert_eq!(args.upstream_url, DEFAULT_UPSTREAM_URL);
        assert!(!args.http_shutdown);
        assert!(args.server_info.is_none());
        assert_eq!(args.connect_timeout, 30);
        assert_eq!(args.first_byte_timeout, 300);
        assert_eq!(args.header_timeout, 10);
        assert_eq!(args.idle_timeout, 120);
        assert_eq!(args.max_connections, None);
    }

    #[test]
    fn timeouts_must_be_positive() {
        for flag in [
            "--connect-timeout",
            "--first-byte-timeout",
            "--header-timeout",
            "--idle-timeout",
            "--max-connections",
        ] {
            assert!(
                ProxyArgs::try_parse_from(["responses-api-proxy", flag, "0"]).is_err(),
                "{flag}"
            );
        }
    }

    #[test]
    fn parses_every_flag() {
        let args = ProxyArgs::try_parse_from([
            "responses-api-proxy",
            "--port",
            "8080",
            "--listen",
            "0.0.0.0",
            "--server-info",
            "/run/proxy/info.json",
            "--http-shutdown",
            "--upstream-url",
            "http://127.0.0.1:9/v1/responses",
        ])
        .unwrap();
        assert_eq!(args.port, Some(8080));
        assert_eq!(args.listen, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            args.server_info,
            Some(PathBuf::from("/run/proxy/info.json"))
        );
        assert!(args.http_shutdown);
        assert_eq!(args.upstream_url, "http://127.0.0.1:9/v1/responses");
    }

    #[test]
    fn later_flags_override_earlier_ones() {
        let args =
            ProxyArgs::try_parse_from(["responses-api-proxy", "--port", "8080", "--port", "9090"])
                .unwrap();
        assert_eq!(args.port, Some(9090));
    }

    #[test]
    fn rejects_a_listen_value_that_is_not_an_ip_address() {
        assert!(
            ProxyArgs::try_parse_from(["responses-api-proxy", "--listen", "localhost"]).is_err()
        );
    }
}
