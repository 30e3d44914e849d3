//! The `view_image` tool: the model names an image file, and it is attached to the
//! conversation as a user message with an `input_image`, after the call's output. The read is
//! held to the sandbox policy's readable area and to real images of bounded size (see
//! [`crate::images::data_url_for_model`]).

use codex_protocol::ResponseItem;
use codex_protocol::models::ContentItem;
use serde::Deserialize;

use crate::session::Session;

/// Arguments of a `view_image` call.
#[derive(Debug, Deserialize)]
pub(crate) struct ViewImageArgs {
    path: String,
}

/// What the model reads when the image was attached (Codex's wording).
const ATTACHED: &str = "attached local image path";

pub(crate) fn handle(sess: &Session, args: &ViewImageArgs) -> String {
    let path = crate::exec::resolve_workdir(&sess.config.cwd, Some(&args.path));
    match crate::images::data_url_for_model(&path, &sess.config.sandbox_deny_read) {
        Ok(image_url) => {
            sess.inject_input(vec![ResponseItem::Message {
                id: None,
                role: "user".to_owned(),
                content: vec![ContentItem::InputImage { image_url }],
            }]);
            ATTACHED.to_owned()
        }
        Err(e) => format!("view_image failed: {e}"),
    }
}
