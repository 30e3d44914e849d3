//! Building the model client of a conversation from its configuration.

use std::path::PathBuf;

use codex_config::Config;
use codex_model_client::{BearerSource, ModelClient, ModelClientConfig, Reasoning};
use codex_protocol::ReasoningSummary;

use crate::CoreError;

pub(crate) fn build(
    config: &Config,
    bearer: BearerSource,
    originator: &str,
    conversation_id: &str,
    record: Option<PathBuf>,
) -> Result<ModelClient, CoreError> {
    let mut client_config = ModelClientConfig::new(
        config.model_provider_id.clone(),
        config.model_provider.clone(),
        config.model.clone(),
    );
    client_config.bearer = bearer;
    client_config.originator = Some(originator.to_owned());
    client_config.conversation_id = Some(conversation_id.to_owned());
    client_config.record = record.or_else(|| config.record_model_exchanges.clone());
    Ok(ModelClient::new(client_config)?)
}

/// Reasoning settings for the request, when the user configured any.
pub(crate) fn reasoning(config: &Config) -> Option<Reasoning> {
    if config.model_reasoning_effort.is_none() && config.model_reasoning_summary.is_none() {
        return None;
    }
    Some(Reasoning {
        effort: config.model_reasoning_effort,
        summary: config
            .model_reasoning_summary
            .filter(|s| *s != ReasoningSummary::None),
    })
}
