//! Credentials for the model: `CODEX_API_KEY` first (scripts), then what `codex-login`
//! stored, through the shared AuthManager.

use anyhow::bail;
use codex_auth::AuthManager;
use codex_config::Config;
use codex_model_client::BearerSource;

pub(crate) fn bearer_source(config: &Config) -> anyhow::Result<BearerSource> {
    if !config.model_provider.requires_openai_auth {
        return Ok(BearerSource::None);
    }
    // codex-exec honours CODEX_API_KEY (it wins over a stored login), as Codex's exec does.
    let manager = AuthManager::new(config.codex_home.clone(), true);
    match manager.try_auth()? {
        Some(_) => Ok(codex_core::bearer_from_auth_manager(manager)),
        None if config.model_provider.env_key.is_some()
            || config.model_provider.experimental_bearer_token.is_some() =>
        {
            Ok(BearerSource::None)
        }
        None => bail!(
            "not logged in to {}: run `codex login` (or pipe a key to `codex login --with-api-key`), or set CODEX_API_KEY",
            config.model_provider.name
        ),
    }
}
