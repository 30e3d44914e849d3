//! Ollama's own endpoints, for `--oss`: is the model there, and if not, pull it with progress.
//!
//! Other OpenAI-compatible local servers (llama.cpp's, LM Studio, vLLM) do not have these
//! endpoints; [`find_model`] tells them apart, so callers skip the Ollama-only steps there
//! instead of failing.

use std::time::Duration;

use futures::StreamExt;
use serde::Deserialize;

/// What a local server said about a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalModel {
    /// Ollama has it.
    Present,
    /// Ollama does not have it yet: pull it.
    Missing,
    /// Not an Ollama server (no model list): nothing to check or pull.
    NotOllama,
}

/// One progress line of a pull, as Ollama streams it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PullProgress {
    /// `pulling manifest`, `downloading ...`, `success`, ...
    #[serde(default)]
    pub status: String,
    /// Bytes done of the current layer.
    #[serde(default)]
    pub completed: Option<u64>,
    /// Bytes of the current layer.
    #[serde(default)]
    pub total: Option<u64>,
}

/// Why talking to the local server failed. Whether a retry helps depends on the server: each
/// message says what was tried.
#[derive(Debug, thiserror::Error)]
pub enum OllamaError {
    /// The server could not be reached (not running, wrong port).
    #[error(
        "cannot reach the local model server at {url}: {reason}; is it running? (set CODEX_OSS_BASE_URL or CODEX_OSS_PORT if it listens elsewhere)"
    )]
    Unreachable {
        /// The URL tried.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// The pull answered with an error (unknown model name, disk full, ...).
    #[error("Ollama could not pull `{model}`: {message}")]
    Pull {
        /// The model asked for.
        model: String,
        /// Ollama's words.
        message: String,
    },
}

/// The server's root: Ollama's own API lives beside the OpenAI-compatible `/v1`.
fn root(base_url: &str) -> &str {
    let trimmed = base_url.trim_end_matches('/');
    trimmed.strip_suffix("/v1").unwrap_or(trimmed)
}

fn client() -> Result<reqwest::Client, OllamaError> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| OllamaError::Unreachable {
            url: String::new(),
            reason: e.to_string(),
        })
}

#[derive(Deserialize)]
struct Tags {
    models: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    name: String,
}

/// Looks `model` up in Ollama's model list (`GET /api/tags`). A server without that endpoint,
/// or whose answer is not Ollama's list, is [`LocalModel::NotOllama`]. `name` and `name:latest`
/// are the same model to Ollama.
pub async fn find_model(base_url: &str, model: &str) -> Result<LocalModel, OllamaError> {
    let url = format!("{}/api/tags", root(base_url));
    let response = client()?
        .get(&url)
        .send()
        .await
        .map_err(|e| OllamaError::Unreachable {
            url: url.clone(),
            reason: e.to_string(),
        })?;
    if !response.status().is_success() {
        return Ok(LocalModel::NotOllama);
    }
    let Ok(tags) = response.json::<Tags>().await else {
        return Ok(LocalModel::NotOllama);
    };
    let same = |name: &str| name == model || name.strip_suffix(":latest") == Some(model);
    Ok(if tags.models.iter().any(|t| same(&t.name)) {
        LocalModel::Present
    } else {
        LocalModel::Missing
    })
}

/// Pulls `model` (`POST /api/pull`, streamed), calling `on_progress` for each line.
pub async fn pull_model(
    base_url: &str,
    model: &str,
    on_progress: &mut (dyn FnMut(&PullProgress) + Send),
) -> Result<(), OllamaError> {
    let url = format!("{}/api/pull", root(base_url));
    let unreachable = |e: reqwest::Error| OllamaError::Unreachable {
        url: url.clone(),
        reason: e.to_string(),
    };
    let response = client()?
        .post(&url)
        .json(&serde_json::json!({"model": model, "stream": true}))
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let mut body = response.bytes_stream();
    let mut pending = Vec::new();
    let mut last_status = String::new();
    while let Some(chunk) = body.next().await {
        pending.extend_from_slice(&chunk.map_err(unreachable)?);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            last_status = handle_line(model, &line, on_progress)?.unwrap_or(last_status);
        }
    }
    if !pending.is_empty() {
        last_status = handle_line(model, &pending, on_progress)?.unwrap_or(last_status);
    }
    if !status.is_success() || last_status != "success" {
        return Err(OllamaError::Pull {
            model: model.to_owned(),
            message: format!("the pull ended with HTTP {status} after `{last_status}`"),
        });
    }
    Ok(())
}

/// One line of the pull stream: progress, or Ollama's `{"error": ...}`.
fn handle_line(
    model: &str,
    line: &[u8],
    on_progress: &mut (dyn FnMut(&PullProgress) + Send),
) -> Result<Option<String>, OllamaError> {
    #[derive(Deserialize)]
    struct ErrorLine {
        error: String,
    }
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(ErrorLine { error }) = serde_json::from_str::<ErrorLine>(text) {
        return Err(OllamaError::Pull {
            model: model.to_owned(),
            message: error,
        });
    }
    match serde_json::from_str::<PullProgress>(text) {
        Ok(progress) => {
            on_progress(&progress);
            Ok(Some(progress.status))
        }
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::root;

    #[test]
    fn the_root_is_beside_v1() {
        assert_eq!(root("http://localhost:11434/v1"), "http://localhost:11434");
        assert_eq!(root("http://localhost:11434/v1/"), "http://localhost:11434");
        assert_eq!(root("http://h:1"), "http://h:1");
    }
}
