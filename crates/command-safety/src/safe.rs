//! `is_known_safe_command`: commands that only read, so they run without sandbox or approval.

use crate::shell_script::plain_commands;
use crate::tables::{
    ALWAYS_SAFE, BASE64_WRITE_OPTIONS, FIND_UNSAFE_OPTIONS, GIT_BRANCH_READ_ONLY_FLAGS,
    GIT_GLOBAL_OPTIONS_WITH_VALUE, GIT_READ_ONLY_SUBCOMMANDS, GIT_UNSAFE_ARGS,
    GIT_UNSAFE_GLOBAL_OPTIONS, LINUX_ONLY_SAFE, RG_UNSAFE_FLAGS, RG_UNSAFE_OPTIONS_WITH_VALUE,
    SCRIPT_FLAGS, SCRIPT_SHELLS, UNIQ_OPTIONS_WITH_VALUE,
};

/// Whether `command` (an execvp argv) is known to only read: a program from the safe list with
/// arguments that keep it read-only, or `bash -lc "<script>"` / `zsh -lc` whose script is plain
/// commands joined by `&&`, `||`, `;`, `|`, each of them safe.
///
/// Program names must be bare (`ls`, not `/usr/bin/ls` or `./ls`): a path may point anywhere.
pub fn is_known_safe_command(command: &[String]) -> bool {
    if is_safe_to_exec(command) {
        return true;
    }
    shell_script(command)
        .and_then(plain_commands)
        .is_some_and(|commands| commands.iter().all(|c| is_safe_to_exec(c)))
}

/// The script of `[bash|zsh, -lc|-c, SCRIPT]`.
pub(crate) fn shell_script(command: &[String]) -> Option<&str> {
    match command {
        [shell, flag, script]
            if SCRIPT_SHELLS.contains(&shell.as_str()) && SCRIPT_FLAGS.contains(&flag.as_str()) =>
        {
            Some(script)
        }
        _ => None,
    }
}

fn is_safe_to_exec(command: &[String]) -> bool {
    let Some((program, args)) = command.split_first() else {
        return false;
    };
    let program = program.as_str();
    if ALWAYS_SAFE.contains(&program) {
        return true;
    }
    if LINUX_ONLY_SAFE.contains(&program) {
        return cfg!(target_os = "linux");
    }
    match program {
        "base64" => base64_is_safe(args),
        "find" => !args
            .iter()
            .any(|a| FIND_UNSAFE_OPTIONS.contains(&a.as_str())),
        "rg" => rg_is_safe(args),
        "git" => git_is_safe(args),
        "sed" => sed_is_safe(args),
        "uniq" => uniq_is_safe(args),
        _ => false,
    }
}

fn base64_is_safe(args: &[String]) -> bool {
    !args.iter().any(|arg| {
        BASE64_WRITE_OPTIONS.contains(&arg.as_str())
            || arg.starts_with("--output=")
            || (arg.starts_with("-o") && !arg.starts_with("--"))
    })
}

fn rg_is_safe(args: &[String]) -> bool {
    !args.iter().any(|arg| {
        let arg = arg.as_str();
        RG_UNSAFE_FLAGS.contains(&arg)
            || RG_UNSAFE_OPTIONS_WITH_VALUE
                .iter()
                .any(|opt| arg == *opt || arg.strip_prefix(opt).is_some_and(|r| r.starts_with('=')))
            // `-z` bundled with other short flags, e.g. `-iz`.
            || (arg.starts_with('-') && !arg.starts_with("--") && arg.contains('z'))
    })
}

/// `git [global options] (status|log|diff|show|branch) [args]`, with no option that runs
/// programs or writes files.
fn git_is_safe(args: &[String]) -> bool {
    let mut rest = args.iter().map(String::as_str);
    let subcommand = loop {
        let Some(arg) = rest.next() else {
            return false;
        };
        let unsafe_global = GIT_UNSAFE_GLOBAL_OPTIONS.iter().any(|opt| {
            arg == *opt
                || arg.strip_prefix(opt).is_some_and(|r| r.starts_with('='))
                // `-cname=value`: the short forms take their value attached.
                || (opt.len() == 2 && !opt.starts_with("--") && arg.starts_with(opt))
        });
        if unsafe_global {
            return false;
        }
        if GIT_GLOBAL_OPTIONS_WITH_VALUE.contains(&arg) {
            rest.next();
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        break arg;
    };
    if !GIT_READ_ONLY_SUBCOMMANDS.contains(&subcommand) {
        return false;
    }
    let sub_args: Vec<&str> = rest.collect();
    let unsafe_arg = sub_args.iter().any(|arg| {
        GIT_UNSAFE_ARGS
            .iter()
            .any(|opt| arg == opt || arg.strip_prefix(opt).is_some_and(|r| r.starts_with('=')))
    });
    if unsafe_arg {
        return false;
    }
    subcommand != "branch" || git_branch_is_read_only(&sub_args)
}

/// `git branch` lists with no arguments or only listing flags; a positional argument creates
/// a branch unless `--list`/`-l` turns it into a pattern.
fn git_branch_is_read_only(args: &[&str]) -> bool {
    let listing = args.iter().any(|a| matches!(*a, "--list" | "-l"));
    args.iter().all(|arg| {
        GIT_BRANCH_READ_ONLY_FLAGS.contains(arg)
            || arg.starts_with("--format=")
            || (listing && !arg.starts_with('-'))
    })
}

/// `sed -n Np [file]` or `sed -n M,Np [file]`: printing a line range.
fn sed_is_safe(args: &[String]) -> bool {
    let is_range = |s: &str| {
        let Some(range) = s.strip_suffix('p') else {
            return false;
        };
        let is_number = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        match range.split_once(',') {
            Some((from, to)) => is_number(from) && is_number(to),
            None => is_number(range),
        }
    };
    matches!(args, [flag, range] | [flag, range, _] if flag == "-n" && is_range(range))
}

/// `uniq [options] [INPUT]`: a second operand is an output file.
fn uniq_is_safe(args: &[String]) -> bool {
    let mut operands = 0;
    let mut iter = args.iter().map(String::as_str);
    while let Some(arg) = iter.next() {
        if UNIQ_OPTIONS_WITH_VALUE.contains(&arg) {
            iter.next();
        } else if arg == "-" || !arg.starts_with('-') {
            operands += 1;
        } else if arg == "--" {
            operands += iter.by_ref().count();
        }
    }
    operands <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn safe(items: &[&str]) -> bool {
        is_known_safe_command(&v(items))
    }

    fn bash(script: &str) -> bool {
        safe(&["bash", "-lc", script])
    }

    #[test]
    fn always_safe_programs() {
        for program in ALWAYS_SAFE {
            assert!(safe(&[program, "--anything", "x"]), "{program}");
        }
        assert!(safe(&["ls"]));
        assert_eq!(safe(&["tac", "f"]), cfg!(target_os = "linux"));
        assert_eq!(safe(&["numfmt", "1000"]), cfg!(target_os = "linux"));
    }

    #[test]
    fn unknown_and_path_qualified_programs_are_not_safe() {
        assert!(!safe(&[]));
        assert!(!safe(&["rm", "x"]));
        assert!(!safe(&["/bin/ls"]));
        assert!(!safe(&["./cat", "f"]));
        assert!(!safe(&["python3", "-c", "print(1)"]));
        assert!(!safe(&["sort", "-o", "out", "in"]));
    }

    #[test]
    fn base64_rules() {
        assert!(safe(&["base64", "-d", "file"]));
        assert!(!safe(&["base64", "-o", "out", "file"]));
        assert!(!safe(&["base64", "-oout", "file"]));
        assert!(!safe(&["base64", "--output", "out"]));
        assert!(!safe(&["base64", "--output=out"]));
    }

    #[test]
    fn find_rules() {
        assert!(safe(&["find", ".", "-name", "*.rs", "-type", "f"]));
        for bad in FIND_UNSAFE_OPTIONS {
            assert!(!safe(&["find", ".", bad, "x"]), "{bad}");
        }
    }

    #[test]
    fn rg_rules() {
        assert!(safe(&["rg", "-n", "TODO", "src"]));
        assert!(safe(&["rg", "--files"]));
        assert!(!safe(&["rg", "--pre", "evil", "x"]));
        assert!(!safe(&["rg", "--pre=evil", "x"]));
        assert!(!safe(&["rg", "--hostname-bin=evil", "x"]));
        assert!(!safe(&["rg", "--hostname-bin", "evil", "x"]));
        assert!(!safe(&["rg", "--search-zip", "x"]));
        assert!(!safe(&["rg", "-z", "x"]));
        assert!(!safe(&["rg", "-iz", "x"]));
        // A pattern argument that merely contains "pre" is fine.
        assert!(safe(&["rg", "--", "--prefix"]));
    }

    #[test]
    fn git_read_only_subcommands() {
        for sub in ["status", "log", "diff", "show", "branch"] {
            assert!(safe(&["git", sub]), "{sub}");
        }
        assert!(safe(&["git", "log", "--oneline", "-p", "-5"]));
        assert!(safe(&["git", "-C", "sub dir", "status"]));
        assert!(safe(&["git", "--no-pager", "diff", "--stat"]));
        assert!(safe(&["git", "--git-dir", ".git", "log"]));
        assert!(!safe(&["git"]));
        assert!(!safe(&["git", "commit", "-m", "x"]));
        assert!(!safe(&["git", "push"]));
        assert!(!safe(&["git", "-C", "status", "push"]));
        assert!(!safe(&["git", "checkout", "status"]));
        assert!(!safe(&["/usr/bin/git", "status"]));
    }

    #[test]
    fn git_options_that_run_programs_or_write() {
        assert!(!safe(&["git", "-c", "core.pager=evil", "log"]));
        assert!(!safe(&["git", "-ccore.pager=evil", "log"]));
        assert!(!safe(&["git", "--config-env", "core.pager=ENV", "log"]));
        assert!(!safe(&["git", "--config-env=core.pager=ENV", "log"]));
        assert!(!safe(&["git", "--exec-path=/tmp", "status"]));
        assert!(!safe(&["git", "-p", "log"]));
        assert!(!safe(&["git", "--paginate", "log"]));
        assert!(!safe(&["git", "log", "--paginate"]));
        assert!(!safe(&["git", "diff", "--output", "f"]));
        assert!(!safe(&["git", "diff", "--output=f"]));
        assert!(!safe(&["git", "diff", "--ext-diff"]));
        assert!(!safe(&["git", "show", "--textconv", "HEAD:x"]));
        assert!(!safe(&["git", "log", "--exec=evil"]));
    }

    #[test]
    fn git_branch_rules() {
        assert!(safe(&["git", "branch", "--show-current"]));
        assert!(safe(&["git", "branch", "-a", "-vv"]));
        assert!(safe(&["git", "branch", "--format=%(refname)"]));
        assert!(safe(&["git", "branch", "--list", "feat/*"]));
        assert!(!safe(&["git", "branch", "new-branch"]));
        assert!(!safe(&["git", "branch", "-d", "old"]));
        assert!(!safe(&["git", "branch", "-D", "old"]));
        assert!(!safe(&["git", "branch", "-m", "a", "b"]));
        assert!(!safe(&["git", "branch", "-v", "new-branch"]));
    }

    #[test]
    fn sed_rules() {
        assert!(safe(&["sed", "-n", "10p", "f.rs"]));
        assert!(safe(&["sed", "-n", "1,20p", "f.rs"]));
        assert!(safe(&["sed", "-n", "5p"]));
        assert!(!safe(&["sed", "-n", "1,20p", "a", "b"]));
        assert!(!safe(&["sed", "-i", "s/a/b/", "f"]));
        assert!(!safe(&["sed", "-n", "1,20w out", "f"]));
        assert!(!safe(&["sed", "-n", ",5p", "f"]));
        assert!(!safe(&["sed", "-n", "p", "f"]));
        assert!(!safe(&["sed", "1,5p", "f"]));
    }

    #[test]
    fn uniq_rules() {
        assert!(safe(&["uniq", "-c", "in.txt"]));
        assert!(safe(&["uniq", "-f", "2", "in.txt"]));
        assert!(!safe(&["uniq", "in.txt", "out.txt"]));
        assert!(!safe(&["uniq", "--", "in.txt", "out.txt"]));
    }

    #[test]
    fn bash_scripts_of_safe_commands() {
        assert!(bash("ls"));
        assert!(bash("ls -la && git status"));
        assert!(bash("cat a.txt | grep -n foo | head -n 5"));
        assert!(bash("pwd; echo 'done here'"));
        assert!(bash("git log --oneline || true"));
        assert!(bash("sed -n 1,40p src/main.rs"));
        assert!(safe(&["zsh", "-lc", "ls"]));
        assert!(safe(&["bash", "-c", "ls"]));
    }

    #[test]
    fn bash_scripts_that_are_not_safe() {
        assert!(!bash("ls && rm -rf x"));
        assert!(!bash("ls > out.txt"));
        assert!(!bash("cat < in"));
        assert!(!bash("echo $(rm x)"));
        assert!(!bash("echo `rm x`"));
        assert!(!bash("echo $HOME"));
        assert!(!bash("(ls)"));
        assert!(!bash("ls &"));
        assert!(!bash("rg foo *"));
        assert!(!bash("FOO=1 ls"));
        assert!(!bash(""));
        assert!(!bash("ls &&"));
        assert!(!safe(&["sh", "-c", "ls"]));
        assert!(!safe(&["bash", "-lc", "ls", "extra"]));
        assert!(!safe(&["bash", "-x", "ls"]));
        assert!(!safe(&["bash", "-lc", "bash -lc ls"]));
    }
}
