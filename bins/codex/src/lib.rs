//! The `codex` shim: `codex <sub> ARGS` runs the binary that serves `<sub>`.
//!
//! - Known names map to our binaries (`exec`/`e` -> `codex-exec`, `logout` -> `codex-login
//!   logout`, `resume` -> `codex-tui resume`, ...); any other name `foo` runs `codex-foo`.
//! - A binary is looked up beside this executable first, then on `PATH`, so an installed set
//!   stays together and users can add their own `codex-foo` commands.
//! - No subcommand (or only options) starts the terminal UI with those options.
//! - The binary replaces this process (`exec(2)`): exit codes and signals reach the caller
//!   unchanged, and nothing is left running in between.
//!
//! Exit status of the shim itself: 2 for an unknown subcommand or a bad argument, 1 when the
//! target binary cannot be started.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A command-line front end prints.

mod subcommands;

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Command;
use clap_complete::Shell;
use codex_cli::INVOKED_AS_ENV;

use subcommands::{SUBCOMMANDS, Subcommand};

/// What `codex --version` prints; the `codex-cli X.Y.Z` form scripts already parse.
const VERSION_LINE: &str = concat!("codex-cli ", env!("CARGO_PKG_VERSION"));

/// Runs the shim with the process arguments (`args[0]` is the program name).
pub fn run(args: &[OsString]) -> ExitCode {
    let rest = args.get(1..).unwrap_or_default();
    let Some(first) = rest.first() else {
        return exec_binary("codex-tui", &[], &[], "codex");
    };
    let Some(first) = first.to_str() else {
        eprintln!(
            "codex: the subcommand {} is not valid UTF-8; run `codex --help` for the list",
            first.to_string_lossy()
        );
        return ExitCode::from(2);
    };
    match first {
        "--version" | "-V" => {
            println!("{VERSION_LINE}");
            ExitCode::SUCCESS
        }
        "--help" | "-h" => print_help(),
        "help" => match rest.get(1).and_then(|s| s.to_str()) {
            None => print_help(),
            Some(sub) => dispatch(sub, &[OsString::from("--help")]),
        },
        "completion" => completion(&rest[1..]),
        // Config options before a subcommand go to it (`codex -c k=v exec ...`, as Codex
        // prepends root overrides); the terminal UI's own options (`-m`, `-s`, ...) do not, as
        // in Codex, and saying so beats a silent surprise. Options without a subcommand belong
        // to the terminal UI.
        option if option.starts_with('-') => match split_root_options(rest) {
            Some((options, sub, after)) => {
                let mut args = forwarded_root_options(options, sub);
                args.extend_from_slice(after);
                dispatch(sub, &args)
            }
            None => exec_binary("codex-tui", &[], rest, "codex"),
        },
        sub => dispatch(sub, &rest[1..]),
    }
}

fn dispatch(name: &str, args: &[OsString]) -> ExitCode {
    if let Some(sub) = subcommands::find(name) {
        let args = strip_platform_word(sub, args);
        return exec_binary(sub.binary, sub.prefix, args, &format!("codex {}", sub.name));
    }
    let binary = format!("codex-{name}");
    if is_command_name(name) && locate(&binary).is_some() {
        return exec_binary(&binary, &[], args, &format!("codex {name}"));
    }
    if !is_command_name(name) {
        // Not a command name: a prompt for the terminal UI (`codex "fix the tests"`).
        let mut all = vec![OsString::from(name)];
        all.extend(args.iter().cloned());
        return exec_binary("codex-tui", &[], &all, "codex");
    }
    eprintln!(
        "codex: `{name}` is not a codex command and no `{binary}` was found beside codex or on PATH.\n\
         Run `codex --help` for the list. To start the terminal UI with this as the prompt, run `codex -- {name}`."
    );
    ExitCode::from(2)
}

/// Root options that take a value; the value is never a subcommand.
const VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--config",
    "-p",
    "--profile",
    "-m",
    "--model",
    "-s",
    "--sandbox",
    "-a",
    "--ask-for-approval",
    "-C",
    "--cd",
    "-i",
    "--image",
    "--enable",
    "--disable",
];

/// Root options that reach a subcommand: configuration, which every binary takes.
const CONFIG_OPTIONS: &[&str] = &["-c", "--config", "-p", "--profile", "--enable", "--disable"];

/// The root options a subcommand gets; the others are named on stderr as ignored.
fn forwarded_root_options(options: &[OsString], sub: &str) -> Vec<OsString> {
    let mut kept = Vec::new();
    let mut i = 0;
    while let Some(option) = options.get(i) {
        let name = option.to_str().unwrap_or_default();
        let (flag, inline_value) = name
            .split_once('=')
            .map_or((name, false), |(f, _)| (f, true));
        let width = if VALUE_OPTIONS.contains(&flag) && !inline_value {
            2
        } else {
            1
        };
        let group = &options[i..(i + width).min(options.len())];
        if CONFIG_OPTIONS.contains(&flag) {
            kept.extend_from_slice(group);
        } else {
            eprintln!(
                "codex: `{flag}` before `{sub}` is an option of the terminal UI and is ignored; put it after `{sub}` to use it there"
            );
        }
        i += width;
    }
    kept
}

/// Splits `[options] SUB [args]` when SUB is a known subcommand: the options, its name, the
/// rest. `None` when the first word after the options is not a subcommand (a TUI prompt).
fn split_root_options(args: &[OsString]) -> Option<(&[OsString], &str, &[OsString])> {
    let mut i = 0;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        if arg == "--" {
            return None;
        }
        if !arg.starts_with('-') {
            return subcommands::find(arg).map(|_| (&args[..i], arg, &args[i + 1..]));
        }
        i += if VALUE_OPTIONS.contains(&arg) { 2 } else { 1 };
    }
    None
}

/// `codex sandbox linux CMD` is Codex's spelling; the platform word is implied here.
fn strip_platform_word<'a>(sub: &Subcommand, args: &'a [OsString]) -> &'a [OsString] {
    match args.first().and_then(|a| a.to_str()) {
        Some("linux" | "landlock") if sub.name == "sandbox" => &args[1..],
        _ => args,
    }
}

/// A word that could name a subcommand: lowercase letters, digits, `-` and `_`.
fn is_command_name(word: &str) -> bool {
    !word.is_empty()
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Finds `binary` beside this executable, then on PATH.
fn locate(binary: &str) -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(binary)));
    beside
        .filter(|p| is_executable(p))
        .or_else(|| which::which(binary).ok())
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn exec_binary(binary: &str, prefix: &[&str], args: &[OsString], invoked_as: &str) -> ExitCode {
    let Some(path) = locate(binary) else {
        eprintln!(
            "codex: cannot find `{binary}` beside codex or on PATH; install the whole toolkit, or put `{binary}` on PATH"
        );
        return ExitCode::from(1);
    };
    let err = std::process::Command::new(&path)
        .arg0(binary)
        .args(prefix)
        .args(args)
        .env(INVOKED_AS_ENV, invoked_as)
        .exec();
    eprintln!("codex: cannot run {}: {err}", path.display());
    ExitCode::from(1)
}

/// The whole command tree, as help and completion present it.
fn command_tree() -> Command {
    let mut root = Command::new("codex")
        .bin_name("codex")
        .version(env!("CARGO_PKG_VERSION"))
        .about("A coding agent for your terminal, your scripts and your CI.\n\nWith no subcommand, starts the terminal UI; options before a subcommand go to it too.")
        .after_help("Any `codex-<name>` program beside codex or on PATH also runs as `codex <name>`.\nRun `codex help <command>` for a command's own options.")
        .subcommand_value_name("COMMAND")
        .disable_help_subcommand(true);
    for (order, sub) in SUBCOMMANDS.iter().enumerate() {
        root = root.subcommand(
            (sub.command)()
                .name(sub.name)
                .display_order(order)
                .bin_name(format!("codex {}", sub.name))
                .about(sub.summary)
                .long_about(None)
                .visible_aliases(sub.aliases.iter().copied()),
        );
    }
    root.subcommand(
        Command::new("completion")
            .display_order(SUBCOMMANDS.len())
            .about("Print a shell completion script (bash by default)")
            .arg(
                clap::Arg::new("shell")
                    .value_parser(clap::value_parser!(Shell))
                    .default_value("bash"),
            ),
    )
    .subcommand(
        Command::new("help")
            .display_order(SUBCOMMANDS.len() + 1)
            .about("Show help for codex or one of its commands"),
    )
}

fn print_help() -> ExitCode {
    let help = command_tree().render_help();
    println!("{help}");
    ExitCode::SUCCESS
}

fn completion(args: &[OsString]) -> ExitCode {
    let shell = match args.first().map(|a| a.to_str()) {
        None => Shell::Bash,
        Some(Some(name)) => {
            let Ok(shell) = name.parse::<Shell>() else {
                eprintln!(
                    "codex completion: unknown shell `{name}`; choose bash, zsh, fish, elvish or powershell"
                );
                return ExitCode::from(2);
            };
            shell
        }
        Some(None) => {
            eprintln!("codex completion: the shell name is not valid UTF-8");
            return ExitCode::from(2);
        }
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command_tree(), "codex", &mut out);
    // A closed pipe (`codex completion | head`) is not an error worth reporting.
    let _ = std::io::stdout().write_all(&out);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_a_distinct_name() {
        let mut names: Vec<&str> = SUBCOMMANDS
            .iter()
            .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()))
            .collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn command_tree_is_valid() {
        command_tree().debug_assert();
    }

    #[test]
    fn command_names_and_prompts_are_told_apart() {
        assert!(is_command_name("exec"));
        assert!(is_command_name("foo-bar2"));
        assert!(!is_command_name("fix the tests"));
        assert!(!is_command_name("Fix"));
    }
}
