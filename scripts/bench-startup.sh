#!/usr/bin/env bash
# Start-up time of the `codex` shim against the floor: prints the median wall
# time of `codex --version` beside that of a static "hello" binary, and their
# ratio (the goal is at most 2x).
#
# Builds the release shim (`cargo build --release -p codex`, honouring
# CARGO_TARGET_DIR) and compiles scripts/bench/hello.rs with rustc as a
# static binary. Times with hyperfine when it is installed (as root on Debian
# it is installed with apt-get if missing), else with scripts/bench/spawn_median.rs.
#
# Usage: scripts/bench-startup.sh [--runs N] [--max-ratio R] [--static-shim] [--builtin-timer]
#   --runs N          timed runs of each command (default 300, after 30 warm-up runs)
#   --static-shim     link the shim statically too (crt-static, like the hello),
#                     to see what dynamic loading costs
#   --max-ratio R     exit 1 when codex --version is more than R times the hello
#   --builtin-timer   time with scripts/bench/spawn_median.rs even if hyperfine exists
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs=300
warmup=30
max_ratio=""
use_hyperfine=1
static_shim=0
while [ $# -gt 0 ]; do
    case "$1" in
    --runs)
        runs="${2:?--runs needs a number}"
        shift 2
        ;;
    --max-ratio)
        max_ratio="${2:?--max-ratio needs a number, such as 2}"
        shift 2
        ;;
    --static-shim)
        static_shim=1
        shift
        ;;
    --builtin-timer)
        use_hyperfine=0
        shift
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "bench-startup: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
    esac
done
case "$runs" in
'' | *[!0-9]* | 0)
    echo "bench-startup: --runs wants a positive whole number, not '$runs'" >&2
    exit 2
    ;;
esac

say() { printf 'bench-startup: %s\n' "$*" >&2; }

target_dir="${CARGO_TARGET_DIR:-$root/target}"
bench_dir="$target_dir/bench-startup"
mkdir -p "$bench_dir"

if [ "$static_shim" = 1 ]; then
    # crt-static needs an explicit --target, or proc-macro crates cannot be
    # built; its own directory keeps the normal build's cache intact.
    host="$(rustc -vV | sed -n 's/^host: //p')"
    say "building the release shim, linked static (cargo build --release -p codex --target $host)"
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" CARGO_TARGET_DIR="$bench_dir/static-shim" \
        cargo build --release --quiet -p codex --target "$host"
    codex="$bench_dir/static-shim/$host/release/codex"
else
    say "building the release shim (cargo build --release -p codex)"
    cargo build --release --quiet -p codex
    codex="$target_dir/release/codex"
fi
[ -x "$codex" ] || {
    say "no binary at $codex after the build"
    exit 1
}

# The same optimisation the workspace's release profile uses, linked static.
rustc_static=(-C opt-level=3 -C panic=abort -C strip=symbols -C target-feature=+crt-static --edition 2021)
say "compiling the static hello (rustc ${rustc_static[*]})"
hello="$bench_dir/hello"
rustc "${rustc_static[@]}" -o "$hello" scripts/bench/hello.rs

# A shim that cannot answer --version yet is still timed, but say so.
ignore_failure=()
if ! "$codex" --version >/dev/null 2>&1; then
    say "warning: '$codex --version' exits with an error; timing it anyway"
    ignore_failure=(--ignore-failure)
fi

if [ "$use_hyperfine" = 1 ] && ! command -v hyperfine >/dev/null 2>&1 &&
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing hyperfine (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
        say "could not install hyperfine; using the built-in timer"
fi
if [ "$use_hyperfine" = 1 ] && ! command -v hyperfine >/dev/null 2>&1; then
    use_hyperfine=0
fi

# Prints the median wall time of running "$@", in nanoseconds.
median_ns() {
    if [ "$use_hyperfine" = 1 ]; then
        local json="$bench_dir/hyperfine.json" log="$bench_dir/hyperfine.log"
        # Its outlier warnings are expected on a shared machine; the log is
        # shown only when hyperfine fails.
        hyperfine --shell=none --style=none --warmup "$warmup" --runs "$runs" \
            "${ignore_failure[@]}" --export-json "$json" -- "$(printf '%q ' "$@")" >"$log" 2>&1 ||
            {
                cat "$log" >&2
                return 1
            }
        # Seconds, as a decimal number; the first "median" is the command's.
        sed -n 's/.*"median": *\([0-9.eE+-]*\).*/\1/p' "$json" | head -n 1 |
            awk '{ printf "%.0f\n", $1 * 1e9 }'
    else
        local timer="$bench_dir/spawn_median"
        [ -x "$timer" ] || rustc -C opt-level=2 --edition 2021 -o "$timer" scripts/bench/spawn_median.rs
        "$timer" "$runs" "$warmup" "$@"
    fi
}

if [ "$use_hyperfine" = 1 ]; then
    tool="hyperfine $(hyperfine --version | awk '{print $2}')"
else
    tool="spawn_median"
fi
say "timing $runs runs of each, after $warmup warm-up runs, with $tool"

codex_ns="$(median_ns "$codex" --version)"
hello_ns="$(median_ns "$hello")"

awk -v c="$codex_ns" -v h="$hello_ns" -v n="$runs" 'BEGIN {
    printf "%-16s median %8.3f ms  (%d runs)\n", "codex --version", c / 1e6, n
    printf "%-16s median %8.3f ms  (%d runs)\n", "static hello", h / 1e6, n
    printf "%-16s %8.2fx  (target: at most 2x)\n", "ratio", c / h
}'

if [ -n "$max_ratio" ]; then
    if awk -v c="$codex_ns" -v h="$hello_ns" -v m="$max_ratio" 'BEGIN { exit !(c > m * h) }'; then
        say "codex --version is more than ${max_ratio}x the static hello"
        exit 1
    fi
fi
