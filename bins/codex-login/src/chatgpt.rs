//! Signing in with ChatGPT: the browser flow (default) or the device-code flow.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use codex_auth::LoginError;
use codex_auth::login::{
    BrowserLoginOptions, DeviceCodeOptions, complete_device_code_login, request_device_code,
    start_browser_login,
};
use codex_cli::login::LoginCli;

pub(crate) fn run(cli: &LoginCli, codex_home: PathBuf) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error logging in: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if cli.device_auth {
        runtime.block_on(device_code(cli, codex_home))
    } else {
        runtime.block_on(browser(cli, codex_home))
    };
    crate::report_login(result)
}

async fn browser(cli: &LoginCli, codex_home: PathBuf) -> Result<(), LoginError> {
    let mut opts = BrowserLoginOptions::new(codex_home);
    apply_overrides(cli, &mut opts.issuer, &mut opts.client_id);
    if let Some(port) = cli.port {
        opts.port = port;
        opts.fallback_port = None;
    }
    opts.open_browser = !cli.no_browser;
    let server = start_browser_login(opts).await?;
    eprintln!(
        "Waiting for the browser sign-in on http://localhost:{}.\n\
         If no browser opened, open this URL to sign in:\n\n{}\n",
        server.port, server.auth_url
    );
    server.wait().await
}

async fn device_code(cli: &LoginCli, codex_home: PathBuf) -> Result<(), LoginError> {
    let mut opts = DeviceCodeOptions::new(codex_home);
    apply_overrides(cli, &mut opts.issuer, &mut opts.client_id);
    if let Some(secs) = cli
        .device_auth_timeout
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        opts.timeout = Duration::from_secs_f64(secs);
    }
    let code = request_device_code(&opts).await?;
    eprintln!(
        "To sign in from another device:\n  \
         1. Open {}\n  \
         2. Sign in to ChatGPT and enter this code: {}\n\n\
         Device codes are a common phishing target: never enter one someone else gave you.\n\
         Waiting for the code to be entered...",
        code.verification_url, code.user_code
    );
    complete_device_code_login(&opts, &code).await
}

fn apply_overrides(cli: &LoginCli, issuer: &mut String, client_id: &mut String) {
    if let Some(url) = &cli.issuer {
        issuer.clone_from(url);
    }
    if let Some(id) = &cli.client_id {
        client_id.clone_from(id);
    }
}
