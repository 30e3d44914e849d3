//! The comment-keeping editor of config.toml: every change the toolkit makes to a user's file
//! (`codex mcp add`, the TUI's trust prompt) goes through `toml_edit`, so comments, key order
//! and formatting outside the edited table survive. The file is replaced atomically (a new file
//! beside it, then a rename), keeping its permissions.

use std::io::Write as _;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Table};

use crate::ConfigError;

/// Reads `config_file`, applies `edit` to it and writes it back when `edit` says it changed
/// something. A missing file reads as empty (and is created when changed).
pub fn edit_config_file<T>(
    config_file: &Path,
    edit: impl FnOnce(&mut DocumentMut) -> Result<(T, bool), ConfigError>,
) -> Result<T, ConfigError> {
    let mut doc = read_document(config_file)?;
    let (out, changed) = edit(&mut doc)?;
    if changed {
        write_document(config_file, &doc)?;
    }
    Ok(out)
}

/// The top-level table `name` of `doc`, created implicit (no bare `[name]` header, only its
/// sub-tables appear) when missing. Fails, naming the key, when `name` holds a value that is
/// not a table.
pub(crate) fn implicit_table<'a>(
    doc: &'a mut DocumentMut,
    name: &str,
    config_file: &Path,
    hint: &str,
) -> Result<&'a mut Table, ConfigError> {
    let item = doc.entry(name).or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    item.as_table_mut().ok_or_else(|| ConfigError::InvalidKey {
        path: config_file.to_path_buf(),
        line: 1,
        key: name.to_owned(),
        message: format!("is not a table; {hint}"),
    })
}

pub(crate) fn read_document(config_file: &Path) -> Result<DocumentMut, ConfigError> {
    let text = match std::fs::read_to_string(config_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(ConfigError::Io {
                path: config_file.to_path_buf(),
                error,
            });
        }
    };
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(&text, span.start));
        ConfigError::Syntax {
            path: config_file.to_path_buf(),
            line,
            column,
            message: e.message().to_owned(),
        }
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, str::len) + 1;
    (line, column)
}

pub(crate) fn write_document(config_file: &Path, doc: &DocumentMut) -> Result<(), ConfigError> {
    let io_err = |error| ConfigError::Io {
        path: config_file.to_path_buf(),
        error,
    };
    let dir = config_file.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let file_name = config_file.file_name().map_or_else(
        || "config.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{file_name}.{}.{nanos}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mode = std::fs::metadata(config_file).map_or(0o600, |m| {
            std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777
        });
        options.mode(mode).custom_flags(libc_o_nofollow());
    }
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(doc.to_string().as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = result.and_then(|()| std::fs::rename(&tmp, config_file)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(error));
    }
    Ok(())
}

/// `O_NOFOLLOW` on Linux, without a libc dependency for one constant.
#[cfg(unix)]
fn libc_o_nofollow() -> i32 {
    if cfg!(target_os = "linux") {
        0o400_000
    } else {
        0
    }
}
