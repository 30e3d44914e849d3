//! `command_might_be_dangerous`: commands that destroy work, which a human confirms even when
//! the policy would otherwise run them.

use std::path::Path;

use crate::safe::shell_script;
use crate::shell_script::split_script;

/// `sudo` options whose value is the next argument.
const SUDO_OPTIONS_WITH_VALUE: &[&str] = &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"];

/// Shell keywords that may precede a command in a script (`if rm -rf x; then ...`).
const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "time", "!",
];

/// Whether `command` may destroy data: `git reset`, `git rm`, `rm` with `-f` (in any flag
/// bundle, or `--force`), also behind `sudo` and inside `bash -lc` / `zsh -lc` scripts (even
/// scripts that are not plain: redirections do not hide an `rm -rf`).
pub fn command_might_be_dangerous(command: &[String]) -> bool {
    if is_dangerous_to_exec(command) {
        return true;
    }
    shell_script(command).is_some_and(|script| {
        split_script(script).commands.iter().any(|c| {
            let words = strip_prefixes(c);
            is_dangerous_to_exec(words) || command_might_be_dangerous(words)
        })
    })
}

/// Drops leading keywords and `NAME=value` assignments of a script command.
fn strip_prefixes(mut words: &[String]) -> &[String] {
    while let Some((first, rest)) = words.split_first() {
        let assignment = first.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !(assignment || SHELL_KEYWORDS.contains(&first.as_str())) {
            break;
        }
        words = rest;
    }
    words
}

fn is_dangerous_to_exec(command: &[String]) -> bool {
    let Some((program, args)) = command.split_first() else {
        return false;
    };
    let name = Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(program);
    match name {
        "git" => git_is_destructive(args),
        "rm" => args.iter().take_while(|a| *a != "--").any(|a| {
            a == "--force" || (a.starts_with('-') && !a.starts_with("--") && a.contains('f'))
        }),
        "sudo" => is_dangerous_to_exec(skip_sudo_options(args)),
        _ => false,
    }
}

/// Finds git's subcommand after global options and checks for `reset` / `rm`.
fn git_is_destructive(args: &[String]) -> bool {
    let mut iter = args.iter().map(String::as_str);
    while let Some(arg) = iter.next() {
        match arg {
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env" => {
                iter.next();
            }
            a if a.starts_with('-') => {}
            sub => return matches!(sub, "reset" | "rm"),
        }
    }
    false
}

fn skip_sudo_options(mut args: &[String]) -> &[String] {
    while let Some((first, rest)) = args.split_first() {
        if first == "--" {
            return rest;
        }
        if !first.starts_with('-') {
            break;
        }
        args = if SUDO_OPTIONS_WITH_VALUE.contains(&first.as_str()) {
            rest.get(1..).unwrap_or_default()
        } else {
            rest
        };
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dangerous(items: &[&str]) -> bool {
        let argv: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        command_might_be_dangerous(&argv)
    }

    #[test]
    fn git_reset_and_rm() {
        assert!(dangerous(&["git", "reset", "--hard"]));
        assert!(dangerous(&["git", "reset"]));
        assert!(dangerous(&["git", "rm", "-r", "src"]));
        assert!(dangerous(&["git", "-C", "repo", "reset", "--hard"]));
        assert!(dangerous(&["/usr/bin/git", "reset"]));
        assert!(!dangerous(&["git", "status"]));
        assert!(!dangerous(&["git", "log", "reset"]));
        assert!(!dangerous(&["git"]));
    }

    #[test]
    fn rm_with_force() {
        for flags in [
            &["-f"][..],
            &["-rf"],
            &["-fr"],
            &["-Rf"],
            &["-r", "-f"],
            &["--force"],
        ] {
            let mut argv = vec!["rm"];
            argv.extend_from_slice(flags);
            argv.push("target");
            assert!(dangerous(&argv), "{argv:?}");
        }
        assert!(!dangerous(&["rm", "file"]));
        assert!(!dangerous(&["rm", "-r", "dir"]));
        assert!(!dangerous(&["rm", "--", "-f"]));
    }

    #[test]
    fn through_sudo() {
        assert!(dangerous(&["sudo", "rm", "-rf", "/"]));
        assert!(dangerous(&["sudo", "-u", "root", "git", "reset", "--hard"]));
        assert!(dangerous(&["sudo", "-E", "--", "rm", "-f", "x"]));
        assert!(!dangerous(&["sudo", "ls"]));
        assert!(!dangerous(&["sudo"]));
    }

    #[test]
    fn inside_shell_scripts() {
        assert!(dangerous(&["bash", "-lc", "cd build && rm -rf out"]));
        assert!(dangerous(&["bash", "-lc", "git reset --hard > /dev/null"]));
        assert!(dangerous(&["zsh", "-lc", "ls; sudo rm -f x"]));
        assert!(dangerous(&["bash", "-lc", "FOO=1 rm -rf x"]));
        assert!(dangerous(&["bash", "-lc", "if true; then rm -rf x; fi"]));
        assert!(dangerous(&["bash", "-lc", "bash -lc 'rm -rf x'"]));
        assert!(!dangerous(&["bash", "-lc", "ls && git status"]));
        assert!(!dangerous(&["bash", "-lc", "echo rm -rf x"]));
    }
}
