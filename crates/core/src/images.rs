//! Local images attached to a prompt, sent inline as `data:` URLs.

use std::path::Path;

use base64::Engine as _;

/// Reads an image and returns a `data:` URL, or why it cannot be sent.
pub(crate) fn data_url(path: &Path) -> Result<String, String> {
    let mime = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => return Err("only png, jpeg, gif and webp images are supported".to_owned()),
    };
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}
