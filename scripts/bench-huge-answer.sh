#!/usr/bin/env bash
# codex-exec receiving a huge answer (default 100 MiB) from the local mock model: wall time,
# peak RSS, and how many bytes reach stdout (all of them) and stderr (a bounded head and tail).
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-100}
export CARGO_PROFILE_RELEASE_LTO=thin
cargo build --release --quiet -p codex-exec
cargo build --release --quiet -p codex-exec --example bench_huge_answer
target/release/examples/bench_huge_answer "$mib"
