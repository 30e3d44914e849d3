#!/usr/bin/env bash
# Times session listing and lookup (codex-rollout) over generated sessions.
#
#   scripts/bench-sessions.sh [SESSIONS] [RUNS]    defaults: 10000 sessions, 21 runs each
#
# Generates SESSIONS rollout files, 25 a day going back in time, in a temporary CODEX_HOME,
# then prints median/min/max of: the first and second page of 25, `--last` with and without a
# cwd filter, lookup by id and by prefix, and the worst case (a filter nothing matches, which
# reads every file's head). Fails (exit 1) when the first page's median is over 50 ms.
# Timings are with a warm page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release -p codex-rollout --example bench_sessions -- "$@"
