#!/usr/bin/env bash
# Evaluates flake.nix without fetching nixpkgs: its nixpkgs input is replaced
# by the small stand-in under nix/ci-stub, and every output (packages, apps,
# devShell, checks, overlay) is evaluated and instantiated, but nothing is
# built. The real nixpkgs build is therefore checked by evaluation only.
#
# Needs Nix with flakes; on Debian it installs the `nix-bin` package when
# `nix` is missing (as root). Nix sees only files tracked by git, so run this
# on a committed tree (a fresh clone, or after `git add`).
#
# Usage: scripts/check-flake.sh [--run CARGO_OUT_DIR]
#   --run DIR   also run the flake's apps for real: the stub's Rust packages
#               then copy the binaries cargo already built in DIR (such as
#               target/debug), and `nix run .#codex -- --version` must work
#               (evaluates with --impure and builds without the Nix sandbox).
set -euo pipefail

prebuilt=""
case "${1:-}" in
"") ;;
--run)
    prebuilt="$(cd "${2:?--run needs a cargo output directory, such as target/debug}" && pwd)"
    [ -x "$prebuilt/codex" ] || {
        echo "check-flake: $prebuilt/codex does not exist; build the workspace first (cargo build)" >&2
        exit 2
    }
    ;;
-h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "check-flake: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf 'check-flake: %s\n' "$*" >&2; }
fail() {
    say "FAILED: $*"
    exit 1
}

if ! command -v nix >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Nix (Debian package nix-bin)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends nix-bin >/dev/null
    else
        fail "nix is not installed; install it (Debian: apt-get install nix-bin) and run again"
    fi
fi

# Flakes on, no binary cache to reach, and single-user mode (no nixbld group
# needed); anything the caller already set in NIX_CONFIG comes after and wins.
NIX_CONFIG=$'experimental-features = nix-command flakes\nsubstituters =\nbuild-users-group =\nwarn-dirty = false'${NIX_CONFIG:+$'\n'"$NIX_CONFIG"}
export NIX_CONFIG

# A git checkout is evaluated as git sees it: untracked files do not exist
# for Nix. Say so plainly rather than let Nix report a missing file.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    flake="git+file://$root"
    for f in flake.nix flake.lock nix/package.nix nix/proxy-image.nix nix/completions-check.nix \
        nix/ci-stub/flake.nix Cargo.toml Cargo.lock; do
        [ "$f" = flake.lock ] && [ ! -e "$f" ] && continue
        git -C "$root" ls-files --error-unmatch -- "$f" >/dev/null 2>&1 ||
            fail "$f is not tracked by git, so Nix cannot see it; 'git add' it (and commit) first"
    done
else
    flake="path:$root"
fi

stub="path:$root/nix/ci-stub"
nix_args=(--override-input nixpkgs "$stub" --no-write-lock-file)

say "nix $(nix --version | awk '{print $NF}'); flake $flake; nixpkgs replaced by $stub"

# Runs nix (callers pass the stub override). Nix 2.8 says on every call that
# it will not write the overridden input to flake.lock, and lists each
# attribute it evaluates; that noise is dropped, warnings and errors are kept.
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
stub_nix() {
    local status=0
    nix "$@" 2>"$errors" || status=$?
    grep -v -e "^warning: not writing modified lock file" -e "^• Added input 'nixpkgs':" \
        -e "^    'path:.*ci-stub" -e "^evaluating '" -e "^evaluating flake" -e "^checking " "$errors" >&2 || true
    return "$status"
}

say "nix flake show"
stub_nix flake show "${nix_args[@]}" "$flake" || fail "nix flake show"

say "nix flake check --no-build"
stub_nix flake check --no-build "${nix_args[@]}" "$flake" || fail "nix flake check --no-build"

# A few facts the generic check does not look at.
eval_json() { stub_nix eval --json "${nix_args[@]}" "$flake#$1" "${@:2}"; }
system=x86_64-linux

say "apps match the binaries under bins/"
expected="$(
    # The installed binary: a [[bin]] name when the manifest has one, else the package name.
    for manifest in bins/*/Cargo.toml; do
        awk -F'"' '/^\[\[bin\]\]/ { bin = 1; next } /^\[/ { bin = 0 }
            /^name *=/ { if (bin && !b) b = $2; if (!p) p = $2 }
            END { print (b ? b : p) }' "$manifest"
    done | sort | tr '\n' ' '
)"
actual="$(eval_json "apps.$system" --apply 'a: builtins.attrNames (removeAttrs a [ "default" ])' |
    tr -d '[]"' | tr ',' '\n' | sort | tr '\n' ' ')"
[ "$expected" = "$actual" ] ||
    fail "flake apps ($actual) differ from the binaries under bins/ ($expected); update 'binaries' in flake.nix"

for app in $expected default; do
    want="$app"
    [ "$app" = default ] && want=codex
    program="$(eval_json "apps.$system.$app.program" | tr -d '"')"
    case "$program" in
    /nix/store/*/bin/"$want") ;;
    *) fail "apps.$system.$app.program is '$program', expected a store path ending in /bin/$want" ;;
    esac
done

main="$(eval_json "packages.$system.default.meta.mainProgram" | tr -d '"')"
[ "$main" = codex ] || fail "packages.$system.default.meta.mainProgram is '$main', expected codex"

image_name="$(eval_json "packages.$system.responses-api-proxy-image" --apply 'i: i.imageName')"
[ "$image_name" = '"responses-api-proxy"' ] ||
    fail "the proxy image is named $image_name, expected responses-api-proxy"

say "ok: flake outputs evaluate for x86_64-linux and aarch64-linux"

if [ -n "$prebuilt" ]; then
    say "running the apps with the binaries in $prebuilt"
    export CODEX_NIX_STUB_PREBUILT="$prebuilt"
    NIX_CONFIG="$NIX_CONFIG"$'\nsandbox = false'
    here="$(nix eval --impure --raw --expr builtins.currentSystem)"
    version="$(stub_nix run --impure "${nix_args[@]}" "$flake" -- --version)" || fail "nix run . -- --version"
    say "nix run . -- --version: $version"
    for app in $expected; do
        program="$(stub_nix eval --impure --raw "${nix_args[@]}" "$flake#apps.$here.$app.program")"
        [ -x "$program" ] || fail "apps.$here.$app.program ($program) is not an executable after the build"
    done
    say "ok: every app's program exists; nix run works"
fi
