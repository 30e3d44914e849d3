//! First run, sign-in and coming back to a session, end to end: `codex-tui` in a real terminal
//! (tmux) with a temp CODEX_HOME, the mock model, the fake OAuth issuer and sessions recorded
//! by `codex-exec` (built by `cargo build --workspace --bins`, as the CI does first).
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use codex_test_support::auth_file::{assert_private, read_auth};
use codex_test_support::fake_issuer::{CLIENT_ID, FakeIssuer};
use codex_test_support::responses::sse_assistant_turn;
use codex_test_support::tmux::Tmux;
use codex_test_support::{
    MockResponse, MockServer, MockWire, NO_TEMP_ROOTS, TestHome, mock_provider_config, sandbox_exe,
    workspace_bin_dir,
};
use serde_json::json;

/// Generous: the machine running the tests may be busy.
const WAIT: Duration = Duration::from_secs(30);
/// The composer's placeholder: the chat is ready for a prompt.
const COMPOSER: &str = "Ask for a change";

struct Env {
    server: MockServer,
    home: TestHome,
    workspace: tempfile::TempDir,
    user_home: tempfile::TempDir,
}

impl Env {
    /// A CODEX_HOME whose mock provider takes an OpenAI login (as the built-in one does), so
    /// the first run has to sign in. `git`: the workspace is a repository.
    fn new(git: bool) -> Self {
        let server = MockServer::start();
        let home = TestHome::new();
        home.write_config(&format!(
            "sandbox_exe = \"{}\"\n{}requires_openai_auth = true\n\n{NO_TEMP_ROOTS}",
            sandbox_exe().display(),
            mock_provider_config(&server, MockWire::Responses),
        ));
        let workspace = tempfile::tempdir().unwrap();
        if git {
            std::fs::create_dir(workspace.path().join(".git")).unwrap();
            std::fs::write(workspace.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        }
        Self {
            server,
            home,
            workspace,
            user_home: tempfile::tempdir().unwrap(),
        }
    }

    /// A signed-in user (API key) in a trusted workspace: nothing to ask before the chat.
    fn returning() -> Self {
        let env = Self::new(true);
        std::fs::write(
            env.home.path().join("auth.json"),
            r#"{"OPENAI_API_KEY":"sk-stored-0123456789"}"#,
        )
        .unwrap();
        env.home.append_config(&format!(
            "[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            env.ws().display()
        ));
        env
    }

    fn ws(&self) -> PathBuf {
        self.workspace.path().canonicalize().unwrap()
    }

    fn tui(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Tmux {
        let mut builder = Tmux::builder(assert_cmd::cargo::cargo_bin("codex-tui"))
            .args(args)
            .size(100, 32)
            .cwd(self.ws())
            .home(self.user_home.path())
            .env("CODEX_HOME", self.home.path())
            .env("CODEX_API_KEY", "")
            .env("OPENAI_API_KEY", "")
            // No display: the browser is never opened, the device code is offered first.
            .env("DISPLAY", "")
            .env("WAYLAND_DISPLAY", "");
        for (key, value) in extra_env {
            builder = builder.env(key, value);
        }
        builder.start()
    }

    /// Runs `codex-exec` in the workspace with `prompt`; the mock answers `answer`.
    fn exec_session(&self, prompt: &str, answer: &str) -> String {
        self.server.push(MockResponse::sse_body(sse_assistant_turn(
            "resp-exec",
            answer,
        )));
        let output = Command::new(workspace_bin_dir().join("codex-exec"))
            .current_dir(self.ws())
            .env("CODEX_HOME", self.home.path())
            .env("HOME", self.user_home.path())
            .env("CODEX_API_KEY", "sk-exec-0123456789")
            .args(["--json", prompt])
            .output()
            .expect("codex-exec is built by `cargo build --workspace --bins`");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let first = String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .map(str::to_owned)
            .unwrap();
        let event: serde_json::Value = serde_json::from_str(&first).unwrap();
        event["thread_id"].as_str().unwrap().to_owned()
    }

    fn config_text(&self) -> String {
        std::fs::read_to_string(self.home.config_path()).unwrap()
    }
}

fn answer(text: &str) -> MockResponse {
    MockResponse::sse_body(sse_assistant_turn("resp-1", text))
}

/// Prompts the chat and waits for the mock's answer.
fn ask(term: &Tmux, prompt: &str, expected: &str) -> String {
    term.send_text(prompt);
    term.send_keys(&["Enter"]);
    term.wait_for(expected, WAIT)
}

#[test]
fn first_run_typing_an_api_key_trusts_the_folder_and_answers() {
    let env = Env::new(false);
    env.server.push(answer("hello from the mock"));
    let term = env.tui(&[], &[]);
    let screen = term.wait_for("Sign in to start", WAIT);
    assert!(screen.contains("Provide your own API key"), "{screen}");
    term.send_keys(&["3"]);
    term.wait_for("Enter to save", WAIT);
    term.send_text("sk-typed-0123456789abcdef");
    term.wait_for("cdef", WAIT);
    assert!(
        !term.screen().contains("0123456789ab"),
        "the key is masked:\n{}",
        term.screen()
    );
    term.send_keys(&["Enter"]);

    let screen = term.wait_for("Do you trust this folder", WAIT);
    assert!(screen.contains("API key saved"), "{screen}");
    assert!(screen.contains("not in a git repository"), "{screen}");
    term.send_keys(&["1"]);
    term.wait_for(COMPOSER, WAIT);

    assert_private(env.home.path());
    assert_eq!(
        read_auth(env.home.path()),
        json!({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-typed-0123456789abcdef"})
    );
    let config = env.config_text();
    assert!(
        config.contains(&format!(
            "[projects.\"{}\"]\ntrust_level = \"trusted\"\n",
            env.ws().display()
        )),
        "{config}"
    );
    assert!(
        config.contains("requires_openai_auth = true"),
        "kept: {config}"
    );

    ask(&term, "say hello", "hello from the mock");
    let request = env.server.single_request();
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk-typed-0123456789abcdef")
    );
    // Trusted: the session runs in the workspace sandbox.
    let body = request.body_json().to_string();
    assert!(body.contains("workspace-write"), "{body}");
}

#[test]
fn the_key_field_is_prefilled_from_openai_api_key() {
    let env = Env::new(true);
    let term = env.tui(&[], &[("OPENAI_API_KEY", "sk-from-env-0123456789")]);
    let screen = term.wait_for("Sign in to start", WAIT);
    assert!(screen.contains("OPENAI_API_KEY is set"), "{screen}");
    assert!(
        screen.contains("Sign in with ChatGPT"),
        "sign-in is still offered: {screen}"
    );
    term.send_keys(&["3"]);
    term.wait_for("Filled in from OPENAI_API_KEY", WAIT);
    term.send_keys(&["Enter"]);
    term.wait_for("Do you trust this folder", WAIT);
    term.send_keys(&["2"]);
    term.wait_for(COMPOSER, WAIT);
    assert_eq!(
        read_auth(env.home.path())["OPENAI_API_KEY"],
        "sk-from-env-0123456789"
    );
    assert!(env.config_text().contains("trust_level = \"untrusted\""));
}

#[test]
fn preferred_auth_method_apikey_skips_the_chooser() {
    let env = Env::new(true);
    // A top-level key: before the file's tables.
    env.home.write_config(&format!(
        "preferred_auth_method = \"apikey\"\n{}",
        env.config_text()
    ));
    let term = env.tui(&[], &[("OPENAI_API_KEY", "sk-from-env-0123456789")]);
    let screen = term.wait_for("Filled in from OPENAI_API_KEY", WAIT);
    assert!(!screen.contains("Sign in with ChatGPT"), "{screen}");
}

#[test]
fn chatgpt_sign_in_against_the_fake_issuer() {
    let issuer = FakeIssuer::start();
    let env = Env::new(true);
    let term = env.tui(
        &[],
        &[
            ("CODEX_LOGIN_ISSUER", &issuer.url),
            ("CODEX_LOGIN_CLIENT_ID", CLIENT_ID),
            ("CODEX_LOGIN_CALLBACK_PORT", "0"),
        ],
    );
    term.wait_for("Sign in to start", WAIT);
    // Without a display, the device code comes first and the browser flow second.
    term.send_keys(&["2"]);
    let screen = term.wait_for("open this address", WAIT);
    let url = screen_url(&screen);
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", issuer.url)),
        "{url}"
    );

    // Play the browser: the issuer redirects to the app's callback, which ends on /success.
    let callback = http_get(&url);
    assert!(callback.contains("/auth/callback?"), "{callback}");
    let success = http_get(&callback);
    assert!(success.contains("/success"), "{success}");
    let _ = http_get(&success);

    let screen = term.wait_for("Do you trust this folder", WAIT);
    assert!(screen.contains("Signed in with ChatGPT"), "{screen}");
    term.send_keys(&["Enter"]);
    term.wait_for(COMPOSER, WAIT);
    assert_private(env.home.path());
    let auth = read_auth(env.home.path());
    assert_eq!(auth["tokens"]["refresh_token"], "rt-login");
    assert_eq!(auth["tokens"]["account_id"], "acc-123");
}

#[test]
fn logout_deletes_auth_json_and_exits() {
    let env = Env::returning();
    let term = env.tui(&[], &[]);
    term.wait_for(COMPOSER, WAIT);
    term.send_text("/logout");
    term.send_keys(&["Enter"]);
    assert_eq!(term.wait_exit(WAIT), 0);
    assert!(!env.home.path().join("auth.json").exists());
    assert!(
        term.everything().contains("Logged out"),
        "{}",
        term.everything()
    );
}

#[test]
fn the_picker_resumes_a_session_made_by_exec_with_its_transcript() {
    let env = Env::returning();
    env.exec_session("remember the word pineapple", "noted: pineapple");
    env.server.push(answer("you said pineapple"));
    let term = env.tui(&["resume"], &[]);
    term.wait_for("Resume a session", WAIT);
    // The row comes with the first page; its message count follows from the loader.
    term.wait_until(WAIT, "the session's row with its two messages", |all| {
        all.lines()
            .any(|l| l.contains("remember the word pineapple") && l.contains(" 2 "))
    });
    term.send_keys(&["Enter"]);
    let everything = term.wait_for(COMPOSER, WAIT);
    assert!(everything.contains("noted: pineapple"), "{everything}");
    ask(&term, "what word?", "you said pineapple");
    let requests = env.server.requests();
    let last = requests.last().unwrap();
    assert!(
        last.message_input_texts("user")
            .iter()
            .any(|t| t.contains("remember the word pineapple")),
        "the history went with the new turn"
    );
}

#[test]
fn resume_last_skips_the_picker() {
    let env = Env::returning();
    env.exec_session("first task", "first answer");
    env.exec_session("second task", "second answer");
    let term = env.tui(&["resume", "--last"], &[]);
    let everything = term.wait_for(COMPOSER, WAIT);
    assert!(everything.contains("second answer"), "{everything}");
    assert!(!everything.contains("Resume a session"), "{everything}");
}

#[test]
fn a_named_session_is_resumed_by_name() {
    let env = Env::returning();
    let id = env.exec_session("the named one", "named answer");
    env.exec_session("a later one", "later answer");
    codex_rollout::set_session_name(env.home.path(), &id, "fix ci").unwrap();
    let term = env.tui(&["resume", "fix ci"], &[]);
    let everything = term.wait_for(COMPOSER, WAIT);
    assert!(everything.contains("named answer"), "{everything}");
    assert!(!everything.contains("later answer"), "{everything}");
}

/// The URL the sign-in screen shows, possibly wrapped over several lines.
fn screen_url(screen: &str) -> String {
    let mut lines = screen
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("http"));
    let mut url = String::new();
    for line in lines.by_ref() {
        let part = line.trim();
        if part.is_empty() {
            break;
        }
        url.push_str(part);
    }
    url
}

/// A browser's GET: returns the `Location` of a redirect (the body otherwise).
fn http_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = authority.rsplit_once(':').unwrap();
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    let mut stream = TcpStream::connect((host, port.parse::<u16>().unwrap())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let location = response
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .map(|l| l.trim().to_owned());
    match location {
        Some(location) if location.starts_with('/') => format!("http://{authority}{location}"),
        Some(location) => location,
        None => response,
    }
}

#[test]
fn rename_in_the_chat_then_resume_by_that_name() {
    let env = Env::returning();
    env.server.push(answer("first answer"));
    let term = env.tui(&[], &[]);
    term.wait_for(COMPOSER, WAIT);
    ask(&term, "start something", "first answer");
    term.send_text("/rename my work");
    term.send_keys(&["Enter"]);
    term.wait_for("resume it with `codex resume 'my work'`", WAIT);
    // The turn may still be closing: a first Ctrl+C would only stop it; the second quits.
    term.send_keys(&["C-c"]);
    std::thread::sleep(Duration::from_millis(200));
    if term.exit_status().is_none() {
        term.send_keys(&["C-c"]);
    }
    assert_eq!(term.wait_exit(WAIT), 0);
    drop(term);

    let term = env.tui(&["resume", "my work"], &[]);
    let everything = term.wait_for(COMPOSER, WAIT);
    assert!(everything.contains("first answer"), "{everything}");
    assert!(everything.contains("start something"), "{everything}");
}
