#!/usr/bin/env bash
# codex-mcp against the local mock model: median time from `tools/call codex` to its result for
# a one-turn answer, and the server's idle resident memory; over stdio, then over streamable
# HTTP (`--http`, one POST per call, the answer read from its SSE stream).
# Measured on 2 shared cores (load ~7): stdio median 8.7-9.6 ms (p90 13-28 ms) per call, idle
# RSS 8.5 MiB (20.0 MiB after 50 calls, kept as conversations for codex-reply until idle);
# HTTP median 7.3 ms (p90 15.8 ms), idle RSS 9.2 MiB (44 ms before the server set TCP_NODELAY).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-50}
# Fat LTO makes a release build take minutes on a small machine; thin LTO is close enough.
export CARGO_PROFILE_RELEASE_LTO=thin
cargo build --release --quiet -p codex-mcp -p codex-linux-sandbox
cargo build --release --quiet -p codex-mcp --example bench_mcp
target/release/examples/bench_mcp "$calls"
