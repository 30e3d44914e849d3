//! The sign-in server's ports, driven through the library: a busy first port falls back to
//! the second, and two busy ports are a clear error.

use std::net::TcpListener;
use std::time::Duration;

use codex_auth::login::{BrowserLoginOptions, start_browser_login};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_that_stays_busy_falls_back_to_the_second_one() {
    // Something that is not a sign-in holds the first port: it drops every connection.
    let blocker = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = blocker.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in blocker.incoming() {
            drop(stream);
        }
    });
    let fallback = free_port();
    let home = tempfile::tempdir().unwrap();
    let mut opts = BrowserLoginOptions::new(home.path().to_owned());
    opts.port = busy;
    opts.fallback_port = Some(fallback);
    opts.open_browser = false;
    let server = start_browser_login(opts).await.unwrap();
    assert_eq!(server.port, fallback);
    assert!(
        server.auth_url.contains(&format!("localhost%3A{fallback}")),
        "{}",
        server.auth_url
    );
    server.cancel();
    let err = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_ports_busy_is_a_clear_error() {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    let (pa, pb) = (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    );
    for blocker in [a, b] {
        std::thread::spawn(move || {
            for stream in blocker.incoming() {
                drop(stream);
            }
        });
    }
    let home = tempfile::tempdir().unwrap();
    let mut opts = BrowserLoginOptions::new(home.path().to_owned());
    opts.port = pa;
    opts.fallback_port = Some(pb);
    opts.open_browser = false;
    let err = start_browser_login(opts).await.unwrap_err().to_string();
    assert!(err.contains(&format!("ports {pa} and {pb}")), "{err}");
    assert!(err.contains("--device-auth"), "{err}");
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
