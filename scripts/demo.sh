#!/usr/bin/env bash
# The main job, end to end: build the toolkit, then let the agent fix a small bug in a fresh
# git workspace. Commands really run under the sandbox and the patch is really applied.
#
#   scripts/demo.sh           no key needed: the model's side is a recorded session, replayed
#   scripts/demo.sh --live    the real OpenAI API (needs OPENAI_API_KEY)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# A debug build: quick to make, and the agent's speed is not what this shows.
cargo build --quiet -p codex -p codex-exec -p codex-linux-sandbox
bin="${CARGO_TARGET_DIR:-$repo/target}/debug"

workspace=$(mktemp -d)
home=$(mktemp -d)
trap 'rm -rf "$workspace" "$home"' EXIT
cd "$workspace"
git init --quiet .
cat > greet.py <<'PY'
def greet(name):
    return "hello " + name


print(greet("world"))
PY

task="greet.py prints 'hello world'; make it print 'Hello, world!' and check by running it."
if [ "${1:-}" = "--live" ]; then
  : "${OPENAI_API_KEY:?set OPENAI_API_KEY for --live}"
  CODEX_HOME=$home CODEX_API_KEY=$OPENAI_API_KEY "$bin/codex" exec -s workspace-write "$task"
else
  CODEX_HOME=$home "$bin/codex" exec -s workspace-write \
    -c model_provider=demo \
    -c "model_providers.demo={ name = \"recorded demo\", base_url = \"replay://$repo/examples/demo/session.jsonl\", wire_api = \"responses\" }" \
    -m demo-model "$task"
fi
echo
echo "--- greet.py after the run:"
cat greet.py
echo "--- python3 greet.py:"
python3 greet.py
