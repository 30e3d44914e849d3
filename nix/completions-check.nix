# Checks that the installed package ships completions for bash, zsh and fish,
# and that each one is accepted by its shell (bash must also register the
# `codex` completion when the script is sourced).
{
  runCommand,
  bashInteractive,
  zsh,
  fish,
  toolkit,
}:

runCommand "codex-completions-check"
  {
    nativeBuildInputs = [
      bashInteractive
      zsh
      fish
    ];
  }
  ''
    export HOME="$(mktemp -d)"
    bash_file=${toolkit}/share/bash-completion/completions/codex.bash
    zsh_file=${toolkit}/share/zsh/site-functions/_codex
    fish_file=${toolkit}/share/fish/vendor_completions.d/codex.fish

    for f in "$bash_file" "$zsh_file" "$fish_file"; do
      if [ ! -s "$f" ]; then
        echo "missing or empty completion file: $f (does 'codex completion' work?)" >&2
        exit 1
      fi
    done

    bash -n "$bash_file"
    bash -c 'source "$1" && complete -p codex' _ "$bash_file"
    zsh -n "$zsh_file"
    grep -q '_codex' "$zsh_file"
    fish --no-execute "$fish_file"

    touch "$out"
  ''
