//! The declarative part: which programs, subcommands and options are read-only.
//!
//! Logic that walks an argv lives in `safe.rs`; change what is trusted here. Every entry must
//! be unable to write files, run other programs or reach the network, whatever its arguments
//! (or the argument rule next to it must make it so).

/// Programs that are safe with any arguments.
pub(crate) const ALWAYS_SAFE: &[&str] = &[
    "cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd",
    "rev", "seq", "stat", "tail", "tr", "true", "uname", "wc", "which", "whoami",
];

/// Safe with any arguments, but only the GNU versions found on Linux are known well enough.
pub(crate) const LINUX_ONLY_SAFE: &[&str] = &["numfmt", "tac"];

/// `base64` options that write a file (BSD `-o`, GNU-style `--output`). `-oFILE` is also caught.
pub(crate) const BASE64_WRITE_OPTIONS: &[&str] = &["-o", "--output"];

/// `find` actions that run programs, delete, or write files.
pub(crate) const FIND_UNSAFE_OPTIONS: &[&str] = &[
    "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
];

/// `rg` options that run a program on each file (`--pre`, `--hostname-bin`, with a value
/// either attached with `=` or as the next argument).
pub(crate) const RG_UNSAFE_OPTIONS_WITH_VALUE: &[&str] = &["--pre", "--hostname-bin"];

/// `rg` flags that spawn decompression programs.
pub(crate) const RG_UNSAFE_FLAGS: &[&str] = &["--search-zip", "-z"];

/// `git` subcommands that only read the repository.
pub(crate) const GIT_READ_ONLY_SUBCOMMANDS: &[&str] = &["status", "log", "diff", "show", "branch"];

/// `git` global options whose value is the next argument (skipped when looking for the
/// subcommand).
pub(crate) const GIT_GLOBAL_OPTIONS_WITH_VALUE: &[&str] = &[
    "-C",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--super-prefix",
];

/// `git` global options that can make any subcommand run arbitrary programs (config overrides
/// such as `core.pager`, a different exec path, or a pager).
pub(crate) const GIT_UNSAFE_GLOBAL_OPTIONS: &[&str] =
    &["-c", "--config-env", "--exec-path", "-p", "--paginate"];

/// Arguments of the read-only `git` subcommands that write files or run programs.
pub(crate) const GIT_UNSAFE_ARGS: &[&str] = &[
    "--output",
    "--ext-diff",
    "--textconv",
    "--exec",
    "--paginate",
];

/// Flags that keep `git branch` read-only (`--format=...` is accepted separately).
pub(crate) const GIT_BRANCH_READ_ONLY_FLAGS: &[&str] = &[
    "--list",
    "-l",
    "--show-current",
    "-a",
    "--all",
    "-r",
    "--remotes",
    "-v",
    "-vv",
    "--verbose",
];

/// `uniq` options whose value is the next argument; `uniq IN OUT` writes OUT, so operands are
/// counted and more than one is refused.
pub(crate) const UNIQ_OPTIONS_WITH_VALUE: &[&str] = &["-f", "-s", "-w"];

/// Shells whose `-c`/`-lc` scripts are inspected; `zsh` is treated like `bash`.
pub(crate) const SCRIPT_SHELLS: &[&str] = &["bash", "zsh"];

/// Flags that make a shell run the following script argument.
pub(crate) const SCRIPT_FLAGS: &[&str] = &["-lc", "-c"];
