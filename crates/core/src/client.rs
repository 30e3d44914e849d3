//! Building the model client of a conversation from its configuration.

use std::path::PathBuf;

use codex_config::Config;
use codex_model_client::{BearerSource, ModelClient, ModelClientConfig};

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
