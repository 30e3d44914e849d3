#!/usr/bin/env bash
# codex-exec end to end against the local mock model: one plain turn, one turn with a
# sandboxed shell call, and `bash -lc` turns under a ~100 ms login profile with the shell
# snapshot off and on. Prints medians of wall time, CPU time and peak RSS.
# Targets: plain turn under 30 ms wall and 15 MiB peak; tool turn under 60 ms; with the
# snapshot, each `bash -lc` call after the session's first costs what `bash -c` does (+3 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
# Fat LTO makes a release build take minutes on a small machine; thin LTO is close enough.
export CARGO_PROFILE_RELEASE_LTO=thin
cargo build --release --quiet -p codex-exec -p codex-linux-sandbox
cargo build --release --quiet -p codex-exec --example bench_turns
target/release/examples/bench_turns "$runs"
