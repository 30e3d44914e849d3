//! Signing in with ChatGPT from inside the app: codex-auth's browser flow (the authorize URL
//! shown, the local callback server awaited) or its device-code flow, each run as a task that
//! reports to the screen. auth.json is written by codex-auth; the caller then reloads the
//! AuthManager, so every part of the app sees the new credential.

use std::path::PathBuf;
use std::time::Duration;

use codex_auth::login::{
    BrowserLoginOptions, DeviceCodeOptions, complete_device_code_login, request_device_code,
    start_browser_login,
};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Stylize as _;
use ratatui::text::{Line, Span};
use tokio::io::AsyncWriteExt as _;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::screen::{Screen, Step};
use super::style;

/// Where sign-ins go: OpenAI's issuer, or the one a deployment (or a test) names.
#[derive(Debug, Clone)]
pub struct LoginSettings {
    /// CODEX_HOME, where auth.json is written.
    pub codex_home: PathBuf,
    /// OAuth issuer override.
    pub issuer: Option<String>,
    /// OAuth client id override.
    pub client_id: Option<String>,
    /// Callback port override (0: any free port).
    pub callback_port: Option<u16>,
    /// Open the authorize URL in a browser (off on machines without a display).
    pub open_browser: bool,
}

/// Environment variables that point sign-in elsewhere (another deployment, a test issuer).
pub const ISSUER_ENV: &str = "CODEX_LOGIN_ISSUER";
/// See [`ISSUER_ENV`].
pub const CLIENT_ID_ENV: &str = "CODEX_LOGIN_CLIENT_ID";
/// See [`ISSUER_ENV`].
pub const CALLBACK_PORT_ENV: &str = "CODEX_LOGIN_CALLBACK_PORT";

impl LoginSettings {
    /// Settings for `codex_home` from the environment: the overrides above, and whether a
    /// browser can be opened here. A callback port that is not a number is an error rather
    /// than quietly replaced by the default one.
    pub fn from_env(codex_home: PathBuf) -> anyhow::Result<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Ok(Self {
            codex_home,
            issuer: var(ISSUER_ENV),
            client_id: var(CLIENT_ID_ENV),
            callback_port: callback_port(var(CALLBACK_PORT_ENV))?,
            open_browser: !is_headless(),
        })
    }
}

/// The value of [`CALLBACK_PORT_ENV`], when set.
fn callback_port(value: Option<String>) -> anyhow::Result<Option<u16>> {
    value
        .map(|v| {
            v.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "{CALLBACK_PORT_ENV} is `{v}`, which is not a port number: use 1-65535, or 0 for any free port (or unset it for the default, {})",
                    codex_auth::login::DEFAULT_CALLBACK_PORT
                )
            })
        })
        .transpose()
}

/// No display to open a browser on: an SSH session, or Linux without X11 or Wayland.
pub fn is_headless() -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return true;
    }
    cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")
}

/// Which flow a sign-in screen runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Browser with a local callback server.
    Browser,
    /// Device code.
    DeviceCode,
}

/// What the sign-in task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInMessage {
    /// The browser flow is waiting on `port` for the user to finish at `auth_url`.
    BrowserWaiting {
        /// The URL to open.
        auth_url: String,
        /// The local callback port.
        port: u16,
    },
    /// The device flow is waiting for `user_code` to be entered at `verification_url`.
    DeviceWaiting {
        /// Where to enter the code.
        verification_url: String,
        /// The code.
        user_code: String,
    },
    /// The flow ended: `Ok` once auth.json is written, else what went wrong and what to do.
    Finished(Result<(), String>),
}

/// How a sign-in screen ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    /// auth.json was written.
    SignedIn,
    /// The flow failed; the message says what to do.
    Failed(String),
    /// The user pressed Esc.
    Cancelled,
}

/// The screen shown while a ChatGPT sign-in runs.
#[derive(Debug, Clone)]
pub struct ChatGptSignIn {
    flow: Flow,
    state: Waiting,
    /// The callback port, to cancel the browser flow's server through its `/cancel` route.
    port: Option<u16>,
}

#[derive(Debug, Clone)]
enum Waiting {
    Starting,
    Browser { auth_url: String, port: u16 },
    Device { url: String, code: String },
}

impl ChatGptSignIn {
    /// The screen before the task has reported anything.
    pub fn new(flow: Flow) -> Self {
        Self {
            flow,
            state: Waiting::Starting,
            port: None,
        }
    }

    /// The browser flow's callback port, once known.
    pub fn callback_port(&self) -> Option<u16> {
        self.port
    }
}

impl Screen for ChatGptSignIn {
    type Output = SignInOutcome;
    type Message = SignInMessage;

    fn handle_key(&mut self, key: KeyEvent) -> Step<SignInOutcome> {
        if key.code == KeyCode::Esc {
            return Step::Done(SignInOutcome::Cancelled);
        }
        Step::Stay
    }

    fn handle_message(&mut self, message: SignInMessage) -> Step<SignInOutcome> {
        match message {
            SignInMessage::BrowserWaiting { auth_url, port } => {
                self.port = Some(port);
                self.state = Waiting::Browser { auth_url, port };
            }
            SignInMessage::DeviceWaiting {
                verification_url,
                user_code,
            } => {
                self.state = Waiting::Device {
                    url: verification_url,
                    code: user_code,
                };
            }
            SignInMessage::Finished(Ok(())) => return Step::Done(SignInOutcome::SignedIn),
            SignInMessage::Finished(Err(e)) => return Step::Done(SignInOutcome::Failed(e)),
        }
        Step::Stay
    }

    fn render(&self, area: Rect, buf: &mut Buffer) {
        let title = match self.flow {
            Flow::Browser => "Sign in with ChatGPT",
            Flow::DeviceCode => "Sign in with a device code",
        };
        let mut lines = vec![Line::default(), style::title(title), Line::default()];
        match &self.state {
            Waiting::Starting => lines.push(Line::from("Starting the sign-in...")),
            Waiting::Browser { auth_url, port } => {
                lines.push(Line::from(
                    "Finish signing in in your browser. If no browser opened, open this address:",
                ));
                lines.push(Line::default());
                lines.push(Line::from(Span::from(auth_url.clone()).cyan().underlined()));
                lines.push(Line::default());
                lines.push(style::hint(&format!(
                    "Waiting for the browser to come back to http://localhost:{port} ..."
                )));
                lines.push(style::hint(
                    "On a machine without a browser, press Esc and sign in with a device code.",
                ));
            }
            Waiting::Device { url, code } => {
                lines.push(Line::from(format!("1. Open {url} on any device")));
                lines.push(Line::from(vec![
                    Span::from("2. Sign in to ChatGPT and enter this code: "),
                    Span::from(code.clone()).cyan().bold(),
                ]));
                lines.push(Line::default());
                lines.push(style::hint(
                    "Never enter a code that someone else gave you. Waiting for the code...",
                ));
            }
        }
        lines.push(style::hint("Esc to go back"));
        style::render_text(lines, area, buf);
    }
}

/// Starts `flow` as a task reporting to `tx`. Abort the handle to stop a device-code flow;
/// stop a browser flow with [`cancel_browser`] (its server then ends cleanly).
pub fn spawn_sign_in(
    flow: Flow,
    settings: &LoginSettings,
    tx: UnboundedSender<SignInMessage>,
) -> JoinHandle<()> {
    let settings = settings.clone();
    tokio::spawn(async move {
        let result = match flow {
            Flow::Browser => browser(&settings, &tx).await,
            Flow::DeviceCode => device(&settings, &tx).await,
        };
        let _ = tx.send(SignInMessage::Finished(result.map_err(|e| e.to_string())));
    })
}

async fn browser(
    settings: &LoginSettings,
    tx: &UnboundedSender<SignInMessage>,
) -> Result<(), codex_auth::LoginError> {
    let mut opts = BrowserLoginOptions::new(settings.codex_home.clone());
    if let Some(issuer) = &settings.issuer {
        opts.issuer.clone_from(issuer);
    }
    if let Some(id) = &settings.client_id {
        opts.client_id.clone_from(id);
    }
    if let Some(port) = settings.callback_port {
        opts.port = port;
        opts.fallback_port = None;
    }
    opts.open_browser = settings.open_browser;
    let server = start_browser_login(opts).await?;
    let _ = tx.send(SignInMessage::BrowserWaiting {
        auth_url: server.auth_url.clone(),
        port: server.port,
    });
    server.wait().await
}

async fn device(
    settings: &LoginSettings,
    tx: &UnboundedSender<SignInMessage>,
) -> Result<(), codex_auth::LoginError> {
    let mut opts = DeviceCodeOptions::new(settings.codex_home.clone());
    if let Some(issuer) = &settings.issuer {
        opts.issuer.clone_from(issuer);
    }
    if let Some(id) = &settings.client_id {
        opts.client_id.clone_from(id);
    }
    let code = request_device_code(&opts).await?;
    let _ = tx.send(SignInMessage::DeviceWaiting {
        verification_url: code.verification_url.clone(),
        user_code: code.user_code.clone(),
    });
    complete_device_code_login(&opts, &code).await
}

/// Stops the browser flow listening on `port` through its own `/cancel` route, the way a
/// second sign-in takes over the port.
pub async fn cancel_browser(port: u16) {
    let request = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream
            .write_all(b"GET /cancel HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), request).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_port_must_be_a_port_number() {
        assert_eq!(callback_port(None).unwrap(), None);
        assert_eq!(callback_port(Some("0".into())).unwrap(), Some(0));
        assert_eq!(callback_port(Some(" 8080 ".into())).unwrap(), Some(8080));
        for bad in ["abc", "65536", "-1"] {
            let message = callback_port(Some(bad.into())).unwrap_err().to_string();
            assert!(
                message.starts_with(&format!(
                    "{CALLBACK_PORT_ENV} is `{bad}`, which is not a port number"
                )),
                "{message}"
            );
        }
    }
}
