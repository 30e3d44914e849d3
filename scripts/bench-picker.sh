#!/usr/bin/env bash
# Times the TUI's resume picker opening over generated sessions.
#
#   scripts/bench-picker.sh [SESSIONS] [RUNS]    defaults: 10000 sessions, 21 runs
#
# Generates SESSIONS rollout files (25 a day going back in time) in a temporary CODEX_HOME,
# then prints median/min/max of: opening the picker until its first frame shows rows (loader
# thread, first page, draw), and a search that matches nothing (every session's head read,
# page by page). Fails (exit 1) when the first frame's median is over 50 ms.
# Timings are with a warm page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --release -p codex-tui --example bench_picker -- "$@"
