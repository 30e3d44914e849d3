#!/usr/bin/env bash
# First-request delay of codex-exec with three MCP servers configured, one of them 5 s slow to
# start, against none. Servers start in the background, so the two figures should be close.
# Needs python3 with the `mcp` package (scripts/install-test-deps.sh).
# Measured on 2 shared cores (release, 10 runs): 12.9 ms to the first request with no servers,
# 25.1 ms with the three; Codex 0.58 waits for the slowest server, here at least 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
profile=${PROFILE:-release}
# Fat LTO makes a release build take minutes on a small machine; thin LTO is close enough.
export CARGO_PROFILE_RELEASE_LTO=thin
flag=$([ "$profile" = release ] && echo --release || true)
cargo build $flag --quiet -p codex-exec -p codex-linux-sandbox
cargo build $flag --quiet -p codex-exec --example bench_mcp_startup
dir=$([ "$profile" = release ] && echo release || echo debug)
"target/$dir/examples/bench_mcp_startup" "$runs"
