//! `--oss`: before the first turn, make sure the local server has the model. Ollama is asked
//! (and the model pulled, with progress, when missing); any other OpenAI-compatible server is
//! used as it is.

use codex_config::{Config, OSS_PROVIDER_ID};
use codex_model_client::ollama::{self, LocalModel, PullProgress};

use crate::CoreError;

/// What the front end is told while a model is prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalModelProgress {
    /// The server is not Ollama; the model is used as configured.
    NotOllama,
    /// Ollama already has the model.
    Present,
    /// A line of a pull: status and, when known, the percentage of the current layer.
    Pulling {
        /// Ollama's status (`pulling manifest`, `downloading ...`).
        status: String,
        /// Percentage of the current layer, when Ollama says.
        percent: Option<u8>,
    },
    /// The pull finished.
    Pulled,
}

/// For the `oss` provider: checks the model and pulls it when Ollama lacks it. Other providers
/// are left alone.
pub async fn prepare_local_model(
    config: &Config,
    mut on_progress: impl FnMut(LocalModelProgress) + Send,
) -> Result<(), CoreError> {
    if config.model_provider_id != OSS_PROVIDER_ID {
        return Ok(());
    }
    let Some(base_url) = config.model_provider.base_url.as_deref() else {
        return Ok(());
    };
    match ollama::find_model(base_url, &config.model).await? {
        LocalModel::NotOllama => on_progress(LocalModelProgress::NotOllama),
        LocalModel::Present => on_progress(LocalModelProgress::Present),
        LocalModel::Missing => {
            let mut report = |p: &PullProgress| {
                let percent = match (p.completed, p.total) {
                    (Some(done), Some(total)) if total > 0 => {
                        Some((done.saturating_mul(100) / total).min(100) as u8)
                    }
                    _ => None,
                };
                on_progress(LocalModelProgress::Pulling {
                    status: p.status.clone(),
                    percent,
                });
            };
            ollama::pull_model(base_url, &config.model, &mut report).await?;
            on_progress(LocalModelProgress::Pulled);
        }
    }
    Ok(())
}
