//! Where the prompt comes from: the argument, stdin, or both.

use std::io::{IsTerminal, Read};

use anyhow::{Context, bail};

/// Reads the prompt following Codex's rules: an argument other than `-` is the prompt, and
/// piped stdin is appended to it as a `<stdin>` block; `-` or no argument reads stdin.
pub(crate) fn resolve_prompt(
    arg: Option<&str>,
    notices: &mut dyn FnMut(&str),
) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    match arg {
        Some(prompt) if prompt != "-" => {
            if stdin.is_terminal() {
                return Ok(prompt.to_owned());
            }
            let extra = read_stdin()?;
            if extra.trim().is_empty() {
                Ok(prompt.to_owned())
            } else {
                notices("Reading additional input from stdin...");
                Ok(format!("{prompt}\n\n<stdin>\n{extra}\n</stdin>"))
            }
        }
        other => {
            if other.is_none() {
                if stdin.is_terminal() {
                    bail!(
                        "no prompt given: pass it as an argument, or pipe it into stdin (`echo \"...\" | codex-exec`)"
                    );
                }
                notices("Reading prompt from stdin...");
            }
            let text = read_stdin()?;
            if text.trim().is_empty() {
                bail!("no prompt given: stdin was empty");
            }
            Ok(text)
        }
    }
}

fn read_stdin() -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("could not read the prompt from stdin")?;
    decode(bytes)
}

/// UTF-8 (a BOM is dropped) or UTF-16 with a BOM; anything else is refused with the offset.
fn decode(bytes: Vec<u8>) -> anyhow::Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = |le: bool, rest: &[u8]| -> anyhow::Result<String> {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).context("stdin is UTF-16 but not valid UTF-16")
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(true, rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(false, rest);
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the prompt on stdin is not valid UTF-8 (invalid byte at offset {}); convert it first, e.g. with iconv",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_boms_and_rejects_bad_bytes() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec()).unwrap(), "hi");
        assert_eq!(decode(vec![0xFF, 0xFE, b'h', 0, b'i', 0]).unwrap(), "hi");
        let err = decode(b"ok\xFFno".to_vec()).unwrap_err().to_string();
        assert!(err.contains("offset 2"), "{err}");
    }
}
