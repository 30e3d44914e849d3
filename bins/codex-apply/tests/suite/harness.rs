//! A git repository to apply into, a CODEX_HOME with a ChatGPT sign-in, and `codex-apply`
//! pointed at the fakes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use codex_test_support::fake_chatgpt::FakeChatGpt;
use codex_test_support::fake_issuer::{FakeIssuer, access_token, id_token};
use serde_json::json;
use tempfile::TempDir;

pub(crate) const ACCOUNT: &str = "acc-123";

const SCRUBBED_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "CODEX_API_KEY",
    "CODEX_INTERNAL_ORIGINATOR_OVERRIDE",
    "CODEX_REFRESH_TOKEN_URL_OVERRIDE",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
];

/// Runs git in `dir` with no user or system config; panics when it fails.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A repository with one commit: README.md, src/lib.rs, src/old.rs.
pub(crate) struct Repo {
    pub(crate) dir: TempDir,
}

impl Repo {
    pub(crate) fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("apply-repo-")
            .tempdir()
            .unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.write("README.md", "# Demo\nline two\nline three\n");
        repo.write("src/lib.rs", "pub fn one() -> u32 {\n    1\n}\n");
        repo.write("src/old.rs", "// to be deleted\n");
        repo.git(&["add", "."]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn git(&self, args: &[&str]) -> String {
        git(self.path(), args)
    }

    pub(crate) fn write(&self, relative: &str, text: &str) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub(crate) fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative)).unwrap()
    }

    pub(crate) fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// The diff a task would produce from HEAD: README.md line two changed, src/new.rs
    /// added, src/old.rs deleted. Made by git (with blob ids, so a three-way merge can
    /// run); the work tree is clean again afterwards.
    pub(crate) fn task_diff(&self) -> String {
        self.write(
            "README.md",
            "# Demo\nline two, changed by the task\nline three\n",
        );
        self.write("src/new.rs", "pub fn two() -> u32 {\n    2\n}\n");
        std::fs::remove_file(self.path().join("src/old.rs")).unwrap();
        self.git(&["add", "-A"]);
        let diff = self.git(&["diff", "--cached"]);
        self.git(&["reset", "-q", "--hard"]);
        assert_eq!(self.git(&["status", "--porcelain"]), "");
        diff
    }

    /// What `git status --porcelain`, `git diff` and `git diff --cached` say, and the
    /// content of every file in the work tree: the repository's whole visible state.
    pub(crate) fn state(&self) -> String {
        let mut files = String::new();
        for entry in walk(self.path()) {
            let relative = entry
                .strip_prefix(self.path())
                .unwrap()
                .display()
                .to_string();
            let content = if entry.is_dir() {
                String::new()
            } else {
                String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned()
            };
            files.push_str("--- ");
            files.push_str(&relative);
            files.push('\n');
            files.push_str(&content);
        }
        format!(
            "status:\n{}\ndiff:\n{}\ncached:\n{}\nfiles:\n{files}",
            self.git(&["status", "--porcelain", "--untracked-files=all"]),
            self.git(&["diff"]),
            self.git(&["diff", "--cached"]),
        )
    }
}

/// Every file and directory under `dir` except `.git`, sorted; directories end in `/` (so
/// an empty one left behind shows).
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_none_or(|n| n != ".git"))
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        if path.is_dir() {
            out.push(path.join(""));
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A CODEX_HOME, signed in with ChatGPT unless told otherwise.
pub(crate) struct Home {
    pub(crate) dir: TempDir,
}

impl Home {
    pub(crate) fn empty() -> Home {
        Home {
            dir: tempfile::Builder::new()
                .prefix("codex-home-")
                .tempdir()
                .unwrap(),
        }
    }

    /// Signed in with ChatGPT (account [`ACCOUNT`]); the access token expires in
    /// `expires_in` seconds (negative: already expired). Returns the access token.
    pub(crate) fn chatgpt(expires_in: i64) -> (Home, String) {
        let home = Home::empty();
        let access = access_token("stored", expires_in);
        let file = json!({
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": null,
            "tokens": {
                "id_token": id_token("dev@example.com", "pro", ACCOUNT),
                "access_token": access,
                "refresh_token": "rt-stored",
                "account_id": ACCOUNT
            },
            "last_refresh": chrono::Utc::now().to_rfc3339(),
        });
        home.write_auth(&file.to_string());
        (home, access)
    }

    pub(crate) fn api_key() -> Home {
        let home = Home::empty();
        home.write_auth(r#"{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test-0123456789"}"#);
        home
    }

    fn write_auth(&self, text: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.path().join("auth.json");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `codex-apply ARGS` in `repo`, with `home` as CODEX_HOME, the backend as
/// `chatgpt_base_url` and refreshes going to `issuer`.
pub(crate) fn apply(
    home: &Home,
    repo: &Path,
    backend: &FakeChatGpt,
    issuer: Option<&FakeIssuer>,
) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("codex-apply"));
    cmd.current_dir(repo)
        .env("CODEX_HOME", home.path())
        .env("HOME", home.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", &format!("chatgpt_base_url={}", backend.base_url())])
        .timeout(Duration::from_secs(30));
    for var in SCRUBBED_VARS {
        cmd.env_remove(var);
    }
    if let Some(issuer) = issuer {
        cmd.env("CODEX_REFRESH_TOKEN_URL_OVERRIDE", issuer.token_url());
    }
    cmd
}

/// Output with the throwaway paths replaced, for snapshots.
pub(crate) fn scrub(text: &[u8], repo: &Path) -> String {
    let text = String::from_utf8_lossy(text).into_owned();
    let real = std::fs::canonicalize(repo).unwrap();
    text.replace(&real.display().to_string(), "[REPO]")
        .replace(&repo.display().to_string(), "[REPO]")
}
