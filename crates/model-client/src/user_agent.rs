//! The `originator` header and the User-Agent, built without spawning a process (Codex runs
//! `lsb_release` and `getconf` for this, about 100 ms per start): the OS comes from
//! `/etc/os-release`, the architecture from `uname(2)`.

use std::sync::OnceLock;

/// The originator when the caller sets none.
pub const DEFAULT_ORIGINATOR: &str = "codex_cli_rs";

/// Environment variable that overrides any originator the program chose.
pub const ORIGINATOR_OVERRIDE_ENV: &str = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE";

/// The originator to send: the override variable when non-empty, else `requested`, else
/// [`DEFAULT_ORIGINATOR`].
pub fn originator(requested: Option<&str>) -> String {
    std::env::var(ORIGINATOR_OVERRIDE_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| requested.filter(|r| !r.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| DEFAULT_ORIGINATOR.to_owned())
}

/// `{originator}/{version} ({os} {os_version}; {arch}) {terminal}` plus ` ({suffix})`,
/// with anything that is not printable ASCII replaced by `_`.
pub fn user_agent(originator: &str, suffix: Option<&str>) -> String {
    let (os, os_version) = os_type_and_version();
    let mut ua = format!(
        "{originator}/{} ({os} {os_version}; {}) {}",
        env!("CARGO_PKG_VERSION"),
        arch(),
        terminal()
    );
    if let Some(suffix) = suffix.filter(|s| !s.is_empty()) {
        ua.push_str(" (");
        ua.push_str(suffix);
        ua.push(')');
    }
    sanitize(&ua)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '_' })
        .collect()
}

/// `TERM_PROGRAM[/TERM_PROGRAM_VERSION]`, else `TERM`, else `unknown`.
fn terminal() -> String {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(program) = var("TERM_PROGRAM") {
        return match var("TERM_PROGRAM_VERSION") {
            Some(version) => format!("{program}/{version}"),
            None => program,
        };
    }
    var("TERM").unwrap_or_else(|| "unknown".to_owned())
}

fn os_type_and_version() -> &'static (String, String) {
    static OS: OnceLock<(String, String)> = OnceLock::new();
    OS.get_or_init(|| {
        std::fs::read_to_string("/etc/os-release")
            .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
            .ok()
            .and_then(|text| parse_os_release(&text))
            .unwrap_or_else(|| ("Linux".to_owned(), uname_field(UnameField::Release)))
    })
}

/// `(type, version)` from os-release text: a display name for `ID`, and `VERSION_ID`
/// padded to three numeric parts (`12` → `12.0.0`), as Codex's os_info prints them.
fn parse_os_release(text: &str) -> Option<(String, String)> {
    let field = |key: &str| {
        text.lines().find_map(|line| {
            let value = line.strip_prefix(key)?.strip_prefix('=')?;
            Some(
                value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned(),
            )
        })
    };
    let id = field("ID");
    let name = match id.as_deref() {
        Some("debian") => "Debian".to_owned(),
        Some("ubuntu") => "Ubuntu".to_owned(),
        Some("fedora") => "Fedora".to_owned(),
        Some("arch") => "Arch Linux".to_owned(),
        Some("alpine") => "Alpine Linux".to_owned(),
        Some("nixos") => "NixOS".to_owned(),
        Some("centos") => "CentOS".to_owned(),
        Some("rhel") => "Red Hat Enterprise Linux".to_owned(),
        _ => field("NAME").or(id)?,
    };
    let version =
        field("VERSION_ID").map_or_else(|| "Rolling Release".to_owned(), |v| pad_version(&v));
    Some((name, version))
}

fn pad_version(version: &str) -> String {
    let parts: Option<Vec<u64>> = version.split('.').map(|p| p.parse().ok()).collect();
    match parts {
        Some(mut parts) if !parts.is_empty() && parts.len() <= 3 => {
            parts.resize(3, 0);
            parts
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        }
        _ => version.to_owned(),
    }
}

fn arch() -> String {
    let machine = uname_field(UnameField::Machine);
    if machine.is_empty() {
        std::env::consts::ARCH.to_owned()
    } else {
        machine
    }
}

#[derive(Clone, Copy)]
enum UnameField {
    Release,
    Machine,
}

#[cfg(unix)]
fn uname_field(field: UnameField) -> String {
    // SAFETY: `utsname` is a plain C struct of byte arrays, for which all-zero is valid.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `uts` is a valid, writable `utsname`; uname fills it in.
    if unsafe { libc::uname(&raw mut uts) } != 0 {
        return String::new();
    }
    let raw = match field {
        UnameField::Release => &uts.release[..],
        UnameField::Machine => &uts.machine[..],
    };
    // The fields are NUL-terminated within their arrays; stop at the first NUL.
    let bytes: Vec<u8> = raw
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(not(unix))]
fn uname_field(_: UnameField) -> String {
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_is_read_like_os_info() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";
        assert_eq!(
            parse_os_release(debian),
            Some(("Debian".to_owned(), "12.0.0".to_owned()))
        );
        let ubuntu = "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n";
        assert_eq!(
            parse_os_release(ubuntu),
            Some(("Ubuntu".to_owned(), "22.4.0".to_owned()))
        );
        let other = "NAME=\"Gentoo\"\nID=gentoo\n";
        assert_eq!(
            parse_os_release(other),
            Some(("Gentoo".to_owned(), "Rolling Release".to_owned()))
        );
    }

    #[test]
    fn user_agent_has_codex_shape() {
        let ua = user_agent("codex_exec", Some("mcp; 1.0"));
        assert!(
            ua.starts_with(&format!("codex_exec/{} (", env!("CARGO_PKG_VERSION"))),
            "{ua}"
        );
        assert!(ua.contains(&format!("; {}) ", arch())), "{ua}");
        assert!(ua.ends_with(" (mcp; 1.0)"), "{ua}");
        assert_eq!(sanitize("a\u{e9}\nb"), "a__b");
    }
}
