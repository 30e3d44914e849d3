//! Local images sent inline as `data:` URLs: the ones a user attaches to a prompt, and the
//! ones the model asks to see with `view_image`.

use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

/// The largest image the model may have read for it; larger files are refused unread.
pub(crate) const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

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
    Ok(encode(mime, &bytes))
}

/// Reads an image the model named, as a `data:` URL. The model is not trusted: the file must
/// be readable under the sandbox policy (not under a `deny_read` path, symlinks resolved), a
/// regular file of at most [`MAX_IMAGE_BYTES`], and its bytes must be an image (png, jpeg, gif
/// or webp), so that the tool cannot carry any other file's text to the model.
pub(crate) fn data_url_for_model(path: &Path, deny_read: &[PathBuf]) -> Result<String, String> {
    let resolved = path
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let denied = deny_read.iter().any(|denied| {
        resolved.starts_with(denied)
            || denied
                .canonicalize()
                .is_ok_and(|denied| resolved.starts_with(denied))
    });
    if denied {
        return Err(format!(
            "{} is not readable under the sandbox policy ([sandbox] deny_read)",
            path.display()
        ));
    }
    // The resolved path has no symlink left; O_NOFOLLOW keeps one swapped in meanwhile from
    // being followed.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&resolved)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "{} has {} bytes, more than the {MAX_IMAGE_BYTES} an image may have here",
            path.display(),
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_IMAGE_BYTES {
        return Err(format!(
            "{} grew past {MAX_IMAGE_BYTES} bytes",
            path.display()
        ));
    }
    let mime = sniff(&bytes).ok_or_else(|| {
        format!(
            "{} is not a png, jpeg, gif or webp image (judged by its contents)",
            path.display()
        )
    })?;
    Ok(encode(mime, &bytes))
}

/// The image type named by a file's first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn encode(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn an_image_in_a_readable_place_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shot.bin");
        std::fs::write(&path, PNG).unwrap();
        let url = data_url_for_model(&path, &[]).unwrap();
        assert!(url.starts_with("data:image/png;base64,"), "{url}");
    }

    #[test]
    fn text_named_like_an_image_and_denied_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret.png");
        std::fs::write(&secret, "API_KEY=abc").unwrap();
        let err = data_url_for_model(&secret, &[]).unwrap_err();
        assert!(err.contains("not a png, jpeg, gif or webp"), "{err}");

        let hidden = dir.path().join("private");
        std::fs::create_dir(&hidden).unwrap();
        std::fs::write(hidden.join("shot.png"), PNG).unwrap();
        let link = dir.path().join("link.png");
        std::os::unix::fs::symlink(hidden.join("shot.png"), &link).unwrap();
        let err = data_url_for_model(&link, std::slice::from_ref(&hidden)).unwrap_err();
        assert!(err.contains("deny_read"), "{err}");
        let err = data_url_for_model(Path::new("/dev/zero"), &[]).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
