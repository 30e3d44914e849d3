#!/usr/bin/env bash
# codex-mcp against the local mock model: median time from `tools/call codex` to its result for
# a one-turn answer, and the server's idle resident memory.
# Measured on 2 cores: median 8.0 ms (p90 13.4 ms) per call; idle RSS 6.6 MiB (17.7 MiB after 50
# calls, which the server keeps as conversations for codex-reply).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-50}
# Fat LTO makes a release build take minutes on a small machine; thin LTO is close enough.
export CARGO_PROFILE_RELEASE_LTO=thin
cargo build --release --quiet -p codex-mcp -p codex-linux-sandbox
cargo build --release --quiet -p codex-mcp --example bench_mcp
target/release/examples/bench_mcp "$calls"
