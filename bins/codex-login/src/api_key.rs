//! `--with-api-key`: the key arrives on stdin, never on the command line.

use std::io::{IsTerminal as _, Read};
use std::path::Path;
use std::process::ExitCode;

use crate::PIPE_EXAMPLE;

/// Why no key could be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyInputError {
    /// stdin is a terminal: typing a key there is easy to get wrong and we want it piped.
    Terminal,
    /// stdin was empty or blank.
    Empty,
    /// stdin could not be read (or was not UTF-8).
    Read(String),
}

impl std::fmt::Display for KeyInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyInputError::Terminal => write!(
                f,
                "--with-api-key reads the key from stdin, which is a terminal here. Pipe the \
                 key in instead, e.g. `{PIPE_EXAMPLE}`."
            ),
            KeyInputError::Empty => write!(
                f,
                "No API key arrived on stdin. Pipe one in, e.g. `{PIPE_EXAMPLE}`."
            ),
            KeyInputError::Read(e) => write!(f, "Cannot read the API key from stdin: {e}"),
        }
    }
}

/// Reads one key from `input`, refusing a terminal and blank input.
pub(crate) fn read_key(
    stdin_is_terminal: bool,
    mut input: impl Read,
) -> Result<String, KeyInputError> {
    if stdin_is_terminal {
        return Err(KeyInputError::Terminal);
    }
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| KeyInputError::Read(e.to_string()))?;
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyInputError::Empty);
    }
    Ok(key.to_owned())
}

pub(crate) fn run(codex_home: &Path) -> ExitCode {
    let stdin = std::io::stdin();
    let is_terminal = stdin.is_terminal();
    if !is_terminal {
        eprintln!("Reading API key from stdin...");
    }
    let key = match read_key(is_terminal, stdin.lock()) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    crate::report_login(codex_auth::login::login_with_api_key(codex_home, &key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_blank_input_are_refused() {
        assert_eq!(read_key(true, &b"sk-1"[..]), Err(KeyInputError::Terminal));
        assert_eq!(read_key(false, &b"  \n"[..]), Err(KeyInputError::Empty));
        assert_eq!(read_key(false, &b"sk-1\n"[..]).unwrap(), "sk-1");
        assert!(KeyInputError::Terminal.to_string().contains(PIPE_EXAMPLE));
    }
}
