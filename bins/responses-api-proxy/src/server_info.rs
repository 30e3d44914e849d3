//! The `--server-info` file: how a launcher learns the port and pid of a proxy it started.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Why the server-info file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("could not write the --server-info file {path}: {source}")]
pub struct ServerInfoError {
    /// The file (or the directory that could not be created).
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

/// The file's one line: `{"port":N,"pid":N}` and a newline.
pub fn server_info_line(port: u16, pid: u32) -> String {
    format!("{{\"port\":{port},\"pid\":{pid}}}\n")
}

/// Writes the line for `port` and this process to `path`, creating parent directories.
///
/// The line goes to a new file under a random name in the same directory, created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0644, which is then renamed over `path`: a reader
/// polling for the file never sees it half written, and in a shared directory such as `/tmp`
/// nobody can plant a symlink or a file of their own for the proxy to write through (`rename`
/// replaces a symlink at `path` itself, never its target).
pub fn write_server_info(path: &Path, port: u16) -> Result<(), ServerInfoError> {
    let error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ServerInfoError { path, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(error(parent))?;
    }
    let pid = std::process::id();
    let temp = temp_path(path).map_err(error(path))?;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&temp)
        .and_then(|mut file| {
            // The umask may have narrowed the mode; launchers of other users read the file.
            file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
            file.write_all(server_info_line(port, pid).as_bytes())
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(error(path))
}

/// `<path>.<random hex>.tmp`: unpredictable, so that it cannot be planted in advance.
fn temp_path(path: &Path) -> std::io::Result<PathBuf> {
    let mut random = [0u8; 16];
    let mut filled = 0;
    while filled < random.len() {
        let rest = &mut random[filled..];
        // SAFETY: `rest` is a valid, writable buffer of `rest.len()` bytes for the whole call.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err);
            }
            continue;
        }
        filled += n.unsigned_abs();
    }
    let suffix = random.iter().fold(String::new(), |mut hex, b| {
        hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        hex
    });
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".{suffix}.tmp"));
    Ok(PathBuf::from(temp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_is_compact_json_with_a_newline() {
        assert_eq!(server_info_line(8080, 42), "{\"port\":8080,\"pid\":42}\n");
    }

    #[test]
    fn creates_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/info.json");
        write_server_info(&path, 1234).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, server_info_line(1234, std::process::id()));
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn temp_names_differ_every_time() {
        let path = Path::new("/run/info.json");
        let (a, b) = (temp_path(path).unwrap(), temp_path(path).unwrap());
        assert_ne!(a, b);
        assert!(a.to_string_lossy().starts_with("/run/info.json."), "{a:?}");
    }

    #[test]
    fn the_file_is_0644_whatever_the_umask_and_replaces_a_symlink() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let path = dir.path().join("info.json");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write_server_info(&path, 7).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.mode() & 0o777, 0o644);
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let err = write_server_info(&blocker.join("info.json"), 1).unwrap_err();
        assert!(err.to_string().contains("--server-info"), "{err}");
        assert!(
            err.to_string().contains(&*blocker.to_string_lossy()),
            "{err}"
        );
    }
}
