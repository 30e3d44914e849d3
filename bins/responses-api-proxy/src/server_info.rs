//! The `--server-info` file: how a launcher learns the port and pid of a proxy it started.

use std::io::Write as _;
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
/// The line goes to a temporary file in the same directory that is then renamed over `path`, so
/// a reader polling for the file never sees it half written.
pub fn write_server_info(path: &Path, port: u16) -> Result<(), ServerInfoError> {
    let error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ServerInfoError { path, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(error(parent))?;
    }
    let pid = std::process::id();
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp-{pid}"));
    let temp = PathBuf::from(temp);
    let written = std::fs::File::create(&temp)
        .and_then(|mut file| file.write_all(server_info_line(port, pid).as_bytes()))
        .and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(error(path))
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
